"""Placeholder URLs (replaced by the real ones)."""

from django.urls import path

from agenda.views.placeholder import Placeholder

urlpatterns = [
    path("", Placeholder.as_view(), name="calendar"),
    path("mine/", Placeholder.as_view(), name="my-calendar"),
]
