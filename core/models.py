"""Cross-cutting models: the tenant-owned base, editable lists, the audit log and the outbox."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class TenantModel(models.Model):
    """Base of every tenant-owned model.

    The default manager is scoped: a query outside ``scope(tenant=...)`` raises instead of
    returning every tenant's rows.
    """

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        abstract = True


class Choice(TenantModel):
    """One entry of an editable list behind a drop-down (see ``core.choices``)."""

    list_key = models.SlugField(max_length=60)
    code = models.SlugField(max_length=60)
    label = models.CharField(_("label"), max_length=120)
    order = models.PositiveIntegerField(_("order"), default=0)
    colour = models.CharField(_("colour"), max_length=7, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The switches a list declares (``ChoiceList.flags``) that are on for this entry.
    flags = ArrayField(models.SlugField(max_length=40), default=list, blank=True)
    # The figure a list may declare (``ChoiceList.number``): pieces in a unit, a stage's
    # default probability.
    number = models.DecimalField(
        _("number"), max_digits=12, decimal_places=3, null=True, blank=True
    )

    class Meta:
        ordering = ["list_key", "order", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "list_key", "code"], name="choice_unique_code"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "list_key", "order"])]

    def __str__(self):
        return self.label


class AuditEntry(TenantModel):
    """Who changed what and when; written by services in the transaction of the change."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Removed")
        EVENT = "event", _("Event")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_type = models.CharField(max_length=100)
    subject_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    summary = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "subject_type", "subject_id", "-created_at"])]

    def __str__(self):
        return f"{self.subject_type}#{self.subject_id} {self.action}"


class OutboxEmail(models.Model):
    """An e-mail waiting to be delivered, written in the transaction that causes it.

    Not a TenantModel on purpose: sign-up and password e-mails exist before or outside any
    tenant. Only ``core.mail`` reads and writes this table.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    tenant = models.ForeignKey(
        "accounts.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    idempotency_key = models.CharField(max_length=255, unique=True)
    from_email = models.CharField(max_length=255)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # [{"filename": ..., "mimetype": ..., "content": base64}], e.g. an .ics invitation.
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["tenant", "status", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"


class Sequence(TenantModel):
    """A per-tenant counter for numbers people see (firm codes, later invoice numbers)."""

    name = models.SlugField(max_length=40)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="sequence_unique_name"),
        ]

    def __str__(self):
        return f"{self.name}={self.value}"


class Notification(TenantModel):
    """A message for one member shown in the application (the bell); see ``core.notifications``.

    ``verb`` is a short machine name of what happened (set by the app that notifies), ``text``
    the sentence the recipient reads, already in their language, and ``url`` where it leads.
    """

    recipient = models.ForeignKey(
        "accounts.Employee", on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.CharField(max_length=60, blank=True)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "recipient", "read_at", "-created_at"])]

    def __str__(self):
        return self.text

    @property
    def is_read(self):
        return self.read_at is not None


class ListLayout(TenantModel):
    """The columns a user chose for one list (seed 004): saved per user and list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    list_key = models.SlugField(max_length=40)
    columns = ArrayField(models.CharField(max_length=60), default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user", "list_key"], name="listlayout_unique_user_list"
            ),
        ]

    def __str__(self):
        return f"{self.list_key}: {', '.join(self.columns)}"
