"""The firm's offers and its profile in the portal (included in the ``portal`` namespace)."""

from django.urls import path

from portal.views import offers, profile

urlpatterns = [
    path("offers/", offers.OfferListView.as_view(), name="offers"),
    path("offers/<int:pk>/", offers.OfferDetailView.as_view(), name="offer-detail"),
    path("offers/<int:pk>/pdf/", offers.OfferPdfView.as_view(), name="offer-pdf"),
    path("offers/<int:pk>/accept/", offers.OfferAcceptView.as_view(), name="offer-accept"),
    path("offers/<int:pk>/reject/", offers.OfferRejectView.as_view(), name="offer-reject"),
    path("profile/", profile.ProfileView.as_view(), name="profile"),
    path("profile/change/", profile.ProfileChangeView.as_view(), name="profile-change"),
]
