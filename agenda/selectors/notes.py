"""Reading meeting notes: a firm's notes are visible to whoever can see the firm."""

from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Employee
from agenda.models import MeetingNote, MeetingNoteAttachment
from agenda.selectors.activities import assignable_employees
from companies.models import Contact, FirmContact
from companies.selectors.firms import visible_firms
from core import choices

APPOINTMENT_OUTCOME = "appointment"


def visible_notes(*, tenant, member):
    """Every note on a firm ``member`` may read (the firm's row rules decide)."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    return MeetingNote.objects.filter(tenant=tenant, firm_id__in=firms)


def can_change_note(*, member, note):
    """Only the author changes a note, and executives (as for appointments, seed 000)."""
    return member.reaches_everything or note.created_by_id == member.pk


def _local_day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def note_list(*, tenant, member, filters=None):
    """The notes list, newest first, narrowed by ``filters`` (already cleaned ids and dates)."""
    f = filters or {}
    qs = visible_notes(tenant=tenant, member=member)
    for name in ("firm", "channel", "outcome"):
        if f.get(name):
            qs = qs.filter(**{f"{name}_id": f[name]})
    if f.get("participant"):
        through = MeetingNote.participants.through
        qs = qs.filter(
            Exists(
                through.objects.filter(meetingnote_id=OuterRef("pk"), employee_id=f["participant"])
            )
        )
    if f.get("date_from"):
        qs = qs.filter(met_at__gte=_local_day_start(f["date_from"]))
    if f.get("date_to"):
        qs = qs.filter(met_at__lt=_local_day_start(f["date_to"] + timedelta(days=1)))
    if f.get("q"):
        q = f["q"]
        qs = qs.filter(
            Q(subject__icontains=q)
            | Q(notes__icontains=q)
            | Q(product__icontains=q)
            | Q(firm__name__icontains=q)
        )
    return (
        qs.select_related("firm", "channel", "outcome", "contact", "created_by")
        .prefetch_related(
            Prefetch("participants", queryset=Employee.objects.order_by("first_name"))
        )
        .order_by("-met_at", "-pk")
    )


def note_get(*, tenant, member, pk):
    """One visible note (404 when its firm is out of the member's reach)."""
    qs = visible_notes(tenant=tenant, member=member).select_related(
        "firm", "channel", "outcome", "contact", "created_by", "appointment",
        "appointment__assigned_to",
    )  # fmt: skip
    return get_object_or_404(qs, pk=pk)


def note_detail(*, tenant, member, pk):
    """One note with its participants and attachments loaded."""
    note = note_get(tenant=tenant, member=member, pk=pk)
    note.participant_list = list(note.participants.order_by("first_name", "last_name"))
    note.attachment_list = list(
        MeetingNoteAttachment.objects.filter(tenant=tenant, note=note).select_related("uploaded_by")
    )
    return note


def attachment_get(*, tenant, member, note_pk, pk):
    note = note_get(tenant=tenant, member=member, pk=note_pk)
    attachment = get_object_or_404(
        MeetingNoteAttachment.objects.filter(tenant=tenant, note=note), pk=pk
    )
    attachment.note = note
    return attachment


def hour_bounds(moment):
    """The clock hour (in the current time zone) that ``moment`` falls in."""
    local = timezone.localtime(moment).replace(minute=0, second=0, microsecond=0)
    return local, local + timedelta(hours=1)


def same_hour_notes(*, tenant, firm, met_at, exclude=None):
    """Other notes on ``firm`` within the same clock hour as ``met_at`` (seed 000)."""
    start, end = hour_bounds(met_at)
    qs = MeetingNote.objects.filter(tenant=tenant, firm=firm, met_at__gte=start, met_at__lt=end)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(qs.select_related("created_by").order_by("met_at")[:10])


def note_firms(*, tenant, member):
    """Firms a note can be written on: the visible ones."""
    return visible_firms(tenant=tenant, member=member).order_by("name", "pk")


def firms_with_notes(*, tenant, member):
    """The visible firms that have notes (the list's firm filter)."""
    has_notes = MeetingNote.objects.filter(tenant=tenant, firm_id=OuterRef("pk"))
    return note_firms(tenant=tenant, member=member).filter(Exists(has_notes)).only("pk", "name")


def firm_contact_options(*, tenant, firm):
    """The contacts of ``firm`` to choose the person met from."""
    if firm is None:
        return Contact.objects.none()
    linked = FirmContact.objects.filter(tenant=tenant, firm=firm).values("contact")
    return Contact.objects.filter(tenant=tenant, pk__in=linked).order_by(
        "first_name", "last_name", "pk"
    )


def participant_options(*, tenant, member):
    """Colleagues who can be named as participants from our side."""
    return assignable_employees(tenant=tenant, member=member)


def channel_options(*, tenant):
    return choices.options(tenant=tenant, key="meeting_channel")


def outcome_options(*, tenant):
    return choices.options(tenant=tenant, key="meeting_outcome")


def appointment_outcome(*, tenant):
    """The outcome entry that opens the appointment form, or None if it is gone."""
    return outcome_options(tenant=tenant).filter(code=APPOINTMENT_OUTCOME).first()


def appointment_type(*, tenant):
    """The activity type an appointment from a note gets (None if the list lost it)."""
    qs = choices.options(tenant=tenant, key="activity_type", include_inactive=True)
    return qs.filter(code="appointment").first()
