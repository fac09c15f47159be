"""Comments on a firm (seed 002), with the colleagues they mention."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel


class Comment(TenantModel):
    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("firm"), on_delete=models.CASCADE,
        related_name="comments",
    )  # fmt: skip
    author = models.ForeignKey(
        "accounts.Employee", verbose_name=_("author"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    text = models.TextField(_("comment"))
    mentions = models.ManyToManyField(
        "accounts.Employee", verbose_name=_("mentioned colleagues"), blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "firm", "-created_at"])]

    def __str__(self):
        return self.text[:50]
