"""Who gets the agenda's due e-mails, and writing each one once in its reader's language and
time zone (see ``agenda.services.due``)."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation

from core import mail
from core.models import OutboxEmail


def reachable(employee):
    user = employee.user
    return employee.is_working and user.is_active and bool(user.email)


def people_of(activity):
    """The assigned employee and the participants, each once, who can receive e-mail."""
    seen, people = set(), []
    for person in (activity.assigned_to, *activity.participants.all()):
        if person.pk not in seen and reachable(person):
            seen.add(person.pk)
            people.append(person)
    return people


def zone_of(person):
    try:
        return ZoneInfo(person.user.timezone or settings.TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def epoch(moment):
    return int(moment.timestamp())


def existing_keys(keys):
    """Which of ``keys`` already have an outbox row (one query for a batch)."""
    return set(
        OutboxEmail.objects.filter(idempotency_key__in=list(keys)).values_list(
            "idempotency_key", flat=True
        )
    )


class Outbox:
    """The e-mails of one batch of due work: each rendered in its reader's language and time
    zone, all written together (:func:`core.mail.enqueue_many`, one ``INSERT``) by
    :meth:`write`, in the batch's transaction, before its markers.

    ``keys``: the keys the batch may write; those that already have a row are looked up in one
    query and never rendered again.
    """

    def __init__(self, keys=()):
        keys = list(keys)
        self.known = existing_keys(keys) if keys else set()
        self.messages = []

    def add(self, *, key, person, tenant, template, context, attachments=()):
        """Render one e-mail unless ``key`` has a row or is in the batch already; ``attachments``
        may be a callable (called only when the e-mail is rendered)."""
        if key in self.known:
            return False
        self.known.add(key)
        if callable(attachments):
            attachments = attachments()
        language = mail.language_for(person, tenant)
        with translation.override(language), timezone.override(zone_of(person)):
            rendered = mail.render(template, _context(person, tenant, context), language)
        self.messages.append(
            {
                "key": key,
                "to": [person.user.email],
                **rendered,
                "tenant": tenant,
                "attachments": attachments,
            }
        )
        return True

    def write(self):
        """Write the rows not written yet; return how many are new."""
        messages, self.messages = self.messages, []
        return len(mail.enqueue_many(messages)) if messages else 0


def _context(person, tenant, context):
    return {
        "recipient_name": person.full_name,
        "tenant_name": tenant.name,
        "tenant_slug": tenant.slug,
        "timezone_name": zone_of(person).key,
        **context,
    }
