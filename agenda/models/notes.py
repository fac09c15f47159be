"""Meeting notes (seed 000 "Görüşme Notları", seed 003): what was said with a firm."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.files import generated_path
from core.models import TenantModel


class MeetingNote(TenantModel):
    firm = models.ForeignKey(
        "companies.Firm",
        on_delete=models.CASCADE,
        related_name="meeting_notes",
        verbose_name=_("firm"),
    )
    met_at = models.DateTimeField(_("date and time"))
    channel = models.ForeignKey(
        "core.Choice", on_delete=models.PROTECT, related_name="+", verbose_name=_("channel")
    )
    subject = models.CharField(_("subject"), max_length=200)
    contact = models.ForeignKey(
        "companies.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_notes",
        verbose_name=_("contact met"),
    )
    participants = models.ManyToManyField(
        "accounts.Employee",
        blank=True,
        related_name="meeting_notes",
        verbose_name=_("participants"),
    )
    product = models.CharField(_("product discussed"), max_length=200, blank=True)
    outcome = models.ForeignKey(
        "core.Choice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome"),
    )
    appointment = models.ForeignKey(
        "agenda.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_notes",
        verbose_name=_("appointment"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey("accounts.Employee", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-met_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "firm", "met_at"])]

    def __str__(self):
        return self.subject


class MeetingNoteAttachment(TenantModel):
    note = models.ForeignKey(MeetingNote, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=generated_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey("accounts.Employee", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.original_name
