"""URLs of the agenda under /o/<tenant-slug>/agenda/.

Each area keeps its own list: activities, the calendars and start page, reminders, meeting
notes, and the personal settings with the calendar feed.
"""

from agenda.urls_activities import urlpatterns as activity_urls
from agenda.urls_calendar import urlpatterns as calendar_urls
from agenda.urls_notes import urlpatterns as note_urls
from agenda.urls_personal import urlpatterns as personal_urls
from agenda.urls_reminders import urlpatterns as reminder_urls

app_name = "agenda"

urlpatterns = [*activity_urls, *calendar_urls, *reminder_urls, *note_urls, *personal_urls]
