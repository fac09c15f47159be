"""Dispatch pages: send documents to a firm, the firm's "Documents sent" tab, a dispatch's page,
the kept files, another try, and the public signed download link."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scope

from accounts.views.employees import form_error
from companies.forms.widgets import FirmPicker
from companies.selectors.firms import visible_firms
from companies.views.references import ExtraTabMixin
from core.files import serve
from core.permissions import PUBLIC
from core.views import KervanView, TenantView, is_pk, paginate
from documents import links, sources
from documents.forms.dispatch import KIND_CODES, DispatchForm, default_texts
from documents.selectors import dispatch as selectors
from documents.services import dispatch as services

SEND, VIEW = "documents.send", "documents.view"


class FirmChoiceForm(forms.Form):
    """The first step when "send documents" is opened without a firm."""

    firm = forms.ModelChoiceField(label=gettext_lazy("Firm"), queryset=None, widget=FirmPicker)

    def __init__(self, *args, tenant, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = visible_firms(tenant=tenant, member=member)
        self.fields["firm"].widget.configure(tenant=tenant)


def _initial_texts(view, kind, firm=None, title=""):
    card = selectors.contact_card(tenant=view.tenant)
    language = (
        selectors.firm_language(tenant=view.tenant, firm=firm)
        if firm is not None
        else view.tenant.language
    )
    subject, message = default_texts(
        kind=kind,
        language=language,
        company=card.company_name if card else view.tenant.name,
        sender=view.member.full_name,
        title=title,
    )
    return {"kind": kind, "subject": subject, "message": message}


class DispatchFormMixin:
    template = "documents/dispatch/create.html"
    source = record = None

    def resolve(self, request):
        """The firm (and the record, with ``?source=``) from the query string; 404 if bad."""
        raw = request.GET.get("firm", "")
        if not raw:
            return None
        if not is_pk(raw):
            raise Http404
        self.firm = selectors.dispatch_firm(tenant=self.tenant, member=self.member, pk=raw)
        value = request.GET.get("source", "")
        if value:
            self.source, pk = sources.parse(value[:100])
            self.record = self.source.get(self.tenant, self.member, pk) if self.source else None
            if self.record is None or getattr(self.record, "firm_id", None) != self.firm.pk:
                raise Http404
        return self.firm

    def form(self, data=None, initial=None):
        kind_url = reverse("documents:dispatch-kind-fields", args=[self.tenant.slug])
        return DispatchForm(
            data,
            initial=initial,
            tenant=self.tenant,
            firm=self.firm,
            source=self.source,
            record=self.record,
            kind_url=f"{kind_url}?firm={self.firm.pk}",
        )

    def render_form(self, request, form, status=200):
        context = {
            "firm": self.firm,
            "form": form,
            "record_title": self.source.title(self.record) if self.record else "",
        }
        return render(request, self.template, context, status=status)


class DispatchCreateView(DispatchFormMixin, TenantView):
    permissions = {"GET": SEND, "POST": SEND}

    def get(self, request, tenant_slug):
        firm = self.resolve(request)
        if firm is None:
            form = FirmChoiceForm(tenant=self.tenant, member=self.member)
            return render(request, "documents/dispatch/choose_firm.html", {"form": form})
        kind = self.source.kind if self.source else request.GET.get("kind", "")
        initial = {}
        if kind in KIND_CODES:
            title = self.source.title(self.record) if self.record else ""
            initial = _initial_texts(self, kind, firm, title=title)
        if firm.primary_contact_id:
            initial["contacts"] = [firm.primary_contact_id]
        return self.render_form(request, self.form(initial=initial))

    def post(self, request, tenant_slug):
        if self.resolve(request) is None:
            raise Http404
        form = self.form(request.POST)
        if form.is_valid():
            try:
                dispatch = services.dispatch_send(
                    tenant=self.tenant,
                    actor=self.member,
                    firm=self.firm,
                    source=self.source,
                    record=self.record,
                    **form.service_data(),
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The documents are on their way."))
                return redirect("documents:dispatch-detail", self.tenant.slug, dispatch.pk)
        return self.render_form(request, form, status=400)


class DispatchKindFieldsView(TenantView):
    """The documents of the chosen kind and the prefilled subject and message (htmx)."""

    permissions = {"GET": SEND}

    def get(self, request, tenant_slug):
        raw = request.GET.get("firm", "")
        firm = None
        if raw:
            if not is_pk(raw):
                raise Http404
            firm = selectors.dispatch_firm(tenant=self.tenant, member=self.member, pk=raw)
        kind = request.GET.get("kind", "")
        initial = _initial_texts(self, kind, firm) if kind in KIND_CODES else {}
        form = DispatchForm(initial=initial, tenant=self.tenant, firm=firm)
        return render(request, "documents/dispatch/_kind_fields.html", {"form": form})


class FirmDispatchesView(ExtraTabMixin, TenantView):
    tab = "dispatches"
    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        page = paginate(
            request, selectors.firm_dispatches(tenant=self.tenant, member=self.member, firm=firm)
        )
        page.object_list = selectors.with_states(tenant=self.tenant, dispatches=page.object_list)
        return self.render_tab(request, "documents/dispatch/_tab.html", {"page": page})


class DispatchDetailView(TenantView):
    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug, pk):
        dispatch = selectors.dispatch_detail(tenant=self.tenant, member=self.member, pk=pk)
        items = list(dispatch.items.all())
        for item in items:
            item.ready = selectors.item_file(item) is not None
        context = {"dispatch": dispatch, "items": items}
        return render(request, "documents/dispatch/detail.html", context)


class DispatchItemDownloadView(TenantView):
    """The file that went out, as it went out (kept on the item)."""

    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug, pk, item_pk):
        item = selectors.dispatch_item_get(
            tenant=self.tenant, member=self.member, dispatch_pk=pk, pk=item_pk
        )
        stored = selectors.item_file(item)
        if stored is None:
            raise Http404
        return serve(stored, filename=item.original_name, content_type=item.content_type)


class DispatchRetryView(TenantView):
    permissions = {"POST": SEND}

    def post(self, request, tenant_slug, pk):
        dispatch = selectors.dispatch_get(tenant=self.tenant, member=self.member, pk=pk)
        try:
            services.dispatch_retry(tenant=self.tenant, actor=self.member, dispatch=dispatch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The documents are being prepared again."))
        return redirect("documents:dispatch-detail", self.tenant.slug, dispatch.pk)


class DocumentLinkView(KervanView):
    """A signed link from a dispatch e-mail: the file, without login, while the link lasts.

    Outside /o/: the person opening it has no account. The tenant comes from the signed
    payload, never from the address, and the item is looked up inside that tenant's scope.
    """

    permissions = {"GET": PUBLIC}

    def get(self, request, token):
        try:
            payload = links.read_token(token)
        except links.LinkExpired:
            return render(request, "documents/dispatch/link_expired.html", status=410)
        if payload is None:
            raise Http404
        with scope(tenant=payload.tenant_id):
            found = selectors.linked_item(payload=payload)
            if found is None:
                raise Http404
            item, recipient = found
            stored = selectors.item_file(item)
            if stored is None:
                raise Http404
            services.link_opening_record(
                tenant=item.tenant,
                item=item,
                recipient=recipient,
                ip_address=request.META.get("REMOTE_ADDR", ""),
                user_agent=request.headers.get("User-Agent", ""),
            )
            response = serve(stored, filename=item.original_name, content_type=item.content_type)
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
        return response
