"""Products sold (seed 000 "Ürün Bilgileri") and services ("Firma hizmet bilgisi"): pieces from
the unit, amounts and totals, the price flags, numbers, the invoice and contract links, row
rules through the firm, the order_create API, hostile input and query budgets."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from companies.models import Sample
from core.models import AuditEntry, Choice
from core.money import line_amounts, totals
from opportunities.models import Opportunity
from sales.models import Contract, InvoiceLine, Order, OrderLine, Service
from sales.services.orders import order_create, order_delete, order_update
from sales.timeline_orders import orders_and_services
from tests import helpers
from tests.sales_helpers import (
    invoice_directly,
    line,
    make_order,
    make_product,
    make_service,
    unit,
)

TODAY = "2026-11-24"


def url(world, name, *args):
    return reverse(f"sales:{name}", args=[world.tenant.slug, *args])


def counts():
    with scopes_disabled():
        return {
            model.__name__: model.objects.count()
            for model in (Order, OrderLine, Service, AuditEntry)
        }


@pytest.fixture
def firm(world):
    """A customer the employee represents (the manager reaches it through the team)."""
    return helpers.make_firm(world, "Anadolu Makina", sales_rep=world.employee)


@pytest.fixture
def pump(world):
    return make_product(world, "Pump K-40", unit=unit(world, "piece"))


def order_post(world, firm, rows, **overrides):
    """The order form's POST: header fields and the ``lines`` formset from ``rows`` (dicts)."""
    data = {
        "firm": firm.pk if firm else "",
        "number": "",
        "ordered_on": TODAY,
        "currency": "TRY",
        "opportunity": "",
        "note": "Spring order",
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200",
    }
    for i, row in enumerate(rows):
        values = {
            "amount": "1",
            "unit": "",
            "unit_price": "",
            "discount_percent": "",
            "description": "",
            **row,
        }
        data.update({f"lines-{i}-{key}": value for key, value in values.items()})
    data.update(overrides)
    return data


def only_order():
    with scopes_disabled():
        return Order.objects.get()


def order_lines(order):
    with scopes_disabled():
        return list(
            OrderLine.objects.filter(order=order).select_related("unit").order_by("position")
        )


@pytest.mark.django_db
def test_pieces_follow_the_unit_and_amounts_are_per_entered_unit(client, world, firm):
    boxed = make_product(world, "Tiles", unit=unit(world, "box"), sale_price=Decimal("50.00"))
    sand = make_product(
        world, "Sand", unit=unit(world, "kg"), sale_price=Decimal("2.50"), vat_rate=Decimal("10.00")
    )
    client.force_login(world.employee.user)
    rows = [
        {"product": boxed.pk, "amount": "3"},  # the product's unit (box of 10), its price
        {
            "product": boxed.pk,
            "amount": "2",
            "unit": unit(world, "dozen").pk,
            "unit_price": "55.00",
            "discount_percent": "10",
        },
        {"product": sand.pk, "amount": "12.5"},  # kg has no number: pieces = amount
    ]
    response = client.post(url(world, "order-create"), order_post(world, firm, rows))
    assert response.status_code == 302, response.text
    order = only_order()
    first, second, third = order_lines(order)
    assert (first.unit.code, first.quantity, first.unit_price) == ("box", Decimal(30), Decimal(50))
    assert (second.unit.code, second.quantity) == ("dozen", Decimal(24))
    assert third.quantity == Decimal("12.5") and third.vat_rate == Decimal("10.00")
    for saved, (amount, price, discount, rate) in zip(
        (first, second, third),
        [("3", "50", "0", "20"), ("2", "55", "10", "20"), ("12.5", "2.50", "0", "10")],
        strict=True,
    ):
        expected = line_amounts(
            quantity=Decimal(amount),
            unit_price=Decimal(price),
            discount_percent=Decimal(discount),
            vat_rate=Decimal(rate),
        )
        assert (saved.net, saved.vat, saved.total) == (expected.net, expected.vat, expected.total)
    summed = totals([first, second, third])
    assert (order.net, order.vat, order.total) == (summed.net, summed.vat, summed.total)
    assert order.total == Decimal("333.18")  # 180.00 + 118.80 + 34.38
    page = client.get(response["Location"]).text
    assert "Tiles" in page and "Sand" in page and order.number in page


@pytest.mark.django_db
def test_numbers_come_from_the_sequence_and_stay_unique(client, world, firm, pump):
    client.force_login(world.employee.user)
    create = url(world, "order-create")
    assert client.post(create, order_post(world, firm, [{"product": pump.pk}])).status_code == 302
    typed = order_post(world, firm, [{"product": pump.pk}], number="S000002")
    assert client.post(create, typed).status_code == 302
    assert client.post(create, order_post(world, firm, [{"product": pump.pk}])).status_code == 302
    with scopes_disabled():
        assert sorted(Order.objects.values_list("number", flat=True)) == [
            "S000001",
            "S000002",
            "S000003",
        ]
    before = counts()
    clash = client.post(create, order_post(world, firm, [{"product": pump.pk}], number="s000001"))
    assert clash.status_code == 400 and "Another order has this number." in clash.text
    assert counts() == before


@pytest.mark.django_db
def test_discount_only_when_the_product_allows_it(client, world, firm):
    fixed = make_product(world, "Fixed price", discount_allowed=False)
    client.force_login(world.employee.user)
    before = counts()
    rows = [{"product": fixed.pk, "discount_percent": "5"}]
    response = client.post(url(world, "order-create"), order_post(world, firm, rows))
    assert response.status_code == 400
    assert "No discount is allowed on Fixed price." in response.text
    assert counts() == before


@pytest.mark.django_db
def test_raising_the_price_needs_the_flag_or_a_manager(client, world, firm, pump):
    free = make_product(world, "Free price", price_increase_allowed=True)
    create = url(world, "order-create")
    client.force_login(world.employee.user)
    before = counts()
    raised = client.post(
        create, order_post(world, firm, [{"product": pump.pk, "unit_price": "120"}])
    )
    assert raised.status_code == 400
    assert "Only a manager may sell Pump K-40 above its price of 100" in raised.text
    assert counts() == before
    lower = client.post(create, order_post(world, firm, [{"product": pump.pk, "unit_price": "90"}]))
    assert lower.status_code == 302
    flagged = client.post(
        create, order_post(world, firm, [{"product": free.pk, "unit_price": "150"}])
    )
    assert flagged.status_code == 302
    client.force_login(world.manager.user)
    managed = client.post(
        create, order_post(world, firm, [{"product": pump.pk, "unit_price": "130"}])
    )
    assert managed.status_code == 302
    # The manager's price stays when the representative later changes only the note.
    with scopes_disabled():
        order = Order.objects.get(pk=int(managed["Location"].rstrip("/").split("/")[-1]))
    saved = order_lines(order)[0]
    client.force_login(world.employee.user)
    edit = order_post(
        world,
        None,
        [{"id": saved.pk, "product": pump.pk, "unit_price": "130.00", "unit": saved.unit_id}],
        note="Changed by the representative",
        **{"lines-INITIAL_FORMS": "1"},
    )
    assert client.post(url(world, "order-edit", order.pk), edit).status_code == 302
    edit["lines-0-unit_price"] = "140"
    again = client.post(url(world, "order-edit", order.pk), edit)
    assert again.status_code == 400 and "Only a manager may sell" in again.text


@pytest.mark.django_db
def test_only_active_sellable_products_of_the_tenant(client, world, other_world, firm):
    inactive = make_product(world, "Old model", is_active=False)
    unsellable = make_product(world, "Spare part", sellable=False)
    foreign = make_product(other_world, "Globex pump")
    client.force_login(world.employee.user)
    for product in (inactive, unsellable, foreign):
        before = counts()
        response = client.post(
            url(world, "order-create"), order_post(world, firm, [{"product": product.pk}])
        )
        assert response.status_code == 400, product.name
        assert counts() == before
    with scope(tenant=world.tenant.pk):
        for product in (inactive, unsellable, foreign):
            with pytest.raises(ValidationError):
                order_create(
                    tenant=world.tenant,
                    actor=world.executive,
                    firm=firm,
                    data={
                        "number": "",
                        "ordered_on": date(2026, 1, 1),
                        "currency": "TRY",
                        "note": "",
                    },
                    lines=[line(product)],
                )


@pytest.mark.django_db
def test_order_create_api_takes_an_offers_lines_as_they_are(world, firm):
    fixed = make_product(world, "Fixed price", discount_allowed=False, unit=unit(world, "dozen"))
    with scopes_disabled():
        stage = Choice.objects.get(
            tenant=world.tenant, list_key="opportunity_stage", code="proposal"
        )
    with scope(tenant=world.tenant.pk):
        opportunity = Opportunity.objects.create(
            tenant=world.tenant, code="OPP-1", name="Spring deal", firm=firm, stage=stage
        )
        order = order_create(
            tenant=world.tenant,
            actor=world.employee,
            firm=firm,
            data={"number": "", "ordered_on": date(2026, 3, 1), "currency": "TRY", "note": "x"},
            lines=[
                line(
                    fixed,
                    "2",
                    unit=unit(world, "dozen"),
                    unit_price="150",
                    discount="10",
                    description="From the offer",
                )
            ],
            opportunity=opportunity,
        )
        saved = OrderLine.objects.get(order=order)
        assert AuditEntry.objects.filter(subject_type="sales.order", action="create").count() == 1
    # The flags are the offer's business: a discount and a raised price are taken as given.
    assert (saved.quantity, saved.discount_percent, saved.unit_price) == (24, 10, 150)
    assert saved.description == "From the offer" and order.opportunity == opportunity
    assert (
        order.total
        == line_amounts(quantity=2, unit_price=150, discount_percent=10, vat_rate=20).total
    )
    other_firm = helpers.make_firm(world, "Other", sales_rep=world.employee)
    with scope(tenant=world.tenant.pk), pytest.raises(ValidationError):
        order_create(
            tenant=world.tenant,
            actor=world.employee,
            firm=other_firm,
            data={"number": "", "ordered_on": date(2026, 3, 1), "currency": "TRY", "note": ""},
            lines=[line(fixed)],
            opportunity=opportunity,
        )
    with scope(tenant=world.tenant.pk), pytest.raises(PermissionDenied):
        order_create(
            tenant=world.tenant,
            actor=world.outsider,
            firm=firm,
            data={"number": "", "ordered_on": date(2026, 3, 1), "currency": "TRY", "note": ""},
            lines=[line(fixed)],
        )


def invoice_create_url(world):
    return reverse("sales:invoice-create", args=[world.tenant.slug])


@pytest.mark.django_db
def test_issue_invoice_then_show_invoice_then_back(client, world, firm, pump):
    order = make_order(world, firm, lines=[line(pump), line(pump, "2")])
    first, second = order_lines(order)
    client.force_login(world.employee.user)
    tab = url(world, "firm-orders", firm.pk)
    create = invoice_create_url(world)
    page = client.get(tab).text
    assert f"{create}?firm={firm.pk}&amp;order_line={first.pk}" in page
    assert f"{create}?firm={firm.pk}&amp;order_line={first.pk}&amp;order_line={second.pk}" in page
    invoice_line = invoice_directly(world, firm, order_line=first)
    page = client.get(tab).text
    detail = reverse("sales:invoice-detail", args=[world.tenant.slug, invoice_line.invoice_id])
    assert detail in page and f'data-show-invoice="{first.pk}"' in page
    assert f'data-issue-invoice="{first.pk}"' not in page
    assert f"{create}?firm={firm.pk}&amp;order_line={second.pk}" in page
    assert client.get(url(world, "order-detail", order.pk)).text.count(detail) == 1
    # Deleting the invoice (its line) turns the link back into "Issue invoice".
    with scopes_disabled():
        InvoiceLine.objects.filter(pk=invoice_line.pk).delete()
    page = client.get(tab).text
    assert f'data-issue-invoice="{first.pk}"' in page and detail not in page


@pytest.mark.django_db
def test_an_invoiced_line_holds_its_order(client, world, firm, pump):
    order = make_order(world, firm, lines=[line(pump), line(pump, "3")])
    first, second = order_lines(order)
    invoice_directly(world, firm, order_line=first)
    client.force_login(world.employee.user)
    refused = client.post(url(world, "order-delete", order.pk), follow=True)
    assert "This order has invoiced lines" in refused.text
    # The form shows the invoiced line without a way to change it: what is posted is ignored.
    edit = order_post(
        world,
        None,
        [
            {"id": first.pk, "product": pump.pk, "amount": "99", "unit_price": "1"},
            {"id": second.pk, "product": pump.pk, "amount": "4", "unit": second.unit_id or ""},
        ],
        **{"lines-INITIAL_FORMS": "2", "lines-0-DELETE": "on"},
    )
    assert client.post(url(world, "order-edit", order.pk), edit).status_code == 302
    kept, changed = order_lines(order)
    assert (kept.pk, kept.amount, kept.unit_price) == (first.pk, Decimal(1), Decimal(100))
    assert changed.amount == Decimal(4)
    with scope(tenant=world.tenant.pk):
        with pytest.raises(ValidationError):
            order_update(
                tenant=world.tenant,
                actor=world.employee,
                order=order,
                data={
                    "number": order.number,
                    "ordered_on": order.ordered_on,
                    "currency": "TRY",
                    "note": "",
                },
                lines=[line(pump, "4", id=second.pk)],
            )
        with pytest.raises(ValidationError):
            order_delete(tenant=world.tenant, actor=world.employee, order=order)
    assert len(order_lines(order)) == 2


@pytest.mark.django_db
def test_edit_adds_changes_and_removes_lines(client, world, firm, pump):
    valve = make_product(world, "Valve", sale_price=Decimal("10.00"))
    order = make_order(world, firm, lines=[line(pump), line(pump, "2")])
    first, second = order_lines(order)
    client.force_login(world.employee.user)
    form = client.get(url(world, "order-edit", order.pk))
    assert form.status_code == 200 and "Pump K-40" in form.text
    edit = order_post(
        world,
        None,
        [
            {"id": first.pk, "product": pump.pk, "amount": "5"},
            {"id": second.pk, "product": pump.pk, "amount": "2", "DELETE": "on"},
            {"product": valve.pk, "amount": "3"},
        ],
        **{"lines-INITIAL_FORMS": "2"},
    )
    assert client.post(url(world, "order-edit", order.pk), edit).status_code == 302
    rows = order_lines(order)
    assert [(r.product_id, r.amount) for r in rows] == [(pump.pk, 5), (valve.pk, 3)]
    with scopes_disabled():
        order.refresh_from_db()
    assert order.net == Decimal("530.00") and order.total == Decimal("636.00")
    # A line of another order cannot be smuggled in.
    other = make_order(world, firm)
    foreign_line = order_lines(other)[0]
    smuggled = order_post(
        world, None, [{"id": foreign_line.pk, "product": pump.pk}], **{"lines-INITIAL_FORMS": "1"}
    )
    assert client.post(url(world, "order-edit", order.pk), smuggled).status_code == 400
    assert order_lines(other)[0].order_id == other.pk
    # Deleting an order without invoices removes it and its lines.
    assert client.post(url(world, "order-delete", order.pk)).status_code == 302
    assert len(order_lines(order)) == 0


@pytest.mark.django_db
def test_services_link_to_invoice_and_contract(client, world, firm):
    client.force_login(world.employee.user)
    data = {
        "firm": firm.pk,
        "title": "Installation",
        "performed_on": TODAY,
        "performed_by": world.employee.pk,
        "price": "250",
        "currency": "TRY",
        "vat_rate": "20",
        "description": "Two days on site",
    }
    response = client.post(url(world, "service-create"), data)
    assert response.status_code == 302
    with scopes_disabled():
        service = Service.objects.get()
    assert service.created_by == world.employee and service.price == Decimal("250.00")
    tab = url(world, "firm-services", firm.pk)
    create = invoice_create_url(world)
    contract_create = reverse("sales:contract-create", args=[world.tenant.slug])
    page = client.get(tab).text
    assert f"{create}?firm={firm.pk}&amp;service={service.pk}" in page
    assert f"{contract_create}?firm={firm.pk}&amp;service={service.pk}" in page
    invoice_line = invoice_directly(world, firm, service=service)
    with scope(tenant=world.tenant.pk):
        contract = Contract.objects.create(
            tenant=world.tenant, firm=firm, title="Care", service=service
        )
    page = client.get(tab).text
    invoice_detail = reverse(
        "sales:invoice-detail", args=[world.tenant.slug, invoice_line.invoice_id]
    )
    contract_detail = reverse("sales:contract-detail", args=[world.tenant.slug, contract.pk])
    assert invoice_detail in page and contract_detail in page
    assert f'data-issue-invoice="{service.pk}"' not in page
    assert "Show invoice" in client.get(url(world, "service-detail", service.pk)).text
    refused = client.post(url(world, "service-delete", service.pk), follow=True)
    assert "This service is invoiced" in refused.text
    price_change = {**data, "price": "300"}
    changed = client.post(url(world, "service-edit", service.pk), price_change)
    assert changed.status_code == 400 and "its price cannot change" in changed.text
    renamed = client.post(url(world, "service-edit", service.pk), {**data, "title": "Setup"})
    assert renamed.status_code == 302
    with scopes_disabled():
        InvoiceLine.objects.filter(pk=invoice_line.pk).delete()
    assert f'data-issue-invoice="{service.pk}"' in client.get(tab).text
    assert client.post(url(world, "service-delete", service.pk)).status_code == 302
    with scopes_disabled():
        assert not Service.objects.exists()
        contract.refresh_from_db()
    assert contract.service_id is None  # the contract stays


@pytest.mark.django_db
def test_row_rules_follow_the_firm(client, world, firm, pump):
    order = make_order(world, firm)
    service = make_service(world, firm)
    pool_firm = helpers.make_firm(world, "Nobody's")  # no representative: the pool
    pool_order = make_order(world, pool_firm)
    world.tenant.employees_read_all_firms = False  # employees read only their own and the pool
    world.tenant.save(update_fields=["employees_read_all_firms"])
    client.force_login(world.outsider.user)  # another department: cannot see the firm
    for address in (
        url(world, "order-detail", order.pk),
        url(world, "order-edit", order.pk),
        url(world, "service-detail", service.pk),
        url(world, "service-edit", service.pk),
        url(world, "firm-orders", firm.pk),
        url(world, "firm-services", firm.pk),
    ):
        assert client.get(address).status_code == 404, address
    assert client.post(url(world, "order-delete", order.pk)).status_code == 404
    assert order.number not in client.get(url(world, "order-list")).text
    assert "Installation" not in client.get(url(world, "service-list")).text
    before = counts()
    post = order_post(world, firm, [{"product": pump.pk}])
    assert client.post(url(world, "order-create"), post).status_code == 400
    assert counts() == before
    # The pool firm is readable by employees, but only the manager may change its records.
    assert client.get(url(world, "order-detail", pool_order.pk)).status_code == 200
    assert client.get(url(world, "order-edit", pool_order.pk)).status_code == 403
    client.force_login(world.manager.user)
    assert client.get(url(world, "order-edit", pool_order.pk)).status_code == 200
    listed = client.get(url(world, "order-list")).text
    assert order.number in listed and pool_order.number in listed


@pytest.mark.django_db
def test_forms_take_firm_and_opportunity_from_the_address(client, world, firm, pump):
    with scopes_disabled():
        stage = Choice.objects.get(
            tenant=world.tenant, list_key="opportunity_stage", code="proposal"
        )
    other_firm = helpers.make_firm(world, "Other", sales_rep=world.employee)
    with scope(tenant=world.tenant.pk):
        opportunity = Opportunity.objects.create(
            tenant=world.tenant, code="OPP-7", name="Big deal", firm=firm, stage=stage
        )
        elsewhere = Opportunity.objects.create(
            tenant=world.tenant, code="OPP-8", name="Other deal", firm=other_firm, stage=stage
        )
    client.force_login(world.employee.user)
    form = client.get(url(world, "order-create") + f"?opportunity={opportunity.pk}")
    assert form.status_code == 200 and "Anadolu Makina" in form.text
    assert f'<option value="{opportunity.pk}" selected' in form.text
    assert "Anadolu Makina" in client.get(url(world, "service-create") + f"?firm={firm.pk}").text
    for bad in ("x", "99999999", "²", str(elsewhere.pk) + "\x00"):
        assert (
            client.get(url(world, "order-create") + f"?opportunity={bad}&firm={bad}").status_code
            == 200
        )
    wrong = order_post(world, firm, [{"product": pump.pk}], opportunity=elsewhere.pk)
    assert client.post(url(world, "order-create"), wrong).status_code == 400
    right = order_post(world, firm, [{"product": pump.pk}], opportunity=opportunity.pk)
    assert client.post(url(world, "order-create"), right).status_code == 302
    assert only_order().opportunity_id == opportunity.pk


@pytest.mark.django_db
def test_list_filters(client, world, firm, pump):
    valve = make_product(world, "Valve")
    other_firm = helpers.make_firm(world, "Other", sales_rep=world.employee)
    old = make_order(world, firm, lines=[line(pump)], ordered_on=date(2026, 1, 10))
    new = make_order(world, other_firm, lines=[line(valve)], ordered_on=date(2026, 5, 10))
    invoice_directly(world, firm, order_line=order_lines(old)[0])
    client.force_login(world.employee.user)

    def numbers(**params):
        response = client.get(url(world, "order-list"), params)
        assert response.status_code == 200
        return [order.number for order in response.context["page"]]

    assert numbers() == [new.number, old.number]
    assert numbers(firm=firm.pk) == [old.number]
    assert numbers(product=valve.pk) == [new.number]
    assert numbers(date_from="2026-05-01") == [new.number]
    assert numbers(date_to="2026-01-10") == [old.number]
    assert numbers(invoiced="yes") == [old.number]
    assert numbers(invoiced="no") == [new.number]
    assert numbers(sort="date") == [old.number, new.number]
    make_service(world, firm, title="Repair", performed_on=date(2026, 2, 1))
    make_service(world, other_firm, title="Check-up", performed_on=date(2026, 6, 1))

    def titles(**params):
        response = client.get(url(world, "service-list"), params)
        assert response.status_code == 200
        return [service.title for service in response.context["page"]]

    assert titles() == ["Check-up", "Repair"]
    assert titles(firm=firm.pk) == ["Repair"]
    assert titles(invoiced="no", date_to="2026-03-01") == ["Repair"]
    assert titles(q="check") == ["Check-up"]


@pytest.mark.django_db
def test_orders_and_services_on_the_timeline(client, world, firm):
    order = make_order(world, firm)
    service = make_service(world, firm, title="Yearly maintenance")
    client.force_login(world.employee.user)
    page = client.get(reverse("companies:firm-timeline", args=[world.tenant.slug, firm.pk])).text
    assert f"order {order.number}" in page and "Yearly maintenance" in page
    assert url(world, "order-detail", order.pk) in page
    assert url(world, "service-detail", service.pk) in page
    assert world.employee.full_name in page  # who performed the service
    for _i in range(5):
        make_order(world, firm)
        make_service(world, firm)
    with scope(tenant=world.tenant.pk), CaptureQueriesContext(connection) as ctx:
        items = orders_and_services(world.tenant, firm, 300)
    assert len(ctx.captured_queries) == 1 and len(items) == 12


@pytest.mark.django_db
def test_a_sample_picks_a_product_from_the_catalogue(client, world, other_world, firm, pump):
    client.force_login(world.employee.user)
    create = reverse("companies:sample-create", args=[world.tenant.slug, firm.pk])
    base = {
        "product": pump.pk,
        "description": "",
        "quantity": "2",
        "sent_on": TODAY,
        "sent_by": world.employee.pk,
    }
    assert "Pump K-40" in client.get(create).text
    assert client.post(create, base).status_code == 302
    with scopes_disabled():
        sample = Sample.objects.get()
    assert (sample.product_id, sample.description) == (pump.pk, "Pump K-40")
    foreign = make_product(other_world, "Globex pump")
    assert client.post(create, {**base, "product": foreign.pk}).status_code == 400
    missing = client.post(create, {**base, "product": ""})
    assert (
        missing.status_code == 400 and "Describe what was sent or choose a product." in missing.text
    )
    with scopes_disabled():
        assert Sample.objects.count() == 1


@pytest.mark.django_db
def test_hostile_input_on_the_order_form(client, world, other_world, firm, pump):
    client.force_login(world.employee.user)
    create = url(world, "order-create")
    base = order_post(
        world,
        firm,
        [{"product": pump.pk, "amount": "2", "unit_price": "90", "description": "Blue"}],
    )
    foreign = make_product(other_world, "Globex pump")
    values = [
        *helpers.HOSTILE,
        str(foreign.pk),
        str(unit(other_world, "box").pk),
        "1e400",
        "NaN",
        "-5",
    ]
    for field in [k for k in base if not k.endswith("_FORMS")] + ["lines-TOTAL_FORMS"]:
        for value in values:
            before = counts()
            response = client.post(create, {**base, field: value})
            assert response.status_code in helpers.ALLOWED, (field, value[:20])
            if response.status_code == 302:
                with scopes_disabled():
                    saved = Order.objects.order_by("-pk").first()
                    lines_saved = list(OrderLine.objects.filter(order=saved))
                assert len(lines_saved) == 1 and lines_saved[0].product_id == pump.pk
                assert "\x00" not in saved.note + saved.number + lines_saved[0].description
            else:
                assert counts() == before, (field, value[:20])


@pytest.mark.django_db
def test_hostile_input_on_the_service_form_and_filters(client, world, other_world, firm):
    client.force_login(world.employee.user)
    create = url(world, "service-create")
    base = {
        "firm": firm.pk,
        "title": "Installation",
        "performed_on": TODAY,
        "performed_by": world.employee.pk,
        "price": "250",
        "currency": "TRY",
        "vat_rate": "20",
        "description": "On site",
    }
    foreign_firm = helpers.make_firm(other_world, "Globex firm")
    for field in base:
        for value in [*helpers.HOSTILE, str(foreign_firm.pk), str(other_world.employee.pk)]:
            before = counts()
            response = client.post(create, {**base, field: value})
            assert response.status_code in helpers.ALLOWED, (field, value[:20])
            if response.status_code != 302:
                assert counts() == before, (field, value[:20])
            else:
                with scopes_disabled():
                    saved = Service.objects.order_by("-pk").first()
                assert saved.firm_id == firm.pk and "\x00" not in saved.title + saved.description
    for address in (url(world, "order-list"), url(world, "service-list")):
        for name in ("q", "firm", "product", "date_from", "date_to", "invoiced", "sort", "page"):
            for value in helpers.HOSTILE:
                assert client.get(address, {name: value}).status_code == 200, (name, value[:20])


def count_queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_query_budgets(client, world, firm, pump):
    order = make_order(world, firm, lines=[line(pump)])
    service = make_service(world, firm)
    client.force_login(world.manager.user)
    pages = {
        "order-list": url(world, "order-list"),
        "order-detail": url(world, "order-detail", order.pk),
        "order-edit": url(world, "order-edit", order.pk),
        "firm-orders": url(world, "firm-orders", firm.pk),
        "service-list": url(world, "service-list"),
        "service-detail": url(world, "service-detail", service.pk),
        "firm-services": url(world, "firm-services", firm.pk),
    }
    few = {name: count_queries(client, address) for name, address in pages.items()}
    products = [make_product(world, f"Product {i}", unit=unit(world, "box")) for i in range(8)]
    with scope(tenant=world.tenant.pk):
        order_update(
            tenant=world.tenant,
            actor=world.executive,
            order=order,
            data={
                "number": order.number,
                "ordered_on": order.ordered_on,
                "currency": "TRY",
                "note": "",
            },
            lines=[line(pump, id=order_lines(order)[0].pk), *[line(p, "2") for p in products]],
        )
    invoice_directly(world, firm, order_line=order_lines(order)[1])
    for i in range(12):
        make_order(world, firm, lines=[line(products[i % 8]), line(pump, "3")])
        invoice_directly(world, firm, service=make_service(world, firm), number=f"INV-{i}")
    many = {name: count_queries(client, address) for name, address in pages.items()}
    assert few == many, (few, many)
    assert max(many.values()) <= 25, many
