"""Contract pages: the list, the firm's tab, add and change a contract, its page, its file."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.views.employees import form_error
from companies.views.references import ExtraTabMixin
from core.files import serve
from core.views import TenantView, is_pk, paginate
from sales.forms.contracts import ContractFilterForm, ContractForm
from sales.selectors import contracts as selectors
from sales.services import contracts as services

FRAGMENT = "sales/contracts/_service_field.html"


class ContractListView(TenantView):
    permissions = {"GET": "contracts.view"}

    def get(self, request, tenant_slug):
        form = ContractFilterForm(request.GET or None, tenant=self.tenant, member=self.member)
        filters = form.filters() if form.is_bound else {}
        sort = request.GET.get("sort", "start")
        sort = sort if sort in selectors.SORTS else "start"
        contracts = selectors.contract_list(
            tenant=self.tenant, member=self.member, filters=filters, sort=sort
        )
        context = {"filter_form": form, "page": paginate(request, contracts), "sort": sort}
        if request.htmx:
            return render(request, "sales/contracts/_contract_rows.html", context)
        return render(request, "sales/contracts/contract_list.html", context)


class FirmContractsView(ExtraTabMixin, TenantView):
    tab = "contracts"
    permissions = {"GET": "contracts.view"}

    def get(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        page = paginate(request, selectors.firm_contracts(tenant=self.tenant, firm=firm))
        return self.render_tab(request, "sales/contracts/_firm_contracts.html", {"page": page})


class ContractFormMixin:
    contract = None

    def build(self, data=None, files=None, initial=None):
        self.form = ContractForm(
            data, files, tenant=self.tenant, member=self.member, contract=self.contract,
            initial=initial,
            service_url=reverse("sales:contract-create", args=[self.tenant.slug]),
        )  # fmt: skip

    def render_form(self, request, status=200, **extra):
        context = {"form": self.form, "contract": self.contract, "firm": self.form.firm, **extra}
        return render(request, "sales/contracts/contract_form.html", context, status=status)

    def save(self, request, save):
        if self.form.is_valid():
            try:
                return save()
            except ValidationError as error:
                form_error(self.form, error)
        return None


class ContractCreateView(ContractFormMixin, TenantView):
    permissions = {"GET": "contracts.add", "POST": "contracts.add"}

    def get(self, request, tenant_slug):
        initial, refused = self.prefill(request.GET)
        self.build(initial=initial)
        if request.htmx and request.headers.get("HX-Target") == "contract-service":
            return render(request, FRAGMENT, {"form": self.form})
        return self.render_form(request, refused=refused)

    def prefill(self, params):
        """Initial values from ``?firm=`` and ``?service=`` (a service of the firm with no
        contract yet); a service that cannot be taken is named."""
        firms = selectors.contract_firms(tenant=self.tenant, member=self.member)
        firm_pk, service_pk = params.get("firm", ""), params.get("service", "")
        firm = firms.filter(pk=int(firm_pk)).first() if is_pk(firm_pk) else None
        if firm_pk and firm is None:
            return {}, [_("You may not add contracts to this firm.")]
        if firm is None:
            return {}, []
        initial = {"firm": firm.pk, "responsible": firm.sales_rep_id}
        if is_pk(service_pk):
            options = selectors.service_options(tenant=self.tenant, firm=firm)
            service = options.filter(pk=int(service_pk)).first()
            if service is None:
                return initial, [_("The service is not this firm's, or it has a contract.")]
            initial.update(service=service.pk, title=service.title)
        return initial, []

    def post(self, request, tenant_slug):
        self.build(request.POST, request.FILES)
        data = self.form.cleaned_data if self.form.is_valid() else None
        contract = data and self.save(
            request,
            lambda: services.contract_create(
                tenant=self.tenant, actor=self.member, firm=data["firm"],
                data=self.form.service_data(), service=data["service"], upload=data["file"],
            ),
        )  # fmt: skip
        if not contract:
            return self.render_form(request, status=400)
        messages.success(request, _("The contract is saved."))
        return redirect("sales:contract-detail", self.tenant.slug, contract.pk)


class ContractMixin:
    def load(self, pk, *, change=False):
        self.contract = selectors.contract_get(tenant=self.tenant, member=self.member, pk=pk)
        if change and not selectors.can_change_contract(
            tenant=self.tenant, member=self.member, contract=self.contract
        ):
            raise PermissionDenied
        return self.contract


class ContractEditView(ContractMixin, ContractFormMixin, TenantView):
    permissions = {"GET": "contracts.add", "POST": "contracts.add"}

    def get(self, request, tenant_slug, pk):
        contract = self.load(pk, change=True)
        initial = {name: getattr(contract, name) for name in services.FIELDS}
        initial.update(responsible=contract.responsible_id, service=contract.service_id)
        self.build(initial=initial)
        return self.render_form(request)

    def post(self, request, tenant_slug, pk):
        contract = self.load(pk, change=True)
        self.build(request.POST, request.FILES)
        saved = self.save(
            request,
            lambda: services.contract_update(
                tenant=self.tenant, actor=self.member, contract=contract,
                data=self.form.service_data(), service=self.form.cleaned_data["service"],
                upload=self.form.file_change(),
            ),
        )  # fmt: skip
        if not saved:
            return self.render_form(request, status=400)
        messages.success(request, _("The changes are saved."))
        return redirect("sales:contract-detail", self.tenant.slug, contract.pk)


class ContractDetailView(TenantView):
    permissions = {"GET": "contracts.view"}

    def get(self, request, tenant_slug, pk):
        contract = selectors.contract_get(tenant=self.tenant, member=self.member, pk=pk)
        context = {
            "contract": contract,
            "can_change": selectors.can_change_contract(
                tenant=self.tenant, member=self.member, contract=contract
            ),
        }
        return render(request, "sales/contracts/contract_detail.html", context)


class ContractDeleteView(ContractMixin, TenantView):
    permissions = {"POST": "contracts.add"}

    def post(self, request, tenant_slug, pk):
        contract = self.load(pk, change=True)
        services.contract_delete(tenant=self.tenant, actor=self.member, contract=contract)
        messages.success(request, _("The contract is deleted."))
        return redirect("sales:firm-contracts", self.tenant.slug, contract.firm_id)


class ContractFileView(TenantView):
    permissions = {"GET": "contracts.view"}

    def get(self, request, tenant_slug, pk):
        contract = selectors.contract_get(tenant=self.tenant, member=self.member, pk=pk)
        if not contract.file:
            raise Http404
        return serve(
            contract.file,
            filename=contract.original_name or "contract",
            content_type=contract.content_type,
        )
