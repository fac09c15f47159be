"""URLs: import and export of firms and contacts (see companies/urls.py)."""

from django.urls import path

from companies.models import ExportJob
from companies.views import exports, imports

urlpatterns = [
    path("firms/import/", imports.ImportUploadView.as_view(), name="firm-import"),
    path("firms/import/<int:pk>/", imports.ImportDetailView.as_view(), name="import-detail"),
    path(
        "firms/export/",
        exports.ExportCreateView.as_view(kind=ExportJob.Kind.FIRMS),
        name="firm-export",
    ),
    path(
        "contacts/export/",
        exports.ExportCreateView.as_view(kind=ExportJob.Kind.CONTACTS),
        name="contact-export",
    ),
    path("exports/", exports.ExportListView.as_view(), name="export-list"),
    path("exports/<int:pk>/", exports.ExportDetailView.as_view(), name="export-detail"),
    path(
        "exports/<int:pk>/download/",
        exports.ExportDownloadView.as_view(),
        name="export-download",
    ),
]
