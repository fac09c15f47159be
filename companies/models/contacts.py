"""Contact persons of firms ("yetkili"). One person may be a contact of several firms."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel


class Contact(TenantModel):
    prefix = models.ForeignKey(
        "core.Choice", verbose_name=_("prefix"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    wedding_anniversary = models.DateField(_("wedding anniversary"), null=True, blank=True)
    # [{"language": "tr", "level": "native"}, ...]
    languages = models.JSONField(_("languages"), default=list, blank=True)
    preferred_channel = models.ForeignKey(
        "core.Choice", verbose_name=_("preferred channel"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    marketing_consent = models.BooleanField(_("marketing consent"), null=True, blank=True)
    consent_changed_at = models.DateTimeField(_("consent changed"), null=True, blank=True)
    consent_source = models.CharField(
        _("how consent was given or withdrawn"), max_length=200, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    firms = models.ManyToManyField(
        "companies.Firm", through="companies.FirmContact", related_name="contacts"
    )

    class Meta:
        ordering = ["first_name", "last_name", "id"]
        indexes = [models.Index(fields=["tenant", "first_name", "last_name"])]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()


class FirmContact(TenantModel):
    firm = models.ForeignKey("companies.Firm", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "firm", "contact"], name="firmcontact_unique"
            ),
        ]
