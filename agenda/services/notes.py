"""Writing meeting notes (seed 000 "Görüşme Notları").

A note may bring two more records with it, saved in the same transaction or not at all: a new
contact of the firm (the person met was "other") and, when the outcome is "appointment", the
appointment itself (through ``activity_create``, so its clash warning applies). A note in the
same clock hour as another note on the same firm raises :class:`SameHourWarning` until the
user confirms; only the author (and executives) change or delete a note.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agenda.models import MeetingNote, MeetingNoteAttachment
from agenda.selectors import notes as selectors
from agenda.services.activities import ClashWarning, activity_create
from agenda.services.attachments import attach, detach
from companies.models import FirmContact
from companies.selectors.firms import visible_firms
from companies.services.firms import contact_create
from core import audit
from core.models import AuditEntry

FIELDS = ("firm", "met_at", "channel", "subject", "contact", "product", "outcome", "notes")
AUDITED = (*FIELDS, "appointment")


class SameHourWarning(ValidationError):
    """Another note on the same firm falls in the same hour; ``notes`` names them."""

    def __init__(self, found):
        self.notes = found
        super().__init__(_("Another note on this firm is in the same hour."), code="same_hour")


def _invalid(field):
    return ValidationError({field: _("Select a valid choice.")})


def _check_choice(tenant, value, key, field):
    if value is not None and (value.tenant_id != tenant.pk or value.list_key != key):
        raise _invalid(field)


def _check_references(*, tenant, actor, data, participants):
    firm = data["firm"]
    if firm.tenant_id != tenant.pk or not (
        visible_firms(tenant=tenant, member=actor).filter(pk=firm.pk).exists()
    ):
        raise _invalid("firm")
    _check_choice(tenant, data["channel"], "meeting_channel", "channel")
    _check_choice(tenant, data.get("outcome"), "meeting_outcome", "outcome")
    contact = data.get("contact")
    if (
        contact is not None
        and not FirmContact.objects.filter(tenant=tenant, firm=firm, contact=contact).exists()
    ):
        raise ValidationError({"contact": _("Choose a contact of the firm.")})
    ids = {p.pk for p in participants}
    allowed = selectors.participant_options(tenant=tenant, member=actor)
    if ids and allowed.filter(pk__in=ids).count() != len(ids):
        raise _invalid("participants")


def _check_same_hour(*, tenant, data, exclude, confirmed):
    if confirmed:
        return
    found = selectors.same_hour_notes(
        tenant=tenant, firm=data["firm"], met_at=data["met_at"], exclude=exclude
    )
    if found:
        raise SameHourWarning(found)


def _add_contact(*, tenant, actor, firm, values):
    """The person met was not among the firm's contacts: add them to the firm."""
    channels = {}
    if values.get("phone"):
        channels["phones"] = [{"country_code": "", "number": values["phone"]}]
    if values.get("email"):
        channels["emails"] = [{"address": values["email"]}]
    data = {name: values.get(name, "") for name in ("first_name", "last_name", "job_title")}
    return contact_create(tenant=tenant, actor=actor.user, firm=firm, data=data, channels=channels)


def wants_appointment(outcome):
    return outcome is not None and outcome.code == selectors.APPOINTMENT_OUTCOME


def _book_appointment(*, tenant, actor, firm, contact, values, confirm_clash):
    """The appointment the meeting ended with; its errors are reported under ``appointment.``."""
    kind = selectors.appointment_type(tenant=tenant)
    if kind is None:
        raise ValidationError(_("The activity type “appointment” is missing from Settings."))
    data = {
        "type": kind,
        "subject": values["subject"],
        "firm": firm,
        "assigned_to": values["assigned_to"],
        "start": values["start"],
        "end": values["end"],
        "location": values.get("location", ""),
        "all_day": False,
    }
    try:
        return activity_create(
            tenant=tenant,
            actor=actor,
            data=data,
            contacts=[contact] if contact else [],
            confirm_clash=confirm_clash,
        )
    except ValidationError as error:
        if isinstance(error, ClashWarning) or not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {f"appointment.{name}": errors for name, errors in error.error_dict.items()}
        ) from error


def _write(*, tenant, actor, note, data, participants, new_contact, appointment, confirm_clash):
    """Shared by create and update: the new contact, the appointment, the note's fields."""
    if new_contact is not None:
        data = {
            **data,
            "contact": _add_contact(
                tenant=tenant, actor=actor, firm=data["firm"], values=new_contact
            ),
        }
    if wants_appointment(data.get("outcome")) and note.appointment_id is None:
        if appointment is None:
            raise ValidationError(_("Fill in the appointment."))
        note.appointment = _book_appointment(
            tenant=tenant,
            actor=actor,
            firm=data["firm"],
            contact=data.get("contact"),
            values=appointment,
            confirm_clash=confirm_clash,
        )
    for name in FIELDS:
        setattr(note, name, data.get(name) if name in ("contact", "outcome") else data[name])
    note.save()
    note.participants.set(participants)
    return note


@transaction.atomic
def note_create(
    *,
    tenant,
    actor,
    data,
    participants=(),
    new_contact=None,
    appointment=None,
    upload=None,
    confirm_same_hour=False,
    confirm_clash=False,
):
    """Write a note; with ``new_contact`` add the person met to the firm; with an outcome
    "appointment" book ``appointment`` too. All of it is saved, or none of it.

    ``upload``: an optional ``(file, content_type)`` already checked by ``core.files``.
    """
    participants = list(participants)
    _check_references(tenant=tenant, actor=actor, data=data, participants=participants)
    _check_same_hour(tenant=tenant, data=data, exclude=None, confirmed=confirm_same_hour)
    note = MeetingNote(tenant=tenant, created_by=actor)
    _write(
        tenant=tenant, actor=actor, note=note, data=data, participants=participants,
        new_contact=new_contact, appointment=appointment, confirm_clash=confirm_clash,
    )  # fmt: skip
    audit.record(
        tenant=tenant, actor=actor.user, instance=note, action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, audit.snapshot(note, AUDITED)),
    )  # fmt: skip
    if upload is not None:
        _attach(tenant=tenant, actor=actor, note=note, upload=upload[0], content_type=upload[1])
    return note


def _require_change(actor, note):
    if not selectors.can_change_note(member=actor, note=note):
        raise PermissionDenied(_("Only the author of this note can change it."))


@transaction.atomic
def note_update(
    *,
    tenant,
    actor,
    note,
    data,
    participants=(),
    new_contact=None,
    appointment=None,
    confirm_same_hour=False,
    confirm_clash=False,
):
    """Change a note (its author and executives). An appointment already booked stays linked;
    one is booked when the outcome becomes "appointment" and the note has none yet."""
    note = MeetingNote.objects.select_for_update().get(tenant=tenant, pk=note.pk)
    _require_change(actor, note)
    participants = list(participants)
    _check_references(tenant=tenant, actor=actor, data=data, participants=participants)
    if data["met_at"] != note.met_at or data["firm"].pk != note.firm_id:
        _check_same_hour(tenant=tenant, data=data, exclude=note.pk, confirmed=confirm_same_hour)
    before = audit.snapshot(note, AUDITED)
    _write(
        tenant=tenant, actor=actor, note=note, data=data, participants=participants,
        new_contact=new_contact, appointment=appointment, confirm_clash=confirm_clash,
    )  # fmt: skip
    audit.record(
        tenant=tenant, actor=actor.user, instance=note, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(note, AUDITED)),
    )  # fmt: skip
    return note


@transaction.atomic
def note_delete(*, tenant, actor, note):
    """Delete a note and its files; an appointment booked from it stays in the agenda."""
    note = MeetingNote.objects.select_for_update().get(tenant=tenant, pk=note.pk)
    _require_change(actor, note)
    files = [a.file for a in MeetingNoteAttachment.objects.filter(tenant=tenant, note=note)]
    audit.record(
        tenant=tenant, actor=actor.user, instance=note, action=AuditEntry.Action.DELETE,
        summary=note.subject,
    )  # fmt: skip
    note.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])


def _attach(*, tenant, actor, note, upload, content_type):
    return attach(
        tenant=tenant, actor=actor, model=MeetingNoteAttachment, owner_field="note", owner=note,
        upload=upload, content_type=content_type,
    )  # fmt: skip


@transaction.atomic
def note_attachment_add(*, tenant, actor, note, upload, content_type):
    """Attach a file (already checked by content with ``core.files.clean_upload``)."""
    _require_change(actor, note)
    return _attach(tenant=tenant, actor=actor, note=note, upload=upload, content_type=content_type)


@transaction.atomic
def note_attachment_remove(*, tenant, actor, attachment):
    _require_change(actor, attachment.note)
    detach(tenant=tenant, actor=actor, attachment=attachment, owner=attachment.note)
