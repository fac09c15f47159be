"""Each employee's agenda settings and their private calendar feed."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel


class AgendaPreference(TenantModel):
    class Slot(models.IntegerChoices):
        FIVE = 5, _("5 minutes")
        FIFTEEN = 15, _("15 minutes")
        THIRTY = 30, _("30 minutes")
        FORTY_FIVE = 45, _("45 minutes")
        SIXTY = 60, _("60 minutes")

    employee = models.OneToOneField(
        "accounts.Employee", on_delete=models.CASCADE, related_name="agenda_preference"
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("time slots"), choices=Slot.choices, default=Slot.THIRTY
    )
    # Days ahead for the date-alarm digest; 0 turns it off.
    date_alarm_days = models.PositiveSmallIntegerField(_("date alarms: days ahead"), default=7)
    date_alarms_sent_on = models.DateField(null=True, blank=True)


class CalendarToken(TenantModel):
    """The secret in an employee's ICS feed address; a new one revokes the old."""

    employee = models.OneToOneField(
        "accounts.Employee", on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True)
