"""URLs of reminders: the list, setting and changing them, the banner's buttons."""

from django.urls import path

from agenda.views import reminders

urlpatterns = [
    path("reminders/", reminders.ReminderListView.as_view(), name="reminder-list"),
    path("reminders/new/", reminders.ReminderCreateView.as_view(), name="reminder-create"),
    path("reminders/<int:pk>/edit/", reminders.ReminderEditView.as_view(), name="reminder-edit"),
    path(
        "reminders/<int:pk>/delete/",
        reminders.ReminderDeleteView.as_view(),
        name="reminder-delete",
    ),
    path(
        "reminders/<int:pk>/dismiss/",
        reminders.ReminderDismissView.as_view(),
        name="reminder-dismiss",
    ),
    path(
        "reminders/<int:pk>/snooze/",
        reminders.ReminderSnoozeView.as_view(),
        name="reminder-snooze",
    ),
]
