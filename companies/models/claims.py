"""Claims: an employee asks for a firm from the unassigned pool; a manager decides (seed 000)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel

MESSAGE_LIMIT = 2000
REASON_LIMIT = 2000


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Closed: the firm went to someone else")


class Claim(TenantModel):
    """One employee's request to become a pool firm's sales representative."""

    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("firm"), on_delete=models.CASCADE, related_name="claims"
    )
    requester = models.ForeignKey(
        "accounts.Employee", verbose_name=_("requested by"), on_delete=models.PROTECT,
        related_name="firm_claims",
    )  # fmt: skip
    message = models.TextField(_("message"), max_length=MESSAGE_LIMIT)
    status = models.CharField(
        _("status"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    approver = models.ForeignKey(
        "accounts.Employee", verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="decided_claims",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=REASON_LIMIT, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open request per firm and employee; decided ones stay as history.
            models.UniqueConstraint(
                fields=["tenant", "firm", "requester"],
                condition=Q(status="pending"),
                name="claim_one_open_per_firm_and_employee",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"]),
            models.Index(fields=["tenant", "firm", "status"]),
            models.Index(fields=["tenant", "requester", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.firm_id} ← {self.requester_id} ({self.status})"

    @property
    def is_pending(self):
        return self.status == ClaimStatus.PENDING
