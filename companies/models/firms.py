"""Firms, the dealer tree, groups and tags."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.files import generated_path
from core.models import TenantModel


class FirmType(models.TextChoices):
    DISTRIBUTOR = "distributor", _("Distributor")
    MAIN_DEALER = "main_dealer", _("Main dealer")
    DEALER = "dealer", _("Dealer")
    CUSTOMER = "customer", _("Customer")


# Which types may stand under which (seed 000): None is the tenant itself, at the top.
ALLOWED_CHILDREN = {
    None: {FirmType.DISTRIBUTOR, FirmType.MAIN_DEALER, FirmType.DEALER, FirmType.CUSTOMER},
    FirmType.DISTRIBUTOR: {FirmType.MAIN_DEALER, FirmType.DEALER, FirmType.CUSTOMER},
    FirmType.MAIN_DEALER: {FirmType.DEALER, FirmType.CUSTOMER},
    FirmType.DEALER: {FirmType.CUSTOMER},
    FirmType.CUSTOMER: set(),
}


class FirmRole(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    PARTNER = "partner", _("Partner")
    COMPETITOR = "competitor", _("Competitor")
    SUPPLIER = "supplier", _("Supplier")


class FirmStatus(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("First contact")
    IN_TALKS = "in_talks", _("In talks")
    POTENTIAL_CUSTOMER = "potential_customer", _("Potential customer")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class FirmGroup(TenantModel):
    """An n-level group of firms (seed 003)."""

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "parent", "name"], name="firmgroup_unique_name"
            ),
        ]

    def __str__(self):
        return self.name


class Tag(TenantModel):
    name = models.CharField(_("name"), max_length=60)
    colour = models.CharField(_("colour"), max_length=7, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="tag_unique_name")]

    def __str__(self):
        return self.name


class Firm(TenantModel):
    """A company in the CRM: distributor, main dealer, dealer or customer."""

    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=FirmType.choices)
    roles = ArrayField(
        models.CharField(max_length=20, choices=FirmRole.choices),
        verbose_name=_("roles"),
        default=list,
        blank=True,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent firm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ancestor ids, "/4/17/": subtree queries are one indexed prefix match.
    path = models.CharField(max_length=500, editable=False, default="/")
    status = models.CharField(
        _("status"), max_length=20, choices=FirmStatus.choices, default=FirmStatus.FIRST_CONTACT
    )
    legal_form = models.ForeignKey(
        "core.Choice", verbose_name=_("legal form"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    brand = models.CharField(_("brand"), max_length=120, blank=True)
    tax_number = models.CharField(_("tax number"), max_length=30, blank=True)
    trade_registry_number = models.CharField(_("trade registry number"), max_length=50, blank=True)
    founding_date = models.DateField(_("founding date"), null=True, blank=True)
    employee_count = models.PositiveIntegerField(_("number of employees"), null=True, blank=True)
    logo = models.FileField(_("logo"), upload_to=generated_path, blank=True, max_length=255)
    sector = models.ForeignKey(
        "core.Choice", verbose_name=_("sector"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    lead_source = models.ForeignKey(
        "core.Choice", verbose_name=_("lead source"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    ownership_status = models.ForeignKey(
        "core.Choice", verbose_name=_("ownership status"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    rating = models.ForeignKey(
        "core.Choice", verbose_name=_("rating"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    rating_start = models.DateField(_("rating from"), null=True, blank=True)
    rating_end = models.DateField(_("rating until"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    certificates = models.TextField(_("certificates"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    sales_rep = models.ForeignKey(
        "accounts.Employee", verbose_name=_("sales representative"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="represented_firms",
    )  # fmt: skip
    support_rep = models.ForeignKey(
        "accounts.Employee", verbose_name=_("sales support representative"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="supported_firms",
    )  # fmt: skip
    groups = models.ManyToManyField(FirmGroup, verbose_name=_("groups"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True)
    primary_contact = models.ForeignKey(
        "companies.Contact", verbose_name=_("primary contact"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="firm_unique_code"),
        ]
        indexes = [
            models.Index(fields=["tenant", "name", "id"]),
            models.Index(fields=["tenant", "path"], name="firm_path_idx",
                         opclasses=["", "varchar_pattern_ops"]),
            models.Index(fields=["tenant", "sales_rep", "name"]),
            models.Index(fields=["tenant", "status"]),
            models.Index(fields=["tenant", "type"]),
            GinIndex(fields=["roles"], name="firm_roles_gin"),
            GinIndex(fields=["custom"], name="firm_custom_gin"),
        ]  # fmt: skip

    def __str__(self):
        return self.name

    @property
    def subtree_prefix(self):
        return f"{self.path}{self.pk}/"

    @property
    def ancestor_ids(self):
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @property
    def is_in_pool(self):
        return self.sales_rep_id is None
