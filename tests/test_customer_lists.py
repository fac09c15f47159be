"""Customer lists (seed 001): lists, entries with a responsible employee, the firm's tab."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from accounts.models import Employee, PermissionProfile
from companies.models import CustomerList, CustomerListEntry
from companies.selectors.lists import firms_in_list
from companies.services.firms import firm_create
from companies.services.lists import customer_list_add_firms, customer_list_create
from core.models import AuditEntry
from core.permissions import default_codes
from tests.factories import make_employee
from tests.helpers import ALLOWED, HOSTILE, make_firm, url


def make_list(world, name="Istanbul key accounts", firms=(), responsible=None):
    with scope(tenant=world.tenant.pk):
        customer_list = customer_list_create(
            tenant=world.tenant, actor=world.executive.user, name=name, description="Q4"
        )
        customer_list_add_firms(
            tenant=world.tenant, actor=world.executive.user, customer_list=customer_list,
            firms=list(firms), responsible=responsible,
        )  # fmt: skip
    return customer_list


def entries(world, customer_list):
    with scope(tenant=world.tenant.pk):
        return dict(
            CustomerListEntry.objects.filter(customer_list=customer_list).values_list(
                "firm_id", "responsible_id"
            )
        )


def firm_events(world, firm):
    with scope(tenant=world.tenant.pk):
        return list(
            AuditEntry.objects.filter(
                subject_type="companies.firm", subject_id=firm.pk, action="event"
            ).values_list("summary", flat=True)
        )


def hide_other_firms(world):
    """Employees and managers see only their own firms and the pool."""
    world.tenant.employees_read_all_firms = False
    world.tenant.save(update_fields=["employees_read_all_firms"])


def counts():
    with scopes_disabled():
        return (
            CustomerList.objects.count(),
            CustomerListEntry.objects.count(),
            AuditEntry.objects.count(),
        )


def test_module_registers_codes_for_default_profiles():
    assert {"customer_lists.view", "customer_lists.manage"} <= set(default_codes("manager"))
    assert "customer_lists.view" in default_codes("employee")
    assert "customer_lists.manage" not in default_codes("employee")


@pytest.mark.django_db
def test_migration_gives_existing_default_profiles_the_codes(world):
    migration = __import__("companies.migrations.0005_extras", fromlist=["add_codes"])
    with scopes_disabled():
        profile = PermissionProfile.objects.get(tenant=world.tenant, default_for="employee")
        profile.codes = [c for c in profile.codes if not c.startswith("customer_lists.")]
        profile.save(update_fields=["codes"])
        migration.add_codes(apps, None)
        profile.refresh_from_db()
        assert "customer_lists.view" in profile.codes
        assert "customer_lists.manage" not in profile.codes


@pytest.mark.django_db
def test_manager_creates_and_renames_a_list(client, world):
    client.force_login(world.manager.user)
    response = client.post(
        url(world, "customerlist-create"), {"name": "Fair leads", "description": "2026"}
    )
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        customer_list = CustomerList.objects.get(tenant=world.tenant, name="Fair leads")
    assert response["Location"] == url(world, "customerlist-detail", customer_list.pk)
    # The same name in other letters' case is the same list.
    response = client.post(url(world, "customerlist-create"), {"name": "FAIR LEADS"})
    assert response.status_code == 400
    assert "Another customer list has this name." in response.text
    response = client.post(
        url(world, "customerlist-edit", customer_list.pk), {"name": "Fair 2026", "description": ""}
    )
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        customer_list.refresh_from_db()
        assert customer_list.name == "Fair 2026"
        actions = set(
            AuditEntry.objects.filter(
                subject_type="companies.customerlist", subject_id=customer_list.pk
            ).values_list("action", flat=True)
        )
    assert actions == {"create", "update"}


@pytest.mark.django_db
def test_employee_reads_lists_but_cannot_change_them(client, world):
    firm = make_firm(world, "Ege Seramik", sales_rep=world.employee)
    customer_list = make_list(world, firms=[firm])
    client.force_login(world.employee.user)
    response = client.get(url(world, "customerlist-detail", customer_list.pk))
    assert response.status_code == 200
    assert "Ege Seramik" in response.text
    assert url(world, "customerlist-add", customer_list.pk) not in response.text
    before = counts()
    for name, data in [
        ("customerlist-add", {"firms": [firm.pk]}),
        ("customerlist-edit", {"name": "Mine"}),
        ("customerlist-delete", {}),
    ]:
        assert client.post(url(world, name, customer_list.pk), data).status_code == 403
    assert client.post(url(world, "customerlist-create"), {"name": "Mine"}).status_code == 403
    assert counts() == before


@pytest.mark.django_db
def test_adding_firms_records_them_once_with_a_responsible(client, world):
    first, second = make_firm(world, "Alfa"), make_firm(world, "Beta")
    customer_list = make_list(world, firms=[first])
    client.force_login(world.manager.user)
    response = client.post(
        url(world, "customerlist-add", customer_list.pk),
        {"firms": [first.pk, second.pk], "responsible": world.employee.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == url(world, "customerlist-detail", customer_list.pk)
    # The firm already in the list keeps its entry as it was.
    assert entries(world, customer_list) == {first.pk: None, second.pk: world.employee.pk}
    assert firm_events(world, second) == ["Added to customer list Istanbul key accounts"]
    assert firm_events(world, first) == ["Added to customer list Istanbul key accounts"]


@pytest.mark.django_db
def test_add_goes_back_only_to_a_page_of_the_same_tenant(client, world):
    firm = make_firm(world, "Gama")
    customer_list = make_list(world)
    client.force_login(world.manager.user)
    firm_list = f"/o/{world.tenant.slug}/firms/?page=2"
    for target, expected in [
        (firm_list, firm_list),
        ("https://evil.example.com/o/x/", url(world, "customerlist-detail", customer_list.pk)),
        ("/o/other-tenant/firms/", url(world, "customerlist-detail", customer_list.pk)),
        ("//evil.example.com/", url(world, "customerlist-detail", customer_list.pk)),
    ]:
        response = client.post(
            url(world, "customerlist-add", customer_list.pk), {"firms": [firm.pk], "next": target}
        )
        assert response["Location"] == expected


@pytest.mark.django_db
def test_firms_the_member_may_not_see_or_of_another_tenant_are_refused(client, world, other_world):
    hide_other_firms(world)
    seen = make_firm(world, "Pool firm")
    hidden = make_firm(world, "Outsider firm", sales_rep=world.outsider)
    with scope(tenant=other_world.tenant.pk):
        foreign = firm_create(
            tenant=other_world.tenant, actor=None, data={"name": "Foreign", "type": "customer"}
        )
    customer_list = make_list(world)
    client.force_login(world.manager.user)
    for bad in (hidden.pk, foreign.pk, "abc", "99999999999999999999999"):
        before = counts()
        response = client.post(
            url(world, "customerlist-add", customer_list.pk), {"firms": [seen.pk, bad]}
        )
        assert response.status_code == 400, bad
        assert counts() == before
    response = client.post(
        url(world, "customerlist-add", customer_list.pk),
        {"firms": [seen.pk], "responsible": other_world.employee.pk},
    )
    assert response.status_code == 400
    assert entries(world, customer_list) == {}


@pytest.mark.django_db
def test_a_list_shows_only_the_firms_its_reader_may_see(client, world):
    hide_other_firms(world)
    team = make_firm(world, "Team firm", sales_rep=world.employee)
    hidden = make_firm(world, "Hidden firm", sales_rep=world.outsider)
    customer_list = make_list(world, firms=[team, hidden])
    client.force_login(world.manager.user)
    page = client.get(url(world, "customerlist-detail", customer_list.pk)).text
    assert "Team firm" in page and "Hidden firm" not in page
    index = client.get(url(world, "customerlist-list")).text
    assert "Istanbul key accounts" in index
    with scope(tenant=world.tenant.pk):
        assert set(firms_in_list(world.tenant, world.manager, customer_list)) == {team.pk}
        assert set(firms_in_list(world.tenant, world.executive, customer_list)) == {
            team.pk,
            hidden.pk,
        }
        hidden_entry = CustomerListEntry.objects.get(firm=hidden)
    # An entry whose firm the manager may not see does not exist for them.
    for name in ("customerlist-entry-remove", "customerlist-entry-edit"):
        response = client.post(url(world, name, customer_list.pk, hidden_entry.pk), {})
        assert response.status_code == 404
    assert entries(world, customer_list) == {team.pk: None, hidden.pk: None}


@pytest.mark.django_db
def test_detail_search_filters_the_firms(client, world):
    customer_list = make_list(world, firms=[make_firm(world, "Marmara"), make_firm(world, "Ege")])
    client.force_login(world.executive.user)
    page = client.get(url(world, "customerlist-detail", customer_list.pk), {"q": "marm"}).text
    assert "Marmara" in page and ">Ege<" not in page
    response = client.get(url(world, "customerlist-detail", customer_list.pk), {"q": "a\x00b"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_change_responsible_and_remove_an_entry(client, world, other_world):
    firm = make_firm(world, "Delta")
    customer_list = make_list(world, firms=[firm])
    with scope(tenant=world.tenant.pk):
        entry = CustomerListEntry.objects.get(firm=firm)
    client.force_login(world.manager.user)
    edit = url(world, "customerlist-entry-edit", customer_list.pk, entry.pk)
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"responsible": world.employee.pk})
    assert response.status_code == 302
    assert entries(world, customer_list) == {firm.pk: world.employee.pk}
    assert "Employee Tester is responsible for it in customer list" in firm_events(world, firm)[0]
    # Another tenant's person, or someone who left, cannot be responsible.
    with scope(tenant=world.tenant.pk):
        Employee.objects.filter(pk=world.outsider.pk).update(status="resigned")
    for bad in (other_world.employee.pk, world.outsider.pk, "x"):
        assert client.post(edit, {"responsible": bad}).status_code == 400
    assert entries(world, customer_list) == {firm.pk: world.employee.pk}
    remove = url(world, "customerlist-entry-remove", customer_list.pk, entry.pk)
    assert client.get(remove).status_code == 200
    tab = url(world, "firm-lists", firm.pk)
    response = client.post(remove, {"next": tab})
    assert response.status_code == 302 and response["Location"] == tab
    assert entries(world, customer_list) == {}
    assert firm_events(world, firm)[0] == "Removed from customer list Istanbul key accounts"
    assert client.post(remove).status_code == 404


@pytest.mark.django_db
def test_an_entry_of_another_list_is_not_found(client, world):
    firm = make_firm(world, "Epsilon")
    first = make_list(world, "First", firms=[firm])
    second = make_list(world, "Second")
    with scope(tenant=world.tenant.pk):
        entry = CustomerListEntry.objects.get(customer_list=first)
    client.force_login(world.executive.user)
    response = client.post(url(world, "customerlist-entry-remove", second.pk, entry.pk))
    assert response.status_code == 404
    assert entries(world, first) == {firm.pk: None}


@pytest.mark.django_db
def test_deleting_a_list_keeps_the_firms_and_tells_their_timelines(client, world):
    firm = make_firm(world, "Zeta")
    customer_list = make_list(world, firms=[firm])
    client.force_login(world.manager.user)
    delete = url(world, "customerlist-delete", customer_list.pk)
    assert client.get(delete).status_code == 200
    response = client.post(delete)
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        assert not CustomerList.objects.filter(pk=customer_list.pk).exists()
        assert not CustomerListEntry.objects.exists()
    assert firm_events(world, firm)[0].startswith("Removed from customer list Istanbul")


@pytest.mark.django_db
def test_firm_tab_lists_and_adds_to_another_list(client, world):
    firm = make_firm(world, "Eta", sales_rep=world.employee)
    make_list(world, "In it", firms=[firm], responsible=world.manager)
    other = make_list(world, "Not yet")
    tab = url(world, "firm-lists", firm.pk)
    client.force_login(world.employee.user)
    page = client.get(tab).text
    assert "In it" in page and "Manager Tester" in page
    assert 'name="customer_list"' not in page  # employees cannot change lists
    assert client.post(tab, {"customer_list": other.pk}).status_code == 403
    client.force_login(world.manager.user)
    fragment = client.get(tab, headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and 'name="customer_list"' in fragment
    assert "<html" in client.get(tab).text
    response = client.post(tab, {"customer_list": other.pk, "responsible": world.employee.pk})
    assert response.status_code == 302 and response["Location"] == tab
    with scope(tenant=world.tenant.pk):
        assert CustomerListEntry.objects.get(customer_list=other).responsible == world.employee
    # Already in it: the list is no longer offered.
    assert client.post(tab, {"customer_list": other.pk}).status_code == 400


@pytest.mark.django_db
def test_list_pages_need_the_list_permission_the_firm_tab_does_not(client, world):
    firm = make_firm(world, "Theta")
    customer_list = make_list(world, firms=[firm])
    with scope(tenant=world.tenant.pk):
        profile = world.employee.profile
        profile.codes = [c for c in profile.codes if not c.startswith("customer_lists.")]
        profile.save(update_fields=["codes"])
    client.force_login(world.employee.user)
    assert client.get(url(world, "customerlist-list")).status_code == 403
    assert client.get(url(world, "customerlist-detail", customer_list.pk)).status_code == 403
    # Which lists a firm is in is part of reading the firm; the list itself is not linked.
    tab = client.get(url(world, "firm-lists", firm.pk)).text
    assert "Istanbul key accounts" in tab
    assert url(world, "customerlist-detail", customer_list.pk) not in tab


@pytest.mark.django_db
def test_another_tenants_list_is_not_found(client, world, other_world):
    foreign = make_list(other_world, "Theirs")
    client.force_login(world.executive.user)
    for name in ("customerlist-detail", "customerlist-edit", "customerlist-add"):
        assert client.get(url(world, name, foreign.pk)).status_code == 404
    assert client.post(url(world, "customerlist-delete", foreign.pk)).status_code == 404
    with scopes_disabled():
        assert CustomerList.objects.filter(pk=foreign.pk).exists()


@pytest.mark.django_db
def test_hostile_input_on_every_list_form(client, world):
    firm = make_firm(world, "Iota")
    customer_list = make_list(world, firms=[firm])
    with scope(tenant=world.tenant.pk):
        entry = CustomerListEntry.objects.get(firm=firm)
    other = make_list(world, "Other")
    client.force_login(world.executive.user)
    forms = [
        (url(world, "customerlist-create"), {"name": "New", "description": "d"}),
        (url(world, "customerlist-edit", customer_list.pk), {"name": "N", "description": "d"}),
        (
            url(world, "customerlist-add", other.pk),
            {"firms": str(firm.pk), "responsible": "", "next": "/"},
        ),
        (url(world, "customerlist-entry-edit", customer_list.pk, entry.pk), {"responsible": ""}),
        (url(world, "firm-lists", firm.pk), {"customer_list": other.pk, "responsible": ""}),
    ]
    for target, valid in forms:
        for field in valid:
            for value in HOSTILE:
                before = counts()
                response = client.post(target, {**valid, field: value})
                assert response.status_code in ALLOWED, (target, field, value[:20])
                if response.status_code != 302:
                    assert counts() == before, (target, field, value[:20])
                else:
                    assert "evil" not in response["Location"]
    with scopes_disabled():
        for row in CustomerList.objects.all():
            assert "\x00" not in row.name + row.description
    for value in HOSTILE:
        response = client.get(url(world, "customerlist-add", other.pk), {"q": value, "page": value})
        assert response.status_code == 200


def count_queries(client, target, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target, **kwargs)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_list_pages_and_the_firm_tab_have_fixed_query_budgets(client, world):
    firm = make_firm(world, "Kappa")
    customer_list = make_list(world, firms=[firm], responsible=world.employee)
    make_firm(world, "Not in the list")  # the add page lists one firm
    client.force_login(world.manager.user)
    pages = [
        (url(world, "customerlist-list"), {}),
        (url(world, "customerlist-detail", customer_list.pk), {}),
        (url(world, "customerlist-add", customer_list.pk), {}),
        (url(world, "firm-lists", firm.pk), {}),
        (url(world, "firm-lists", firm.pk), {"headers": {"HX-Request": "true"}}),
    ]
    few = [count_queries(client, target, **kw) for target, kw in pages]
    more_people = [
        make_employee(world.tenant, f"rep{i}@example.com", reports_to=world.manager)
        for i in range(5)
    ]
    for i in range(20):
        extra = make_firm(world, f"Firm {i:02d}", sales_rep=more_people[i % 5])
        with scope(tenant=world.tenant.pk):
            customer_list_add_firms(
                tenant=world.tenant, actor=None, customer_list=customer_list, firms=[extra],
                responsible=more_people[i % 5],
            )  # fmt: skip
    for i in range(8):
        make_list(world, f"List {i}", firms=[firm], responsible=more_people[i % 5])
        make_firm(world, f"Loose {i}")
    many = [count_queries(client, target, **kw) for target, kw in pages]
    assert few == many
    # The firm tab as a whole 360° page is the largest; the rest stay small.
    assert many[3] <= 20 and max(many[:3] + many[4:]) <= 14
