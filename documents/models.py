"""The document library (templates executives upload), the tenant's contact card and dispatches.

A template has versions; a dispatch keeps the version it sent and, for an HTML template, the PDF
it rendered, so what a firm received can always be shown again.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import generated_path
from core.models import TenantModel


class DocumentKind(models.TextChoices):
    OFFER = "offer", _("Offer")
    CONTRACT = "contract", _("Contract")
    ORDER_CONTRACT = "order_contract", _("Order contract")
    BROCHURE = "brochure", _("Brochure")
    PRESENTATION = "presentation", _("Presentation")
    MAGAZINE = "magazine", _("Magazine")
    CD = "cd", _("CD")
    FILM = "film", _("Short promotional film")
    INVOICE = "invoice", _("Invoice")
    OTHER = "other", _("Other")


class TemplateForm(models.TextChoices):
    FILE = "file", _("File sent as it is")
    HTML = "html", _("HTML template rendered to PDF")


class DocumentTemplate(TenantModel):
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    form = models.CharField(_("form"), max_length=10, choices=TemplateForm.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    is_active = models.BooleanField(_("active"), default=True)
    current_version = models.ForeignKey(
        "documents.DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["tenant", "kind", "is_active"])]

    def __str__(self):
        return self.name

    @property
    def is_html(self):
        return self.form == TemplateForm.HTML


class DocumentVersion(TenantModel):
    """One version of a template: a stored file, or HTML source with merge fields."""

    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(upload_to=generated_path, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    html = models.TextField(_("HTML"), blank=True)
    note = models.CharField(_("what changed"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="documentversion_unique_number"
            ),
        ]

    def __str__(self):
        return f"{self.template} v{self.number}"


class ContactCard(TenantModel):
    """The tenant's own contact details, sent by "send contact info" (seed 000)."""

    company_name = models.CharField(_("company name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    fax = models.CharField(_("fax"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.FileField(upload_to=generated_path, blank=True)
    logo_content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="contactcard_one_per_tenant"),
        ]

    def __str__(self):
        return self.company_name


CONTACT_CARD = "contact_card"
# What a dispatch sends: documents of one kind, or the contact card.
DISPATCH_KINDS = [*DocumentKind.choices, (CONTACT_CARD, _("Contact information"))]


class Dispatch(TenantModel):
    """Documents sent to contacts of a firm in one go."""

    firm = models.ForeignKey("companies.Firm", on_delete=models.CASCADE, related_name="dispatches")
    kind = models.CharField(_("what is sent"), max_length=20, choices=DISPATCH_KINDS)
    subject = models.CharField(_("subject"), max_length=255)
    message = models.TextField(_("message"), blank=True)
    sent_by = models.ForeignKey(
        "accounts.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the dispatch was sent for, when it was (an offer): "app.model" and its id.
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "firm", "-created_at"]),
            models.Index(fields=["tenant", "subject_type", "subject_id"]),
        ]

    def __str__(self):
        return self.subject


class DispatchRecipient(TenantModel):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(
        "companies.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    outbox = models.ForeignKey(
        "core.OutboxEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["dispatch", "id"]

    def __str__(self):
        return self.email


class DispatchItem(TenantModel):
    """One document of a dispatch: the version sent and the file that went out (kept)."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="items")
    version = models.ForeignKey(
        DocumentVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=255)
    # The PDF rendered for this firm, or nothing when the version's own file went out.
    file = models.FileField(upload_to=generated_path, blank=True)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    as_link = models.BooleanField(default=False)  # too large to attach: sent as a signed link

    class Meta:
        ordering = ["dispatch", "id"]

    def __str__(self):
        return self.title

    @property
    def stored_file(self):
        return self.file if self.file else self.version.file


class LinkOpening(TenantModel):
    """A signed download link opened (who it was sent to, when, from where)."""

    item = models.ForeignKey(DispatchItem, on_delete=models.CASCADE, related_name="openings")
    recipient = models.ForeignKey(
        DispatchRecipient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self):
        return f"{self.item} {self.opened_at:%Y-%m-%d %H:%M}"
