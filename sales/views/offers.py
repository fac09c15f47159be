"""Offer pages: the list, the firm's tab, make and change an offer, its page and PDF, the
firm's answer, back to draft, and the order it becomes."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from companies.views.references import ExtraTabMixin
from core import money
from core.views import TenantView, is_pk, paginate
from documents.rendering import RenderError
from sales.forms.offers import (
    DecisionForm,
    OfferFilterForm,
    OfferForm,
    line_formset,
    product_data,
)
from sales.offer_pdf import offer_pdf
from sales.offer_source import LABEL
from sales.selectors import offers as selectors
from sales.services import offers as services

VALID_DAYS = 30  # a new offer's default validity


def reverse_or_none(name, *args, query=None):
    """The URL of ``name``, or None while the page it names does not exist."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


class OfferListView(TenantView):
    permissions = {"GET": "offers.view"}

    def get(self, request, tenant_slug):
        form = OfferFilterForm(request.GET or None, tenant=self.tenant, member=self.member)
        filters = form.filters() if form.is_bound else {}
        sort = form.chosen_sort() if form.is_bound else selectors.DEFAULT_SORT
        offers = selectors.offer_list(
            tenant=self.tenant, member=self.member, filters=filters, sort=sort
        )
        context = {"filter_form": form, "page": paginate(request, offers), "sort": sort}
        if request.htmx:
            return render(request, "sales/offers/_offer_rows.html", context)
        return render(request, "sales/offers/offer_list.html", context)


class FirmOffersView(ExtraTabMixin, TenantView):
    tab = "offers"
    permissions = {"GET": "offers.view"}

    def get(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        offers = selectors.firm_offers(tenant=self.tenant, member=self.member, firm=firm)
        return self.render_tab(
            request, "sales/offers/_firm_offers.html", {"page": paginate(request, offers)}
        )


class OfferFormMixin:
    """The offer form and its lines; a service's errors go to the field or line they name."""

    template = "sales/offers/offer_form.html"
    offer = None

    def build(self, data=None, initial=None, lines=None):
        options_url = reverse("sales:offer-firm-options", args=[self.tenant.slug])
        self.form = OfferForm(
            data,
            tenant=self.tenant,
            member=self.member,
            options_url=options_url,
            initial=initial,
        )
        include = [line.product_id for line in getattr(self.offer, "line_list", ())]
        self.lines = line_formset(
            tenant=self.tenant, data=data, initial=lines, include_products=include
        )
        self.line_errors = []

    def submit(self, save):
        """Validate both and save; the saved offer, or None with the errors in place."""
        form_valid = self.form.is_valid()
        if not (self.lines.is_valid() and form_valid):
            return None
        try:
            return save(data=self.form.service_data(), lines=self.lines.lines())
        except ValidationError as error:
            self.attach(error)
        return None

    def attach(self, error):
        if not hasattr(error, "error_dict"):
            self.form.add_error(None, error)
            return
        kept = self.lines.kept_forms()
        for key, errors in error.error_dict.items():
            name, _sep, rest = key.partition(".")
            if name == "lines" and rest:
                index, _sep, field = rest.partition(".")
                form = kept[int(index)]
                form.add_error(field if field in form.fields else None, errors)
            elif name == "lines":
                self.line_errors.extend(e for err in errors for e in err.messages)
            else:
                self.form.add_error(key if key in self.form.fields else None, errors)

    def render_form(self, request, status=200):
        context = {
            "form": self.form,
            "lines": self.lines,
            "line_errors": self.line_errors,
            "products": product_data(self.lines.products),
            "offer": self.offer,
        }
        return render(request, self.template, context, status=status)


class OfferCreateView(OfferFormMixin, TenantView):
    permissions = {"GET": "offers.add", "POST": "offers.add"}

    def initial(self, request):
        today = timezone.localdate()
        template = selectors.default_template(tenant=self.tenant)
        initial = {
            "issued_on": today,
            "valid_until": today + timedelta(days=VALID_DAYS),
            "currency": self.tenant.currency,
            "template": template.pk if template else None,
        }
        firm = request.GET.get("firm", "")
        if is_pk(firm):
            initial["firm"] = firm
        opportunity = request.GET.get("opportunity", "")
        if is_pk(opportunity):
            found = selectors.opportunity_for_offer(
                tenant=self.tenant, member=self.member, pk=int(opportunity)
            )
            if found is not None and str(found.firm_id) == str(initial.get("firm", found.firm_id)):
                initial.update(firm=found.firm_id, opportunity=found.pk, title=found.name)
                initial["currency"] = found.currency
        return initial

    def get(self, request, tenant_slug):
        self.build(initial=self.initial(request))
        return self.render_form(request)

    def post(self, request, tenant_slug):
        self.build(request.POST)
        offer = self.submit(
            lambda **kw: services.offer_create(tenant=self.tenant, actor=self.member, **kw)
        )
        if offer is None:
            return self.render_form(request, status=400)
        messages.success(request, _("The offer %(number)s is saved.") % {"number": offer.number})
        return redirect("sales:offer-detail", self.tenant.slug, offer.pk)


class OfferMixin:
    def load(self, pk, *, change=False):
        self.offer = selectors.offer_get(tenant=self.tenant, member=self.member, pk=pk)
        if change and not selectors.can_change_offer(
            tenant=self.tenant, member=self.member, offer=self.offer
        ):
            raise PermissionDenied
        return self.offer


class OfferEditView(OfferMixin, OfferFormMixin, TenantView):
    permissions = {"GET": "offers.add", "POST": "offers.add"}

    def load_editable(self, pk):
        offer = self.load(pk, change=True)
        if selectors.is_editable(offer):
            offer.line_list = selectors.offer_lines(tenant=self.tenant, offer=offer)
            return offer
        messages.warning(
            self.request,
            _("Only a draft can be changed: take the offer back to draft first."),
        )
        return None

    def get(self, request, tenant_slug, pk):
        offer = self.load_editable(pk)
        if offer is None:
            return redirect("sales:offer-detail", self.tenant.slug, pk)
        initial = {name: getattr(offer, name) for name in services.FIELDS}
        for name in ("firm", "contact", "opportunity", "template"):
            initial[name] = getattr(offer, f"{name}_id")
        lines = [
            {
                name: getattr(line, name)
                for name in (
                    "product",
                    "description",
                    "quantity",
                    "unit",
                    "unit_price",
                    "discount_percent",
                    "vat_rate",
                )
            }
            for line in offer.line_list
        ]
        self.build(initial=initial, lines=lines)
        return self.render_form(request)

    def post(self, request, tenant_slug, pk):
        offer = self.load_editable(pk)
        if offer is None:
            return redirect("sales:offer-detail", self.tenant.slug, pk)
        self.build(request.POST)
        saved = self.submit(
            lambda **kw: services.offer_update(
                tenant=self.tenant, actor=self.member, offer=offer, **kw
            )
        )
        if saved is None:
            return self.render_form(request, status=400)
        messages.success(request, _("The changes are saved."))
        return redirect("sales:offer-detail", self.tenant.slug, saved.pk)


def render_detail(view, request, pk, decision_form=None, status=200):
    offer = selectors.offer_detail(tenant=view.tenant, member=view.member, pk=pk)
    send_url = None
    may_send = "documents.send" in view.member.permission_codes
    if offer.can_change and may_send and offer.status in selectors.SENDABLE:
        send_url = reverse_or_none(
            "documents:dispatch-create",
            view.tenant.slug,
            query={"firm": offer.firm_id, "source": f"{LABEL}:{offer.pk}"},
        )
    order_url = None
    if offer.made_order is not None:
        order_url = reverse_or_none("sales:order-detail", view.tenant.slug, offer.made_order.pk)
    can_act = offer.can_change and "offers.add" in view.member.permission_codes
    context = {
        "offer": offer,
        "can_act": can_act,
        "can_decide": can_act and offer.status in selectors.DECIDABLE,
        "lines": offer.line_list,
        "vat_breakdown": sorted(money.totals(offer.line_list).by_rate.items()),
        "editable": selectors.is_editable(offer),
        "send_url": send_url,
        "order_url": order_url,
        "decision_form": decision_form or DecisionForm(),
    }
    return render(request, "sales/offers/offer_detail.html", context, status=status)


class OfferDetailView(TenantView):
    permissions = {"GET": "offers.view"}

    def get(self, request, tenant_slug, pk):
        return render_detail(self, request, pk)


class OfferPdfView(OfferMixin, TenantView):
    """The offer's PDF, made in the request (one document; batches belong to the worker)."""

    permissions = {"GET": "offers.view"}

    def get(self, request, tenant_slug, pk):
        offer = self.load(pk)
        try:
            filename, pdf = offer_pdf(self.tenant, offer)
        except RenderError as error:
            messages.error(
                request, _("The PDF cannot be made: %(error)s") % {"error": error.message}
            )
            return redirect("sales:offer-detail", self.tenant.slug, offer.pk)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class DecisionView(OfferMixin, TenantView):
    """Record the firm's answer (``decide``) with a comment."""

    permissions = {"POST": "offers.add"}
    done = ""

    def decide(self, **kwargs):
        raise NotImplementedError

    def post(self, request, tenant_slug, pk):
        offer = self.load(pk, change=True)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return render_detail(self, request, pk, decision_form=form, status=400)
        try:
            self.decide(
                tenant=self.tenant,
                actor=self.member,
                offer=offer,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self.done)
        return redirect("sales:offer-detail", self.tenant.slug, offer.pk)


class OfferAcceptView(DecisionView):
    def decide(self, **kwargs):
        self.done = _("The offer is marked as accepted.")
        return services.offer_accept(**kwargs)


class OfferRejectView(DecisionView):
    def decide(self, **kwargs):
        self.done = _("The offer is marked as rejected.")
        return services.offer_reject(**kwargs)


class OfferReopenView(OfferMixin, TenantView):
    permissions = {"POST": "offers.add"}

    def post(self, request, tenant_slug, pk):
        offer = self.load(pk, change=True)
        try:
            services.offer_reopen(tenant=self.tenant, actor=self.member, offer=offer)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The offer is a draft again and can be changed."))
        return redirect("sales:offer-detail", self.tenant.slug, offer.pk)


class OfferOrderView(OfferMixin, TenantView):
    """An accepted offer becomes an order (products sold), once."""

    permissions = {"POST": "offers.add"}

    def post(self, request, tenant_slug, pk):
        offer = self.load(pk, change=True)
        if not self.member.has_perm("orders.add"):
            raise PermissionDenied
        try:
            order, skipped = services.offer_order_create(
                tenant=self.tenant, actor=self.member, offer=offer
            )
        except services.OrderExists as exists:
            self.say_exists(request, exists.order)
            return redirect("sales:offer-detail", self.tenant.slug, offer.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("sales:offer-detail", self.tenant.slug, offer.pk)
        messages.success(
            request, _("Order %(number)s is made from the offer.") % {"number": order.number}
        )
        if skipped:
            left_out = ", ".join(line.description or str(line.position) for line in skipped)
            messages.warning(
                request,
                ngettext(
                    "%(count)s line without a product was left out: %(lines)s",
                    "%(count)s lines without a product were left out: %(lines)s",
                    len(skipped),
                )
                % {"count": len(skipped), "lines": left_out},
            )
        url = reverse_or_none("sales:order-detail", self.tenant.slug, order.pk)
        return redirect(url or reverse("sales:offer-detail", args=[self.tenant.slug, offer.pk]))

    def say_exists(self, request, order):
        url = order and reverse_or_none("sales:order-detail", self.tenant.slug, order.pk)
        if url:
            text = format_html(
                _("An order was already made from this offer: {link}"),
                link=format_html('<a class="alert-link" href="{}">{}</a>', url, order.number),
            )
        else:
            text = _("An order was already made from this offer.")
        messages.info(request, text)


class OfferFirmOptionsView(TenantView):
    """The contacts and opportunities of the firm chosen on the offer form (htmx)."""

    permissions = {"GET": "offers.add"}

    def get(self, request, tenant_slug):
        raw = request.GET.get("firm", "")
        firm = None
        if is_pk(raw):
            firm = selectors.offer_firms(tenant=self.tenant, member=self.member).filter(pk=raw)
            firm = firm.first()
        context = {
            "contacts": selectors.firm_contact_options(tenant=self.tenant, firm=firm),
            "opportunities": selectors.opportunity_options(tenant=self.tenant, firm=firm),
        }
        return render(request, "sales/offers/_firm_options.html", context)
