"""The customer portal: firms' and contacts' logins, what they do there, and what they send.

A portal login is not a :class:`accounts.User`: it belongs to one firm of one tenant, logs in
only at that tenant's portal and never reaches a staff page (see ``portal.middleware``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel


class PortalUser(TenantModel):
    """A login to the portal: the firm's own (no contact) or one of its contacts'.

    It is inactive until access is sent; the person sets the password from the one-time link in
    that e-mail. ``session_epoch`` is part of every session's check: raising it (revocation, a
    new password) ends the sessions already open.
    """

    class State(models.TextChoices):
        NOT_SENT = "not_sent", _("Not sent")
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("firm"), on_delete=models.PROTECT,
        related_name="portal_users",
    )  # fmt: skip
    contact = models.ForeignKey(
        "companies.Contact", verbose_name=_("contact"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="portal_users",
    )  # fmt: skip
    email = models.EmailField(_("login e-mail"))
    password = models.CharField(max_length=128, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    expires_on = models.DateField(
        _("access until"), null=True, blank=True, help_text=_("Empty: no time limit.")
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        "accounts.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    link_sent_at = models.DateTimeField(null=True, blank=True)  # the newest set-password link
    activated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_login = models.DateTimeField(null=True, blank=True)
    session_epoch = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "email"], name="portaluser_unique_email"),
            models.UniqueConstraint(
                fields=["tenant", "firm"],
                condition=Q(contact__isnull=True),
                name="portaluser_one_firm_login",
            ),
            models.UniqueConstraint(
                fields=["tenant", "firm", "contact"],
                condition=Q(contact__isnull=False),
                name="portaluser_one_login_per_contact",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "firm"])]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.contact_id:
            return self.contact.full_name
        return self.firm.name

    @property
    def is_firm_login(self):
        return self.contact_id is None

    def is_expired(self, today=None):
        return self.expires_on is not None and self.expires_on < (today or timezone.localdate())

    @property
    def state(self):
        if self.revoked_at:
            return self.State.REVOKED
        if self.is_expired():
            return self.State.EXPIRED
        if self.activated_at:
            return self.State.ACTIVE
        if self.invited_at:
            return self.State.INVITED
        return self.State.NOT_SENT

    def may_log_in(self):
        """Whether this login works now: sent, not revoked, not expired, its firm active."""
        return (
            self.invited_at is not None
            and self.revoked_at is None
            and not self.is_expired()
            and self.firm.is_active
        )


class PortalEvent(TenantModel):
    """Something a portal user did, shown on the firm's timeline."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in to the portal")
        PASSWORD_SET = "password_set", _("Set a portal password")
        DOWNLOAD = "download", _("Downloaded")
        OFFER_ACCEPTED = "offer_accepted", _("Accepted an offer")
        OFFER_REJECTED = "offer_rejected", _("Rejected an offer")
        ORDER_REQUEST = "order_request", _("Sent an order request")
        PROFILE_CHANGE = "profile_change", _("Proposed changes to the contact details")

    firm = models.ForeignKey("companies.Firm", on_delete=models.CASCADE, related_name="+")
    portal_user = models.ForeignKey(
        PortalUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What it was about, e.g. ("invoice", 12) and "Invoice 2026-0001".
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "firm", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.summary}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ProfileChange(TenantModel):
    """Changes to its contact details a firm proposed in the portal, for staff to decide.

    ``changes``: ``[{"target": "firm" | "contact", "field": ..., "old": ..., "new": ...}]``.
    """

    firm = models.ForeignKey(
        "companies.Firm", on_delete=models.CASCADE, related_name="profile_changes"
    )
    portal_user = models.ForeignKey(
        PortalUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        "companies.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    changes = models.JSONField(default=list)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "accounts.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "firm", "status"])]


class OrderRequestForm(TenantModel):
    """An order request form the company designs (seed 003).

    ``fields``: ``[{"key", "label", "kind", "required", "choices", "help"}]``; kinds are
    ``product``, ``text``, ``textarea``, ``number``, ``date``, ``choice`` and ``yesno``.
    """

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("introduction"), blank=True)
    fields = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="orderrequestform_unique_name")
        ]

    def __str__(self):
        return self.name


class OrderRequest(TenantModel):
    """A filled-in order request form; its follow-up activity goes to the sales representative.

    ``answers``: ``[{"key", "label", "kind", "value", "display"}]`` as the form was when sent.
    """

    form = models.ForeignKey(
        OrderRequestForm, verbose_name=_("form"), on_delete=models.PROTECT, related_name="requests"
    )
    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("firm"), on_delete=models.PROTECT,
        related_name="order_requests",
    )  # fmt: skip
    portal_user = models.ForeignKey(
        PortalUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answers = models.JSONField(default=list)
    activity = models.ForeignKey(
        "agenda.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "firm", "-created_at"])]

    def __str__(self):
        return f"{self.form.name} ({self.firm.name})"
