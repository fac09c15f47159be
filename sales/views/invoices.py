"""Invoice pages: the list, the firm's tab, issue and change an invoice, its page, its files,
"handed over", its PDF and deletion."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.views.employees import form_error
from companies.views.references import ExtraTabMixin
from core.files import serve
from core.views import TenantView, is_pk, paginate
from sales.forms.invoices import (
    MAX_SOURCES,
    InvoiceFilterForm,
    InvoiceForm,
    InvoiceLineFormSet,
    free_lines,
)
from sales.pdf import filename as pdf_filename
from sales.selectors import invoices as selectors
from sales.services import invoices as services


class InvoiceListView(TenantView):
    permissions = {"GET": "invoices.view"}

    def get(self, request, tenant_slug):
        form = InvoiceFilterForm(request.GET or None, tenant=self.tenant, member=self.member)
        filters = form.filters() if form.is_bound else {}
        sort = request.GET.get("sort", "date")
        sort = sort if sort in selectors.SORTS else "date"
        invoices = selectors.invoice_list(
            tenant=self.tenant, member=self.member, filters=filters, sort=sort
        )
        context = {
            "filter_form": form,
            "page": paginate(request, invoices),
            "totals": selectors.totals_by_currency(invoices),
            "sort": sort,
            "today": timezone.localdate(),
        }
        if request.htmx:
            return render(request, "sales/invoices/_invoice_rows.html", context)
        return render(request, "sales/invoices/invoice_list.html", context)


class FirmInvoicesView(ExtraTabMixin, TenantView):
    tab = "invoices"
    permissions = {"GET": "invoices.view"}

    def get(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        invoices = selectors.firm_invoices(tenant=self.tenant, firm=firm)
        context = {
            "page": paginate(request, invoices),
            "totals": selectors.totals_by_currency(invoices),
            "today": timezone.localdate(),
        }
        return self.render_tab(request, "sales/invoices/_firm_invoices.html", context)


def query_pks(params, name):
    return [int(v) for v in params.getlist(name)[:MAX_SOURCES] if is_pk(v)]


class InvoiceFormMixin:
    template = "sales/invoices/invoice_form.html"
    invoice = None

    def build(self, data=None, files=None, initial=None, line_initial=None):
        self.form = InvoiceForm(
            data, files, tenant=self.tenant, member=self.member, invoice=self.invoice,
            initial=initial, sources_url=reverse("sales:invoice-create", args=[self.tenant.slug]),
        )  # fmt: skip
        self.formset = InvoiceLineFormSet(data, prefix="lines", initial=line_initial)

    def sources(self):
        """What the firm has to invoice, and what this invoice already holds."""
        firm, tenant = self.form.firm, self.tenant
        lines = selectors.uninvoiced_order_lines(tenant=tenant, firm=firm)[:MAX_SOURCES]
        found = selectors.uninvoiced_services(tenant=tenant, firm=firm)[:MAX_SOURCES]
        linked = self.invoice.line_list if self.invoice else []
        return {
            "candidate_lines": list(lines),
            "candidate_services": list(found),
            "chosen_lines": {str(pk) for pk in self.chosen("order_lines")},
            "chosen_services": {str(pk) for pk in self.chosen("services")},
            "linked_lines": [line for line in linked if line.order_line_id or line.service_id],
            "removed_lines": {str(pk) for pk in self.chosen("remove_lines")},
        }

    def chosen(self, name):
        if name not in self.form.fields:
            return []
        if self.form.is_bound:
            return [v for v in self.form.data.getlist(name) if is_pk(v)]
        return self.form.initial.get(name, [])

    def render_form(self, request, status=200, **extra):
        context = {
            "form": self.form, "formset": self.formset, "invoice": self.invoice,
            "firm": self.form.firm, **self.sources(), **extra,
        }  # fmt: skip
        return render(request, self.template, context, status=status)

    def valid(self):
        return self.form.is_valid() & self.formset.is_valid()

    def failed(self, request, error=None):
        if error is not None:
            form_error(self.form, error)
        return self.render_form(request, status=400)


class InvoiceCreateView(InvoiceFormMixin, TenantView):
    permissions = {"GET": "invoices.add", "POST": "invoices.add"}

    def get(self, request, tenant_slug):
        initial, refused = self.prefill(request.GET)
        self.build(initial=initial)
        if request.htmx and request.headers.get("HX-Target") == "invoice-sources":
            context = {"form": self.form, "firm": self.form.firm, **self.sources()}
            return render(request, "sales/invoices/_invoice_sources.html", context)
        return self.render_form(request, refused=refused)

    def prefill(self, params):
        """The form's initial values from ``?firm=``, ``?order_line=``, ``?service=`` and
        ``?opportunity=``; what cannot go on this firm's invoice is named, not taken."""
        lines = selectors.order_lines_by_pk(tenant=self.tenant, pks=query_pks(params, "order_line"))
        found = selectors.services_by_pk(tenant=self.tenant, pks=query_pks(params, "service"))
        refused = []
        if len(lines) < len(query_pks(params, "order_line")):
            refused.append(_("A requested product line does not exist."))
        if len(found) < len(query_pks(params, "service")):
            refused.append(_("A requested service does not exist."))
        firms = selectors.invoice_firms(tenant=self.tenant, member=self.member)
        firm_pk = params.get("firm", "")
        opportunity = params.get("opportunity", "")
        if not is_pk(firm_pk):  # the firm of the first line (or the opportunity) asked for
            firm_pk = next((str(selectors.source_firm_id(r)) for r in [*lines, *found]), "")
        if not firm_pk and is_pk(opportunity):
            firm_pk = str(selectors.opportunity_firm_id(tenant=self.tenant, pk=int(opportunity)))
        firm = firms.filter(pk=int(firm_pk)).first() if is_pk(firm_pk) else None
        if firm is None:
            if firm_pk:
                refused.append(_("You may not issue invoices to this firm."))
            return {}, refused
        problems = selectors.source_problems(firm=firm, order_lines=lines, services=found)
        usable_lines = [
            r for r in lines if not selectors.source_problems(firm=firm, order_lines=[r])
        ]
        usable = [r for r in found if not selectors.source_problems(firm=firm, services=[r])]
        initial = {"firm": firm.pk, "order_lines": [r.pk for r in usable_lines],
                   "services": [r.pk for r in usable]}  # fmt: skip
        currencies = [r.order.currency for r in usable_lines] + [r.currency for r in usable]
        if currencies:
            initial["currency"] = currencies[0]
        if is_pk(opportunity):
            options = selectors.opportunity_options(tenant=self.tenant, firm=firm)
            if options.filter(pk=int(opportunity)).exists():
                initial["opportunity"] = int(opportunity)
            else:
                refused.append(_("The opportunity is not one of this firm's."))
        return initial, refused + problems

    def post(self, request, tenant_slug):
        self.build(request.POST, request.FILES)
        if not self.valid():
            return self.failed(request)
        data = self.form.cleaned_data
        try:
            invoice = services.invoice_create(
                tenant=self.tenant, actor=self.member, firm=data["firm"],
                data=self.form.service_data(), lines=free_lines(self.formset),
                order_lines=data["order_lines"], services=data["services"],
                opportunity=data["opportunity"], original=data["original"],
            )  # fmt: skip
        except ValidationError as error:
            return self.failed(request, error)
        messages.success(request, _("Invoice %(number)s is saved.") % {"number": invoice.number})
        return redirect("sales:invoice-detail", self.tenant.slug, invoice.pk)


class InvoiceMixin:
    def load(self, pk, *, change=False):
        self.invoice = selectors.invoice_get(tenant=self.tenant, member=self.member, pk=pk)
        if change and not selectors.can_change_invoice(
            tenant=self.tenant, member=self.member, invoice=self.invoice
        ):
            raise PermissionDenied
        return self.invoice


class InvoiceEditView(InvoiceMixin, InvoiceFormMixin, TenantView):
    permissions = {"GET": "invoices.add", "POST": "invoices.add"}

    def load_for_edit(self, pk):
        invoice = self.load(pk, change=True)
        invoice.line_list = selectors.invoice_lines(tenant=self.tenant, invoice=invoice)
        return invoice

    def get(self, request, tenant_slug, pk):
        invoice = self.load_for_edit(pk)
        initial = {name: getattr(invoice, name) for name in services.HEADER}
        initial["opportunity"] = invoice.opportunity_id
        line_initial = [
            {name: getattr(line, name) for name in
             ("description", "quantity", "unit_price", "discount_percent", "vat_rate")}
            for line in invoice.line_list if not (line.order_line_id or line.service_id)
        ]  # fmt: skip
        self.build(initial=initial, line_initial=line_initial)
        return self.render_form(request)

    def post(self, request, tenant_slug, pk):
        invoice = self.load_for_edit(pk)
        self.build(request.POST, request.FILES)
        if not self.valid():
            return self.failed(request)
        data = self.form.cleaned_data
        try:
            services.invoice_update(
                tenant=self.tenant, actor=self.member, invoice=invoice,
                data=self.form.service_data(), lines=free_lines(self.formset),
                order_lines=data["order_lines"], services=data["services"],
                remove_lines=data["remove_lines"], opportunity=data["opportunity"],
                original=self.form.original_change(),
            )  # fmt: skip
        except ValidationError as error:
            return self.failed(request, error)
        messages.success(request, _("The changes are saved."))
        return redirect("sales:invoice-detail", self.tenant.slug, invoice.pk)


def dispatch_url(tenant, invoice):
    """The "Send" button's address, or "" while document dispatch is not installed."""
    try:
        url = reverse("documents:dispatch-create", args=[tenant.slug])
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode({'firm': invoice.firm_id, 'source': f'sales.invoice:{invoice.pk}'})}"


class InvoiceDetailView(TenantView):
    permissions = {"GET": "invoices.view"}

    def get(self, request, tenant_slug, pk):
        invoice = selectors.invoice_detail(tenant=self.tenant, member=self.member, pk=pk)
        context = {
            "invoice": invoice,
            "can_change": selectors.can_change_invoice(
                tenant=self.tenant, member=self.member, invoice=invoice
            ),
            "send_url": dispatch_url(self.tenant, invoice),
            "today": timezone.localdate(),
        }
        return render(request, "sales/invoices/invoice_detail.html", context)


class InvoicePdfStateView(TenantView):
    """The PDF's state (an htmx fragment the invoice page polls while it is pending)."""

    permissions = {"GET": "invoices.view"}

    def get(self, request, tenant_slug, pk):
        invoice = selectors.invoice_get(tenant=self.tenant, member=self.member, pk=pk)
        invoice.pdf_state, invoice.pdf_error = selectors.pdf_state(
            tenant=self.tenant, invoice=invoice
        )
        context = {
            "invoice": invoice,
            "can_change": selectors.can_change_invoice(
                tenant=self.tenant, member=self.member, invoice=invoice
            ),
        }
        return render(request, "sales/invoices/_pdf_state.html", context)


class InvoiceRenderView(InvoiceMixin, TenantView):
    permissions = {"POST": "invoices.add"}

    def post(self, request, tenant_slug, pk):
        invoice = self.load(pk, change=True)
        try:
            services.invoice_pdf_request(tenant=self.tenant, actor=self.member, invoice=invoice)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.info(request, _("The PDF is being made."))
        return redirect("sales:invoice-detail", self.tenant.slug, invoice.pk)


class InvoiceHandoverView(InvoiceMixin, TenantView):
    permissions = {"POST": "invoices.add"}

    def post(self, request, tenant_slug, pk):
        invoice = self.load(pk, change=True)
        try:
            services.invoice_hand_over(tenant=self.tenant, actor=self.member, invoice=invoice)
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            messages.success(request, _("The original is recorded as handed over."))
        return redirect("sales:invoice-detail", self.tenant.slug, invoice.pk)


class InvoiceDeleteView(InvoiceMixin, TenantView):
    permissions = {"POST": "invoices.delete"}

    def post(self, request, tenant_slug, pk):
        invoice = self.load(pk, change=True)
        services.invoice_delete(tenant=self.tenant, actor=self.member, invoice=invoice)
        messages.success(request, _("Invoice %(number)s is deleted.") % {"number": invoice.number})
        return redirect("sales:firm-invoices", self.tenant.slug, invoice.firm_id)


class InvoiceOriginalView(TenantView):
    permissions = {"GET": "invoices.view"}

    def get(self, request, tenant_slug, pk):
        invoice = selectors.invoice_get(tenant=self.tenant, member=self.member, pk=pk)
        if not invoice.original:
            raise Http404
        return serve(
            invoice.original,
            filename=invoice.original_name or "original",
            content_type=invoice.original_content_type,
        )


class InvoicePdfView(TenantView):
    permissions = {"GET": "invoices.view"}

    def get(self, request, tenant_slug, pk):
        invoice = selectors.invoice_get(tenant=self.tenant, member=self.member, pk=pk)
        if not invoice.pdf:
            raise Http404
        return serve(invoice.pdf, filename=pdf_filename(invoice), content_type="application/pdf")
