"""Pages of the document library: templates, versions, previews, downloads, the contact card.

Reading the library (and previewing, downloading) needs ``documents.view``; changing it needs
``documents.manage`` (executives by default). The preview's HTML is served in a sandboxed
``<iframe>`` with a response-only policy that loads nothing but inline styles and ``data:``
images; the PDF is rendered in the request (one preview at a time).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import content_disposition_header, urlencode
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.files import serve
from core.views import TenantView, is_pk, paginate
from documents import merge, policies
from documents.forms.library import (
    ContactCardForm,
    PreviewForm,
    TemplateCreateForm,
    TemplateEditForm,
    TemplateFilterForm,
    VersionForm,
    kind_data,
)
from documents.models import DocumentKind
from documents.rendering import RenderError, render_html, render_pdf
from documents.selectors import library as selectors
from documents.services import library as services
from documents.starters import starters_install

VIEW, MANAGE = "documents.view", "documents.manage"
# The preview's own policy: its HTML was written by an executive and filled with firm data, so
# it may style itself and show inline images, and nothing else: no script, no request anywhere.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)


def detail_url(view, template):
    return reverse("documents:template-detail", args=[view.tenant.slug, template.pk])


def attach_service_errors(form, error):
    """Put a service's ValidationError on the form fields it names."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class TemplateListView(TenantView):
    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug):
        form = TemplateFilterForm(request.GET or None)
        filters = form.filters() if form.is_bound else {"status": "active"}
        sort = request.GET.get("sort", "name")
        templates = selectors.template_list(tenant=self.tenant, filters=filters, sort=sort)
        context = {
            "filter_form": form,
            "page": paginate(request, templates),
            "sort": sort if sort in selectors.SORTS else "name",
            "can_manage": self.member.has_perm(MANAGE),
        }
        if request.htmx:
            return render(request, "documents/library/_template_rows.html", context)
        return render(request, "documents/library/template_list.html", context)


def editor_context(form, kind=None):
    """What the editor shows beside the form: the merge fields and each kind's upload rules.

    Without a kind (a new template), the offer and invoice fields are listed apart.
    """
    with_document = kind is None or kind in selectors.DOCUMENT_KINDS
    return {
        "form": form,
        "fields": merge.FIELDS,
        "field_example": "{{ firm_name }}",
        "loop_example": "{% for line in lines %}{{ line.total }}{% endfor %}",
        "document_fields": merge.DOCUMENT_FIELDS if with_document else [],
        "kind_rules": {value.value: kind_data(value) for value in DocumentKind},
    }


class TemplateCreateView(TenantView):
    permissions = {"GET": MANAGE, "POST": MANAGE}

    def get(self, request, tenant_slug):
        initial = {}
        if request.GET.get("kind") in DocumentKind.values:
            initial["kind"] = request.GET["kind"]
        form = TemplateCreateForm(tenant=self.tenant, member=self.member, initial=initial)
        return render(request, "documents/library/template_form.html", editor_context(form))

    def post(self, request, tenant_slug):
        form = TemplateCreateForm(
            request.POST, request.FILES, tenant=self.tenant, member=self.member
        )
        if form.is_valid():
            try:
                template = services.template_create(
                    tenant=self.tenant,
                    actor=self.member,
                    data=form.template_data(),
                    upload=form.upload,
                    html=form.cleaned_data.get("html") or "",
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(request, _("The template is saved."))
                return redirect(detail_url(self, template))
        return render(
            request, "documents/library/template_form.html", editor_context(form), status=400
        )


class TemplateDetailView(TenantView):
    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug, pk):
        template = selectors.template_detail(tenant=self.tenant, pk=pk)
        policy = policies.policy_for(template.kind)
        context = {
            "template": template,
            "policy": policy,
            "can_manage": self.member.has_perm(MANAGE),
        }
        return render(request, "documents/library/template_detail.html", context)


class TemplateEditView(TenantView):
    permissions = {"GET": MANAGE, "POST": MANAGE}

    def get(self, request, tenant_slug, pk):
        template = selectors.template_get(tenant=self.tenant, pk=pk)
        initial = {f: getattr(template, f) for f in ("kind", "name", "description", "language")}
        form = TemplateEditForm(template=template, initial=initial)
        return self.show(request, template, form)

    def post(self, request, tenant_slug, pk):
        template = selectors.template_get(tenant=self.tenant, pk=pk)
        form = TemplateEditForm(request.POST, template=template)
        if form.is_valid():
            try:
                services.template_update(
                    tenant=self.tenant, actor=self.member, template=template, data=form.cleaned_data
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect(detail_url(self, template))
        return self.show(request, template, form, status=400)

    def show(self, request, template, form, status=200):
        context = {"form": form, "template": template}
        return render(request, "documents/library/template_edit.html", context, status=status)


class VersionAddView(TenantView):
    permissions = {"GET": MANAGE, "POST": MANAGE}

    def get(self, request, tenant_slug, pk):
        template = selectors.template_get(tenant=self.tenant, pk=pk)
        initial = {}
        if template.is_html and template.current_version is not None:
            initial["html"] = template.current_version.html
        form = VersionForm(
            tenant=self.tenant, member=self.member, template=template, initial=initial
        )
        return self.show(request, template, form)

    def post(self, request, tenant_slug, pk):
        template = selectors.template_get(tenant=self.tenant, pk=pk)
        form = VersionForm(
            request.POST, request.FILES, tenant=self.tenant, member=self.member, template=template
        )
        if form.is_valid():
            try:
                version = services.version_add(
                    tenant=self.tenant,
                    actor=self.member,
                    template=template,
                    upload=form.upload,
                    html=form.cleaned_data.get("html") or "",
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(
                    request, _("Version %(number)s is saved.") % {"number": version.number}
                )
                return redirect(detail_url(self, template))
        return self.show(request, template, form, status=400)

    def show(self, request, template, form, status=200):
        context = {
            **editor_context(form, template.kind),
            "template": template,
            "policy": policies.policy_for(template.kind),
        }
        return render(request, "documents/library/version_form.html", context, status=status)


class PreviewMixin:
    """Resolve the HTML template, the version and the firm a preview is made for."""

    def resolve(self, request, pk):
        self.template = selectors.template_get(tenant=self.tenant, pk=pk)
        if not self.template.is_html or self.template.current_version is None:
            raise Http404
        raw_version = request.GET.get("version", "")
        self.version = selectors.preview_version(
            tenant=self.tenant,
            template=self.template,
            pk=int(raw_version) if is_pk(raw_version) else None,
        )
        raw_firm = request.GET.get("firm", "")
        self.firm = None
        if is_pk(raw_firm):
            self.firm = selectors.preview_firm(tenant=self.tenant, member=self.member, pk=raw_firm)
            if self.firm is None:
                raise Http404  # another tenant's firm, or one the member cannot read

    def values(self):
        return selectors.preview_values(
            tenant=self.tenant,
            member=self.member,
            kind=self.template.kind,
            language=self.template.language,
            firm=self.firm,
        )

    def query(self):
        params = {}
        if self.version is not None and self.version.pk != self.template.current_version_id:
            params["version"] = self.version.pk
        if self.firm is not None:
            params["firm"] = self.firm.pk
        return params


class TemplatePreviewView(PreviewMixin, TenantView):
    """The preview page: the firm picker, the sandboxed HTML and the "Download PDF" button."""

    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug, pk):
        self.resolve(request, pk)
        error = None
        try:
            render_html(self.version.html, self.values())
        except RenderError as exc:
            error = str(exc)
        versions = selectors.html_versions(tenant=self.tenant, template=self.template)
        form = PreviewForm(
            request.GET or None,
            tenant=self.tenant,
            member=self.member,
            template=self.template,
            versions=versions,
        )
        context = {
            "template": self.template,
            "version": self.version,
            "firm": self.firm,
            "form": form,
            "error": error,
            "query": urlencode(self.query()),
        }
        return render(
            request,
            "documents/library/template_preview.html",
            context,
            status=400 if error else 200,
        )


class TemplatePreviewHtmlView(PreviewMixin, TenantView):
    """The rendered HTML alone, for the preview's ``<iframe sandbox>``."""

    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug, pk):
        self.resolve(request, pk)
        status = 200
        try:
            html = render_html(self.version.html, self.values())
        except RenderError as error:
            html = f'<!DOCTYPE html><meta charset="utf-8"><p>{escape(str(error))}</p>'
            status = 400
        response = HttpResponse(html, content_type="text/html; charset=utf-8", status=status)
        # Set here, these win over the site-wide CSP and X-Frame-Options (both middlewares
        # leave a header the view has set): the page may be framed by our own pages only.
        response["Content-Security-Policy"] = PREVIEW_CSP
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class TemplatePreviewPdfView(PreviewMixin, TenantView):
    """The preview as a PDF download (rendered in the request: one document, on demand)."""

    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug, pk):
        self.resolve(request, pk)
        try:
            pdf = render_pdf(self.version.html, self.values())
        except RenderError as error:
            messages.error(request, str(error))
            url = reverse("documents:template-preview", args=[self.tenant.slug, pk])
            return redirect(url)
        name = get_valid_filename(f"{self.template.name} v{self.version.number}") or "document"
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.pdf")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class VersionDownloadView(TenantView):
    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug, pk, version_pk):
        version = selectors.version_get(tenant=self.tenant, template_pk=pk, pk=version_pk)
        if not version.file:
            raise Http404
        return serve(
            version.file, filename=version.original_name, content_type=version.content_type
        )


class TemplateSetActiveView(TenantView):
    permissions = {"POST": MANAGE}
    active = False

    def post(self, request, tenant_slug, pk):
        template = selectors.template_get(tenant=self.tenant, pk=pk)
        services.template_set_active(
            tenant=self.tenant, actor=self.member, template=template, active=self.active
        )
        if self.active:
            messages.success(request, _("The template is active again."))
        else:
            messages.success(
                request, _("The template is deactivated; what was sent with it is kept.")
            )
        return redirect(detail_url(self, template))


class StartersInstallView(TenantView):
    """Add the starter offer and invoice templates the company does not have yet."""

    permissions = {"POST": MANAGE}

    def post(self, request, tenant_slug):
        made = starters_install(tenant=self.tenant, actor=request.user)
        if made:
            messages.success(
                request,
                _("Added: %(names)s.") % {"names": ", ".join(str(t) for t in made)},
            )
        else:
            messages.info(request, _("The company already has offer and invoice templates."))
        return redirect("documents:template-list", self.tenant.slug)


class ContactCardView(TenantView):
    """The tenant's contact card: everyone with the library reads it, managers change it."""

    permissions = {"GET": VIEW, "POST": MANAGE}

    def get(self, request, tenant_slug):
        card = selectors.contact_card_get(tenant=self.tenant)
        initial = {} if card else {"company_name": self.tenant.name}
        return self.show(request, card, ContactCardForm(instance=card, initial=initial))

    def post(self, request, tenant_slug):
        card = selectors.contact_card_get(tenant=self.tenant)
        form = ContactCardForm(request.POST, request.FILES, instance=card)
        if form.is_valid():
            logo = form.cleaned_data.get("logo")
            services.contact_card_save(
                tenant=self.tenant,
                actor=self.member,
                data=form.card_data(),
                logo=(logo, form.logo_type) if logo else None,
                remove_logo=form.cleaned_data["remove_logo"],
            )
            messages.success(request, _("The contact card is saved."))
            return redirect("documents:contact-card", self.tenant.slug)
        # The form changed the instance while validating: show the stored card beside it.
        card = selectors.contact_card_get(tenant=self.tenant)
        return self.show(request, card, form, status=400)

    def show(self, request, card, form, status=200):
        context = {"card": card, "form": form, "can_manage": self.member.has_perm(MANAGE)}
        return render(request, "documents/library/contact_card.html", context, status=status)


class ContactCardLogoView(TenantView):
    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug):
        card = selectors.contact_card_get(tenant=self.tenant)
        if card is None or not card.logo:
            raise Http404
        ext = ".png" if card.logo_content_type == "image/png" else ".jpg"
        return serve(card.logo, filename=f"logo{ext}", content_type=card.logo_content_type)
