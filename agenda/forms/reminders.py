"""Forms of reminders: the reminder itself and the snooze choice."""

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agenda.models import Reminder
from agenda.selectors.reminders import recipient_options
from agenda.services.reminders import MAX_RECIPIENTS
from core.forms import EmployeeMultipleChoiceField

TEXT_LIMIT = Reminder._meta.get_field("text").max_length
FIRST_YEAR, LAST_YEAR = 2000, 2100


class ReminderForm(forms.Form):
    """Text, date and time in the user's own time zone, and who gets it."""

    text = forms.CharField(
        label=gettext_lazy("Remind of"), max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    time = forms.TimeField(
        label=gettext_lazy("Time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    for_me = forms.BooleanField(label=gettext_lazy("Remind me"), required=False, initial=True)
    colleagues = EmployeeMultipleChoiceField(
        label=gettext_lazy("Remind colleagues"), queryset=None, required=False,
        help_text=gettext_lazy("They see it at the top of their pages and get an e-mail "
                               "the day before."),
    )  # fmt: skip

    def __init__(self, *args, tenant, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        if member.has_perm("reminders.others"):
            options = recipient_options(tenant=tenant, member=member).exclude(pk=member.pk)
            self.fields["colleagues"].queryset = options
            self.fields["colleagues"].widget.configure(tenant=tenant)
        else:
            del self.fields["colleagues"]

    @classmethod
    def initial_for(cls, reminder, member):
        local = timezone.localtime(reminder.due_at)
        people = [d.employee for d in reminder.deliveries.all()]
        return {
            "text": reminder.text,
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "for_me": any(p.pk == member.pk for p in people),
            "colleagues": [p.pk for p in people if p.pk != member.pk],
        }

    def clean_date(self):
        date = self.cleaned_data["date"]
        if not FIRST_YEAR <= date.year <= LAST_YEAR:
            raise ValidationError(_("Choose a date between %(first)d and %(last)d.")
                                  % {"first": FIRST_YEAR, "last": LAST_YEAR})  # fmt: skip
        return date

    def clean_colleagues(self):
        colleagues = self.cleaned_data["colleagues"]
        if len(colleagues) >= MAX_RECIPIENTS:
            raise ValidationError(_("At most %(n)d recipients.") % {"n": MAX_RECIPIENTS})
        return colleagues

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time") is not None:
            naive = datetime.combine(data["date"], data["time"])
            data["due_at"] = timezone.make_aware(naive, timezone.get_current_timezone())
        if not data.get("for_me") and not data.get("colleagues"):
            self.add_error("for_me", _("Choose who gets the reminder."))
        return data

    def recipients(self):
        people = [self.member] if self.cleaned_data.get("for_me") else []
        return people + list(self.cleaned_data.get("colleagues") or [])


class SnoozeForm(forms.Form):
    until = forms.ChoiceField(
        label=gettext_lazy("Snooze"),
        choices=[
            ("10m", gettext_lazy("10 minutes")),
            ("1h", gettext_lazy("1 hour")),
            ("tomorrow", gettext_lazy("Tomorrow morning")),
        ],
    )
