"""Writing reminders (seed 000 "Hatırlatma"): create, change, delete, dismiss, snooze.

Only the creator changes or deletes a reminder; each recipient dismisses or snoozes it for
themselves. Colleagues are reminded only with ``reminders.others`` and, for a dealer firm's
staff, only colleagues of that firm. The e-mail one day before is written by the due-work
beat job (``agenda.services.due``); changing the time clears ``day_before_done_for`` so that
the job writes it again for the new time, and shows the reminder again to everyone.
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Reminder, ReminderRecipient
from agenda.selectors.reminders import recipient_options
from core import audit
from core.models import AuditEntry

MAX_RECIPIENTS = 50
SNOOZE_CHOICES = ("10m", "1h", "tomorrow")
MORNING = time(9, 0)


def _check_recipients(*, tenant, actor, recipients):
    people = list({person.pk: person for person in recipients}.values())
    if not people:
        raise ValidationError({"for_me": _("Choose who gets the reminder.")})
    if len(people) > MAX_RECIPIENTS:
        raise ValidationError(
            {"colleagues": _("At most %(n)d recipients.") % {"n": MAX_RECIPIENTS}}
        )
    others = {p.pk for p in people} - {actor.pk}
    if others:
        if not actor.has_perm("reminders.others"):
            raise ValidationError({"colleagues": _("You may set reminders only for yourself.")})
        allowed = recipient_options(tenant=tenant, member=actor).filter(pk__in=others)
        if allowed.count() != len(others):
            raise ValidationError({"colleagues": _("Select a valid choice.")})
    return people


def _clean_text(text):
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what to remind.")})
    return text


def _require_creator(actor, reminder):
    if reminder.created_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who set the reminder may change it."))


@transaction.atomic
def reminder_create(*, tenant, actor, text, due_at, recipients):
    """Set a reminder due at ``due_at`` for ``recipients`` (the actor and/or colleagues)."""
    if actor.tenant_id != tenant.pk or not actor.has_perm("reminders.add"):
        raise PermissionDenied
    text = _clean_text(text)
    people = _check_recipients(tenant=tenant, actor=actor, recipients=recipients)
    reminder = Reminder.objects.create(tenant=tenant, created_by=actor, text=text, due_at=due_at)
    ReminderRecipient.objects.bulk_create(
        ReminderRecipient(tenant=tenant, reminder=reminder, employee=person) for person in people
    )
    audit.record(
        tenant=tenant, actor=actor.user, instance=reminder, action=AuditEntry.Action.CREATE
    )
    return reminder


@transaction.atomic
def reminder_update(*, tenant, actor, reminder, text, due_at, recipients):
    """Change a reminder (its creator only). A new time makes it due again for everyone."""
    if reminder.tenant_id != tenant.pk:
        raise PermissionDenied
    _require_creator(actor, reminder)
    text = _clean_text(text)
    people = _check_recipients(tenant=tenant, actor=actor, recipients=recipients)
    before = audit.snapshot(reminder, ("text", "due_at"))
    moved = reminder.due_at != due_at
    reminder.text, reminder.due_at = text, due_at
    fields = ["text", "due_at", "updated_at"]
    if moved:
        reminder.day_before_done_for = None
        fields.append("day_before_done_for")
    reminder.save(update_fields=fields)
    wanted = {p.pk for p in people}
    deliveries = ReminderRecipient.objects.filter(tenant=tenant, reminder=reminder)
    deliveries.exclude(employee_id__in=wanted).delete()
    present = set(deliveries.values_list("employee_id", flat=True))
    ReminderRecipient.objects.bulk_create(
        ReminderRecipient(tenant=tenant, reminder=reminder, employee=person)
        for person in people
        if person.pk not in present
    )
    if moved:
        deliveries.update(dismissed_at=None, snoozed_until=None)
    audit.record(
        tenant=tenant, actor=actor.user, instance=reminder, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(reminder, ("text", "due_at"))),
    )  # fmt: skip
    return reminder


@transaction.atomic
def reminder_delete(*, tenant, actor, reminder):
    """Delete a reminder (its creator only) with its deliveries."""
    if reminder.tenant_id != tenant.pk:
        raise PermissionDenied
    _require_creator(actor, reminder)
    audit.record(
        tenant=tenant, actor=actor.user, instance=reminder, action=AuditEntry.Action.DELETE,
        summary=reminder.text[:200],
    )  # fmt: skip
    reminder.delete()


@transaction.atomic
def reminder_dismiss(*, tenant, member, delivery, now=None):
    """``member`` puts away their own copy of a due reminder."""
    if delivery.tenant_id != tenant.pk or delivery.employee_id != member.pk:
        raise PermissionDenied
    delivery.dismissed_at = now or timezone.now()
    delivery.save(update_fields=["dismissed_at", "updated_at"])
    return delivery


def snooze_until(choice, *, now=None, tz=None):
    """When a snooze ends: in 10 minutes, in an hour, or tomorrow at 09:00 local time."""
    now = now or timezone.now()
    if choice == "10m":
        return now + timedelta(minutes=10)
    if choice == "1h":
        return now + timedelta(hours=1)
    if choice == "tomorrow":
        tz = tz or timezone.get_current_timezone()
        tomorrow = timezone.localtime(now, tz).date() + timedelta(days=1)
        return timezone.make_aware(datetime.combine(tomorrow, MORNING), tz)
    raise ValidationError({"until": _("Select a valid choice.")})


@transaction.atomic
def reminder_snooze(*, tenant, member, delivery, until):
    """``member`` hides their own copy of a reminder until ``until``."""
    if delivery.tenant_id != tenant.pk or delivery.employee_id != member.pk:
        raise PermissionDenied
    delivery.snoozed_until = until
    delivery.save(update_fields=["snoozed_until", "updated_at"])
    return delivery
