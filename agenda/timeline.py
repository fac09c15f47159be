"""Activities and meeting notes on the firm's 360° timeline."""

from django.urls import reverse
from django.utils.translation import gettext as _

from agenda.models import MeetingNote
from agenda.selectors.activities import firm_activities
from companies import timeline

timeline.register_kinds({"activity": "agenda.view", "note": "notes.view"})


@timeline.register
def activities(tenant, firm, limit):
    return [
        timeline.TimelineItem(
            created_at=a.start,
            summary=a.subject,
            actor=a.assigned_to,
            url=reverse("agenda:activity-detail", args=[tenant.slug, a.pk]),
            kind="activity",
            badge=a.type.label,
            colour=a.type.colour,
            detail=a.get_status_display(),
        )
        for a in firm_activities(tenant=tenant, firm=firm, limit=limit)
    ]


@timeline.register
def meeting_notes(tenant, firm, limit):
    notes = (
        MeetingNote.objects.filter(tenant=tenant, firm=firm)
        .select_related("channel", "created_by")
        .order_by("-met_at")[:limit]
    )
    return [
        timeline.TimelineItem(
            created_at=note.met_at,
            summary=note.subject,
            actor=note.created_by,
            url=reverse("agenda:note-detail", args=[tenant.slug, note.pk]),
            kind="note",
            badge=_("Meeting note") + " · " + note.channel.label,
        )
        for note in notes
    ]
