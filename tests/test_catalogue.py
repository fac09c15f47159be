"""The product catalogue (seed 003): codes from the sequence, unique in the tenant; the sale
price's date of change; suppliers with the supplier role; n-level groups; the list's search,
filters and sort; no delete once used; hostile input; query budgets."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from catalogue.models import Product, ProductGroup
from companies.models import Sample
from core.models import AuditEntry
from tests import helpers
from tests.sales_helpers import make_order, make_product, unit


def url(world, name, *args):
    return reverse(f"catalogue:{name}", args=[world.tenant.slug, *args])


def product_post(world, **overrides):
    data = {
        "code": "",
        "name": "Pump K-40",
        "description": "A strong pump.",
        "group": "",
        "unit": unit(world, "piece").pk,
        "purchase_price": "60.00",
        "sale_price": "100.00",
        "currency": "TRY",
        "vat_rate": "20",
        "supplier": "",
        "barcode": "8690000000011",
        "warranty_months": "24",
        "colour": "Blue",
        "discount_allowed": "on",
        "sellable": "on",
        "is_active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def products():
    with scopes_disabled():
        return list(Product.objects.order_by("pk"))


def counts():
    with scopes_disabled():
        return (Product.objects.count(), ProductGroup.objects.count(), AuditEntry.objects.count())


def make_group(world, name, parent=None):
    with scope(tenant=world.tenant.pk):
        return ProductGroup.objects.create(tenant=world.tenant, name=name, parent=parent)


@pytest.mark.django_db
def test_create_with_the_next_code_and_see_it(client, world):
    client.force_login(world.manager.user)
    assert client.get(url(world, "product-create")).status_code == 200
    response = client.post(url(world, "product-create"), product_post(world))
    assert response.status_code == 302
    second = client.post(url(world, "product-create"), product_post(world, name="Pump K-50"))
    assert second.status_code == 302
    first, other = products()
    assert (first.code, other.code) == ("P000001", "P000002")
    assert first.sale_price_changed_on == timezone.localdate()
    assert first.created_by == world.manager.user and first.warranty_months == 24
    page = client.get(response["Location"]).text
    assert "Pump K-40" in page and "P000001" in page and "8690000000011" in page
    with scopes_disabled():
        assert AuditEntry.objects.filter(subject_type="catalogue.product").count() == 2


@pytest.mark.django_db
def test_the_sequence_skips_a_code_typed_by_hand(world):
    make_product(world, "Typed", code="P000001")
    assert make_product(world, "Automatic").code == "P000002"


@pytest.mark.django_db
def test_codes_are_unique_in_the_tenant_only(client, world, other_world):
    make_product(world, "First", code="ABC-1")
    make_product(other_world, "Elsewhere", code="ABC-1")  # another tenant: no clash
    client.force_login(world.manager.user)
    before = counts()
    response = client.post(url(world, "product-create"), product_post(world, code="abc-1"))
    assert response.status_code == 400 and "Another product has this code." in response.text
    assert counts() == before
    second = make_product(world, "Second")
    edit = client.post(
        url(world, "product-edit", second.pk), product_post(world, code="ABC-1", name="Second")
    )
    assert edit.status_code == 400 and "Another product has this code." in edit.text


@pytest.mark.django_db
def test_sale_price_change_records_its_date(client, world):
    product = make_product(world)
    with scopes_disabled():
        Product.objects.filter(pk=product.pk).update(sale_price_changed_on=date(2020, 1, 2))
    client.force_login(world.manager.user)
    edit = url(world, "product-edit", product.pk)
    same_price = product_post(world, code=product.code, name="Renamed", sale_price="100.00")
    assert client.post(edit, same_price).status_code == 302
    with scopes_disabled():
        product.refresh_from_db()
    assert product.name == "Renamed" and product.sale_price_changed_on == date(2020, 1, 2)
    new_price = product_post(world, code="", name="Renamed", sale_price="120.50")
    assert client.post(edit, new_price).status_code == 302
    with scopes_disabled():
        product.refresh_from_db()
    assert product.sale_price == Decimal("120.50")
    assert product.sale_price_changed_on == timezone.localdate()
    assert product.code == "P000001"  # an empty code keeps the current one


@pytest.mark.django_db
def test_supplier_must_have_the_supplier_role(client, world):
    customer = helpers.make_firm(world, "Just a customer")
    supplier = helpers.make_firm(world, "Pump Maker", roles=["supplier"])
    client.force_login(world.manager.user)
    refused = client.post(url(world, "product-create"), product_post(world, supplier=customer.pk))
    assert refused.status_code == 400 and "Choose a firm with the supplier role." in refused.text
    assert products() == []
    saved = client.post(url(world, "product-create"), product_post(world, supplier=supplier.pk))
    assert saved.status_code == 302
    assert products()[0].supplier_id == supplier.pk
    assert "Pump Maker" in client.get(saved["Location"]).text


@pytest.mark.django_db
def test_employee_sees_but_does_not_manage(client, world):
    product = make_product(world)
    client.force_login(world.employee.user)
    assert client.get(url(world, "product-list")).status_code == 200
    assert client.get(url(world, "product-detail", product.pk)).status_code == 200
    assert client.get(url(world, "product-create")).status_code == 403
    assert client.post(url(world, "product-create"), product_post(world)).status_code == 403
    assert client.post(url(world, "product-delete", product.pk)).status_code == 403
    assert client.post(url(world, "group-list"), {"name": "X"}).status_code == 403
    page = client.get(url(world, "product-detail", product.pk)).text
    assert url(world, "product-edit", product.pk) not in page


@pytest.mark.django_db
def test_another_tenants_product_is_not_found(client, world, other_world):
    foreign = make_product(other_world, "Foreign")
    client.force_login(world.executive.user)
    for name in ("product-detail", "product-edit"):
        assert client.get(url(world, name, foreign.pk)).status_code == 404
    assert client.post(url(world, "product-delete", foreign.pk)).status_code == 404


@pytest.mark.django_db
def test_foreign_ids_are_refused(client, world, other_world):
    foreign_group = make_group(other_world, "Foreign group")
    foreign_supplier = helpers.make_firm(other_world, "Foreign supplier", roles=["supplier"])
    client.force_login(world.manager.user)
    for case in (
        {"group": foreign_group.pk},
        {"unit": unit(other_world, "box").pk},
        {"supplier": foreign_supplier.pk},
    ):
        before = counts()
        response = client.post(url(world, "product-create"), product_post(world, **case))
        assert response.status_code == 400, case
        assert counts() == before, case


@pytest.mark.django_db
def test_list_search_filters_and_sort(client, world):
    top = make_group(world, "Pumps")
    sub = make_group(world, "Small pumps", parent=top)
    other = make_group(world, "Valves")
    supplier = helpers.make_firm(world, "Pump Maker", roles=["supplier"])
    make_product(world, "Alpha pump", group=top, sale_price=Decimal("300"), barcode="111222")
    make_product(world, "Beta pump", group=sub, sale_price=Decimal("200"), supplier=supplier)
    make_product(world, "Gamma valve", group=other, sale_price=Decimal("100"), is_active=False)
    make_product(world, "Delta part", sellable=False, sale_price=Decimal("50"))
    client.force_login(world.employee.user)

    def names(**params):
        response = client.get(url(world, "product-list"), params)
        assert response.status_code == 200
        return [p.name for p in response.context["page"]]

    assert names(q="111222") == ["Alpha pump"]  # the barcode
    assert names(q="P000002") == ["Beta pump"]  # the code
    assert names(group=top.pk) == ["Alpha pump", "Beta pump"]  # with its subgroups
    assert names(group=sub.pk) == ["Beta pump"]
    assert names(active="no") == ["Gamma valve"]
    assert names(sellable="no") == ["Delta part"]
    assert names(supplier=supplier.pk) == ["Beta pump"]
    assert names(sort="-price") == ["Alpha pump", "Beta pump", "Gamma valve", "Delta part"]
    assert names(sort="code")[0] == "Alpha pump"
    htmx = client.get(url(world, "product-list"), {"q": "valve"}, headers={"HX-Request": "true"})
    assert "Gamma valve" in htmx.text and "<html" not in htmx.text


@pytest.mark.django_db
def test_groups_create_rename_move_and_delete_only_when_empty(client, world):
    client.force_login(world.manager.user)
    assert client.post(url(world, "group-list"), {"name": "Pumps"}).status_code == 302
    with scopes_disabled():
        pumps = ProductGroup.objects.get(name="Pumps")
    assert (
        client.post(url(world, "group-list"), {"name": "Small", "parent": pumps.pk}).status_code
        == 302
    )
    with scopes_disabled():
        small = ProductGroup.objects.get(name="Small")
    dup = client.post(url(world, "group-list"), {"name": "small", "parent": pumps.pk})
    assert dup.status_code == 400 and "A group with this name exists here already." in dup.text
    # A group cannot move under its own subgroup (the choice is not even offered).
    loop = client.post(url(world, "group-edit", pumps.pk), {"name": "Pumps", "parent": small.pk})
    assert loop.status_code == 400
    renamed = client.post(url(world, "group-edit", small.pk), {"name": "Mini", "parent": ""})
    assert renamed.status_code == 302
    with scopes_disabled():
        small.refresh_from_db()
    assert (small.name, small.parent_id) == ("Mini", None)
    make_product(world, "In the group", group=small)
    refused = client.post(url(world, "group-delete", small.pk), follow=True)
    assert "Only an empty group can be deleted" in refused.text
    assert client.post(url(world, "group-delete", pumps.pk)).status_code == 302
    with scopes_disabled():
        assert list(ProductGroup.objects.values_list("name", flat=True)) == ["Mini"]
    page = client.get(url(world, "group-list")).text
    assert "Mini" in page


@pytest.mark.django_db
def test_a_used_product_is_not_deleted(client, world):
    unused = make_product(world, "Unused")
    sold = make_product(world, "Sold")
    sampled = make_product(world, "Sampled")
    firm = helpers.make_firm(world, "Buyer", sales_rep=world.employee)
    make_order(
        world,
        firm,
        lines=[
            {
                "product": sold,
                "amount": Decimal(1),
                "unit": None,
                "unit_price": Decimal(1),
                "discount_percent": Decimal(0),
            }
        ],
    )
    with scope(tenant=world.tenant.pk):
        Sample.objects.create(tenant=world.tenant, firm=firm, product=sampled, description="x")
    client.force_login(world.manager.user)
    for product in (sold, sampled):
        response = client.post(url(world, "product-delete", product.pk), follow=True)
        assert "make it inactive instead" in response.text
    assert client.post(url(world, "product-delete", unused.pk)).status_code == 302
    assert [p.name for p in products()] == ["Sold", "Sampled"]


@pytest.mark.django_db
def test_hostile_input_never_fails_and_never_half_saves(client, world, other_world):
    client.force_login(world.manager.user)
    base = product_post(world)
    create = url(world, "product-create")
    for field in list(base):
        for value in helpers.HOSTILE:
            before = counts()
            response = client.post(create, {**base, field: value})
            assert response.status_code in helpers.ALLOWED, (field, value[:20])
            if response.status_code != 302:
                assert counts() == before, (field, value[:20])
            else:
                with scopes_disabled():
                    saved = Product.objects.order_by("-pk").first()
                text = saved.code + saved.name + saved.barcode + saved.colour + saved.description
                assert "\x00" not in text and "\r" not in saved.name + saved.code
    group_url = url(world, "group-list")
    for value in helpers.HOSTILE:
        for data in ({"name": value}, {"name": "Valid", "parent": value}):
            before = counts()
            response = client.post(group_url, data)
            assert response.status_code in helpers.ALLOWED
            if response.status_code != 302:
                assert counts() == before
        with scopes_disabled():
            ProductGroup.objects.filter(tenant=world.tenant).delete()
    for value in helpers.HOSTILE:
        for name in ("q", "group", "supplier", "active", "sellable", "sort", "page"):
            response = client.get(url(world, "product-list"), {name: value})
            assert response.status_code == 200, (name, value[:20])


def count_queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_query_budgets(client, world):
    group = make_group(world, "Pumps")
    supplier = helpers.make_firm(world, "Pump Maker", roles=["supplier"])
    product = make_product(world, "First", group=group, supplier=supplier, unit=unit(world, "box"))
    client.force_login(world.manager.user)
    pages = {
        "list": url(world, "product-list"),
        "detail": url(world, "product-detail", product.pk),
        "groups": url(world, "group-list"),
        "edit": url(world, "product-edit", product.pk),
    }
    few = {name: count_queries(client, address) for name, address in pages.items()}
    for i in range(30):
        child = make_group(world, f"Sub {i}", parent=group)
        make_product(world, f"More {i}", group=child, supplier=supplier, unit=unit(world, "kg"))
    many = {name: count_queries(client, address) for name, address in pages.items()}
    assert few == many, (few, many)
    assert many["list"] <= 14 and many["detail"] <= 14 and many["groups"] <= 12, many
