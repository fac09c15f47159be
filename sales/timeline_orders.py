"""Products sold (orders) and services on the firm's 360° timeline, read in one query (a UNION
of the two tables), whatever the firm holds."""

from django.db.models import CharField, F, Value
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from companies import timeline
from sales.models import Order, Service

timeline.register_kinds({"order": "orders.view", "service": "orders.view"})


def _rows(model, *, kind, label, day, money, person):
    return model.objects.values(
        kind=Value(kind, output_field=CharField()),
        ref=F("pk"),
        at=F("created_at"),
        label=F(label),
        day=F(day),
        money=F(money),
        cur=F("currency"),
        first=F(f"{person}__first_name"),
        last=F(f"{person}__last_name"),
    )


def _item(tenant, row):
    is_order = row["kind"] == "order"
    name = "sales:order-detail" if is_order else "sales:service-detail"
    person = f"{row['first'] or ''} {row['last'] or ''}".strip()
    return timeline.TimelineItem(
        created_at=row["at"],
        summary=_("Products sold: order %(number)s") % {"number": row["label"]}
        if is_order
        else row["label"],
        actor=person or None,
        url=reverse(name, args=[tenant.slug, row["ref"]]),
        kind=row["kind"],
        badge=_("Products sold") if is_order else _("Service"),
        detail=f"{date_format(row['day'], 'SHORT_DATE_FORMAT')} · "
        f"{number_format(row['money'], 2, force_grouping=True)} {row['cur']}",
    )


@timeline.register
def orders_and_services(tenant, firm, limit):
    orders = (
        _rows(
            Order,
            kind="order",
            label="number",
            day="ordered_on",
            money="total",
            person="created_by",
        )
        .filter(tenant=tenant, firm=firm)
        .order_by()
    )
    services = _rows(
        Service, kind="service", label="title", day="performed_on", money="price",
        person="performed_by",
    ).filter(tenant=tenant, firm=firm).order_by()  # fmt: skip
    return [_item(tenant, row) for row in orders.union(services, all=True).order_by("-at")[:limit]]
