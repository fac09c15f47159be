"""Custom fields a tenant adds to firms and contacts (seeds 001, 002)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TenantModel


class CustomField(TenantModel):
    class Entity(models.TextChoices):
        FIRM = "firm", _("Firms")
        CONTACT = "contact", _("Contacts")

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", pgettext_lazy("kind of value", "Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        BOOLEAN = "boolean", _("Yes / no")

    entity = models.CharField(_("for"), max_length=10, choices=Entity.choices)
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    options = ArrayField(
        models.CharField(max_length=80), verbose_name=_("options"), default=list, blank=True
    )
    required = models.BooleanField(_("required"), default=False)
    show_in_list = models.BooleanField(_("show in the list"), default=False)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["entity", "order", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "entity", "key"], name="customfield_unique_key"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def form_name(self):
        return f"cf_{self.key}"
