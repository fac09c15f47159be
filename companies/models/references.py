"""References (who recommended a firm) and samples sent to firms (seed 000)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel


class Reference(TenantModel):
    """A recommendation of ``firm``: by a person (individual) or by another firm (corporate)."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        CORPORATE = "corporate", _("Corporate")

    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("recommended firm"), on_delete=models.CASCADE,
        related_name="references",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    referrer_firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("recommending firm"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="recommendations",
    )  # fmt: skip
    person_name = models.CharField(_("name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="individual") & Q(referrer_firm__isnull=True) & ~Q(person_name="")
                )
                | (Q(kind="corporate") & Q(referrer_firm__isnull=False)),
                name="reference_kind_fields",
            ),
            models.CheckConstraint(
                condition=~Q(referrer_firm=F("firm")), name="reference_not_itself"
            ),
            models.UniqueConstraint(
                fields=["tenant", "firm", "referrer_firm"],
                condition=Q(kind="corporate"),
                name="reference_unique_corporate",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "firm"]),
            models.Index(fields=["tenant", "referrer_firm"]),
        ]

    def __str__(self):
        if self.kind == self.Kind.CORPORATE and self.referrer_firm_id:
            return str(self.referrer_firm)
        return self.person_name


class Sample(TenantModel):
    """A sample sent to a firm ("numune"): what, how many, when, by whom, and what came back."""

    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("firm"), on_delete=models.CASCADE,
        related_name="samples",
    )  # fmt: skip
    product = models.ForeignKey(
        "catalogue.Product", verbose_name=_("product"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="samples",
    )  # fmt: skip
    # What was sent, in words (the product's name when one is chosen).
    description = models.CharField(_("what was sent"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    sent_on = models.DateField(_("date sent"), default=timezone.localdate)
    sent_by = models.ForeignKey(
        "accounts.Employee", verbose_name=_("sent by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["tenant", "firm", "-sent_on"])]

    def __str__(self):
        return self.description
