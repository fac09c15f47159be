"""Placeholder URLs (replaced by the real ones)."""

from django.urls import path

from agenda.views.placeholder import Placeholder

urlpatterns = [
    path("reminders/", Placeholder.as_view(), name="reminder-list"),
]
