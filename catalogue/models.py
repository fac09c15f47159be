"""The product catalogue (seed 003): n-level product groups and products."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel
from core.money import CURRENCIES, DEFAULT_CURRENCY


class ProductGroup(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent group"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )  # fmt: skip

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "parent", "name"], name="productgroup_unique_name",
                nulls_distinct=False,
            ),
        ]  # fmt: skip

    def __str__(self):
        return self.name


class Product(TenantModel):
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    group = models.ForeignKey(
        ProductGroup, verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="products",
    )  # fmt: skip
    # Settings list "unit"; its number is the pieces in one unit.
    unit = models.ForeignKey(
        "core.Choice", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    purchase_price = models.DecimalField(
        _("purchase price"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    sale_price = models.DecimalField(_("sale price"), max_digits=14, decimal_places=2, default=0)
    sale_price_changed_on = models.DateField(_("sale price changed on"), null=True, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCIES, default=DEFAULT_CURRENCY
    )
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=20)
    supplier = models.ForeignKey(
        "companies.Firm", verbose_name=_("supplier"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="supplied_products",
    )  # fmt: skip
    discount_allowed = models.BooleanField(_("discount allowed"), default=True)
    price_increase_allowed = models.BooleanField(
        _("representatives may raise the price"), default=False
    )
    sellable = models.BooleanField(_("sellable"), default=True)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    serial_tracking = models.BooleanField(_("tracked by serial number"), default=False)
    warranty_months = models.PositiveSmallIntegerField(
        _("warranty (months)"), null=True, blank=True
    )
    colour = models.CharField(_("colour"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="product_unique_code"),
        ]
        indexes = [
            models.Index(fields=["tenant", "is_active", "name"]),
            models.Index(fields=["tenant", "barcode"]),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"
