"""Sales records of a firm: orders (products sold), services, invoices, contracts and offers.

Lines keep their own price, discount and VAT rate (a later price change in the catalogue does
not change what was sold) and their worked-out amounts (``core.money.line_amounts``); a
document stores the sum of its lines so lists never add up lines.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import generated_path
from core.models import TenantModel
from core.money import CURRENCIES, DEFAULT_CURRENCY


def _money(label, **kwargs):
    return models.DecimalField(label, max_digits=16, decimal_places=2, **kwargs)


class Amounts(TenantModel):
    """A document's currency and totals."""

    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCIES, default=DEFAULT_CURRENCY
    )
    net = _money(_("net"), default=0)
    vat = _money(_("VAT"), default=0)
    total = _money(_("total"), default=0)

    class Meta:
        abstract = True


class Line(TenantModel):
    """A priced line: quantity × unit price, less a discount, plus VAT."""

    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("description"), max_length=255, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = _money(_("unit price"))
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=0
    )
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=0)
    net = _money(_("net"), default=0)
    vat = _money(_("VAT"), default=0)
    total = _money(_("total"), default=0)

    class Meta:
        abstract = True


class Order(Amounts):
    """Products sold to a firm under one order number (seed 000 "Ürün Bilgileri")."""

    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("firm"), on_delete=models.PROTECT, related_name="orders"
    )
    number = models.CharField(_("order number"), max_length=40)
    ordered_on = models.DateField(_("order date"), default=timezone.localdate)
    note = models.TextField(_("note"), blank=True)
    offer = models.OneToOneField(
        "sales.Offer", null=True, blank=True, on_delete=models.SET_NULL, related_name="order"
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="orders",
    )  # fmt: skip
    created_by = models.ForeignKey(
        "accounts.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-ordered_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="order_unique_number"),
        ]
        indexes = [models.Index(fields=["tenant", "firm", "-ordered_on"])]

    def __str__(self):
        return self.number


class OrderLine(Line):
    """A product sold: an amount in a unit; the quantity in pieces follows from the unit."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalogue.Product", verbose_name=_("product"), on_delete=models.PROTECT,
        related_name="order_lines",
    )  # fmt: skip
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=3)
    unit = models.ForeignKey(
        "core.Choice", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["order", "position", "id"]
        indexes = [models.Index(fields=["tenant", "product"])]

    def __str__(self):
        return f"{self.order} / {self.product_id}"


class Service(TenantModel):
    """Work done for a firm (seed 000 "Firma hizmet bilgisi"), invoiced and contracted once."""

    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("firm"), on_delete=models.PROTECT,
        related_name="services",
    )  # fmt: skip
    title = models.CharField(_("service"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    performed_on = models.DateField(_("date"), default=timezone.localdate)
    performed_by = models.ForeignKey(
        "accounts.Employee", verbose_name=_("performed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    price = _money(_("price"), default=0)
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCIES, default=DEFAULT_CURRENCY
    )
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=20)
    created_by = models.ForeignKey(
        "accounts.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-performed_on", "-id"]
        indexes = [models.Index(fields=["tenant", "firm", "-performed_on"])]

    def __str__(self):
        return self.title


class Invoice(Amounts):
    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("firm"), on_delete=models.PROTECT,
        related_name="invoices",
    )  # fmt: skip
    number = models.CharField(_("invoice number"), max_length=40)
    issued_on = models.DateField(_("invoice date"), default=timezone.localdate)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The scanned original (jpg, png, bmp, pdf).
    original = models.FileField(upload_to=generated_path, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    original_content_type = models.CharField(max_length=100, blank=True)
    # The PDF generated from the tenant's invoice template.
    pdf = models.FileField(upload_to=generated_path, blank=True)
    template_version = models.ForeignKey(
        "documents.DocumentVersion", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    handed_over = models.BooleanField(_("original handed to the customer"), default=False)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        "accounts.Employee", verbose_name=_("handed over by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    opportunity = models.ForeignKey(
        "opportunities.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="invoices",
    )  # fmt: skip
    created_by = models.ForeignKey(
        "accounts.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="invoice_unique_number"),
        ]
        indexes = [
            models.Index(fields=["tenant", "firm", "-issued_on"]),
            models.Index(fields=["tenant", "-issued_on"]),
        ]

    def __str__(self):
        return self.number


class InvoiceLine(Line):
    """A line of an invoice; one taken from an order line or a service invoices it."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.OneToOneField(
        OrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_line"
    )
    service = models.OneToOneField(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_line"
    )

    class Meta:
        ordering = ["invoice", "position", "id"]

    def __str__(self):
        return self.description


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class Contract(TenantModel):
    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("firm"), on_delete=models.PROTECT,
        related_name="contracts",
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("start date"), default=timezone.localdate)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    value = _money(_("value"), null=True, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCIES, default=DEFAULT_CURRENCY
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    # Days before the end on which the responsible employee's date-alarm digest names it.
    renewal_days = models.PositiveSmallIntegerField(
        _("renewal reminder (days before the end)"), null=True, blank=True
    )
    responsible = models.ForeignKey(
        "accounts.Employee", verbose_name=_("responsible"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    file = models.FileField(upload_to=generated_path, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    service = models.OneToOneField(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="contract"
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        "accounts.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["tenant", "firm", "-starts_on"]),
            models.Index(fields=["tenant", "status", "ends_on"]),
        ]

    def __str__(self):
        return self.title


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class Offer(Amounts):
    firm = models.ForeignKey(
        "companies.Firm", verbose_name=_("firm"), on_delete=models.PROTECT, related_name="offers"
    )
    number = models.CharField(_("offer number"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    contact = models.ForeignKey(
        "companies.Contact", verbose_name=_("contact"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    issued_on = models.DateField(_("offer date"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT
    )
    terms = models.TextField(_("terms and notes"), blank=True)
    template = models.ForeignKey(
        "documents.DocumentTemplate", verbose_name=_("template"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)
    opportunity = models.ForeignKey(
        "opportunities.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="offers",
    )  # fmt: skip
    owner = models.ForeignKey(
        "accounts.Employee", verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="offer_unique_number"),
        ]
        indexes = [
            models.Index(fields=["tenant", "firm", "-issued_on"]),
            models.Index(fields=["tenant", "status", "valid_until"]),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"


class OfferLine(Line):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalogue.Product", verbose_name=_("product"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    unit = models.ForeignKey(
        "core.Choice", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["offer", "position", "id"]

    def __str__(self):
        return self.description
