"""Export of the filtered firm list and its contacts: the request, the job page, the file.

The firm list's export buttons post its current filters; the worker writes the file
(``companies.services.exports``) while the job page polls its progress with htmx. A job and
its file are seen only by the member who asked for it: anyone else gets a 404.
"""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from companies.exporting import CONTENT_TYPES, export_job_get, export_jobs
from companies.models import ExportJob
from companies.services import exports as services
from core.files import serve
from core.views import TenantView

IGNORED = {"csrfmiddlewaretoken", "format", "page"}


def list_params(request):
    """The firm list's parameters: the page's query string, then the posted filter form."""
    params = {}
    for source in (request.GET, request.POST):
        params.update((key, value) for key, value in source.items() if key not in IGNORED)
    return params


class ExportCreateView(TenantView):
    """Queue an export of the list as filtered (``kind`` set per URL) and go to its page."""

    permissions = {"POST": "firms.export"}
    kind = ExportJob.Kind.FIRMS

    def post(self, request, tenant_slug):
        try:
            job = services.export_request(
                tenant=self.tenant,
                member=self.member,
                kind=self.kind,
                file_format=request.POST.get("format", ""),
                params=list_params(request),
                language=getattr(request, "LANGUAGE_CODE", ""),
            )
        except ValidationError as error:
            context = {"jobs": export_jobs(tenant=self.tenant, member=self.member)}
            context["problem"] = " ".join(error.messages)
            return render(request, "companies/export_list.html", context, status=400)
        url = reverse("companies:export-detail", args=[self.tenant.slug, job.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


class ExportDetailView(TenantView):
    """One export: its progress while the worker writes it, then the download link."""

    permissions = {"GET": "firms.export"}

    def get(self, request, tenant_slug, pk):
        job = export_job_get(tenant=self.tenant, member=self.member, pk=pk)
        if request.htmx and request.GET.get("part") == "progress":
            return render(request, "companies/export_progress.html", {"job": job})
        context = {"job": job, "list_query": urlencode(job.params)}
        return render(request, "companies/export_detail.html", context)


class ExportDownloadView(TenantView):
    permissions = {"GET": "firms.export"}

    def get(self, request, tenant_slug, pk):
        job = export_job_get(tenant=self.tenant, member=self.member, pk=pk)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Http404
        content_type = CONTENT_TYPES.get(job.file_format)
        return serve(job.file, filename=job.file_name, content_type=content_type)


class ExportListView(TenantView):
    """The member's own recent exports."""

    permissions = {"GET": "firms.export"}

    def get(self, request, tenant_slug):
        context = {"jobs": export_jobs(tenant=self.tenant, member=self.member)}
        return render(request, "companies/export_list.html", context)
