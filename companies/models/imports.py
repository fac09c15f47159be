"""Imports of firms and contacts from CSV and XLSX files (seed 002)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.files import generated_path
from core.models import TenantModel


class ImportJob(TenantModel):
    """One uploaded file on its way in: mapped, previewed, then run in the worker.

    The counters and the error list are written in the same transaction as each batch of
    rows, so they always describe exactly what is in the database.
    """

    class Kind(models.TextChoices):
        FIRMS = "firms", _("Firms")
        CONTACTS = "contacts", _("Contacts")

    class Status(models.TextChoices):
        READING = "reading", _("Reading the file")
        UPLOADED = "uploaded", _("Waiting for the column mapping")
        MAPPED = "mapped", _("Ready to run")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", _("Skip the row")
        UPDATE = "update", _("Update the existing record")

    kind = models.CharField(_("what is imported"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=generated_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(max_length=4)  # "csv" or "xlsx"
    headers = models.JSONField(default=list, blank=True)
    # {field key: column index}
    mapping = models.JSONField(default=dict, blank=True)
    on_duplicate = models.CharField(
        _("when a record already exists"),
        max_length=10,
        choices=OnDuplicate.choices,
        default=OnDuplicate.SKIP,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    language = models.CharField(max_length=10, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # [{"row": 12, "messages": ["…"]}] and [{"row": 7, "message": "…"}], the first ones only.
    errors = models.JSONField(default=list, blank=True)
    skipped = models.JSONField(default=list, blank=True)
    failure = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "created_by", "-created_at"])]

    def __str__(self):
        return self.original_name

    @property
    def percent(self):
        return self.processed_rows * 100 // self.total_rows if self.total_rows else 100

    @property
    def is_active(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ExportJob(TenantModel):
    """An export of the filtered firm list (or its contacts) written by the worker.

    ``params`` are the firm list's query parameters at the moment of the request; the worker
    applies the requesting member's row rules as they are when it runs.
    """

    class Kind(models.TextChoices):
        FIRMS = "firms", _("Firms")
        CONTACTS = "contacts", _("Contacts")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("File deleted")

    kind = models.CharField(_("what is exported"), max_length=10, choices=Kind.choices)
    file_format = models.CharField(_("format"), max_length=4)  # "csv" or "xlsx"
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(upload_to=generated_path, max_length=255, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    failure = models.CharField(max_length=255, blank=True)
    language = models.CharField(max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "created_by", "-created_at"])]

    def __str__(self):
        return self.file_name or f"{self.kind}.{self.file_format}"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)
