"""The date-alarm digest (seed 003): the coming dates of an employee's firms and their contacts.

"Their firms" are the firms they represent or support. The digest lists, from ``start`` through
``days`` days ahead, the birthdays and wedding anniversaries of those firms' contacts and the
founding anniversaries of the firms. Other modules add dates through :func:`register_source`:
contract ends will join here once contracts exist, e.g.::

    digests.register_source(contract_ends)  # (tenant, employee, firm_ids, start, end) -> items

A 29 February falls on 28 February in other years.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.models import Firm, FirmContact

BIRTHDAY, WEDDING, FOUNDING = "birthday", "wedding", "founding"
LABELS = {
    BIRTHDAY: _("Birthday"),
    WEDDING: _("Wedding anniversary"),
    FOUNDING: _("Founding anniversary"),
}


@dataclass(frozen=True)
class DateItem:
    """One coming date: ``on`` this year's (or next year's) day, ``years`` since the first."""

    on: date
    kind: str
    name: str
    firm_id: int
    firm_name: str
    years: int | None = None
    label: str = ""

    @property
    def kind_label(self):
        return self.label or LABELS.get(self.kind, self.kind)


def next_occurrence(original, *, start, end):
    """The first anniversary of ``original`` in ``[start, end]``, or None."""
    for year in (start.year, start.year + 1):
        try:
            day = original.replace(year=year)
        except ValueError:  # 29 February in a common year
            day = date(year, 2, 28)
        if start <= day <= end and day >= original:
            return day
    return None


def _years(original, on):
    return on.year - original.year if on.year > original.year else None


def firms_of(*, tenant, employee):
    """The ids of the active firms ``employee`` represents or supports."""
    return list(
        Firm.objects.filter(tenant=tenant, is_active=True)
        .filter(Q(sales_rep=employee) | Q(support_rep=employee))
        .values_list("pk", flat=True)
    )


def contact_dates(*, tenant, employee, firm_ids, start, end):
    links = (
        FirmContact.objects.filter(tenant=tenant, firm_id__in=firm_ids, contact__is_active=True)
        .filter(Q(contact__birthday__isnull=False) | Q(contact__wedding_anniversary__isnull=False))
        .select_related("contact", "firm")
        .order_by("firm__name", "firm_id", "contact_id")
    )
    items, seen = [], set()
    for link in links:
        contact = link.contact
        dates = ((BIRTHDAY, contact.birthday), (WEDDING, contact.wedding_anniversary))
        for kind, original in dates:
            on = next_occurrence(original, start=start, end=end) if original else None
            if on is None or (contact.pk, kind) in seen:
                continue
            seen.add((contact.pk, kind))
            years = _years(original, on) if kind == WEDDING else None
            items.append(DateItem(on, kind, contact.full_name, link.firm_id, link.firm.name, years))
    return items


def firm_foundings(*, tenant, employee, firm_ids, start, end):
    firms = Firm.objects.filter(tenant=tenant, pk__in=firm_ids, founding_date__isnull=False)
    items = []
    for firm in firms.only("pk", "name", "founding_date"):
        on = next_occurrence(firm.founding_date, start=start, end=end)
        if on is not None:
            years = _years(firm.founding_date, on)
            items.append(DateItem(on, FOUNDING, firm.name, firm.pk, firm.name, years))
    return items


SOURCES = [contact_dates, firm_foundings]


def register_source(source):
    """Add a source of dates: ``source(tenant=, employee=, firm_ids=, start=, end=)``."""
    if source not in SOURCES:
        SOURCES.append(source)


def date_alarms(*, tenant, employee, start, days):
    """The coming dates for ``employee`` from ``start`` through ``start + days``, by date."""
    if days <= 0:
        return []
    firm_ids = firms_of(tenant=tenant, employee=employee)
    if not firm_ids:
        return []
    end = start + timedelta(days=days)
    items = []
    for source in SOURCES:
        items.extend(
            source(tenant=tenant, employee=employee, firm_ids=firm_ids, start=start, end=end)
        )
    return sorted(items, key=lambda item: (item.on, item.kind, item.name))
