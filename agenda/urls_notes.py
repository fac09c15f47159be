"""Placeholder URLs (replaced by the real ones)."""

from django.urls import path

from agenda.views.placeholder import Placeholder

urlpatterns = [
    path("notes/", Placeholder.as_view(), name="note-list"),
    path("notes/<int:pk>/", Placeholder.as_view(), name="note-detail"),
]
