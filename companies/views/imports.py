"""Import of firms and contacts: upload, column mapping, preview, run, progress (seed 002)."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRefresh

from accounts.views.employees import form_error
from companies import import_files
from companies.import_files import ACCEPT, ImportFileError
from companies.importing import columns_for
from companies.models import ImportJob
from companies.selectors import imports as import_selectors
from companies.services import imports as services
from core.views import TenantView


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("The file holds"), choices=ImportJob.Kind.choices)
    file = forms.FileField(
        label=gettext_lazy("File"),
        max_length=255,
        help_text=gettext_lazy("CSV or XLSX up to 10 MB; the first row names the columns."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ACCEPT

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        try:
            data["original_name"], data["file_format"] = import_files.check_upload(upload)
            # The header row only: the worker reads the whole file (``read_import``).
            data["table"] = import_files.read_table(upload, data["file_format"], limit=1)
        except ValidationError as error:
            self.add_error("file", error)
        except ImportFileError as error:
            self.add_error("file", str(error))
        return data


class MappingForm(forms.Form):
    """One drop-down per column of the import: which column of the file feeds it."""

    on_duplicate = forms.ChoiceField(
        label=gettext_lazy("When the record already exists"),
        choices=ImportJob.OnDuplicate.choices,
    )

    def __init__(self, *args, job, member, columns, **kwargs):
        super().__init__(*args, **kwargs)
        self.job, self.member = job, member
        self.fields["on_duplicate"].initial = job.on_duplicate
        headers = [
            (str(i), header or _("Column %(n)d") % {"n": i + 1})
            for i, header in enumerate(job.headers)
        ]
        options = [("", _("— not imported —")), *headers]
        self.keys = {}  # form field name → column key
        for column in columns:
            index = job.mapping.get(column.key)
            name = f"col_{column.key.replace('custom:', 'cf_')}"
            self.keys[name] = column.key
            self.fields[name] = forms.ChoiceField(
                label=column.label,
                choices=options,
                required=column.required,
                initial="" if index is None else str(index),
            )

    def clean(self):
        data = super().clean()
        if data.get("col_sales_rep") and not self.member.has_perm("firms.assign"):
            self.add_error("col_sales_rep", _("You may not assign sales representatives."))
        return data

    def mapping(self):
        return {
            key: int(self.cleaned_data[name])
            for name, key in self.keys.items()
            if self.cleaned_data.get(name)
        }


class ImportUploadView(TenantView):
    permissions = {"GET": "firms.import", "POST": "firms.import"}

    def get(self, request, tenant_slug):
        kind = request.GET.get("kind")
        initial = {"kind": kind if kind in ImportJob.Kind.values else ImportJob.Kind.FIRMS}
        return self.render_page(request, UploadForm(initial=initial))

    def post(self, request, tenant_slug):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        data = form.cleaned_data
        job = services.import_create(
            tenant=self.tenant,
            actor=request.user,
            kind=data["kind"],
            upload=data["file"],
            original_name=data["original_name"],
            file_format=data["file_format"],
            table=data["table"],
            language=getattr(request, "LANGUAGE_CODE", ""),
        )
        return redirect("companies:import-detail", self.tenant.slug, job.pk)

    def render_page(self, request, form, status=200):
        context = {
            "form": form,
            "jobs": import_selectors.import_jobs(tenant=self.tenant, member=self.member),
        }
        return render(request, "companies/import_upload.html", context, status=status)


class ImportDetailView(TenantView):
    """One import: the mapping form, then the preview and the run button, then progress."""

    permissions = {"GET": "firms.import", "POST": "firms.import"}

    def columns(self, job):
        return columns_for(tenant=self.tenant, kind=job.kind)

    def load(self, pk):
        job = import_selectors.import_job_get(tenant=self.tenant, pk=pk)
        if not import_selectors.can_see_job(self.member, job):
            raise PermissionDenied
        return job

    def get(self, request, tenant_slug, pk):
        job = self.load(pk)
        part = request.GET.get("part") if request.htmx else None
        if part == "reading":  # the reading card polls until the file is read, then reloads
            if job.status == ImportJob.Status.READING:
                return render(request, "companies/import_reading.html", {"job": job})
            return HttpResponseClientRefresh()
        if part == "progress":
            return render(request, "companies/import_progress.html", {"job": job})
        return self.render_page(request, job)

    def post(self, request, tenant_slug, pk):
        job = self.load(pk)
        action = request.POST.get("action")
        if job.status == ImportJob.Status.READING:
            return self.render_page(request, job, problem=str(services.STILL_READING), status=400)
        if action == "map":
            form = MappingForm(request.POST, job=job, member=self.member, columns=self.columns(job))
            if form.is_valid():
                try:
                    services.import_map(
                        tenant=self.tenant,
                        actor=request.user,
                        job=job,
                        mapping=form.mapping(),
                        on_duplicate=form.cleaned_data["on_duplicate"],
                    )
                except ValidationError as error:
                    form_error(form, error)
            if not form.is_valid():
                return self.render_page(request, job, form=form, status=400)
        elif action == "run":
            try:
                services.import_start(tenant=self.tenant, actor=request.user, job=job)
            except ValidationError as error:
                return self.render_page(request, job, problem=" ".join(error.messages), status=400)
        else:
            return self.render_page(request, job, status=400)
        return redirect("companies:import-detail", self.tenant.slug, job.pk)

    def render_page(self, request, job, form=None, problem="", status=200):
        columns = self.columns(job)
        context = {"job": job, "problem": problem}
        if job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.MAPPED):
            context["form"] = form or MappingForm(job=job, member=self.member, columns=columns)
        if job.status == ImportJob.Status.MAPPED and form is None:
            try:
                context["preview"] = services.import_preview(
                    tenant=self.tenant, member=self.member, job=job
                )
            except ImportFileError as error:
                context["problem"] = str(error)
            mapped = sorted(job.mapping.items(), key=lambda item: item[1])
            labels = {column.key: column.label for column in columns}
            context["preview_headers"] = [labels.get(key, key) for key, _index in mapped]
        return render(request, "companies/import_detail.html", context, status=status)
