"""Employee documents: listed, uploaded, downloaded, replaced and removed (kept in history)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.forms import DocumentForm
from accounts.permissions import can_manage_documents, can_see_documents
from accounts.views.employees import EmployeeMixin
from core.files import serve
from core.views import TenantView


class DocumentMixin(EmployeeMixin):
    def load_readable(self, pk):
        self.load(pk)
        if not can_see_documents(self.member, self.employee, self.subordinates):
            raise PermissionDenied

    def load_manageable(self, pk):
        self.load(pk)
        if not can_manage_documents(self.member, self.employee, self.subordinates):
            raise PermissionDenied

    def render_tab(self, request, form=None, status=200):
        context = self.detail_context("documents")
        context["documents"] = selectors.employee_documents(
            tenant=self.tenant, employee=self.employee, include_history=True
        )
        context["can_manage_documents"] = can_manage_documents(
            self.member, self.employee, self.subordinates
        )
        context["form"] = form or DocumentForm()
        return render(request, "accounts/employee_documents.html", context, status=status)


class DocumentListView(DocumentMixin, TenantView):
    # The code is checked by the row rule: a person always reads their own documents.
    permissions = {"GET": "employees.view"}

    def get(self, request, tenant_slug, pk):
        self.load_readable(pk)
        return self.render_tab(request)


class DocumentUploadView(DocumentMixin, TenantView):
    permissions = {"POST": "employees.documents"}

    def post(self, request, tenant_slug, pk):
        self.load_manageable(pk)
        form = DocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_tab(request, form, status=400)
        data = form.cleaned_data
        services.document_upload(
            tenant=self.tenant,
            actor=request.user,
            employee=self.employee,
            kind=data["kind"],
            upload=data["file"],
            original_name=data["original_name"],
            content_type=data["content_type"],
            note=data["note"],
        )
        messages.success(request, _("The document is uploaded."))
        return redirect("accounts:employee-documents", self.tenant.slug, self.employee.pk)


class DocumentDownloadView(DocumentMixin, TenantView):
    permissions = {"GET": "employees.view"}

    def get(self, request, tenant_slug, pk, document_pk):
        self.load_readable(pk)
        document = selectors.document_get(
            tenant=self.tenant, employee=self.employee, pk=document_pk
        )
        return serve(
            document.file, filename=document.original_name, content_type=document.content_type
        )


class DocumentReplaceView(DocumentMixin, TenantView):
    permissions = {"POST": "employees.documents"}

    def post(self, request, tenant_slug, pk, document_pk):
        self.load_manageable(pk)
        document = selectors.document_get(
            tenant=self.tenant, employee=self.employee, pk=document_pk
        )
        data = request.POST.copy()
        data["kind"] = document.kind
        form = DocumentForm(data, request.FILES)
        if form.is_valid() and not document.is_current:
            form.add_error(None, _("Only the current version of a document can be replaced."))
        if not form.is_valid():
            return self.render_tab(request, form, status=400)
        services.document_replace(
            tenant=self.tenant,
            actor=request.user,
            document=document,
            upload=form.cleaned_data["file"],
            original_name=form.cleaned_data["original_name"],
            content_type=form.cleaned_data["content_type"],
        )
        messages.success(request, _("The document is replaced; the old one stays in the history."))
        return redirect("accounts:employee-documents", self.tenant.slug, self.employee.pk)


class DocumentRemoveView(DocumentMixin, TenantView):
    permissions = {"POST": "employees.documents"}

    def post(self, request, tenant_slug, pk, document_pk):
        self.load_manageable(pk)
        document = selectors.document_get(
            tenant=self.tenant, employee=self.employee, pk=document_pk
        )
        if document.is_current:
            services.document_remove(tenant=self.tenant, actor=request.user, document=document)
            messages.success(request, _("The document is removed; it stays in the history."))
        return redirect("accounts:employee-documents", self.tenant.slug, self.employee.pk)
