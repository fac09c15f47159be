"""Opportunities (seed 001 "Proje ve Satış Takip", seed 004 "Szanse sprzedaży")."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel
from core.money import CURRENCIES, DEFAULT_CURRENCY


class Opportunity(TenantModel):
    """A possible sale to a firm, moved through the stages of the Settings list "Sales stages".

    Everything can change except the firm (seed 004).
    """

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("firm"), on_delete=models.PROTECT,
        related_name="opportunities",
    )  # fmt: skip
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        "accounts.Employee", verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    responsible = models.ManyToManyField(
        "accounts.Employee", verbose_name=_("responsible employees"), blank=True,
        related_name="opportunities",
    )  # fmt: skip
    # Settings list "opportunity_stage": its order is the pipeline's, its number the default
    # probability; the flags "won" and "lost" close an opportunity.
    stage = models.ForeignKey(
        "core.Choice", verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(
        _("estimated amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCIES, default=DEFAULT_CURRENCY
    )
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=0)
    close_on = models.DateField(_("estimated close date"), null=True, blank=True)
    delivery_on = models.DateField(_("estimated delivery date"), null=True, blank=True)
    channel = models.ForeignKey(
        "core.Choice", verbose_name=_("sales channel"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    # Order inside its stage's column on the pipeline board.
    board_position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="opportunity_unique_code"),
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="opportunity_probability_range"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "stage", "board_position"]),
            models.Index(fields=["tenant", "firm"]),
            models.Index(fields=["tenant", "close_on"]),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"
