"""The Settings lists this app owns."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from companies.models.firms import FirmRole, FirmStatus, FirmType
from core.choices import ChoiceList, register

MODULE = _("Firms")

register(
    ChoiceList(
        key="firm_type",
        label=_("Firm types"),
        module=MODULE,
        fixed=True,
        defaults=tuple((t.value, gettext_noop(str(t.label)), "") for t in FirmType),
    )
)
register(
    ChoiceList(
        key="firm_role",
        label=_("Firm roles"),
        module=MODULE,
        fixed=True,
        defaults=tuple((r.value, gettext_noop(str(r.label)), "") for r in FirmRole),
    )
)
register(
    ChoiceList(
        key="firm_status",
        label=_("Firm statuses"),
        module=MODULE,
        fixed=True,
        defaults=(
            (FirmStatus.FIRST_CONTACT.value, gettext_noop("First contact"), "#6c757d"),
            (FirmStatus.IN_TALKS.value, gettext_noop("In talks"), "#fd7e14"),
            (FirmStatus.POTENTIAL_CUSTOMER.value, gettext_noop("Potential customer"), "#198754"),
        ),
    )
)
register(
    ChoiceList(
        key="legal_form",
        label=_("Legal forms"),
        module=MODULE,
        defaults=(
            ("as", gettext_noop("Joint-stock company (A.Ş.)"), ""),
            ("ltd", gettext_noop("Limited company (Ltd. Şti.)"), ""),
            ("sole", gettext_noop("Sole proprietorship"), ""),
            ("other", gettext_noop("Other"), ""),
        ),
    )
)
register(
    ChoiceList(
        key="sector",
        label=_("Sectors"),
        module=MODULE,
        defaults=(
            ("retail", gettext_noop("Retail"), ""),
            ("wholesale", gettext_noop("Wholesale"), ""),
            ("manufacturing", gettext_noop("Manufacturing"), ""),
            ("construction", gettext_noop("Construction"), ""),
            ("services", gettext_noop("Services"), ""),
        ),
    )
)
register(
    ChoiceList(
        key="lead_source",
        label=_("Lead sources"),
        module=MODULE,
        defaults=(
            ("reference", gettext_noop("Reference"), ""),
            ("fair", gettext_noop("Trade fair"), ""),
            ("website", gettext_noop("Website"), ""),
            ("phone", gettext_noop("Phone call"), ""),
            ("visit", gettext_noop("Field visit"), ""),
        ),
    )
)
register(
    ChoiceList(
        key="ownership_status",
        label=_("Ownership statuses"),
        module=MODULE,
        defaults=(
            ("owned", gettext_noop("Owned premises"), ""),
            ("rented", gettext_noop("Rented premises"), ""),
        ),
    )
)
register(
    ChoiceList(
        key="rating",
        label=_("Ratings"),
        module=MODULE,
        defaults=(
            ("a", gettext_noop("A — key account"), "#198754"),
            ("b", gettext_noop("B — regular"), "#0d6efd"),
            ("c", gettext_noop("C — occasional"), "#ffc107"),
            ("d", gettext_noop("D — at risk"), "#dc3545"),
        ),
    )
)
register(
    ChoiceList(
        key="phone_kind",
        label=_("Phone kinds"),
        module=MODULE,
        defaults=(
            ("work", gettext_noop("Work"), ""),
            ("mobile", gettext_noop("Mobile"), ""),
            ("fax", gettext_noop("Fax"), ""),
            ("home", gettext_noop("Home"), ""),
        ),
    )
)
register(
    ChoiceList(
        key="contact_prefix",
        label=_("Contact prefixes"),
        module=MODULE,
        defaults=(
            ("mr", gettext_noop("Mr."), ""),
            ("ms", gettext_noop("Ms."), ""),
            ("dr", gettext_noop("Dr."), ""),
            ("eng", gettext_noop("Eng."), ""),
            ("prof", gettext_noop("Prof."), ""),
        ),
    )
)
register(
    ChoiceList(
        key="contact_channel",
        label=_("Contact channels"),
        module=MODULE,
        defaults=(
            ("phone", gettext_noop("Phone"), ""),
            ("email", gettext_noop("E-mail"), ""),
            ("visit", gettext_noop("Visit"), ""),
            ("whatsapp", gettext_noop("Messaging app"), ""),
        ),
    )
)
