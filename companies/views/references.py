"""The firm's references and samples tabs, and the tab frame the extra tabs share."""

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import phone_validator
from accounts.views.employees import form_error
from catalogue.selectors import sample_products
from companies.models import Reference
from companies.selectors import references as selectors
from companies.selectors.firms import can_change_firm, firm_get
from companies.selectors.lists import colleagues
from companies.services import references as services
from companies.views.firms import FirmTabMixin
from core.forms import EmployeeChoiceField
from core.views import TenantView

TEXT_LIMIT = 5000
CHOICES_SHOWN = 50


class ExtraTabMixin(FirmTabMixin):
    """Loads ``self.firm`` (404 unless the member sees it) and renders a tab of the firm.

    htmx requests get the fragment; anything else gets the firm's 360° page with this tab open,
    so a reload of a tab's address shows the same page as the click that led there.
    """

    tab = ""

    def load_firm(self, pk, *, change=False):
        self.firm = firm_get(tenant=self.tenant, member=self.member, pk=pk)
        self.can_change = can_change_firm(tenant=self.tenant, member=self.member, firm=self.firm)
        if change and not self.can_change:
            raise PermissionDenied
        return self.firm

    def render_tab(self, request, fragment, context, status=200):
        context = {"firm": self.firm, "can_change": self.can_change, **context}
        if request.htmx:
            return render(request, fragment, context, status=status)
        page = self.page_context()
        page.update(context, tab=self.tab, tab_template=fragment)
        return render(request, "companies/firm_detail.html", page, status=status)


class ReferenceForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=Reference.Kind.choices, widget=forms.RadioSelect
    )
    person_name = forms.CharField(
        label=gettext_lazy("Name of the person"), max_length=150, required=False
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"), max_length=30, required=False, validators=[phone_validator]
    )
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    referrer_search = forms.CharField(
        label=gettext_lazy("Find the recommending firm"), max_length=100, required=False,
        help_text=gettext_lazy("Part of its name or code, then press Find."),
    )  # fmt: skip
    referrer_firm = forms.ModelChoiceField(
        label=gettext_lazy("Recommending firm"), queryset=None, required=False
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=TEXT_LIMIT, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, tenant, member, firm, **kwargs):
        super().__init__(*args, **kwargs)
        # Every firm the member sees is a valid answer; the drop-down offers the first matches
        # of the search (a tenant may have 100,000 firms) and keeps the one already chosen.
        field = self.fields["referrer_firm"]
        field.queryset = selectors.referrer_candidates(tenant=tenant, member=member, firm=firm)
        source = self.data if self.is_bound else self.initial
        search = clean_search(source.get("referrer_search", ""))
        shown = list(
            selectors.referrer_candidates(tenant=tenant, member=member, firm=firm, q=search)[
                :CHOICES_SHOWN
            ]
        )
        chosen = str(source.get("referrer_firm", ""))
        if re.fullmatch(r"[0-9]{1,18}", chosen) and all(str(f.pk) != chosen for f in shown):
            shown += list(field.queryset.filter(pk=int(chosen))[:1])
        field.choices = [("", "---------"), *[(f.pk, f"{f.name} ({f.code})") for f in shown]]

    def service_data(self):
        names = ("kind", "person_name", "phone", "email", "referrer_firm", "note")
        return {name: self.cleaned_data[name] for name in names}


class SampleForm(forms.Form):
    product = forms.ModelChoiceField(
        label=gettext_lazy("Product"), queryset=None, required=False,
        help_text=gettext_lazy("From the product catalogue: its name is used when “What was "
                               "sent” is left empty."),
    )  # fmt: skip
    description = forms.CharField(
        label=gettext_lazy("What was sent"), max_length=255, required=False
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=1_000_000, initial=1
    )
    sent_on = forms.DateField(
        label=gettext_lazy("Date sent"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sent_by = EmployeeChoiceField(label=gettext_lazy("Sent by"), queryset=None, required=False)
    tracking_number = forms.CharField(
        label=gettext_lazy("Tracking number"), max_length=100, required=False
    )
    feedback = forms.CharField(
        label=gettext_lazy("Feedback"), max_length=TEXT_LIMIT, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, tenant, sample=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_by"].queryset = colleagues(tenant=tenant)
        self.fields["sent_by"].widget.configure(tenant=tenant)
        self.fields["product"].queryset = sample_products(
            tenant=tenant, include=sample.product_id if sample else None
        )

    def clean(self):
        data = super().clean()
        if not data.get("description") and "description" not in self.errors:
            if data.get("product") is None:
                self.add_error("description", _("Describe what was sent or choose a product."))
            else:
                data["description"] = data["product"].name[:255]
        return data

    def service_data(self):
        return dict(self.cleaned_data)


def clean_search(value):
    """A search term as the database may see it: no NUL bytes, trimmed, bounded."""
    return str(value).replace("\x00", "").strip()[:100]


class FirmReferencesView(ExtraTabMixin, TenantView):
    tab = "references"
    permissions = {"GET": "firms.view"}

    def get(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        context = {
            "references": selectors.firm_references(
                tenant=self.tenant, member=self.member, firm=firm
            ),
            "recommended": selectors.firm_recommended(
                tenant=self.tenant, member=self.member, firm=firm
            ),
        }
        return self.render_tab(request, "companies/tabs/_references.html", context)


class ReferenceCreateView(ExtraTabMixin, TenantView):
    tab = "references"
    permissions = {"GET": "firms.change", "POST": "firms.change"}
    fragment = "companies/tabs/_reference_form.html"

    def form(self, *args, **kwargs):
        return ReferenceForm(
            *args, tenant=self.tenant, member=self.member, firm=self.firm, **kwargs
        )

    def get(self, request, tenant_slug, pk):
        self.load_firm(pk, change=True)
        form = self.form(initial={"kind": Reference.Kind.INDIVIDUAL})
        return self.render_tab(request, self.fragment, {"form": form})

    def post(self, request, tenant_slug, pk):
        self.load_firm(pk, change=True)
        if "find" in request.POST:  # refill the firm choices, keep what was typed, save nothing
            initial = {key: request.POST.get(key, "") for key in ReferenceForm.base_fields}
            form = self.form(initial=initial)
            return self.render_tab(request, self.fragment, {"form": form})
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.reference_create(
                    tenant=self.tenant, actor=request.user, firm=self.firm,
                    data=form.service_data(),
                )  # fmt: skip
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The reference is saved."))
                return redirect("companies:firm-references", self.tenant.slug, self.firm.pk)
        return self.render_tab(request, self.fragment, {"form": form}, status=400)


class ReferenceDeleteView(ExtraTabMixin, TenantView):
    tab = "references"
    permissions = {"GET": "firms.change", "POST": "firms.change"}

    def load(self, pk, ref_pk):
        self.load_firm(pk, change=True)
        return selectors.reference_get(tenant=self.tenant, firm=self.firm, pk=ref_pk)

    def get(self, request, tenant_slug, pk, ref_pk):
        reference = self.load(pk, ref_pk)
        return self.render_tab(
            request, "companies/tabs/_reference_delete.html", {"reference": reference}
        )

    def post(self, request, tenant_slug, pk, ref_pk):
        reference = self.load(pk, ref_pk)
        services.reference_delete(tenant=self.tenant, actor=request.user, reference=reference)
        messages.success(request, _("The reference is removed."))
        return redirect("companies:firm-references", self.tenant.slug, self.firm.pk)


class FirmSamplesView(ExtraTabMixin, TenantView):
    tab = "samples"
    permissions = {"GET": "firms.view"}

    def get(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        samples = selectors.firm_samples(tenant=self.tenant, firm=firm)
        return self.render_tab(request, "companies/tabs/_samples.html", {"samples": samples})


class SampleFormMixin(ExtraTabMixin):
    tab = "samples"
    permissions = {"GET": "firms.change", "POST": "firms.change"}
    fragment = "companies/tabs/_sample_form.html"

    def save(self, form):
        raise NotImplementedError

    def handle(self, request, sample=None):
        form = SampleForm(request.POST, tenant=self.tenant, sample=sample)
        if form.is_valid():
            try:
                self.save(form)
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The sample is saved."))
                return redirect("companies:firm-samples", self.tenant.slug, self.firm.pk)
        context = {"form": form, "sample": sample}
        return self.render_tab(request, self.fragment, context, status=400)


class SampleCreateView(SampleFormMixin, TenantView):
    def get(self, request, tenant_slug, pk):
        self.load_firm(pk, change=True)
        initial = {"sent_on": timezone.localdate(), "sent_by": self.member.pk, "quantity": 1}
        form = SampleForm(tenant=self.tenant, initial=initial)
        return self.render_tab(request, self.fragment, {"form": form})

    def post(self, request, tenant_slug, pk):
        self.load_firm(pk, change=True)
        return self.handle(request)

    def save(self, form):
        services.sample_create(
            tenant=self.tenant, actor=self.request.user, firm=self.firm, data=form.service_data()
        )


class SampleEditView(SampleFormMixin, TenantView):
    def load(self, pk, sample_pk):
        self.load_firm(pk, change=True)
        self.sample = selectors.sample_get(tenant=self.tenant, firm=self.firm, pk=sample_pk)
        return self.sample

    def get(self, request, tenant_slug, pk, sample_pk):
        sample = self.load(pk, sample_pk)
        initial = {name: getattr(sample, name) for name in services.SAMPLE_FIELDS}
        initial["sent_by"] = sample.sent_by_id
        form = SampleForm(tenant=self.tenant, sample=sample, initial=initial)
        return self.render_tab(request, self.fragment, {"form": form, "sample": sample})

    def post(self, request, tenant_slug, pk, sample_pk):
        sample = self.load(pk, sample_pk)
        return self.handle(request, sample)

    def save(self, form):
        services.sample_update(
            tenant=self.tenant, actor=self.request.user, sample=self.sample,
            data=form.service_data(),
        )  # fmt: skip
