"""Opportunity pages: the list, the pipeline board and its moves, the forecast, the
opportunity's form and page (activities, linked offers, orders and invoices), the firm's tab."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.views.employees import form_error
from companies.views.references import ExtraTabMixin
from core.views import TenantView, paginate
from opportunities import selectors, services
from opportunities.forms import (
    FilterForm,
    LinkOfferForm,
    MoveForm,
    OpportunityForm,
    initial_for,
    initial_from_query,
)

COLUMNS = [
    ("code", gettext_lazy("Code")),
    ("name", gettext_lazy("Name")),
    ("firm", gettext_lazy("Firm")),
    ("stage", gettext_lazy("Stage")),
    ("amount", gettext_lazy("Amount")),
    ("probability", gettext_lazy("Probability")),
    ("close_on", gettext_lazy("Close date")),
]
# Records made from an opportunity (seed 001): (URL name, label, icon, permission).
SALES_ACTIONS = [
    ("sales:offer-create", gettext_lazy("Create offer"), "bi-file-earmark-text", "offers.add"),
    ("sales:order-create", gettext_lazy("Create order"), "bi-cart-plus", "orders.add"),
    ("sales:invoice-create", gettext_lazy("Create invoice"), "bi-receipt", "invoices.add"),
]


def clean_sort(value):
    value = str(value)[:20]
    return value if value.lstrip("-") in selectors.SORTS else selectors.DEFAULT_SORT


def sort_headers(sort):
    """``(key, label, next sort, "asc"/"desc"/"")`` for each sortable column."""
    headers = []
    for key, label in COLUMNS:
        state = "asc" if sort == key else "desc" if sort == f"-{key}" else ""
        headers.append((key, label, f"-{key}" if state == "asc" else key, state))
    return headers


def wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def safe_next(request):
    """The posted ``next`` if it is a path on this site, else ""."""
    target = request.POST.get("next", "")
    if (
        not target.startswith("/")
        or len(target) > 2000
        or any(ord(char) < 32 for char in target)
        or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return ""
    return target


def optional_url(name, *args, query=None):
    """The URL of ``name``, or "" when it does not exist (yet)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


class OpportunityListView(TenantView):
    permissions = {"GET": "opportunities.view"}

    def get(self, request, tenant_slug):
        form = FilterForm(request.GET or None, tenant=self.tenant, member=self.member)
        filters = form.filters() if form.is_bound else {}
        sort = clean_sort(request.GET.get("sort", ""))
        rows = selectors.opportunity_list(
            tenant=self.tenant, member=self.member, filters=filters, sort=sort
        )
        context = {
            "filter_form": form,
            "page": paginate(request, rows),
            "filters": filters,
            "sort": sort,
            "headers": sort_headers(sort),
        }
        if request.htmx:
            return render(request, "opportunities/_rows.html", context)
        return render(request, "opportunities/list.html", context)


def render_board(view, request, status=200, error=""):
    mine = request.GET.get("mine") == "1" or request.POST.get("mine") == "1"
    columns = selectors.board(tenant=view.tenant, member=view.member, mine=mine)
    context = {
        "columns": columns,
        "stages": [column["stage"] for column in columns],
        "mine": mine,
        "error": error,
    }
    return render(request, "opportunities/board.html", context, status=status)


class BoardView(TenantView):
    permissions = {"GET": "opportunities.view"}

    def get(self, request, tenant_slug):
        return render_board(self, request)


class MoveView(TenantView):
    """A card dropped on another column (or moved with its stage menu): 403 when the member
    may not change it, 400 for a stage that is not on the board; the board puts it back."""

    permissions = {"POST": "opportunities.add"}

    def post(self, request, tenant_slug, pk):
        opportunity = selectors.opportunity_get(tenant=self.tenant, member=self.member, pk=pk)
        form = MoveForm(request.POST, tenant=self.tenant)
        try:
            if not selectors.can_change(
                tenant=self.tenant, member=self.member, opportunity=opportunity
            ):
                raise PermissionDenied(_("You may not change this opportunity."))
            if not form.is_valid():
                raise ValidationError(_("Choose a stage of the board."))
            moved = services.opportunity_move(
                tenant=self.tenant,
                actor=self.member,
                opportunity=opportunity,
                stage=form.cleaned_data["stage"],
                before=form.cleaned_data["before"],
            )
        except PermissionDenied as error:
            return self.refuse(request, 403, str(error) or _("You may not change this."))
        except ValidationError as error:
            return self.refuse(request, 400, " ".join(error.messages))
        if wants_json(request):
            return JsonResponse(
                {"stage": moved.stage_id, "probability": moved.probability}, status=200
            )
        messages.success(
            request,
            _("%(name)s moved to %(stage)s.") % {"name": moved.name, "stage": moved.stage.label},
        )
        target = safe_next(request)
        if not target:
            query = "?mine=1" if request.POST.get("mine") == "1" else ""
            target = reverse("opportunities:board", args=[self.tenant.slug]) + query
        return HttpResponseRedirect(target)

    def refuse(self, request, status, message):
        if wants_json(request):
            return JsonResponse({"error": message}, status=status)
        if status == 403:
            raise PermissionDenied(message)
        return render_board(self, request, status=status, error=message)


class ForecastView(TenantView):
    permissions = {"GET": "opportunities.view"}

    def get(self, request, tenant_slug):
        everyone = self.member.has_perm("opportunities.forecast")
        tables = selectors.forecast(
            tenant=self.tenant, member=self.member, today=timezone.localdate(), everyone=everyone
        )
        return render(request, "opportunities/forecast.html", {**tables, "everyone": everyone})


class OpportunityFormMixin:
    template = "opportunities/form.html"
    opportunity = None

    def build(self, data=None, initial=None):
        return OpportunityForm(
            data, tenant=self.tenant, member=self.member, opportunity=self.opportunity,
            initial=initial,
        )  # fmt: skip

    def render_form(self, request, form, status=200):
        context = {"form": form, "opportunity": self.opportunity}
        return render(request, self.template, context, status=status)

    def save(self, request, form, service, **kwargs):
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        try:
            opportunity = service(
                tenant=self.tenant, actor=self.member, data=form.service_data(),
                responsible=form.cleaned_data["responsible"], **kwargs,
            )  # fmt: skip
        except ValidationError as error:
            form_error(form, error)
            return self.render_form(request, form, status=400)
        messages.success(request, _("The opportunity is saved."))
        return redirect("opportunities:detail", self.tenant.slug, opportunity.pk)


class CreateView(OpportunityFormMixin, TenantView):
    permissions = {"GET": "opportunities.add", "POST": "opportunities.add"}

    def get(self, request, tenant_slug):
        form = self.build(initial=initial_from_query(request.GET, member=self.member))
        return self.render_form(request, form)

    def post(self, request, tenant_slug):
        return self.save(request, self.build(request.POST), services.opportunity_create)


class OpportunityMixin:
    def load(self, pk, *, change=False):
        self.opportunity = selectors.opportunity_get(tenant=self.tenant, member=self.member, pk=pk)
        self.can_change = selectors.can_change(
            tenant=self.tenant, member=self.member, opportunity=self.opportunity
        )
        if change and not self.can_change:
            raise PermissionDenied
        return self.opportunity


class EditView(OpportunityMixin, OpportunityFormMixin, TenantView):
    permissions = {"GET": "opportunities.add", "POST": "opportunities.add"}

    def get(self, request, tenant_slug, pk):
        opportunity = self.load(pk, change=True)
        return self.render_form(request, self.build(initial=initial_for(opportunity)))

    def post(self, request, tenant_slug, pk):
        opportunity = self.load(pk, change=True)
        return self.save(
            request, self.build(request.POST), services.opportunity_update, opportunity=opportunity
        )


def sales_actions(tenant, member, opportunity):
    """``(url, label, icon)`` of the "create from this opportunity" buttons that exist."""
    query = {"firm": opportunity.firm_id, "opportunity": opportunity.pk}
    found = []
    for name, label, icon, code in SALES_ACTIONS:
        url = optional_url(name, tenant.slug, query=query) if member.has_perm(code) else ""
        if url:
            found.append((url, label, icon))
    return found


def render_detail(view, request, pk, link_form=None, status=200):
    opportunity = selectors.opportunity_detail(tenant=view.tenant, member=view.member, pk=pk)
    can_change = selectors.can_change(
        tenant=view.tenant, member=view.member, opportunity=opportunity
    )
    may_link = can_change and view.member.has_perm("offers.view")
    if may_link and link_form is None:
        link_form = LinkOfferForm(tenant=view.tenant, opportunity=opportunity)
    slug = view.tenant.slug
    detail = reverse("opportunities:detail", args=[slug, opportunity.pk])
    activity_query = {"opportunity": opportunity.pk, "firm": opportunity.firm_id, "next": detail}
    context = {
        "opportunity": opportunity,
        "can_change": can_change,
        "link_form": link_form if may_link else None,
        "can_link": may_link
        and (link_form.is_bound or link_form.fields["offer"].queryset.exists()),
        "sales_actions": sales_actions(view.tenant, view.member, opportunity),
        "add_activity_url": optional_url("agenda:activity-create", slug, query=activity_query)
        if view.member.has_perm("agenda.add")
        else "",
        "history": selectors.opportunity_history(tenant=view.tenant, opportunity=opportunity),
        "stages": selectors.stage_options(tenant=view.tenant) if can_change else [],
    }
    return render(request, "opportunities/detail.html", context, status=status)


class DetailView(TenantView):
    permissions = {"GET": "opportunities.view"}

    def get(self, request, tenant_slug, pk):
        return render_detail(self, request, pk)


class LinkOfferView(OpportunityMixin, TenantView):
    """Link an offer of the same firm to the opportunity (or unlink one): a POST action."""

    permissions = {"POST": "opportunities.add"}

    def post(self, request, tenant_slug, pk):
        opportunity = self.load(pk, change=True)
        if not self.member.has_perm("offers.view"):
            raise PermissionDenied
        form = LinkOfferForm(request.POST, tenant=self.tenant, opportunity=opportunity)
        if form.is_valid():
            link = form.cleaned_data["action"] == "link"
            try:
                offer = services.opportunity_link_offer(
                    tenant=self.tenant, actor=self.member, opportunity=opportunity,
                    offer=form.cleaned_data["offer"], link=link,
                )  # fmt: skip
            except ValidationError as error:
                form_error(form, error)
            else:
                if link:
                    text = _("Offer %(number)s is linked.") % {"number": offer.number}
                else:
                    text = _("Offer %(number)s is unlinked.") % {"number": offer.number}
                messages.success(request, text)
                return redirect("opportunities:detail", self.tenant.slug, opportunity.pk)
        return render_detail(self, request, pk, link_form=form, status=400)


class FirmOpportunitiesView(ExtraTabMixin, TenantView):
    """The firm page's "Opportunities" tab."""

    tab = "opportunities"
    permissions = {"GET": "opportunities.view"}

    def get(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        rows = selectors.firm_opportunities(tenant=self.tenant, firm=firm)
        create = reverse("opportunities:create", args=[self.tenant.slug])
        context = {"opportunities": rows, "create_url": f"{create}?firm={firm.pk}"}
        return self.render_tab(request, "opportunities/_firm_tab.html", context)
