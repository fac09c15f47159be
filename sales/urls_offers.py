"""URLs of offers under /o/<tenant-slug>/sales/."""

from django.urls import path

from sales.views import offers

urlpatterns = [
    path("offers/", offers.OfferListView.as_view(), name="offer-list"),
    path("offers/new/", offers.OfferCreateView.as_view(), name="offer-create"),
    path("offers/firm-options/", offers.OfferFirmOptionsView.as_view(), name="offer-firm-options"),
    path("offers/<int:pk>/", offers.OfferDetailView.as_view(), name="offer-detail"),
    path("offers/<int:pk>/edit/", offers.OfferEditView.as_view(), name="offer-edit"),
    path("offers/<int:pk>/pdf/", offers.OfferPdfView.as_view(), name="offer-pdf"),
    path("offers/<int:pk>/accept/", offers.OfferAcceptView.as_view(), name="offer-accept"),
    path("offers/<int:pk>/reject/", offers.OfferRejectView.as_view(), name="offer-reject"),
    path("offers/<int:pk>/reopen/", offers.OfferReopenView.as_view(), name="offer-reopen"),
    path("offers/<int:pk>/order/", offers.OfferOrderView.as_view(), name="offer-order"),
    path("firms/<int:pk>/offers/", offers.FirmOffersView.as_view(), name="firm-offers"),
]
