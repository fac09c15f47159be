"""The staff side of portal access, part two: the list of every login, the menu link, query
budgets of the tab and the list, and the demo tenant's portal login."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from companies.models import Contact, Email, FirmContact
from portal.models import PortalUser
from tests.factories import make_firm
from tests.portal_helpers import make_portal_user, portal_firm

pytestmark = pytest.mark.django_db


def tab_url(world, firm):
    return reverse("portal-access:firm-portal", args=[world.tenant.slug, firm.pk])


def list_url(world):
    return reverse("portal-access:list", args=[world.tenant.slug])


def contact_of(world, firm):
    with scope(tenant=world.tenant.pk):
        return firm.primary_contact


# --- The list of every login ----------------------------------------------------------------


def test_the_list_shows_visible_logins_by_state_and_search(world, login):
    world.tenant.employees_read_all_firms = False
    world.tenant.save(update_fields=["employees_read_all_firms"])
    firm = portal_firm(world)
    active = make_portal_user(world, firm)
    revoked = make_portal_user(world, firm, contact_of(world, firm), revoked_at=timezone.now())
    other = portal_firm(world, "Beta Trading")
    invited = make_portal_user(world, other, activated_at=None)
    hidden = make_portal_user(
        world, make_firm(world.tenant, "Hidden Firm", sales_rep=world.outsider),
        email="hidden@example.com",
    )  # fmt: skip

    def rows(person, **params):
        html = login(person).get(list_url(world), params).content.decode()
        return {int(pk) for pk in re.findall(r'data-login="(\d+)"', html)}

    assert rows(world.employee) == {active.pk, revoked.pk, invited.pk}
    assert rows(world.executive) == {active.pk, revoked.pk, invited.pk, hidden.pk}
    assert rows(world.manager, state="revoked") == {revoked.pk}
    assert rows(world.manager, state="invited") == {invited.pk}
    assert rows(world.manager, state="active") == {active.pk}
    assert rows(world.manager, state="expired") == set()
    assert rows(world.manager, q="beta") == {invited.pk}
    assert rows(world.manager, q="AYSE@portal") == {revoked.pk}
    assert rows(world.manager, q="x" * 500, state="bogus") == {active.pk, revoked.pk, invited.pk}
    assert rows(world.manager, q="\x00") == {active.pk, revoked.pk, invited.pk}
    fragment = login(world.manager).get(list_url(world), {"q": "beta"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "Beta Trading" in fragment.content.decode()


def test_the_menu_links_to_the_list(world, login):
    html = login(world.employee).get(reverse("accounts:home", args=[world.tenant.slug]))
    assert list_url(world) in html.content.decode()


# --- Query budgets --------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_contact_logins(world, firm, n):
    with scope(tenant=world.tenant.pk):
        for i in range(n):
            contact = Contact.objects.create(tenant=world.tenant, first_name=f"Person {i}")
            FirmContact.objects.create(tenant=world.tenant, firm=firm, contact=contact)
            Email.objects.create(tenant=world.tenant, contact=contact, address=f"p{i}@x.example")
            make_portal_user(world, firm, contact, invited_by=world.manager)


@pytest.mark.parametrize("person", ["manager", "employee"])
def test_the_tab_query_count_does_not_grow(world, login, person):
    firm = portal_firm(world)
    make_portal_user(world, firm, invited_by=world.manager)
    client = login(getattr(world, person))
    few = count_queries(client, tab_url(world, firm))
    add_contact_logins(world, firm, 12)
    many = count_queries(client, tab_url(world, firm))
    assert few == many, f"{few} queries with one login, {many} with 13"
    assert many <= 24


def test_the_list_query_count_does_not_grow(world, login):
    firm = portal_firm(world)
    make_portal_user(world, firm, invited_by=world.manager)
    client = login(world.manager)
    few = count_queries(client, list_url(world))
    add_contact_logins(world, firm, 12)
    for i in range(3):
        make_portal_user(world, portal_firm(world, f"Budget {i}"), invited_by=world.manager)
    many = count_queries(client, list_url(world))
    assert few == many, f"{few} queries with one login, {many} with 16"
    assert many <= 12


# --- The demo -------------------------------------------------------------------------------


def test_the_demo_firm_with_an_invoice_has_a_working_portal_login(client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())
    assert "kervan-portal-2026" in out.getvalue()
    with scopes_disabled():
        (portal_user,) = PortalUser.objects.filter(tenant__slug="demo")
        assert portal_user.firm.name == "Bursa Bayi" and portal_user.state == "active"
    login_url = reverse("portal:login", args=["demo"])
    response = client.post(
        login_url, {"email": portal_user.email, "password": "kervan-portal-2026"}
    )
    assert response.status_code == 302
    home = client.get(reverse("portal:home", args=["demo"]))
    assert home.status_code == 200 and "Bursa Bayi" in home.content.decode()
