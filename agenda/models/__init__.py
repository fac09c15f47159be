from agenda.models.activities import (
    Activity,
    ActivityAttachment,
    ActivitySeries,
    Priority,
    Status,
)
from agenda.models.notes import MeetingNote, MeetingNoteAttachment
from agenda.models.personal import AgendaPreference, CalendarToken
from agenda.models.reminders import Reminder, ReminderRecipient

__all__ = [
    "Activity",
    "ActivityAttachment",
    "ActivitySeries",
    "AgendaPreference",
    "CalendarToken",
    "MeetingNote",
    "MeetingNoteAttachment",
    "Priority",
    "Reminder",
    "ReminderRecipient",
    "Status",
]
