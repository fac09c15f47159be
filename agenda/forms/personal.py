"""The personal agenda settings form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agenda.models import AgendaPreference

MAX_ALARM_DAYS = 365


class PreferenceForm(forms.Form):
    slot_minutes = forms.TypedChoiceField(
        label=_("Time slots in the calendars"), choices=AgendaPreference.Slot.choices, coerce=int
    )
    date_alarm_days = forms.IntegerField(
        label=_("Date alarms: days ahead"), min_value=0, max_value=MAX_ALARM_DAYS,
        help_text=_("Birthdays, wedding and founding anniversaries coming within these days "
                    "arrive by e-mail each morning. 0 turns the e-mail off."),
    )  # fmt: skip
