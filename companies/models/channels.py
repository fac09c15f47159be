"""Phones, e-mails, websites and addresses: any number of each, for a firm or a contact."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel


class Channel(TenantModel):
    """Belongs to exactly one firm or one contact."""

    firm = models.ForeignKey(
        "companies.Firm", null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    contact = models.ForeignKey(
        "companies.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
    )
    kind = models.ForeignKey(
        "core.Choice", verbose_name=_("kind"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(firm__isnull=False, contact__isnull=True)
                | Q(firm__isnull=True, contact__isnull=False),
                name="%(class)s_one_owner",
            ),
        ]


class Phone(Channel):
    country_code = models.CharField(_("country code"), max_length=5, blank=True, default="90")
    area_code = models.CharField(_("area code"), max_length=6, blank=True)
    number = models.CharField(_("number"), max_length=20)
    extension = models.CharField(_("extension"), max_length=10, blank=True)
    # Digits only, for search: "902125550000".
    digits = models.CharField(max_length=40, editable=False, db_index=True)

    class Meta(Channel.Meta):
        indexes = [models.Index(fields=["tenant", "digits"])]

    def __str__(self):
        parts = [f"+{self.country_code}" if self.country_code else "", self.area_code, self.number]
        text = " ".join(p for p in parts if p)
        return f"{text} / {self.extension}" if self.extension else text

    def save(self, *args, **kwargs):
        self.digits = "".join(
            ch for ch in f"{self.country_code}{self.area_code}{self.number}" if ch.isdigit()
        )
        super().save(*args, **kwargs)


class Email(Channel):
    address = models.EmailField(_("e-mail"))

    class Meta(Channel.Meta):
        indexes = [models.Index(fields=["tenant", "address"])]

    def __str__(self):
        return self.address


class Website(Channel):
    url = models.URLField(_("website"), max_length=300)

    def __str__(self):
        return self.url


class Address(Channel):
    country = models.CharField(_("country"), max_length=80, blank=True, default="Türkiye")
    province = models.CharField(_("province"), max_length=80, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    district = models.CharField(_("district"), max_length=80, blank=True)
    street = models.CharField(_("street"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta(Channel.Meta):
        indexes = [
            models.Index(fields=["tenant", "city"]),
            # The firm list's city filter matches case-insensitively (UPPER(city) = UPPER(%s)).
            models.Index("tenant", Upper("city"), name="address_city_upper"),
        ]

    def __str__(self):
        return ", ".join(
            p for p in [self.street, self.district, self.city, self.province, self.country] if p
        )

    @property
    def map_url(self):
        if self.latitude is None or self.longitude is None:
            return ""
        return (
            f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}"
            f"#map=16/{self.latitude}/{self.longitude}"
        )
