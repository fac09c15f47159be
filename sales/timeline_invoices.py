"""Timeline sources: see companies.timeline. Invoices (issued, original handed over) and
contracts on the firm's timeline, read in one query (a UNION) whatever the firm holds.
Importing this module (the app's ready) also registers the invoice as a dispatch source
(``sales.pdf``) and contract renewals in the date-alarm digest (``sales.digests``)."""

from django.db.models import CharField, F, Value
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from companies import timeline
from sales import digests, pdf  # noqa: F401  (registrations)
from sales.models import Contract, ContractStatus, Invoice

timeline.register_kinds({"invoice": "invoices.view", "contract": "contracts.view"})

ISSUED, HANDED_OVER, CONTRACT = "invoice", "handed_over", "contract"


def _rows(model, *, kind, at, label, money, day, end, state, person):
    return model.objects.values(
        kind=Value(kind, output_field=CharField()),
        ref=F("pk"),
        at=F(at),
        label=F(label),
        money=F(money),
        cur=F("currency"),
        day=F(day),
        end=F(end),
        state=state,
        first=F(f"{person}__first_name"),
        last=F(f"{person}__last_name"),
    )


def _item(tenant, row):
    person = f"{row['first'] or ''} {row['last'] or ''}".strip() or None
    if row["kind"] == CONTRACT:
        dates = date_format(row["day"], "SHORT_DATE_FORMAT")
        if row["end"]:
            dates += " – " + date_format(row["end"], "SHORT_DATE_FORMAT")
        return timeline.TimelineItem(
            created_at=row["at"], summary=row["label"], actor=person, kind="contract",
            url=reverse("sales:contract-detail", args=[tenant.slug, row["ref"]]),
            badge=_("Contract"), detail=f"{ContractStatus(row['state']).label} · {dates}",
        )  # fmt: skip
    number = {"number": row["label"]}
    summary = (
        _("Invoice %(number)s") % number
        if row["kind"] == ISSUED
        else _("Original of invoice %(number)s handed over") % number
    )
    return timeline.TimelineItem(
        created_at=row["at"], summary=summary, actor=person, kind="invoice",
        url=reverse("sales:invoice-detail", args=[tenant.slug, row["ref"]]), badge=_("Invoice"),
        detail=f"{number_format(row['money'], 2, force_grouping=True)} {row['cur']}",
    )  # fmt: skip


@timeline.register
def invoices_and_contracts(tenant, firm, limit):
    no_state = Value("", output_field=CharField())
    invoice = {"label": "number", "money": "total", "day": "issued_on", "end": "due_on"}
    issued = _rows(
        Invoice, kind=ISSUED, at="created_at", state=no_state, person="created_by", **invoice
    ).filter(tenant=tenant, firm=firm)
    handed = _rows(
        Invoice, kind=HANDED_OVER, at="handed_over_at", state=no_state, person="handed_over_by",
        **invoice,
    ).filter(tenant=tenant, firm=firm, handed_over_at__isnull=False)  # fmt: skip
    contracts = _rows(
        Contract, kind=CONTRACT, at="created_at", label="title", money="value",
        day="starts_on", end="ends_on", state=F("status"), person="created_by",
    ).filter(tenant=tenant, firm=firm)  # fmt: skip
    rows = issued.order_by().union(handed.order_by(), contracts.order_by(), all=True)
    return [_item(tenant, row) for row in rows.order_by("-at")[:limit]]
