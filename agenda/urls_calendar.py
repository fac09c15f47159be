"""URLs: the calendars, their event feed, the event pop-up and moves (see agenda/urls.py)."""

from django.urls import path

from agenda.views import calendar

urlpatterns = [
    path("", calendar.CalendarView.as_view(), name="calendar"),
    path("mine/", calendar.MyCalendarView.as_view(), name="my-calendar"),
    path("calendar/feed/", calendar.CalendarFeedView.as_view(), name="calendar-feed"),
    path("calendar/<int:pk>/", calendar.ActivityPopupView.as_view(), name="activity-popup"),
    path("calendar/<int:pk>/move/", calendar.ActivityMoveView.as_view(), name="activity-move"),
]
