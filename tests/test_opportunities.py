"""Opportunities (seed 001 "Proje ve Satış Takip", seed 004 "Szanse sprzedaży"): the form
(the firm never changes), stage default probabilities, the board's moves, won and lost, the
weighted forecast, activities and linked sales records, row rules, budgets, hostile input."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from agenda.models import Activity
from core.models import AuditEntry, Choice
from opportunities import selectors, services, views
from opportunities.models import Opportunity
from sales.models import Invoice, Offer, Order
from tests import helpers
from tests.factories import make_firm
from tests.helpers import give_profile

HOSTILE = [*helpers.HOSTILE, "9999-12-31", "101", "-5", "0x10"]
ALLOWED = helpers.ALLOWED
JSON = {"HTTP_ACCEPT": "application/json"}


def url(world, name, *args):
    return reverse(f"opportunities:{name}", args=[world.tenant.slug, *args])


def stage(tenant, code):
    with scopes_disabled():
        return Choice.objects.get(tenant=tenant, list_key="opportunity_stage", code=code)


def channel(tenant, code="direct"):
    with scopes_disabled():
        return Choice.objects.get(tenant=tenant, list_key="sales_channel", code=code)


@pytest.fixture
def firm(world):
    """A customer the employee represents (the manager reaches it through the team)."""
    return make_firm(world.tenant, "Anadolu Makina", sales_rep=world.employee)


def form_post(world, firm=None, **overrides):
    data = {
        "code": "",
        "name": "Forty pumps",
        "firm": firm.pk if firm is not None else None,
        "stage": stage(world.tenant, "qualification").pk,
        "responsible": [world.employee.pk],
        "amount": "12000.50",
        "currency": "EUR",
        "probability": "",
        "close_on": "2026-12-15",
        "delivery_on": "2027-01-20",
        "channel": channel(world.tenant).pk,
        "next_step": "Send the price list",
        "description": "They replace their old pumps.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make(world, firm, actor=None, **data):
    """An opportunity through the service (responsible: the employee unless told)."""
    responsible = data.pop("responsible", [world.employee])
    values = {
        "name": data.pop("name", "Deal"),
        "firm": firm,
        "stage": stage(world.tenant, data.pop("stage_code", "qualification")),
        "currency": data.pop("currency", "EUR"),
        **data,
    }
    with scope(tenant=world.tenant.pk):
        return services.opportunity_create(
            tenant=world.tenant, actor=actor or world.employee, data=values,
            responsible=responsible,
        )  # fmt: skip


def reload(opportunity):
    with scopes_disabled():
        return Opportunity.objects.select_related("stage", "firm").get(pk=opportunity.pk)


def counts():
    with scopes_disabled():
        return {
            model.__name__: model.objects.count()
            for model in (Opportunity, Activity, AuditEntry, Opportunity.responsible.through)
        } | {"linked offers": Offer.objects.filter(opportunity__isnull=False).count()}


def offer(world, firm, number, **data):
    with scopes_disabled():
        return Offer.objects.create(
            tenant=world.tenant, firm=firm, number=number, title=data.pop("title", number),
            total=data.pop("total", Decimal("100.00")), **data,
        )  # fmt: skip


# Creating and changing -------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_takes_the_next_code_and_the_stage_probability(client, world, firm):
    client.force_login(world.employee.user)
    form = client.get(url(world, "create") + f"?firm={firm.pk}")
    assert form.status_code == 200 and "Anadolu Makina" in form.text
    assert 'id="stage-probabilities"' in form.text  # the script's default probabilities
    response = client.post(url(world, "create"), form_post(world, firm))
    assert response.status_code == 302
    with scopes_disabled():
        created = Opportunity.objects.get()
        assert list(created.responsible.all()) == [world.employee]
        assert AuditEntry.objects.filter(subject_type="opportunities.opportunity").count() == 1
    assert created.code == "OPP-00001" and created.probability == 25  # qualification's number
    assert created.owner == world.employee and created.amount == Decimal("12000.50")
    page = client.get(response["Location"]).text
    for text in ("OPP-00001", "Forty pumps", "Anadolu Makina", "Send the price list", "25%"):
        assert text in page, text
    second = client.post(url(world, "create"), form_post(world, firm, probability="40"))
    assert second.status_code == 302
    with scopes_disabled():
        latest = Opportunity.objects.order_by("-pk").first()
    assert latest.code == "OPP-00002" and latest.probability == 40  # typed: kept


@pytest.mark.django_db
def test_codes_are_editable_and_unique(client, world, firm):
    client.force_login(world.employee.user)
    assert client.post(url(world, "create"), form_post(world, firm, code="P-7")).status_code == 302
    before = counts()
    response = client.post(url(world, "create"), form_post(world, firm, code="P-7"))
    assert response.status_code == 400 and "Another opportunity has this code" in response.text
    assert counts() == before
    make(world, firm, code="OPP-00001")  # typed by hand: the automatic code skips it
    assert make(world, firm).code == "OPP-00002"
    with scopes_disabled():
        first = Opportunity.objects.get(code="P-7")
    edit = client.post(
        url(world, "edit", first.pk), form_post(world, code="OPP-00002", stage=first.stage_id)
    )
    assert edit.status_code == 400 and reload(first).code == "P-7"
    edit = client.post(url(world, "edit", first.pk), form_post(world, code="P-8"))
    assert edit.status_code == 302 and reload(first).code == "P-8"


@pytest.mark.django_db
def test_edit_has_no_firm_and_the_firm_never_changes(client, world, firm):
    other = make_firm(world.tenant, "Other Firm", sales_rep=world.employee)
    opportunity = make(world, firm)
    client.force_login(world.employee.user)
    form = client.get(url(world, "edit", opportunity.pk))
    assert form.status_code == 200 and 'name="firm"' not in form.text
    assert "The firm of an opportunity cannot change" in form.text
    response = client.post(
        url(world, "edit", opportunity.pk),
        form_post(world, other, name="Renamed", code=opportunity.code),
    )
    assert response.status_code == 302
    changed = reload(opportunity)
    assert changed.name == "Renamed" and changed.firm == firm  # the posted firm is ignored
    with scope(tenant=world.tenant.pk), pytest.raises(ValidationError):
        services.opportunity_update(
            tenant=world.tenant, actor=world.executive, opportunity=opportunity,
            data={"firm": other, "stage": changed.stage, "name": "x"},
        )  # fmt: skip
    assert reload(opportunity).firm == firm


@pytest.mark.django_db
def test_a_new_stage_brings_its_default_probability_unless_typed(client, world, firm):
    opportunity = make(world, firm)  # qualification: 25
    client.force_login(world.employee.user)
    edit = url(world, "edit", opportunity.pk)
    proposal, negotiation = stage(world.tenant, "proposal"), stage(world.tenant, "negotiation")
    assert client.post(edit, form_post(world, code="")).status_code == 400  # a code is needed

    def post(**overrides):
        return form_post(world, code=opportunity.code, **overrides)

    client.post(edit, post(stage=proposal.pk, probability="25"))  # left as it was
    assert reload(opportunity).probability == 50
    client.post(edit, post(stage=negotiation.pk, probability="60"))  # typed
    assert reload(opportunity).probability == 60
    client.post(edit, post(stage=negotiation.pk, probability="65"))  # same stage
    assert reload(opportunity).probability == 65
    client.post(edit, post(stage=negotiation.pk, probability=""))  # emptied
    assert reload(opportunity).probability == 65
    with scopes_disabled():
        Choice.objects.filter(pk=proposal.pk).update(number=Decimal("33.000"))
    client.post(edit, post(stage=proposal.pk, probability=""))
    assert reload(opportunity).probability == 33  # the tenant's own figure in Settings


# The board -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_board_shows_active_stages_in_order_with_cards(client, world, firm):
    make(world, firm, name="Early deal", amount=Decimal("500"), close_on=date(2026, 12, 1))
    make(world, firm, name="Late deal", stage_code="negotiation")
    with scopes_disabled():
        Choice.objects.filter(
            tenant=world.tenant, list_key="opportunity_stage", code="lost"
        ).update(is_active=False)
    client.force_login(world.employee.user)
    page = client.get(url(world, "board")).text
    labels = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Won"]
    positions = [page.index(f">{label}</h2>") for label in labels]
    assert positions == sorted(positions) and ">Lost</h2>" not in page
    assert "Early deal" in page and "Anadolu Makina" in page and "500.00 EUR" in page
    assert 'draggable="true"' in page and "js/pipeline.js" in page
    assert page.index("Early deal") < page.index("Late deal")


@pytest.mark.django_db
def test_move_changes_stage_probability_and_position_and_is_audited(client, world, firm):
    first = make(world, firm, name="First", stage_code="proposal")
    second = make(world, firm, name="Second", stage_code="proposal")
    moving = make(world, firm, name="Moving")
    client.force_login(world.employee.user)
    proposal = stage(world.tenant, "proposal")
    response = client.post(
        url(world, "move", moving.pk), {"stage": proposal.pk, "before": second.pk}, **JSON
    )
    assert response.status_code == 200
    assert json.loads(response.content) == {"stage": proposal.pk, "probability": 50}
    moved = reload(moving)
    assert moved.stage == proposal and moved.probability == 50
    with scopes_disabled():
        column = list(Opportunity.objects.filter(stage=proposal).order_by("board_position", "pk"))
        entry = AuditEntry.objects.filter(subject_id=moving.pk, action="update").get()
    assert [o.name for o in column] == ["First", "Moving", "Second"]
    assert {"field": "stage", "old": "Qualification", "new": "Proposal"} in entry.changes
    board = client.get(url(world, "board")).text
    assert board.index("First") < board.index("Moving") < board.index("Second")
    # Without JavaScript: the card's menu posts a form and comes back to the board.
    won = stage(world.tenant, "won")
    plain = client.post(
        url(world, "move", first.pk), {"stage": won.pk, "next": "https://evil.example/"}
    )
    assert plain.status_code == 302 and plain["Location"].endswith(url(world, "board"))
    assert reload(first).probability == 100
    detail = url(world, "detail", second.pk)  # the opportunity page's own stage menu
    back = client.post(url(world, "move", second.pk), {"stage": won.pk, "next": detail})
    assert back.status_code == 302 and back["Location"] == detail


@pytest.mark.django_db
def test_a_member_who_cannot_change_gets_403_and_nothing_moves(client, world, firm):
    opportunity = make(world, firm)
    client.force_login(world.outsider.user)  # reads every firm, changes none of these
    assert client.get(url(world, "detail", opportunity.pk)).status_code == 200
    board = client.get(url(world, "board")).text
    assert "Deal" in board and 'draggable="true"' not in board
    target = stage(world.tenant, "proposal").pk
    response = client.post(url(world, "move", opportunity.pk), {"stage": target}, **JSON)
    assert response.status_code == 403 and "error" in json.loads(response.content)
    assert client.post(url(world, "move", opportunity.pk), {"stage": target}).status_code == 403
    assert client.get(url(world, "edit", opportunity.pk)).status_code == 403
    assert reload(opportunity).stage.code == "qualification"


@pytest.mark.django_db
def test_bad_stages_are_refused_with_400(client, world, other_world, firm):
    opportunity = make(world, firm)
    client.force_login(world.employee.user)
    with scopes_disabled():
        inactive = stage(world.tenant, "lost")
        Choice.objects.filter(pk=inactive.pk).update(is_active=False)
    cases = [
        stage(other_world.tenant, "won").pk,
        inactive.pk,
        channel(world.tenant).pk,
        "abc",
        "",
    ]
    for value in cases:
        response = client.post(url(world, "move", opportunity.pk), {"stage": value}, **JSON)
        assert response.status_code == 400, value
    page = client.post(url(world, "move", opportunity.pk), {"stage": "x"})
    assert page.status_code == 400 and "Choose a stage of the board" in page.text
    assert reload(opportunity).stage.code == "qualification"


@pytest.mark.django_db
def test_won_and_lost_close_an_opportunity(client, world, firm):
    won = make(world, firm, name="Won deal", amount=Decimal("100"), close_on=date.today())
    lost = make(world, firm, name="Lost deal", amount=Decimal("100"), close_on=date.today())
    make(world, firm, name="Open deal", amount=Decimal("100"), close_on=date.today())
    client.force_login(world.employee.user)
    client.post(url(world, "move", won.pk), {"stage": stage(world.tenant, "won").pk}, **JSON)
    client.post(url(world, "move", lost.pk), {"stage": stage(world.tenant, "lost").pk}, **JSON)
    assert (reload(won).probability, reload(lost).probability) == (100, 0)

    def shown(query):
        text = client.get(url(world, "list") + query).text
        return [name for name in ("Won deal", "Lost deal", "Open deal") if name in text]

    assert shown("?status=open") == ["Open deal"]
    assert shown("?status=won") == ["Won deal"]
    assert shown("?status=lost") == ["Lost deal"]
    assert shown("") == ["Won deal", "Lost deal", "Open deal"]
    with scope(tenant=world.tenant.pk):
        base = selectors.forecast_base(tenant=world.tenant, member=world.employee, everyone=True)
        assert [o.name for o in base] == ["Open deal"]


# The list --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_filters_sorting_and_search(client, world, firm):
    other = make_firm(world.tenant, "Baltic Trade", sales_rep=world.manager)
    make(world, firm, name="Alpha", amount=Decimal("300"), close_on=date(2026, 10, 5))
    make(
        world, other, name="Bravo", amount=Decimal("100"), close_on=date(2026, 12, 5),
        stage_code="proposal", responsible=[world.manager], next_step="Call the buyer",
    )  # fmt: skip
    make(world, firm, name="Charlie", responsible=[])
    client.force_login(world.manager.user)
    listing = url(world, "list")

    def shown(query):
        text = client.get(listing + query).text
        return sorted((text.index(n), n) for n in ("Alpha", "Bravo", "Charlie") if n in text)

    def names(query):
        return [n for _i, n in shown(query)]

    assert names(f"?stage={stage(world.tenant, 'proposal').pk}") == ["Bravo"]
    assert names(f"?responsible={world.manager.pk}") == ["Bravo"]
    assert names(f"?firm={other.pk}") == ["Bravo"]
    assert names("?close_from=2026-11-01&close_to=2026-12-31") == ["Bravo"]
    assert names("?close_to=2026-10-31") == ["Alpha"]
    assert names("?q=buyer") == ["Bravo"] and names("?q=baltic") == ["Bravo"]
    assert names("?sort=amount") == ["Bravo", "Alpha", "Charlie"]  # no amount: last
    assert names("?sort=-amount") == ["Alpha", "Bravo", "Charlie"]
    assert names("?sort=name") == ["Alpha", "Bravo", "Charlie"]
    assert names("?sort=-name") == ["Charlie", "Bravo", "Alpha"]
    assert names("?sort=evil&stage=x&firm=%00&close_from=bad&responsible=-1") == [
        "Charlie", "Bravo", "Alpha",
    ]  # fmt: skip
    htmx = client.get(listing + "?q=alpha", headers={"HX-Request": "true"})
    assert "<html" not in htmx.text and "Alpha" in htmx.text


# Row rules -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reading_follows_the_firm_and_changing_the_firm_or_responsibility(client, world, firm):
    world.tenant.employees_read_all_firms = False
    world.tenant.save(update_fields=["employees_read_all_firms"])
    hidden_firm = make_firm(world.tenant, "Outsider Ltd", sales_rep=world.outsider)
    hidden = make(world, hidden_firm, actor=world.outsider, name="Hidden deal",
                  responsible=[world.outsider])  # fmt: skip
    client.force_login(world.employee.user)
    assert client.get(url(world, "detail", hidden.pk)).status_code == 404
    assert client.post(url(world, "move", hidden.pk), {"stage": "1"}).status_code == 404
    for name in ("list", "board", "forecast"):
        assert "Hidden deal" not in client.get(url(world, name)).text, name
    assert client.get(url(world, "firm-opportunities", hidden_firm.pk)).status_code == 404
    before = counts()
    response = client.post(url(world, "create"), form_post(world, hidden_firm))
    assert response.status_code == 400 and counts() == before
    client.force_login(world.manager.user)  # the outsider is not in the manager's team
    assert client.get(url(world, "detail", hidden.pk)).status_code == 404
    client.force_login(world.executive.user)
    assert client.get(url(world, "detail", hidden.pk)).status_code == 200
    # Responsible for it without rights on the firm: the employee reads the firm's
    # opportunities once the firm is readable, and changes the one they are responsible for.
    world.tenant.employees_read_all_firms = True
    world.tenant.save(update_fields=["employees_read_all_firms"])
    shared = make(world, hidden_firm, actor=world.outsider, name="Shared deal",
                  responsible=[world.employee])  # fmt: skip
    client.force_login(world.employee.user)
    assert client.get(url(world, "edit", shared.pk)).status_code == 200
    assert client.get(url(world, "edit", hidden.pk)).status_code == 403
    response = client.post(
        url(world, "move", shared.pk), {"stage": stage(world.tenant, "proposal").pk}, **JSON
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_without_the_add_right_nothing_changes(client, world, firm):
    opportunity = make(world, firm)
    give_profile(world, world.employee, "Readers", ["opportunities.view", "firms.view"])
    client.force_login(world.employee.user)
    detail = client.get(url(world, "detail", opportunity.pk))
    assert detail.status_code == 200 and url(world, "edit", opportunity.pk) not in detail.text
    assert client.get(url(world, "create")).status_code == 403
    target = stage(world.tenant, "proposal").pk
    assert client.post(url(world, "move", opportunity.pk), {"stage": target}).status_code == 403
    assert 'draggable="true"' not in client.get(url(world, "board")).text


# The forecast ----------------------------------------------------------------------------------


def forecast_world(world, firm):
    today = timezone.localdate()
    in_two = selectors.add_months(today, 2)
    make(world, firm, name="Overdue", amount=Decimal("1000"), probability=50,
         close_on=today - timedelta(days=40))  # fmt: skip
    make(world, firm, name="This month A", amount=Decimal("200"), probability=10,
         close_on=today)  # fmt: skip
    make(world, firm, name="This month B", amount=Decimal("300.50"), probability=20,
         close_on=today, responsible=[world.employee, world.manager])  # fmt: skip
    make(world, firm, name="In two", amount=Decimal("400"), probability=75,
         close_on=in_two, currency="USD", responsible=[world.manager])  # fmt: skip
    make(world, firm, name="Nobody's", amount=Decimal("100"), probability=100,
         close_on=in_two, currency="USD", responsible=[])  # fmt: skip
    make(world, firm, name="Too late", amount=Decimal("999"), probability=90,
         close_on=selectors.add_months(today, 13))  # fmt: skip
    make(world, firm, name="No amount", probability=90, close_on=today)
    won = make(world, firm, name="Closed", amount=Decimal("999"), probability=90, close_on=today)
    with scope(tenant=world.tenant.pk):
        services.opportunity_move(
            tenant=world.tenant, actor=world.executive, opportunity=won,
            stage=stage(world.tenant, "won"),
        )  # fmt: skip
    return today, in_two


def cell(cells, currency):
    return next(c for cur, c, _peak in cells if cur == currency)


@pytest.mark.django_db
def test_forecast_weighs_open_amounts_by_month_and_employee(client, world, firm):
    today, in_two = forecast_world(world, firm)
    with scope(tenant=world.tenant.pk):
        tables = selectors.forecast(
            tenant=world.tenant, member=world.manager, today=today, everyone=True
        )
    assert tables["currencies"] == ["EUR", "USD"]
    months = {row["month"]: row["cells"] for row in tables["months"]}
    assert len(months) == 13  # overdue and twelve months
    assert cell(months[None], "EUR")["weighted"] == Decimal("500.00")
    this_month = cell(months[today.replace(day=1)], "EUR")
    assert this_month == {"count": 2, "total": Decimal("500.50"), "weighted": Decimal("80.10")}
    assert cell(months[in_two], "USD")["weighted"] == Decimal("400.00")  # 300 + 100
    assert cell(months[in_two], "EUR") is None
    people = {row["employee"]: row["cells"] for row in tables["employees"]}
    assert cell(people[world.employee], "EUR")["weighted"] == Decimal("580.10")
    assert cell(people[world.manager], "EUR")["weighted"] == Decimal("60.10")
    assert cell(people[world.manager], "USD")["weighted"] == Decimal("300.00")
    assert cell(people[None], "USD")["weighted"] == Decimal("100.00")
    totals = dict(tables["totals"])
    assert totals["EUR"]["weighted"] == Decimal("580.10")
    assert totals["USD"]["weighted"] == Decimal("400.00")
    client.force_login(world.manager.user)  # holds opportunities.forecast
    page = client.get(url(world, "forecast")).text
    assert "580.10" in page and "400.00" in page and "No one responsible" in page
    assert world.employee.full_name in page


@pytest.mark.django_db
def test_forecast_without_the_right_shows_only_ones_own(client, world, firm):
    forecast_world(world, firm)
    client.force_login(world.employee.user)  # the default employee profile lacks forecast
    page = client.get(url(world, "forecast")).text
    assert "580.10" in page  # the employee's own: overdue 500 + 20 + 60.10
    assert world.manager.full_name not in page and "No one responsible" not in page
    assert "USD" not in page and "Your own open opportunities" in page
    give_profile(world, world.employee, "Forecasters",
                 ["opportunities.view", "opportunities.forecast", "firms.view"])  # fmt: skip
    page = client.get(url(world, "forecast")).text
    assert world.manager.full_name in page and "USD" in page


# Activities, linked sales records, the firm page -------------------------------------------------


@pytest.mark.django_db
def test_an_activity_added_from_the_opportunity_is_linked_to_it(client, world, firm):
    opportunity = make(world, firm)
    other = make_firm(world.tenant, "Elsewhere", sales_rep=world.employee)
    client.force_login(world.employee.user)
    detail = client.get(url(world, "detail", opportunity.pk)).text
    create = reverse("agenda:activity-create", args=[world.tenant.slug])
    assert f"{create}?opportunity={opportunity.pk}&amp;firm={firm.pk}" in detail
    form = client.get(f"{create}?opportunity={opportunity.pk}")
    assert form.status_code == 200 and f'value="{opportunity.pk}"' in form.text
    assert "Anadolu Makina" in form.text and opportunity.code in form.text
    with scopes_disabled():
        call = Choice.objects.get(tenant=world.tenant, list_key="activity_type", code="call")
    start = timezone.now() + timedelta(days=2)
    data = {
        "type": call.pk, "subject": "Price call", "firm": other.pk,
        "opportunity": opportunity.pk, "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "priority": "normal",
        "status": "planned", "show_in_agenda": "on", "confirm_clash": "True",
    }  # fmt: skip
    response = client.post(create, data)
    assert response.status_code == 302
    with scopes_disabled():
        activity = Activity.objects.get()
    assert activity.opportunity_id == opportunity.pk and activity.firm_id == firm.pk
    assert "Price call" in client.get(url(world, "detail", opportunity.pk)).text
    activity_page = client.get(
        reverse("agenda:activity-detail", args=[world.tenant.slug, activity.pk])
    )
    assert f"{opportunity.code} {opportunity.name}" in activity_page.text


@pytest.mark.django_db
def test_an_activity_cannot_link_an_opportunity_out_of_reach(client, world, other_world, firm):
    world.tenant.employees_read_all_firms = False
    world.tenant.save(update_fields=["employees_read_all_firms"])
    hidden_firm = make_firm(world.tenant, "Outsider Ltd", sales_rep=world.outsider)
    hidden = make(world, hidden_firm, actor=world.outsider, responsible=[world.outsider])
    foreign_firm = make_firm(other_world.tenant, "Globex Firm")
    foreign = make(other_world, foreign_firm, actor=other_world.executive, responsible=[])
    client.force_login(world.employee.user)
    create = reverse("agenda:activity-create", args=[world.tenant.slug])
    form = client.get(f"{create}?opportunity={hidden.pk}")
    assert form.status_code == 200 and "Outsider Ltd" not in form.text
    with scopes_disabled():
        call = Choice.objects.get(tenant=world.tenant, list_key="activity_type", code="call")
    start = timezone.now() + timedelta(days=2)
    for value in (hidden.pk, foreign.pk):
        response = client.post(create, {
            "type": call.pk, "subject": "Sneaky", "opportunity": value, "firm": firm.pk,
            "start": start.strftime("%Y-%m-%dT%H:%M"), "priority": "normal",
            "end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "status": "planned", "confirm_clash": "True",
        })  # fmt: skip
        assert response.status_code == 400
    assert counts()["Activity"] == 0


@pytest.mark.django_db
def test_linked_offers_orders_and_invoices_are_listed_and_offers_linked(client, world, firm):
    opportunity = make(world, firm)
    other = make_firm(world.tenant, "Other Firm", sales_rep=world.employee)
    offer(world, firm, "OF-1", title="Pumps offer", opportunity=opportunity)
    loose = offer(world, firm, "OF-2", title="Spare parts offer")
    foreign = offer(world, other, "OF-3", title="Other firm's offer")
    with scopes_disabled():
        Order.objects.create(tenant=world.tenant, firm=firm, number="OR-1", opportunity=opportunity)
        Invoice.objects.create(
            tenant=world.tenant, firm=firm, number="IN-1", opportunity=opportunity
        )
    client.force_login(world.employee.user)
    page = client.get(url(world, "detail", opportunity.pk)).text
    for text in ("OF-1", "Pumps offer", "OR-1", "IN-1"):
        assert text in page, text
    assert "OF-2 · Spare parts offer" in page  # offered for linking
    assert "OF-3" not in page
    link = url(world, "link-offer", opportunity.pk)
    response = client.post(link, {"offer": foreign.pk, "action": "link"})
    assert response.status_code == 400
    response = client.post(link, {"offer": loose.pk, "action": "link"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Offer.objects.get(pk=loose.pk).opportunity_id == opportunity.pk
    response = client.post(link, {"offer": loose.pk, "action": "unlink"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Offer.objects.get(pk=loose.pk).opportunity_id is None
    client.force_login(world.outsider.user)  # reads, cannot change
    assert client.post(link, {"offer": loose.pk, "action": "link"}).status_code == 403


@pytest.mark.django_db
def test_create_from_opportunity_buttons_exist_only_for_urls_that_exist(
    client, world, firm, monkeypatch
):
    opportunity = make(world, firm)
    client.force_login(world.employee.user)
    page = client.get(url(world, "detail", opportunity.pk)).text
    query = f"?firm={firm.pk}&amp;opportunity={opportunity.pk}"
    for name, *_rest in views.SALES_ACTIONS:
        try:
            target = reverse(name, args=[world.tenant.slug])
        except NoReverseMatch:
            assert f"{name}" not in page
            continue
        assert f"{target}{query}" in page, name
    monkeypatch.setattr(
        views, "SALES_ACTIONS", [("sales:no-such-page", "Ghost button", "bi-x", "offers.add")]
    )
    assert "Ghost button" not in client.get(url(world, "detail", opportunity.pk)).text


@pytest.mark.django_db
def test_firm_tab_and_timeline(client, world, firm):
    opportunity = make(world, firm, name="Timeline deal")
    client.force_login(world.employee.user)
    client.post(url(world, "move", opportunity.pk), {"stage": stage(world.tenant, "proposal").pk})
    tab = client.get(url(world, "firm-opportunities", firm.pk))
    assert tab.status_code == 200 and "Timeline deal" in tab.text and "Anadolu Makina" in tab.text
    fragment = client.get(url(world, "firm-opportunities", firm.pk), headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and f"?firm={firm.pk}" in fragment.text
    firm_page = client.get(reverse("companies:firm-detail", args=[world.tenant.slug, firm.pk]))
    assert url(world, "firm-opportunities", firm.pk) in firm_page.text
    timeline = client.get(reverse("companies:firm-timeline", args=[world.tenant.slug, firm.pk]))
    assert "Opportunity opened" in timeline.text and "Stage changed" in timeline.text
    assert "Qualification → Proposal" in timeline.text
    assert url(world, "detail", opportunity.pk) in timeline.text


# Query budgets ---------------------------------------------------------------------------------


def count_queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_many(world, firm, n, start=0):
    last = None
    for i in range(start, start + n):
        last = make(
            world, firm, name=f"Deal {i}", amount=Decimal("100") + i, currency="EUR",
            close_on=timezone.localdate() + timedelta(days=20 * i),
            stage_code=("prospecting", "qualification", "proposal")[i % 3],
            responsible=[world.employee, world.manager],
        )  # fmt: skip
    return last


@pytest.mark.django_db
def test_query_budgets(client, world, firm):
    client.force_login(world.manager.user)
    opportunity = add_many(world, firm, 1)
    offer(world, firm, "OF-A", opportunity=opportunity)
    offer(world, firm, "OF-Z")  # one to link
    pages = {
        "list": url(world, "list"),
        "board": url(world, "board"),
        "forecast": url(world, "forecast"),
        "detail": url(world, "detail", opportunity.pk),
        "tab": url(world, "firm-opportunities", firm.pk),
    }
    few = {name: count_queries(client, address) for name, address in pages.items()}
    add_many(world, firm, 30, start=1)
    with scopes_disabled():
        for i in range(5):
            offer(world, firm, f"OF-B{i}", opportunity=opportunity)
            offer(world, firm, f"OF-C{i}")
            Order.objects.create(
                tenant=world.tenant, firm=firm, number=f"OR-{i}", opportunity=opportunity
            )
    with scope(tenant=world.tenant.pk):
        for i in range(3):
            services.opportunity_move(
                tenant=world.tenant, actor=world.manager, opportunity=opportunity,
                stage=stage(world.tenant, ("proposal", "negotiation", "won")[i]),
            )  # fmt: skip
    many = {name: count_queries(client, address) for name, address in pages.items()}
    budgets = {"list": 15, "board": 13, "forecast": 15, "detail": 19, "tab": 17}
    for name in pages:
        assert few[name] == many[name] <= budgets[name], (name, few[name], many[name])


# Hostile input ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_hostile_input_on_the_create_and_edit_forms(client, world, firm):
    opportunity = make(world, firm)
    client.force_login(world.employee.user)
    base = form_post(world, firm)
    # The edit form is the same form less the firm: its own paths (code, stage, probability).
    edit_fields = ["code", "stage", "probability", "responsible", "firm"]
    for address, fields, valid in (
        (url(world, "create"), list(base), base),
        (url(world, "edit", opportunity.pk), edit_fields, {**base, "code": opportunity.code}),
    ):
        assert client.post(address, valid).status_code == 302  # the baseline saves
        for field in fields:
            for value in HOSTILE:
                before = counts()
                response = client.post(address, {**valid, field: value})
                assert response.status_code in ALLOWED, (field, value[:20], response.status_code)
                if response.status_code != 302:
                    assert counts() == before, (field, value[:20])
                    continue
                with scopes_disabled():
                    saved = Opportunity.objects.order_by("-updated_at").first()
                text = saved.code + saved.name + saved.description + saved.next_step
                assert "\x00" not in text and 0 <= saved.probability <= 100
                assert saved.firm_id == firm.pk


@pytest.mark.django_db
def test_hostile_input_on_move_link_and_filters(client, world, firm):
    opportunity = make(world, firm)
    client.force_login(world.employee.user)
    for value in HOSTILE:
        before = counts()
        won = stage(world.tenant, "won").pk
        for data in (
            {"stage": value},
            {"stage": won, "before": value},
            {"stage": won, "next": value},
        ):
            for extra in ({}, JSON):
                response = client.post(url(world, "move", opportunity.pk), data, **extra)
                assert response.status_code in ALLOWED, (data, response.status_code)
        for data in ({"offer": value}, {"offer": value, "action": "unlink"}, {"action": value}):
            response = client.post(url(world, "link-offer", opportunity.pk), data)
            assert response.status_code in ALLOWED | {400}, (data, response.status_code)
        after = counts()
        assert after["Opportunity"] == before["Opportunity"]
        assert after["linked offers"] == before["linked offers"] == 0
        for name in ("q", "stage", "responsible", "firm", "status", "close_from", "sort", "page"):
            response = client.get(url(world, "list"), {name: value})
            assert response.status_code == 200, (name, value[:20])
        assert client.get(url(world, "board"), {"mine": value}).status_code == 200


@pytest.mark.django_db
def test_foreign_ids_are_refused(client, world, other_world, firm):
    foreign_firm = make_firm(other_world.tenant, "Globex Firm")
    foreign = make(other_world, foreign_firm, actor=other_world.executive, responsible=[])
    client.force_login(world.employee.user)
    cases = [
        {"firm": foreign_firm.pk},
        {"stage": stage(other_world.tenant, "proposal").pk},
        {"channel": channel(other_world.tenant).pk},
        {"responsible": [other_world.employee.pk]},
        {"stage": channel(world.tenant).pk},  # an entry of another list
    ]
    for case in cases:
        before = counts()
        response = client.post(url(world, "create"), {**form_post(world, firm), **case})
        assert response.status_code == 400, case
        assert counts() == before
    for name in ("detail", "edit"):
        assert client.get(url(world, name, foreign.pk)).status_code == 404
    assert client.post(url(world, "move", foreign.pk), {"stage": "1"}).status_code == 404
    assert client.post(url(world, "link-offer", foreign.pk), {"offer": "1"}).status_code == 404
