"""Reminders (seed 000 "Hatırlatma"): a text due at a time, for oneself or colleagues."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel


class Reminder(TenantModel):
    created_by = models.ForeignKey(
        "accounts.Employee", on_delete=models.PROTECT, related_name="created_reminders"
    )
    text = models.CharField(_("text"), max_length=500)
    due_at = models.DateTimeField(_("date and time"))
    recipients = models.ManyToManyField(
        "accounts.Employee",
        through="ReminderRecipient",
        related_name="reminders",
        verbose_name=_("recipients"),
    )
    # The due time the day-before e-mails were written for (changing the time makes them due again).
    day_before_done_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["tenant", "due_at"]), models.Index(fields=["due_at"])]

    def __str__(self):
        return self.text


class ReminderRecipient(TenantModel):
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    employee = models.ForeignKey(
        "accounts.Employee", on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reminder", "employee"], name="reminder_recipient_once")
        ]
        indexes = [
            models.Index(
                fields=["employee"],
                name="reminder_open_per_employee",
                condition=models.Q(dismissed_at__isnull=True),
            )
        ]
