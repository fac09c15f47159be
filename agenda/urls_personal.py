"""URLs of the personal agenda settings and the calendar feed's address."""

from django.urls import path

from agenda.views import personal

urlpatterns = [
    path("settings/", personal.PreferencesView.as_view(), name="preferences"),
    path(
        "settings/calendar-address/",
        personal.CalendarResetView.as_view(),
        name="calendar-reset",
    ),
]
