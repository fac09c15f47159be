"""URLs: import and export of firms and contacts (see companies/urls.py)."""

from django.urls import path

from companies.views import exports, imports

urlpatterns = [
    path("firms/import/", imports.ImportUploadView.as_view(), name="firm-import"),
    path("firms/import/<int:pk>/", imports.ImportDetailView.as_view(), name="import-detail"),
    path("firms/export/", exports.FirmExportView.as_view(), name="firm-export"),
    path("contacts/export/", exports.ContactExportView.as_view(), name="contact-export"),
]
