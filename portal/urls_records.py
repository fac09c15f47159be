"""The firm's records in the portal: invoices, contracts, documents sent, appointments."""

from django.urls import path

from portal.views import records

urlpatterns = [
    path("invoices/", records.InvoiceListView.as_view(), name="invoices"),
    path(
        "invoices/<int:pk>/download/",
        records.InvoiceDownloadView.as_view(),
        name="invoice-download",
    ),
    path("contracts/", records.ContractListView.as_view(), name="contracts"),
    path(
        "contracts/<int:pk>/download/",
        records.ContractDownloadView.as_view(),
        name="contract-download",
    ),
    path("documents/", records.DocumentListView.as_view(), name="documents"),
    path(
        "documents/<int:pk>/download/",
        records.DocumentDownloadView.as_view(),
        name="document-download",
    ),
    path("appointments/", records.AppointmentListView.as_view(), name="appointments"),
]
