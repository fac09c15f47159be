"""The ``.ics`` invitation attached to an appointment e-mail, as an outbox attachment.

The calendar itself (METHOD:REQUEST, one VEVENT, UID ``activity-<id>@<host>``, the same UID as
in the private feed) is built by ``agenda.ics.invitation_for``.
"""

from agenda.ics import invitation_for as calendar_for

FILENAME = "invitation.ics"
MIMETYPE = "text/calendar"


def invitation_for(activity, recipient):
    """``(filename, bytes, mimetype)`` for ``core.mail.enqueue(attachments=...)``."""
    return (FILENAME, calendar_for(activity, recipient), MIMETYPE)
