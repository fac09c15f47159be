"""Reading opportunities: always narrowed by the row rules of their firm.

A member reads an opportunity when they read its firm (``visible_firms``); they change it
when they hold ``opportunities.add`` and either may change the firm or are among its
responsible employees.
"""

from datetime import date

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.shortcuts import get_object_or_404

from accounts.models import Employee
from agenda.selectors.activities import visible_activities
from companies.forms.firms import employee_choices
from companies.selectors.firms import visible_firms
from core import audit, choices
from core.money import cents
from opportunities.lists import LOST, WON
from opportunities.models import Opportunity
from sales.models import Invoice, Offer, Order

STAGES = "opportunity_stage"
CHANNELS = "sales_channel"
SORTS = {
    "code": ("code", "pk"),
    "name": ("name", "pk"),
    "firm": ("firm__name", "pk"),
    "stage": ("stage__order", "stage__label", "pk"),
    "amount": (F("amount").asc(nulls_last=True), "pk"),
    "probability": ("probability", "pk"),
    "close_on": (F("close_on").asc(nulls_last=True), "pk"),
    "created": ("created_at", "pk"),
}
DEFAULT_SORT = "-created"
BOARD_OPEN_CARDS = 50  # cards shown per open stage; the list shows the rest
BOARD_CLOSED_CARDS = 20  # the most recently changed, per won or lost stage
RELATED_SHOWN = 50
FORECAST_MONTHS = 12


def visible_opportunities(*, tenant, member):
    """Every opportunity ``member`` may read: those of the firms they read."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    return Opportunity.objects.filter(tenant=tenant, firm_id__in=firms)


def _responsible_is(member):
    through = Opportunity.responsible.through
    return Exists(through.objects.filter(opportunity_id=OuterRef("pk"), employee_id=member.pk))


def change_rule(*, tenant, member):
    """A Q for the opportunities ``member`` may change (``opportunities.add`` aside)."""
    writable = visible_firms(tenant=tenant, member=member, write=True).values("pk")
    return Q(firm_id__in=writable) | Q(_responsible_is(member))


def with_change_flag(qs, *, tenant, member):
    """Annotate ``can_change`` on each row (one query for a whole page or board)."""
    if not member.has_perm("opportunities.add"):
        return qs.annotate(can_change=Value(False, output_field=BooleanField()))
    rule = change_rule(tenant=tenant, member=member)
    return qs.annotate(can_change=ExpressionWrapper(rule, output_field=BooleanField()))


def can_change(*, tenant, member, opportunity):
    """Whether ``member`` may change ``opportunity`` (and move it on the board)."""
    if not member.has_perm("opportunities.add"):
        return False
    rule = change_rule(tenant=tenant, member=member)
    return Opportunity.objects.filter(tenant=tenant, pk=opportunity.pk).filter(rule).exists()


def stage_options(*, tenant, include_inactive=False):
    """The sales stages in pipeline order (Settings list "Sales stages")."""
    return choices.options(tenant=tenant, key=STAGES, include_inactive=include_inactive)


def channel_options(*, tenant):
    return choices.options(tenant=tenant, key=CHANNELS)


def closed_stage_ids(*, tenant):
    """``(won ids, lost ids)`` of the stages that close an opportunity."""
    return (
        choices.flagged(tenant=tenant, key=STAGES, flag=WON),
        choices.flagged(tenant=tenant, key=STAGES, flag=LOST),
    )


def responsible_options(*, tenant):
    """Employees who can be named responsible: the tenant's working employees."""
    return employee_choices(tenant=tenant)


def opportunity_firms(*, tenant, member):
    """Firms an opportunity can be opened for: the visible ones."""
    return visible_firms(tenant=tenant, member=member).order_by("name", "pk")


def _people():
    return Prefetch("responsible", queryset=Employee.objects.order_by("first_name", "last_name"))


def opportunity_list(*, tenant, member, filters=None, sort=DEFAULT_SORT):
    """The filtered list. ``filters`` holds cleaned values (ids, dates, "open"/"won"/"lost")."""
    f = filters or {}
    qs = visible_opportunities(tenant=tenant, member=member)
    for name in ("stage", "firm"):
        if f.get(name):
            qs = qs.filter(**{f"{name}_id": f[name]})
    if f.get("responsible"):
        through = Opportunity.responsible.through
        qs = qs.filter(
            Exists(
                through.objects.filter(opportunity_id=OuterRef("pk"), employee_id=f["responsible"])
            )
        )
    if f.get("close_from"):
        qs = qs.filter(close_on__gte=f["close_from"])
    if f.get("close_to"):
        qs = qs.filter(close_on__lte=f["close_to"])
    if f.get("status"):
        qs = _by_status(qs, tenant=tenant, status=f["status"])
    if f.get("q"):
        q = f["q"]
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(firm__name__icontains=q)
            | Q(next_step__icontains=q)
        )
    descending = sort.startswith("-")
    order = SORTS.get(sort.lstrip("-"))
    if order is None:
        order, descending = SORTS["created"], True
    if descending:
        order = [_reverse(term) for term in order]
    return (
        qs.select_related("firm", "stage", "channel").prefetch_related(_people()).order_by(*order)
    )


def _reverse(term):
    if isinstance(term, str):
        return term[1:] if term.startswith("-") else f"-{term}"
    return term.expression.desc(nulls_last=True)


def _by_status(qs, *, tenant, status):
    won, lost = closed_stage_ids(tenant=tenant)
    if status == "won":
        return qs.filter(stage_id__in=won)
    if status == "lost":
        return qs.filter(stage_id__in=lost)
    return qs.exclude(stage_id__in=[*won, *lost])


def opportunity_get(*, tenant, member, pk):
    """One visible opportunity (404 when its firm is out of the member's reach)."""
    qs = visible_opportunities(tenant=tenant, member=member).select_related(
        "firm", "stage", "channel", "owner"
    )
    return get_object_or_404(qs, pk=pk)


def opportunity_detail(*, tenant, member, pk):
    """One opportunity with its people, activities and linked sales records loaded."""
    opportunity = opportunity_get(tenant=tenant, member=member, pk=pk)
    opportunity.responsible_list = list(opportunity.responsible.order_by("first_name", "last_name"))
    opportunity.activity_list = list(
        visible_activities(tenant=tenant, member=member)
        .filter(opportunity=opportunity)
        .select_related("type", "assigned_to")
        .order_by("-start", "-pk")[:RELATED_SHOWN]
    )
    opportunity.offer_list = list(
        Offer.objects.filter(tenant=tenant, opportunity=opportunity).order_by("-issued_on", "-pk")[
            :RELATED_SHOWN
        ]
    )
    opportunity.order_list = list(
        Order.objects.filter(tenant=tenant, opportunity=opportunity).order_by("-ordered_on", "-pk")[
            :RELATED_SHOWN
        ]
    )
    opportunity.invoice_list = list(
        Invoice.objects.filter(tenant=tenant, opportunity=opportunity).order_by("-pk")[
            :RELATED_SHOWN
        ]
    )
    return opportunity


def opportunity_history(*, tenant, opportunity, limit=50):
    entries = list(audit.entries_for(tenant=tenant, instance=opportunity)[:limit])
    return audit.with_field_labels(entries, Opportunity)


def offer_candidates(*, tenant, opportunity):
    """Offers of the opportunity's firm that are not linked to any opportunity yet."""
    return Offer.objects.filter(
        tenant=tenant, firm_id=opportunity.firm_id, opportunity__isnull=True
    ).order_by("-issued_on", "-pk")


def linked_offers(*, tenant, opportunity):
    return Offer.objects.filter(tenant=tenant, opportunity=opportunity)


def firm_opportunities(*, tenant, firm, limit=100):
    """The firm's opportunities for its tab, newest first."""
    qs = Opportunity.objects.filter(tenant=tenant, firm=firm).select_related("stage")
    return list(qs.prefetch_related(_people()).order_by("-created_at", "-pk")[:limit])


# The pipeline board ---------------------------------------------------------------------------


def _board_cards(qs, *, order, limit):
    ranked = qs.annotate(
        rank=Window(RowNumber(), partition_by=[F("stage_id")], order_by=order)
    ).filter(rank__lte=limit)
    return ranked.select_related("firm").order_by("stage_id", "rank")


def board(*, tenant, member, mine=False):
    """The board's columns: the active stages in order, each with its first cards and count.

    Open stages show their cards in board order; won and lost stages the most recently
    changed. Four queries, whatever the number of stages or opportunities.
    """
    stages = list(stage_options(tenant=tenant))
    qs = visible_opportunities(tenant=tenant, member=member)
    if mine:
        qs = qs.filter(_responsible_is(member))
    closed = {s.pk for s in stages if WON in s.flags or LOST in s.flags}
    counts = dict(
        qs.filter(stage_id__in=[s.pk for s in stages])
        .order_by()
        .values_list("stage_id")
        .annotate(n=Count("pk"))
    )
    qs = with_change_flag(qs, tenant=tenant, member=member)
    open_ids = [s.pk for s in stages if s.pk not in closed]
    cards = {s.pk: [] for s in stages}
    open_order = [F("board_position").asc(), F("pk").asc()]
    closed_order = [F("updated_at").desc(), F("pk").desc()]
    for card in [
        *_board_cards(qs.filter(stage_id__in=open_ids), order=open_order, limit=BOARD_OPEN_CARDS),
        *_board_cards(qs.filter(stage_id__in=closed), order=closed_order, limit=BOARD_CLOSED_CARDS),
    ]:
        cards[card.stage_id].append(card)
    return [
        {
            "stage": stage,
            "closed": stage.pk in closed,
            "cards": cards[stage.pk],
            "count": counts.get(stage.pk, 0),
            "hidden": counts.get(stage.pk, 0) - len(cards[stage.pk]),
        }
        for stage in stages
    ]


# The weighted forecast ------------------------------------------------------------------------


def add_months(day, months):
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def forecast_base(*, tenant, member, everyone):
    """The open opportunities with an amount that the forecast adds up.

    With ``everyone`` (the right ``opportunities.forecast``) every visible one; otherwise only
    those ``member`` is responsible for.
    """
    won, lost = closed_stage_ids(tenant=tenant)
    qs = (
        visible_opportunities(tenant=tenant, member=member)
        .exclude(stage_id__in=[*won, *lost])
        .filter(amount__isnull=False)
    )
    if not everyone:
        qs = qs.filter(_responsible_is(member))
    return qs


def _weighted(prefix=""):
    product = F(f"{prefix}amount") * F(f"{prefix}probability") / 100
    return Sum(ExpressionWrapper(product, output_field=DecimalField()))


def _cell(row):
    return {
        "count": row["n"],
        "total": cents(row["total"] or 0),
        "weighted": cents(row["weighted"] or 0),
    }


def forecast(*, tenant, member, today, everyone):
    """The weighted forecast: amount × probability / 100 of open opportunities, per currency.

    ``months``: the overdue ones (estimated close before ``today``) and each of the next
    twelve months from ``today``; ``employees``: the same opportunities by responsible
    employee (one with several responsible employees counts in full for each of them), plus
    those with no one responsible. Five queries.
    """
    end = add_months(today, FORECAST_MONTHS)
    base = forecast_base(tenant=tenant, member=member, everyone=everyone).filter(close_on__lt=end)
    sums = {"n": Count("pk"), "total": Sum("amount"), "weighted": _weighted()}
    overdue = base.filter(close_on__lt=today).order_by().values("currency").annotate(**sums)
    monthly = (
        base.filter(close_on__gte=today)
        .annotate(month=TruncMonth("close_on"))
        .order_by()
        .values("month", "currency")
        .annotate(**sums)
    )
    through = Opportunity.responsible.through
    people_rows = through.objects.filter(opportunity_id__in=base.values("pk"))
    if not everyone:  # one's own share only, not the colleagues' of a shared opportunity
        people_rows = people_rows.filter(employee_id=member.pk)
    by_person = (
        people_rows.order_by()
        .values("employee_id", "opportunity__currency")
        .annotate(
            n=Count("opportunity_id"),
            total=Sum("opportunity__amount"),
            weighted=_weighted("opportunity__"),
        )
    )
    nobody = base.filter(responsible__isnull=True).order_by().values("currency").annotate(**sums)
    months = {"overdue": {}}
    for row in overdue:
        months["overdue"][row["currency"]] = _cell(row)
    for offset in range(FORECAST_MONTHS):
        months[add_months(today, offset)] = {}
    for row in monthly:
        months[row["month"]][row["currency"]] = _cell(row)
    people = {}
    for row in by_person:
        people.setdefault(row["employee_id"], {})[row["opportunity__currency"]] = _cell(row)
    names = Employee.objects.filter(tenant=tenant, pk__in=list(people)).order_by(
        "first_name", "last_name"
    )
    employees = [(person, people[person.pk]) for person in names]
    unassigned = {row["currency"]: _cell(row) for row in nobody}
    return _forecast_tables(months, employees, unassigned)


def _forecast_tables(months, employees, unassigned):
    """Rows of cells aligned with the currencies found, and each currency's largest value."""
    found = {c for cells in months.values() for c in cells}
    currencies = sorted(found)
    peak = {
        c: max((cells[c]["weighted"] for cells in months.values() if c in cells), default=0)
        for c in currencies
    }

    def aligned(cells):
        return [(c, cells.get(c), peak[c]) for c in currencies]

    totals = {}
    for cells in months.values():
        for c, cell in cells.items():
            total = totals.setdefault(c, {"count": 0, "total": 0, "weighted": 0})
            for key in total:
                total[key] += cell[key]
    month_rows = [
        {"month": None if key == "overdue" else key, "cells": aligned(cells)}
        for key, cells in months.items()
    ]
    employee_rows = [{"employee": person, "cells": aligned(cells)} for person, cells in employees]
    if unassigned:
        employee_rows.append({"employee": None, "cells": aligned(unassigned)})
    return {
        "currencies": currencies,
        "months": month_rows,
        "employees": employee_rows,
        "totals": [(c, totals.get(c)) for c in currencies],
    }


def next_board_position(*, tenant, stage):
    """A position after the last card of ``stage``'s column."""
    last = (
        Opportunity.objects.filter(tenant=tenant, stage=stage)
        .order_by("-board_position")
        .values_list("board_position", flat=True)
        .first()
    )
    return 0 if last is None else last + 1
