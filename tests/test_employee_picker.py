"""The searchable employee picker: its endpoint, its row rules, and the forms using it.

A tenant may have hundreds of employees: no drop-down lists them. An employee field renders
only the chosen employee(s) and a search box whose suggestions come from
``accounts:employee-picker`` (at most 20 visible working employees); the forms still accept
any employee of their own queryset, and refuse the rest with a clear message.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts import services as account_services
from accounts.models import Employee, Position, User
from companies.models import Firm
from core.forms import EmployeeChoiceField, EmployeeMultipleChoiceField
from opportunities.models import Opportunity
from tests.factories import make_employee, make_firm
from tests.helpers import ALLOWED, HOSTILE

HTMX = {"HTTP_HX_REQUEST": "true"}
CROWD = "Kalabalık"


def picker(client, world, q=""):
    url = reverse("accounts:employee-picker", args=[world.tenant.slug])
    return client.get(url, {"q": q}, **HTMX)


def names(response):
    assert response.status_code == 200
    return re.findall(r'data-name="([^"]*)"', response.content.decode())


def page_url(world, name, *args):
    return reverse(name, args=[world.tenant.slug, *args])


def crowd(world, count, *, status=Employee.Status.WORKING, prefix="crowd"):
    """``count`` employees at once, named "Kalabalık 000", "Kalabalık 001"..."""
    users = User.objects.bulk_create(
        User(email=f"{prefix}{i}@{world.tenant.slug}.example", first_name="K", last_name="K")
        for i in range(count)
    )
    with scopes_disabled():
        profile = account_services.default_profile(tenant=world.tenant, position=Position.EMPLOYEE)
        Employee.objects.bulk_create(
            Employee(
                tenant=world.tenant,
                user=user,
                first_name=CROWD,
                last_name=f"{i:03d}",
                position=Position.EMPLOYEE,
                profile=profile,
                status=status,
            )
            for i, user in enumerate(users)
        )


def dismiss(employee):
    with scopes_disabled():
        Employee.objects.filter(pk=employee.pk).update(status=Employee.Status.DISMISSED)


# --- the endpoint -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_finds_employees_by_name_e_mail_department_and_without_accents(client, world):
    make_employee(world.tenant, "cagri@example.com", first_name="Çağrı", last_name="Işık")
    make_employee(world.tenant, "nur@example.com", first_name="Nur", last_name="Şahin", dept="")
    client.force_login(world.employee.user)
    assert names(picker(client, world, "Çağrı")) == ["Çağrı Işık"]
    assert names(picker(client, world, "cagri")) == ["Çağrı Işık"]
    assert names(picker(client, world, "ISIK")) == ["Çağrı Işık"]
    assert names(picker(client, world, "sahin nur")) == ["Nur Şahin"]
    assert names(picker(client, world, "nur@exam")) == ["Nur Şahin"]
    # The department: the world's support employee is the only one in "support".
    assert names(picker(client, world, "support")) == [world.outsider.full_name]
    text = picker(client, world, "cagri").content.decode()
    assert 'role="option"' in text and "cagri@example.com" in text
    # Nothing typed: nothing offered; nothing found: said so.
    assert names(picker(client, world, "")) == []
    assert "No employee found." not in picker(client, world, "").content.decode()
    assert "No employee found." in picker(client, world, "zzqq").content.decode()
    # LIKE wildcards are plain characters.
    assert names(picker(client, world, "%")) == []
    assert names(picker(client, world, "_a")) == []


@pytest.mark.django_db
def test_offers_at_most_twenty_working_employees_of_the_tenant(client, world, other_world):
    crowd(world, 30)
    crowd(world, 3, status=Employee.Status.DISMISSED, prefix="gone")
    crowd(other_world, 5, prefix="foreign")
    dismiss(world.outsider)
    client.force_login(world.employee.user)
    found = names(picker(client, world, CROWD.lower()))
    assert found == [f"{CROWD} {i:03d}" for i in range(20)]
    assert names(picker(client, world, "outsider")) == []  # dismissed
    assert names(picker(client, world, "b-exec")) == []  # another tenant's


@pytest.mark.django_db
def test_dealer_staff_find_only_the_staff_of_their_subtree(client, world):
    dealer = make_firm(world.tenant, "Bayi", "main_dealer")
    below = make_firm(world.tenant, "Alt Bayi", "dealer", parent=dealer)
    other = make_firm(world.tenant, "Uzak Bayi", "dealer")
    staff = make_employee(world.tenant, "ege-staff@example.com", firm=dealer, last_name="Ekip")
    make_employee(world.tenant, "alt-staff@example.com", firm=below, last_name="Ekip")
    make_employee(world.tenant, "uzak-staff@example.com", firm=other, last_name="Ekip")
    client.force_login(staff.user)
    assert sorted(names(picker(client, world, "ekip"))) == ["Alt-Staff Ekip", "Ege-Staff Ekip"]
    assert names(picker(client, world, "exec")) == []  # head office staff are not visible
    client.force_login(world.executive.user)
    assert len(names(picker(client, world, "ekip"))) == 3


@pytest.mark.django_db
def test_endpoint_needs_a_member_of_the_tenant(client, world, other_world):
    response = picker(client, world, "exec")
    assert response.status_code == 302
    client.force_login(other_world.executive.user)
    assert picker(client, world, "exec").status_code == 404


@pytest.mark.django_db
def test_hostile_queries_never_fail(client, world):
    client.force_login(world.employee.user)
    for value in HOSTILE:
        assert picker(client, world, value).status_code == 200


@pytest.mark.django_db
def test_endpoint_queries_do_not_grow_with_employees(client, world):
    client.force_login(world.employee.user)
    crowd(world, 5)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert len(names(picker(client, world, CROWD))) >= 5
        return len(ctx.captured_queries)

    few = queries()
    crowd(world, 195, prefix="more")
    assert queries() == few


# --- the firm list: filter and bulk assign ----------------------------------------------------


@pytest.mark.django_db
def test_firm_list_shows_only_the_chosen_representative(client, world):
    crowd(world, 200)
    make_firm(world.tenant, "Temsilcili", sales_rep=world.employee)
    make_firm(world.tenant, "Havuzda")
    client.force_login(world.executive.user)
    url = page_url(world, "companies:firm-list")
    text = client.get(url).content.decode()
    assert f"{CROWD} 000" not in text and f"{CROWD} 199" not in text
    assert 'id="f-rep"' in text and 'id="bulk-rep"' in text
    assert reverse("accounts:employee-picker", args=[world.tenant.slug]) in text
    assert "Unassigned (pool)" in text
    chosen = client.get(url, {"sales_rep": world.employee.pk}).content.decode()
    assert f'<option value="{world.employee.pk}" selected>{world.employee.full_name}</option>' in (
        chosen
    )
    assert "Temsilcili" in chosen and "Havuzda" not in chosen
    assert f"{CROWD} 000" not in chosen
    pool = client.get(url, {"sales_rep": "none"}).content.decode()
    assert "Havuzda" in pool and "Temsilcili" not in pool
    assert 'value="none" data-picker-fixed selected' in pool


@pytest.mark.django_db
def test_firm_list_queries_do_not_grow_with_employees(client, world):
    client.force_login(world.executive.user)
    make_firm(world.tenant, "Temsilcili", sales_rep=world.employee)
    url = page_url(world, "companies:firm-list")
    crowd(world, 5)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"sales_rep": world.employee.pk}).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    crowd(world, 195, prefix="more")
    assert queries() == few


@pytest.mark.django_db
def test_bulk_assign_accepts_visible_working_employees_only(client, world, other_world):
    firm = make_firm(world.tenant, "Atanacak")
    crowd(world, 1)
    with scope(tenant=world.tenant.pk):
        someone = Employee.objects.get(tenant=world.tenant, first_name=CROWD)
    client.force_login(world.executive.user)
    bulk = page_url(world, "companies:firm-bulk")

    def assign(rep):
        client.post(bulk, {"action": "assign", "firms": [firm.pk], "sales_rep": rep})
        with scopes_disabled():
            return Firm.objects.get(pk=firm.pk).sales_rep_id

    assert assign(someone.pk) == someone.pk
    assert assign("") is None  # back to the pool
    dismiss(world.outsider)
    for refused in [world.outsider.pk, other_world.employee.pk, *HOSTILE[1:]]:
        if refused == "":
            continue
        assert assign(refused) is None, refused
    response = client.post(
        bulk, {"action": "assign", "firms": [firm.pk], "sales_rep": "abc"}, follow=True
    )
    assert "Choose firms and a representative." in response.content.decode()


# --- forms ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_firm_form_renders_the_chosen_representatives_only(client, world, other_world):
    crowd(world, 50)
    firm = make_firm(world.tenant, "Düzenlenecek", sales_rep=world.employee)
    client.force_login(world.executive.user)
    edit = page_url(world, "companies:firm-edit", firm.pk)
    text = client.get(edit).content.decode()
    assert f'<option value="{world.employee.pk}" selected>' in text
    assert f"{CROWD} 000" not in text and world.outsider.full_name not in text
    create = page_url(world, "companies:firm-create")
    from tests.test_firms import firm_post

    response = client.post(create, firm_post(sales_rep=other_world.employee.pk))
    assert response.status_code == 400
    assert "Choose an employee offered by the search." in response.content.decode()
    response = client.post(create, firm_post(sales_rep="12abc", support_rep="²"))
    assert response.status_code == 400
    assert response.content.decode().count("Choose an employee offered by the search.") == 2
    with scopes_disabled():
        assert not Firm.objects.filter(name="Marmara Dağıtım").exists()
    response = client.post(create, firm_post(sales_rep=world.outsider.pk))
    assert response.status_code == 302
    with scopes_disabled():
        assert Firm.objects.get(name="Marmara Dağıtım").sales_rep == world.outsider


@pytest.mark.django_db
def test_opportunity_form_takes_several_employees_through_the_picker(client, world, other_world):
    from tests.test_opportunities import form_post

    crowd(world, 50)
    firm = make_firm(world.tenant, "Anadolu Makina", sales_rep=world.employee)
    client.force_login(world.employee.user)
    create = page_url(world, "opportunities:create")
    text = client.get(create).content.decode()
    assert f'name="responsible" value="{world.employee.pk}"' in text
    assert f"{CROWD} 000" not in text and world.outsider.full_name not in text
    for refused in ([other_world.employee.pk], ["abc"], ["1", "x"], [str(i) for i in range(101)]):
        response = client.post(create, form_post(world, firm, responsible=refused))
        assert response.status_code == 400, refused
        assert "employees" in response.content.decode()
    with scopes_disabled():
        assert not Opportunity.objects.exists()
    people = [world.employee.pk, world.outsider.pk]
    response = client.post(create, form_post(world, firm, responsible=people))
    assert response.status_code == 302
    with scopes_disabled():
        chosen = Opportunity.objects.get().responsible.order_by("pk")
        assert [p.pk for p in chosen] == sorted(people)


@pytest.mark.django_db
def test_fields_validate_against_their_queryset(world, other_world):
    with scope(tenant=world.tenant.pk):
        people = Employee.objects.filter(tenant=world.tenant, status=Employee.Status.WORKING)
        one = EmployeeChoiceField(queryset=people)
        many = EmployeeMultipleChoiceField(queryset=people, required=False)
        assert one.clean(str(world.employee.pk)) == world.employee
        assert list(many.clean([world.employee.pk, str(world.employee.pk)])) == [world.employee]
        for bad in (other_world.employee.pk, "abc", "-1", "99999999999999999999999", "٣"):
            with pytest.raises(Exception, match=r"Choose an employee offered by the search\."):
                one.clean(bad)
            with pytest.raises(Exception, match=r"Choose employees offered by the search\."):
                many.clean([bad])
        # Rendering reads only the chosen rows; the search endpoint comes from the scope.
        html = many.widget.render("people", [world.employee.pk, world.manager.pk])
        assert world.employee.full_name in html and world.manager.full_name in html
        assert world.outsider.full_name not in html
        assert reverse("accounts:employee-picker", args=[world.tenant.slug]) in html


@pytest.mark.django_db
def test_customer_list_rows_offer_a_picker_not_every_employee(client, world):
    from companies.services.lists import customer_list_add_firms, customer_list_create

    crowd(world, 30)
    firm = make_firm(world.tenant, "Listeli")
    with scope(tenant=world.tenant.pk):
        target = customer_list_create(tenant=world.tenant, actor=world.executive.user, name="Hedef")
        customer_list_add_firms(
            tenant=world.tenant, actor=world.executive.user, customer_list=target,
            firms=[firm], responsible=world.employee,
        )  # fmt: skip
    client.force_login(world.executive.user)
    text = client.get(page_url(world, "companies:customerlist-detail", target.pk)).text
    assert f'<option value="{world.employee.pk}" selected>' in text
    assert f"{CROWD} 000" not in text


@pytest.mark.django_db
def test_hostile_representative_filters_are_ignored(client, world):
    client.force_login(world.executive.user)
    url = page_url(world, "companies:firm-list")
    for value in HOSTILE:
        assert client.get(url, {"sales_rep": value}).status_code in ALLOWED
