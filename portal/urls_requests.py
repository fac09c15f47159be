"""The portal's order request pages (included in the ``portal`` namespace)."""

from django.urls import path

from portal.views import requests as views

urlpatterns = [
    path("order-forms/", views.FormListView.as_view(), name="order-request-forms"),
    path("order-forms/<int:pk>/", views.RequestNewView.as_view(), name="order-request-new"),
    path("order-requests/", views.RequestListView.as_view(), name="order-requests"),
    path(
        "order-requests/<int:pk>/", views.RequestDetailView.as_view(), name="order-request-detail"
    ),
]
