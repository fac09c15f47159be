"""Placeholder URLs (replaced by the real ones)."""

from django.urls import path

from agenda.views.placeholder import Placeholder

urlpatterns = [
    path("activities/", Placeholder.as_view(), name="activity-list"),
    path("activities/<int:pk>/", Placeholder.as_view(), name="activity-detail"),
]
