"""Activities (an appointment is one type), their recurrence series and attachments.

A recurring activity is stored as one row per occurrence, all pointing at their
``ActivitySeries``; the series keeps the rule. Occurrences are expanded in the series' own
time zone, so a weekly 09:00 meeting stays at 09:00 local time across daylight-saving changes.
An occurrence changed on its own is ``detached``: changes to the whole series leave it alone.
"""

from django.contrib.postgres.fields import ArrayField, DateTimeRangeField
from django.contrib.postgres.indexes import GistIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.files import generated_path
from core.models import TenantModel


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def span():
    """The activity's time span as a range: what the calendar's overlap queries use.

    Both bounds are inclusive so that an activity of no length is still a point in time;
    the same expression is indexed (``activity_span``), so it must not change alone.
    """
    return TsTzRange("start", "end", models.Value("[]"))


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ActivitySeries(TenantModel):
    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")
        YEARLY = "yearly", _("Yearly")

    frequency = models.CharField(_("repeats"), max_length=10, choices=Frequency.choices)
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    # ISO weekdays, Monday = 1 (weekly series only; empty means the first occurrence's day).
    weekdays = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("times"), null=True, blank=True)
    timezone = models.CharField(max_length=64)
    # The first occurrence's local wall-clock start, and the length of each occurrence.
    first_start = models.DateTimeField()
    duration = models.DurationField()
    # Occurrences exist up to here; a daily job extends open-ended series.
    expanded_until = models.DateTimeField()

    class Meta:
        verbose_name = _("recurrence")


class Activity(TenantModel):
    type = models.ForeignKey(
        "core.Choice", on_delete=models.PROTECT, related_name="+", verbose_name=_("type")
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    firm = models.ForeignKey(
        "companies.Firm",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("firm"),
    )
    contacts = models.ManyToManyField(
        "companies.Contact", blank=True, related_name="activities", verbose_name=_("contacts")
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("opportunity"),
    )
    assigned_to = models.ForeignKey(
        "accounts.Employee",
        on_delete=models.PROTECT,
        related_name="assigned_activities",
        verbose_name=_("assigned to"),
    )
    created_by = models.ForeignKey(
        "accounts.Employee", on_delete=models.PROTECT, related_name="created_activities"
    )
    participants = models.ManyToManyField(
        "accounts.Employee",
        blank=True,
        related_name="participating_activities",
        verbose_name=_("participants"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    all_day = models.BooleanField(_("all day"), default=False)
    location = models.CharField(_("location"), max_length=255, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    show_in_agenda = models.BooleanField(_("show in agenda"), default=True)
    alarm_minutes = models.PositiveIntegerField(_("alarm (minutes before)"), null=True, blank=True)
    series = models.ForeignKey(
        ActivitySeries,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    detached = models.BooleanField(default=False)
    # Closing: the work time and, for meetings, the distance travelled.
    work_minutes = models.PositiveIntegerField(_("work time (minutes)"), null=True, blank=True)
    distance_km = models.DecimalField(
        _("distance (km)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the due-work job has done for the current start (a moved activity is due again).
    day_before_done_for = models.DateTimeField(null=True, blank=True)
    morning_done_for = models.DateTimeField(null=True, blank=True)
    alarm_done_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["tenant", "start"]),
            models.Index(fields=["tenant", "assigned_to", "start"]),
            models.Index(fields=["tenant", "firm", "start"]),
            models.Index(fields=["tenant", "status", "start"]),
            models.Index(
                fields=["start"],
                name="activity_planned_start",
                condition=models.Q(status="planned"),
            ),
            # The calendar's and the start page's overlap queries (btree_gist for the ids).
            GistIndex(models.F("tenant"), span(), name="activity_span"),
            GistIndex(
                models.F("tenant"), models.F("assigned_to"), span(), name="activity_person_span"
            ),
            models.Index(
                fields=["assigned_to", "start"],
                name="activity_planned_person",
                condition=models.Q(status="planned"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="activity_end_after_start"
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_planned(self):
        return self.status == Status.PLANNED


class ActivityAttachment(TenantModel):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=generated_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey("accounts.Employee", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.original_name
