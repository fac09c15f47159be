"""Writing the personal agenda settings and the calendar feed's token.

The feed's address carries ``<tenant id>-<secret>``: the feed lives outside ``/o/`` (calendar
applications cannot log in), so the tenant id tells the view which scope to open before it
looks the secret up; the secret alone (256 random bits) is what protects the feed. Resetting
the address replaces the secret, so the old address answers 404 at once.
"""

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from agenda.models import AgendaPreference, CalendarToken
from core import audit
from core.models import AuditEntry


def new_token(tenant):
    return f"{tenant.pk}-{secrets.token_urlsafe(32)}"


@transaction.atomic
def preference_save(*, tenant, member, slot_minutes, date_alarm_days):
    """Store ``member``'s time slot length and date-alarm days (0 turns the e-mail off)."""
    preference, _created = AgendaPreference.objects.update_or_create(
        tenant=tenant,
        employee=member,
        defaults={"slot_minutes": slot_minutes, "date_alarm_days": date_alarm_days},
    )
    return preference


@transaction.atomic
def calendar_token_ensure(*, tenant, member):
    """``member``'s calendar token, created on first use."""
    token, _created = CalendarToken.objects.get_or_create(
        tenant=tenant, employee=member, defaults={"token": new_token(tenant)}
    )
    return token


@transaction.atomic
def calendar_token_reset(*, tenant, member):
    """Give ``member`` a new feed address; the old one stops working (404)."""
    token, created = CalendarToken.objects.select_for_update().get_or_create(
        tenant=tenant, employee=member, defaults={"token": new_token(tenant)}
    )
    if not created:
        token.token = new_token(tenant)
        token.save(update_fields=["token", "updated_at"])
    audit.record(
        tenant=tenant, actor=member.user, instance=member, action=AuditEntry.Action.EVENT,
        summary=_("The calendar feed address was reset."),
    )  # fmt: skip
    return token
