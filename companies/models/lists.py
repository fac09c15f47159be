"""Customer lists (seed 001): named lists of firms, each entry with a responsible employee."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from companies import permissions_lists  # noqa: F401  (registers the permission codes)
from core.models import TenantModel


class CustomerList(TenantModel):
    """A named list of firms; a firm may be in any number of lists."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="customerlist_unique_name"),
        ]

    def __str__(self):
        return self.name


class CustomerListEntry(TenantModel):
    """One firm in one list, with the employee responsible for it there."""

    customer_list = models.ForeignKey(
        CustomerList, verbose_name=_("customer list"), on_delete=models.CASCADE,
        related_name="entries",
    )  # fmt: skip
    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("firm"), on_delete=models.CASCADE,
        related_name="list_entries",
    )  # fmt: skip
    responsible = models.ForeignKey(
        "accounts.Employee", verbose_name=_("responsible employee"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "customer_list", "firm"], name="customerlistentry_unique_firm"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "firm"])]

    def __str__(self):
        return f"{self.customer_list_id}:{self.firm_id}"
