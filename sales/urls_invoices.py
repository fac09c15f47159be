"""URLs of invoices and contracts under /o/<tenant-slug>/sales/."""

from django.urls import path

from sales.views import contracts, invoices

urlpatterns = [
    path("invoices/", invoices.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/new/", invoices.InvoiceCreateView.as_view(), name="invoice-create"),
    path("invoices/<int:pk>/", invoices.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("invoices/<int:pk>/edit/", invoices.InvoiceEditView.as_view(), name="invoice-edit"),
    path("invoices/<int:pk>/delete/", invoices.InvoiceDeleteView.as_view(), name="invoice-delete"),
    path(
        "invoices/<int:pk>/handover/",
        invoices.InvoiceHandoverView.as_view(),
        name="invoice-handover",
    ),
    path(
        "invoices/<int:pk>/original/",
        invoices.InvoiceOriginalView.as_view(),
        name="invoice-original",
    ),
    path("invoices/<int:pk>/pdf/", invoices.InvoicePdfView.as_view(), name="invoice-pdf"),
    path(
        "invoices/<int:pk>/pdf/state/",
        invoices.InvoicePdfStateView.as_view(),
        name="invoice-pdf-state",
    ),
    path(
        "invoices/<int:pk>/pdf/render/",
        invoices.InvoiceRenderView.as_view(),
        name="invoice-render",
    ),
    path("firms/<int:pk>/invoices/", invoices.FirmInvoicesView.as_view(), name="firm-invoices"),
    path("contracts/", contracts.ContractListView.as_view(), name="contract-list"),
    path("contracts/new/", contracts.ContractCreateView.as_view(), name="contract-create"),
    path("contracts/<int:pk>/", contracts.ContractDetailView.as_view(), name="contract-detail"),
    path("contracts/<int:pk>/edit/", contracts.ContractEditView.as_view(), name="contract-edit"),
    path(
        "contracts/<int:pk>/delete/",
        contracts.ContractDeleteView.as_view(),
        name="contract-delete",
    ),
    path("contracts/<int:pk>/file/", contracts.ContractFileView.as_view(), name="contract-file"),
    path(
        "firms/<int:pk>/contracts/",
        contracts.FirmContractsView.as_view(),
        name="firm-contracts",
    ),
]
