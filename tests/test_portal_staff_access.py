"""The staff side of portal access: the firm's "Portal" tab, sending, granting, new links,
revoking, and hostile input (the list, budgets and demo: test_portal_staff_access_list.py)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.models import OutboxEmail
from portal.models import PortalUser
from sales.models import Contract
from tests.factories import make_firm
from tests.helpers import give_profile
from tests.portal_helpers import (
    PASSWORD,
    make_portal_user,
    portal_firm,
    portal_login,
    portal_url,
)

pytestmark = pytest.mark.django_db


def tab_url(world, firm):
    return reverse("portal-access:firm-portal", args=[world.tenant.slug, firm.pk])


def staff_url(world, name, pk):
    return reverse(f"portal-access:{name}", args=[world.tenant.slug, pk])


def link_path(row):
    url = re.search(r"https?://\S+/portal/access/\S+/", row.body_text).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def logins(firm):
    with scopes_disabled():
        return list(PortalUser.objects.filter(firm=firm).order_by("id"))


def read_own_firms_only(world):
    world.tenant.employees_read_all_firms = False
    world.tenant.save(update_fields=["employees_read_all_firms"])


def contact_of(world, firm):
    with scope(tenant=world.tenant.pk):
        return firm.primary_contact


# --- The tab --------------------------------------------------------------------------------


def test_manager_and_executive_see_the_send_button_and_the_employee_only_the_list(world, login):
    firm = portal_firm(world)
    contact_login = make_portal_user(world, firm, contact_of(world, firm))
    for person in (world.manager, world.executive):
        page = login(person).get(tab_url(world, firm))
        html = page.content.decode()
        assert page.status_code == 200
        assert (
            'id="portal-send"' in html and "disabled" not in html.split('id="portal-send"')[1][:40]
        )
        assert 'id="portal-grant"' in html
        assert "ayse@portal-firm.example" in html and "Active" in html
        assert f'data-revoke="{contact_login.pk}"' in html
        assert f'data-resend="{contact_login.pk}"' in html

    html = login(world.employee).get(tab_url(world, firm)).content.decode()
    assert "Managers and executives send portal access" in html
    assert "ayse@portal-firm.example" in html and "info@portal-firm.example" in html
    assert 'id="portal-send"' not in html and 'id="portal-grant"' not in html
    assert "data-revoke" not in html and "data-resend" not in html


def test_the_tab_is_a_fragment_for_htmx_and_the_firm_page_otherwise(world, login):
    firm = portal_firm(world)
    client = login(world.manager)
    full = client.get(tab_url(world, firm)).content.decode()
    fragment = client.get(tab_url(world, firm), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="firm-tabs"' in full and "Portal logins" in full
    assert 'id="firm-tabs"' not in fragment and "Portal logins" in fragment


def test_firm_not_visible_or_of_another_tenant_is_a_404(world, other_world, login):
    read_own_firms_only(world)
    hidden = make_firm(world.tenant, "Outsider Firm", sales_rep=world.outsider)
    foreign = portal_firm(other_world, "Foreign Firm")
    client = login(world.manager)
    assert client.get(tab_url(world, hidden)).status_code == 404
    assert client.post(staff_url(world, "send", hidden.pk)).status_code == 404
    assert client.post(staff_url(world, "grant", hidden.pk)).status_code == 404
    assert client.get(tab_url(world, foreign)).status_code == 404
    assert client.post(staff_url(world, "send", foreign.pk)).status_code == 404


def test_a_manager_without_the_right_sees_the_list_and_gets_403_on_every_post(world, login):
    firm = portal_firm(world)
    portal_user = make_portal_user(world, firm)
    give_profile(world, world.manager, "No portal sending", ["firms.view", "portal.view"])
    client = login(world.manager)
    html = client.get(tab_url(world, firm)).content.decode()
    assert "Managers and executives send portal access" in html
    assert 'id="portal-send"' not in html
    assert client.post(staff_url(world, "send", firm.pk)).status_code == 403
    contact = contact_of(world, firm)
    assert (
        client.post(staff_url(world, "grant", firm.pk), {"contact": contact.pk}).status_code == 403
    )
    assert client.post(staff_url(world, "resend", portal_user.pk)).status_code == 403
    assert client.post(staff_url(world, "revoke", portal_user.pk)).status_code == 403
    employee = login(world.employee)
    assert employee.post(staff_url(world, "send", firm.pk)).status_code == 403
    assert logins(firm) == [portal_user] and OutboxEmail.objects.count() == 0


def test_an_employee_with_the_code_is_still_refused_by_the_service(world, login):
    firm = portal_firm(world)
    give_profile(
        world, world.employee, "Sender", ["firms.view", "portal.view", "portal.send_access"]
    )
    response = login(world.employee).post(staff_url(world, "send", firm.pk))
    assert response.status_code == 403
    assert logins(firm) == []


# --- Sending the firm's login ---------------------------------------------------------------


def test_send_before_an_invoice_or_contract_is_refused_with_the_reason(world, login):
    firm = portal_firm(world, "Fresh Firm", invoice=False)
    client = login(world.manager)
    html = client.get(tab_url(world, firm)).content.decode()
    assert "once the firm has an invoice or a contract" in html
    assert re.search(r'id="portal-send" disabled', html)
    response = client.post(staff_url(world, "send", firm.pk), follow=True)
    assert response.redirect_chain[-1][0] == tab_url(world, firm)
    assert "once the firm has an invoice or a contract" in response.content.decode()
    assert logins(firm) == [] and OutboxEmail.objects.count() == 0

    with scope(tenant=world.tenant.pk):
        Contract.objects.create(tenant=world.tenant, firm=firm, title="Supply 2026")
    response = client.post(staff_url(world, "send", firm.pk), follow=True)
    assert "Portal access sent to info@fresh-firm.example." in response.content.decode()
    assert [row.email for row in logins(firm)] == ["info@fresh-firm.example"]


def test_a_firm_without_an_e_mail_address_shows_why(world, login):
    firm = make_firm(world.tenant, "Mailless Firm", sales_rep=world.employee)
    with scope(tenant=world.tenant.pk):
        Contract.objects.create(tenant=world.tenant, firm=firm, title="Supply")
    client = login(world.manager)
    html = client.get(tab_url(world, firm)).content.decode()
    assert "The firm has no e-mail address" in html and 'id="portal-send" disabled' in html
    response = client.post(staff_url(world, "send", firm.pk), follow=True)
    assert "The firm has no e-mail address" in response.content.decode()
    assert logins(firm) == []


def test_sent_access_e_mails_a_link_that_sets_the_password_and_login_works(world, login):
    firm = portal_firm(world)
    response = login(world.manager).post(staff_url(world, "send", firm.pk), {"language": "en"})
    assert response.status_code == 302 and response["Location"] == tab_url(world, firm)
    page = login(world.manager).get(tab_url(world, firm)).content.decode()
    assert "Portal access sent to info@portal-firm.example." in page
    assert "Invited" in page and world.manager.full_name in page
    row = OutboxEmail.objects.get(to=["info@portal-firm.example"])
    assert PASSWORD not in row.body_text

    portal = Client()
    link = link_path(row)
    assert portal.get(link, follow=True).status_code == 200
    done = portal.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302 and done["Location"] == portal_url(world, "home")
    portal.post(portal_url(world, "logout"))
    logged_in = portal.post(
        portal_url(world, "login"), {"email": "info@portal-firm.example", "password": PASSWORD}
    )
    assert logged_in.status_code == 302 and logged_in["Location"] == portal_url(world, "home")
    assert portal.get(portal_url(world, "home")).status_code == 200
    assert "Active" in login(world.manager).get(tab_url(world, firm)).content.decode()


# --- Contacts' logins -----------------------------------------------------------------------


def test_a_contact_gets_its_own_login_with_an_expiry_date(world, login):
    firm = portal_firm(world)
    contact = contact_of(world, firm)
    until = timezone.localdate() + timedelta(days=30)
    response = login(world.executive).post(
        staff_url(world, "grant", firm.pk),
        {"contact": contact.pk, "email": "ayse@portal-firm.example",
         "expires_on": until.isoformat(), "language": "fa"},
        follow=True,
    )  # fmt: skip
    assert response.redirect_chain == [(tab_url(world, firm), 302)]
    sent = "Portal access sent to Ayşe Demir at ayse@portal-firm.example."
    assert sent in response.content.decode()
    (portal_user,) = logins(firm)
    assert portal_user.contact_id == contact.pk and portal_user.expires_on == until
    assert portal_user.language == "fa" and portal_user.invited_by_id == world.executive.pk
    assert OutboxEmail.objects.filter(to=["ayse@portal-firm.example"]).count() == 1
    page = login(world.employee).get(tab_url(world, firm)).content.decode()
    assert "Ayşe Demir" in page and "Invited" in page
    assert until.strftime("%m/%d/%Y") in page or until.isoformat() in page

    # Sending again to the same contact renews the date; nothing is duplicated.
    later = until + timedelta(days=30)
    login(world.manager).post(
        staff_url(world, "grant", firm.pk), {"contact": contact.pk, "expires_on": later}
    )
    assert [(row.pk, row.expires_on) for row in logins(firm)] == [(portal_user.pk, later)]


def test_an_expired_contact_login_shows_expired_and_refuses_a_new_link(world, login):
    firm = portal_firm(world)
    expired = make_portal_user(
        world, firm, contact_of(world, firm), expires_on=timezone.localdate() - timedelta(days=1)
    )
    client = login(world.manager)
    assert "Expired" in client.get(tab_url(world, firm)).content.decode()
    response = client.post(staff_url(world, "resend", expired.pk), follow=True)
    assert "has expired" in response.content.decode()
    assert OutboxEmail.objects.count() == 0


# --- Revoking and new links -----------------------------------------------------------------


def test_revoking_ends_an_open_portal_session(world, login):
    firm = portal_firm(world)
    portal_user = make_portal_user(world, firm)
    portal = portal_login(Client(), portal_user)
    assert portal.get(portal_url(world, "home")).status_code == 200

    response = login(world.manager).post(staff_url(world, "revoke", portal_user.pk), follow=True)
    assert "The access of info@portal-firm.example is revoked." in response.content.decode()
    assert "Revoked" in response.content.decode()
    after = portal.get(portal_url(world, "home"))
    assert after.status_code == 302 and after["Location"].startswith(portal_url(world, "login"))
    again = login(world.manager).post(staff_url(world, "revoke", portal_user.pk), follow=True)
    assert "already revoked" in again.content.decode()


def test_a_new_link_invalidates_the_old_one_and_is_refused_once_revoked(world, login):
    firm = portal_firm(world)
    client = login(world.manager)
    client.post(staff_url(world, "send", firm.pk))
    first = link_path(OutboxEmail.objects.get())
    (portal_user,) = logins(firm)
    response = client.post(staff_url(world, "resend", portal_user.pk), follow=True)
    assert "A new link is on its way to info@portal-firm.example." in response.content.decode()
    second = link_path(OutboxEmail.objects.order_by("-id").first())
    assert second != first

    visitor = Client()
    old = visitor.get(first)
    assert old.status_code == 400 and "no longer works" in old.content.decode()
    assert visitor.get(second, follow=True).status_code == 200

    client.post(staff_url(world, "revoke", portal_user.pk))
    refused = client.post(staff_url(world, "resend", portal_user.pk), follow=True)
    assert "is revoked: send portal access again" in refused.content.decode()
    assert OutboxEmail.objects.count() == 2
    assert visitor.get(second).status_code == 400

    # Sending access again gives the firm's login back, with a working link.
    client.post(staff_url(world, "send", firm.pk))
    assert logins(firm)[0].revoked_at is None
    newest = link_path(OutboxEmail.objects.order_by("-id").first())
    assert visitor.get(newest, follow=True).status_code == 200


# --- Hostile input --------------------------------------------------------------------------


def test_hostile_contact_login_input_is_a_clear_400(world, other_world, login):
    firm = portal_firm(world)
    other_firm = portal_firm(world, "Second Firm")
    foreign = portal_firm(other_world, "Foreign Firm")
    contact = contact_of(world, firm)
    future = (timezone.localdate() + timedelta(days=5)).isoformat()
    cases = [
        ({"contact": contact_of(world, other_firm).pk}, "Choose a contact of this firm."),
        ({"contact": contact_of(other_world, foreign).pk}, "Choose a contact of this firm."),
        ({"contact": "abc"}, "Choose a contact of this firm."),
        ({"contact": "١٢"}, "Choose a contact of this firm."),
        ({"contact": "9" * 40}, "Choose a contact of this firm."),
        ({"contact": ""}, "Choose a contact of this firm."),
        ({"contact": contact.pk, "email": "nobody@else.example"}, "addresses on record"),
        ({"contact": contact.pk, "email": "info@portal-firm.example"}, "addresses on record"),
        ({"contact": contact.pk, "email": "x" * 100_000}, "addresses on record"),
        ({"contact": contact.pk, "expires_on": "2001-01-01"}, "The date lies in the past."),
        ({"contact": contact.pk, "expires_on": "x" * 100_000}, "Enter a valid date."),
        ({"contact": contact.pk, "expires_on": future, "language": "<script>"}, "languages"),
        ({"contact": contact.pk, "language": "de\x00"}, "languages"),
    ]
    client = login(world.manager)
    for data, message in cases:
        response = client.post(staff_url(world, "grant", firm.pk), data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), (data, message)
    assert logins(firm) == [] and OutboxEmail.objects.count() == 0


def test_hostile_send_input_gives_a_message_and_nothing_sent(world, login):
    firm = portal_firm(world)
    client = login(world.manager)
    for data in (
        {"email": "stranger@example.com"},
        {"email": "<b>x</b>" * 10_000},
        {"language": "klingon"},
        {"email": "info@portal-firm.example\r\nBcc: x@example.com"},
    ):
        response = client.post(staff_url(world, "send", firm.pk), data, follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert "addresses on record" in html or "languages offered" in html, data
    assert logins(firm) == [] and OutboxEmail.objects.count() == 0


def test_ids_that_are_not_numbers_foreign_or_out_of_range_are_404(world, other_world, login):
    read_own_firms_only(world)
    foreign = make_portal_user(other_world, portal_firm(other_world, "Foreign Firm"))
    hidden = make_portal_user(
        world, make_firm(world.tenant, "Hidden", sales_rep=world.outsider), email="h@example.com"
    )
    client = login(world.manager)
    base = f"/o/{world.tenant.slug}/portal-access"
    for path in (
        f"{base}/logins/abc/resend/",
        f"{base}/logins/{'9' * 40}/revoke/",
        f"{base}/logins/{'9' * 19}/resend/",
        f"{base}/firms/{'9' * 30}/send/",
        f"{base}/firms/{'9' * 30}/",
    ):
        assert client.post(path).status_code in (404, 405), path
    assert client.get(f"{base}/firms/{'9' * 30}/").status_code == 404
    for target in (foreign, hidden):
        assert client.post(staff_url(world, "revoke", target.pk)).status_code == 404
        assert client.post(staff_url(world, "resend", target.pk)).status_code == 404
    with scopes_disabled():
        assert PortalUser.objects.filter(revoked_at__isnull=False).count() == 0
