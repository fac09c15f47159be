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


def language_of(person, tenant):
    return person.user.language or tenant.language or settings.LANGUAGE_CODE


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


def send_once(*, key, person, tenant, template, context, attachments=(), sent=()):
    """Render and enqueue one e-mail in ``person``'s language and time zone (once per key).

    ``sent``: keys known to have a row already (skips rendering them again).
    """
    if key in sent:
        return False
    with translation.override(language_of(person, tenant)), timezone.override(zone_of(person)):
        mail.enqueue_template(
            key=key,
            to=[person.user.email],
            template=template,
            context={
                "recipient_name": person.full_name,
                "tenant_name": tenant.name,
                "tenant_slug": tenant.slug,
                "timezone_name": zone_of(person).key,
                **context,
            },
            tenant=tenant,
            language=language_of(person, tenant),
            attachments=attachments,
        )
    return True
