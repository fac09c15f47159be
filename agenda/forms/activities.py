"""Forms of activities: the booking form, closing, attachments, and the list's filters."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from agenda import lists
from agenda.models import ActivitySeries, Priority, Status
from agenda.selectors import activities as selectors
from companies.forms.widgets import FirmPicker, chosen_firm
from companies.models import Firm
from companies.selectors.firms import visible_firms
from core.files import UploadPolicy, clean_upload
from core.forms import EmployeeChoiceField, EmployeeMultipleChoiceField, datetime_input
from core.views import is_pk
from opportunities.selectors import visible_opportunities

TEXT_LIMIT = 5000
WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]
OFFICE = {
    "application/msword": {".doc"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.ms-excel": {".xls"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/vnd.ms-powerpoint": {".ppt"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {".pptx"},
    "application/vnd.oasis.opendocument.text": {".odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {".ods"},
}
ATTACHMENT_POLICY = UploadPolicy(
    frozenset({"application/pdf", "image/jpeg", "image/png", "image/webp", *OFFICE}),
    15 * 1024 * 1024,
)
ATTACHMENT_ACCEPT = ",".join(
    sorted({ATTACHMENT_POLICY.accept, *(ext for exts in OFFICE.values() for ext in exts)})
)


def local_input(value):
    """An aware datetime as the naive local text a datetime-local input shows."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def parse_moment(text):
    """A calendar's ``start``/``end`` parameter (ISO date or date-time) as an aware datetime."""
    text = (text or "").strip()[:40]
    if not text or "\x00" in text:
        return None
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = datetime.combine(day, time()) if day else None
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        try:
            moment = timezone.make_aware(moment)
        except (ValueError, OverflowError):
            return None
    return moment


class ActivityForm(forms.Form):
    """Booking and editing: times are read in the user's time zone.

    An all-day activity is stored from midnight of its first day to midnight after its last
    day (the calendar's convention); the form shows the last day itself.
    """

    type = forms.ModelChoiceField(label=_("Type"), queryset=None)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    firm = forms.ModelChoiceField(label=_("Firm"), queryset=None, required=False, widget=FirmPicker)
    contacts = forms.ModelMultipleChoiceField(
        label=_("Contacts of the firm"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    assigned_to = EmployeeChoiceField(label=_("Assigned to"), queryset=None)
    participants = EmployeeMultipleChoiceField(
        label=_("Participants from our side"), queryset=None, required=False
    )
    all_day = forms.BooleanField(label=_("All day"), required=False)
    start = forms.DateTimeField(label=_("Start"), widget=datetime_input())
    end = forms.DateTimeField(label=_("End"), widget=datetime_input())
    location = forms.CharField(label=_("Location"), max_length=255, required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(Status.PLANNED, Status.PLANNED.label), (Status.DONE, _("Done already"))],
        initial=Status.PLANNED,
    )
    work_minutes = forms.IntegerField(
        label=_("Work time (minutes)"),
        required=False,
        min_value=0,
        max_value=100000,
        help_text=_("Needed when the activity is done already."),
    )
    distance_km = forms.DecimalField(
        label=_("Distance (km)"),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=1,
        help_text=_("For meetings and visits."),
    )
    show_in_agenda = forms.BooleanField(label=_("Show in the agenda"), required=False, initial=True)
    alarm_minutes = forms.IntegerField(
        label=_("Alarm (minutes before)"), required=False, min_value=0, max_value=10080
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        required=False,
        choices=[("", _("Does not repeat")), *ActivitySeries.Frequency.choices],
    )
    repeat_interval = forms.IntegerField(
        label=_("Every"), required=False, min_value=1, max_value=99, initial=1
    )
    repeat_weekdays = forms.TypedMultipleChoiceField(
        label=_("On"),
        required=False,
        coerce=int,
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
    )
    repeat_until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    repeat_count = forms.IntegerField(label=_("Times"), required=False, min_value=1, max_value=500)
    scope = forms.ChoiceField(
        label=_("Apply to"),
        choices=[("this", _("Only this occurrence")), ("series", _("The whole series"))],
        initial="this",
        widget=forms.RadioSelect,
    )
    confirm_clash = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Booked from an opportunity's page (``?opportunity=``): linked to it, on its firm.
    opportunity = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, tenant, member, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant, self.member, self.activity = tenant, member, activity
        self.chosen_opportunity = self._opportunity(tenant, member)
        self.fields["type"].queryset = selectors.type_options(tenant=tenant)
        firms = visible_firms(tenant=tenant, member=member)
        if activity is not None and activity.firm_id:  # keep a firm no longer visible
            firms = firms | Firm.objects.filter(tenant=tenant, pk=activity.firm_id)
        self.fields["firm"].queryset = firms.order_by("name")
        people = selectors.assignable_employees(tenant=tenant, member=member)
        self.fields["participants"].queryset = people
        self.fields["participants"].widget.configure(tenant=tenant)
        if member.has_perm("agenda.assign"):
            self.fields["assigned_to"].queryset = people
            self.fields["assigned_to"].widget.configure(tenant=tenant, known=member)
        else:
            del self.fields["assigned_to"]
        firm = chosen_firm(self)
        self.fields["contacts"].queryset = selectors.firm_contacts(tenant=tenant, firm=firm)
        # The picker's hidden input carries these: choosing a firm refills its contacts.
        self.fields["firm"].widget.configure(tenant=tenant, known=firm)
        self.fields["firm"].widget.attrs.update(
            {
                "hx-get": reverse("agenda:activity-contacts", args=[tenant.slug]),
                "hx-trigger": "change",
                "hx-target": "#contacts-field",
                "hx-select": "#contacts-field",
                "hx-swap": "outerHTML",
                "hx-include": "this",
            }
        )
        if activity is not None:
            for name in ("status", "work_minutes", "distance_km", "repeat", "repeat_interval"):
                del self.fields[name]
            for name in ("repeat_weekdays", "repeat_until", "repeat_count"):
                del self.fields[name]
            if activity.series_id is None:
                del self.fields["scope"]
        else:
            del self.fields["scope"]

    def _opportunity(self, tenant, member):
        """The opportunity named by the form (posted or initial) if the member sees it; its
        firm becomes the form's firm. Editing keeps the link as it is."""
        if self.activity is not None:
            del self.fields["opportunity"]
            return None
        field = self.fields["opportunity"]
        field.queryset = visible_opportunities(tenant=tenant, member=member)
        source = self.data if self.is_bound else self.initial
        raw = str(source.get("opportunity") or "")
        if not is_pk(raw):
            return None
        found = field.queryset.filter(pk=int(raw)).select_related("firm").first()
        if not self.is_bound:
            if found is None:
                self.initial.pop("opportunity", None)
            else:
                self.initial["firm"] = found.firm_id
        return found

    def clean(self):
        data = super().clean()
        if data.get("opportunity") is not None:
            data["firm"] = data["opportunity"].firm
        start, end = data.get("start"), data.get("end")
        if data.get("all_day") and start and end:
            try:
                start = timezone.make_aware(datetime.combine(timezone.localdate(start), time()))
                last_day = timezone.localdate(end) + timedelta(days=1)
                end = timezone.make_aware(datetime.combine(last_day, time()))
            except OverflowError:
                self.add_error("end", _("Enter a valid date."))
                return data
            data["start"], data["end"] = start, end
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        if data.get("status") == Status.DONE:
            if data.get("work_minutes") is None:
                self.add_error("work_minutes", _("Enter the work time in minutes."))
            if data.get("repeat"):
                self.add_error("repeat", _("A repeating activity starts as planned."))
        if data.get("repeat_until") and data.get("repeat_count"):
            self.add_error("repeat_count", _("Give an end date or a number of times."))
        return data

    def service_data(self):
        names = (
            "type", "subject", "description", "firm", "start", "end", "all_day", "location",
            "priority", "show_in_agenda", "alarm_minutes",
        )  # fmt: skip
        data = {name: self.cleaned_data.get(name) for name in names}
        if self.cleaned_data.get("opportunity") is not None:
            data["opportunity"] = self.cleaned_data["opportunity"]
        data["assigned_to"] = self.cleaned_data.get("assigned_to") or (
            self.activity.assigned_to if self.activity is not None else self.member
        )
        return data

    def repeat_rule(self):
        frequency = self.cleaned_data.get("repeat")
        if not frequency:
            return None
        return {
            "frequency": frequency,
            "interval": self.cleaned_data.get("repeat_interval") or 1,
            "weekdays": self.cleaned_data.get("repeat_weekdays") if frequency == "weekly" else [],
            "until": self.cleaned_data.get("repeat_until"),
            "count": self.cleaned_data.get("repeat_count"),
            "timezone": timezone.get_current_timezone_name(),
        }

    def closing(self):
        if self.cleaned_data.get("status") != Status.DONE:
            return None
        return {
            "work_minutes": self.cleaned_data["work_minutes"],
            "distance_km": self.cleaned_data.get("distance_km"),
        }


def initial_for(activity):
    """The form's initial values for editing ``activity`` (all-day shows its last day)."""
    end = activity.end - timedelta(days=1) if activity.all_day else activity.end
    return {
        "type": activity.type_id,
        "subject": activity.subject,
        "description": activity.description,
        "firm": activity.firm_id,
        "contacts": [c.pk for c in activity.contacts.all()],
        "assigned_to": activity.assigned_to_id,
        "participants": [p.pk for p in activity.participants.all()],
        "all_day": activity.all_day,
        "start": local_input(activity.start),
        "end": local_input(end),
        "location": activity.location,
        "priority": activity.priority,
        "show_in_agenda": activity.show_in_agenda,
        "alarm_minutes": activity.alarm_minutes,
    }


def initial_from_query(params, *, member):
    """Prefill from ``?firm=`` and the calendar's range selection (``start``, ``end``,
    ``all_day``). The form shows the firm only if the member may choose it."""
    initial = {"assigned_to": member.pk}
    if is_pk(params.get("firm", ""), max_length=17):
        initial["firm"] = params["firm"]
    if is_pk(params.get("opportunity", ""), max_length=17):
        initial["opportunity"] = params["opportunity"]
    start, end = parse_moment(params.get("start")), parse_moment(params.get("end"))
    all_day = params.get("all_day") in ("1", "true")
    if start is None:
        return initial
    try:
        if end is None or end < start:
            end = start + (timedelta(days=1) if all_day else timedelta(hours=1))
        if all_day and end > start:
            end = end - timedelta(days=1)  # the calendar's end is exclusive
        initial.update(start=local_input(start), end=local_input(end), all_day=all_day)
    except (OverflowError, ValueError):  # a date at the very end of the calendar
        pass
    return initial


class CloseForm(forms.Form):
    work_minutes = forms.IntegerField(label=_("Work time (minutes)"), min_value=0, max_value=100000)
    distance_km = forms.DecimalField(
        label=_("Distance (km)"), min_value=0, max_digits=7, decimal_places=1
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        if lists.MEETING not in (activity.type.flags or []):
            del self.fields["distance_km"]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ATTACHMENT_ACCEPT

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name, content_type = clean_upload(upload, ATTACHMENT_POLICY)
        ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        if content_type in OFFICE and ext not in OFFICE[content_type]:
            raise ValidationError(
                _("The file's name ends in “%(ext)s” but its content is %(type)s.")
                % {"ext": ext or "…", "type": content_type}
            )
        self.original_name, self.content_type = name, content_type
        return upload


LIST_STATUSES = [*Status.choices, ("overdue", _("Overdue"))]


def list_filters(params, *, tenant):
    """The activity list's filters from the query string; unknown values are dropped."""
    filters = {"scope": "all" if params.get("scope") == "all" else "mine"}
    for name in ("type", "firm"):
        value = params.get(name, "")
        if value.isdecimal() and len(value) < 18:
            filters[name] = int(value)
    if params.get("status") in {value for value, _label in LIST_STATUSES}:
        filters["status"] = params["status"]
    if params.get("priority") in Priority.values:
        filters["priority"] = params["priority"]
    for name in ("date_from", "date_to"):
        try:
            day = parse_date(params.get(name, "")[:10])
        except ValueError:
            day = None
        if day is None:
            continue
        try:
            # "to" includes its whole day: the filter stops at the next midnight.
            moment = datetime.combine(day + timedelta(days=1 if name == "date_to" else 0), time())
            filters[name] = timezone.make_aware(moment)
        except OverflowError:
            continue
        filters[f"{name}_text"] = day.isoformat()
    q = " ".join(params.get("q", "").split())[:100]
    if q and "\x00" not in q:
        filters["q"] = q
    return filters
