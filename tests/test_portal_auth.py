"""Portal logins: sending access, the one-time link, sessions, expiry, revocation, isolation."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.models import OutboxEmail
from portal.models import PortalEvent, PortalUser
from portal.services.access import revoke_access, send_access
from tests.portal_helpers import (
    PASSWORD,
    make_portal_user,
    portal_firm,
    portal_login,
    portal_url,
)

pytestmark = pytest.mark.django_db


def link_in(row):
    return re.search(r"https?://\S+/portal/access/\S+/", row.body_text).group(0)


def path_of(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_manager_sends_access_and_the_contact_sets_a_password_from_the_link(world, client):
    firm = portal_firm(world)
    with scope(tenant=world.tenant.pk):
        portal_user = send_access(tenant=world.tenant, actor=world.manager, firm=firm)
    assert portal_user.email == "info@portal-firm.example"
    row = OutboxEmail.objects.get(to=["info@portal-firm.example"])
    assert PASSWORD not in row.body_text and "password" in row.body_text.lower()
    link = path_of(link_in(row))

    # The token leaves the address at once: it is kept in the session.
    opened = client.get(link)
    form_page = portal_url(world, "set-password", "set")
    assert opened.status_code == 302 and opened["Location"] == form_page
    page = client.get(form_page)
    assert page.status_code == 200
    assert "info@portal-firm.example" in page.content.decode()
    assert Client().get(form_page).status_code == 400  # another browser has no token
    weak = client.post(form_page, {"password1": "short", "password2": "short"})
    assert weak.status_code == 400
    response = client.post(form_page, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == portal_url(world, "home")
    home = client.get(portal_url(world, "home"))
    assert home.status_code == 200 and "Portal Firm" in home.content.decode()

    # The link works once.
    client.post(portal_url(world, "logout"))
    again = client.get(link)
    assert again.status_code == 400 and "no longer works" in again.content.decode()
    assert client.get(form_page).status_code == 400
    with scope(tenant=world.tenant.pk):
        kinds = set(PortalEvent.objects.filter(firm=firm).values_list("kind", flat=True))
    assert kinds == {"password_set", "login"}


def test_login_with_the_password_and_the_wrong_one(world, client):
    firm = portal_firm(world)
    portal_user = make_portal_user(world, firm)
    login = portal_url(world, "login")
    wrong = client.post(login, {"email": portal_user.email, "password": "nope-nope-nope"})
    assert wrong.status_code == 400 and "do not match" in wrong.content.decode()
    right = client.post(login, {"email": portal_user.email.upper(), "password": PASSWORD})
    assert right.status_code == 302 and right["Location"] == portal_url(world, "home")
    assert client.get(portal_url(world, "home")).status_code == 200


def test_login_is_throttled_after_repeated_failures(world, client, settings):
    settings.PORTAL_LOGIN_ATTEMPTS = 3
    portal_user = make_portal_user(world, portal_firm(world))
    login = portal_url(world, "login")
    for _ in range(3):
        client.post(login, {"email": portal_user.email, "password": "wrong-password-1"})
    blocked = client.post(login, {"email": portal_user.email, "password": PASSWORD})
    assert blocked.status_code == 429 and "Too many failed attempts" in blocked.content.decode()


def test_anonymous_visitors_go_to_the_portal_login(world, client):
    response = client.get(portal_url(world, "home"))
    assert response.status_code == 302
    assert response["Location"].startswith(portal_url(world, "login") + "?next=")


def test_an_expired_login_stops_working(world, client):
    firm = portal_firm(world)
    with scope(tenant=world.tenant.pk):
        contact = firm.primary_contact
    portal_user = make_portal_user(
        world, firm, contact, expires_on=timezone.localdate() + timedelta(days=1)
    )
    portal_login(client, portal_user)
    assert client.get(portal_url(world, "home")).status_code == 200
    with scopes_disabled():
        PortalUser.objects.filter(pk=portal_user.pk).update(
            expires_on=timezone.localdate() - timedelta(days=1)
        )
    assert client.get(portal_url(world, "home")).status_code == 302  # the session ended
    refused = client.post(
        portal_url(world, "login"), {"email": portal_user.email, "password": PASSWORD}
    )
    assert refused.status_code == 400


def test_revocation_ends_open_sessions_at_once(world, client):
    firm = portal_firm(world)
    portal_user = make_portal_user(world, firm)
    portal_login(client, portal_user)
    assert client.get(portal_url(world, "home")).status_code == 200
    with scope(tenant=world.tenant.pk):
        revoke_access(tenant=world.tenant, actor=world.manager, portal_user=portal_user)
    response = client.get(portal_url(world, "home"))
    assert response.status_code == 302 and portal_url(world, "login") in response["Location"]
    refused = client.post(
        portal_url(world, "login"), {"email": portal_user.email, "password": PASSWORD}
    )
    assert refused.status_code == 400


def test_a_new_password_ends_other_sessions(world, client, django_user_model):
    from portal import auth

    portal_user = make_portal_user(world, portal_firm(world))
    portal_login(client, portal_user)
    with scope(tenant=world.tenant.pk):
        auth.set_password(portal_user, "Another-pass-2026!")
    assert client.get(portal_url(world, "home")).status_code == 302


def test_portal_users_get_404_on_staff_pages_and_other_tenants(world, other_world, client):
    portal_user = make_portal_user(world, portal_firm(world))
    portal_login(client, portal_user)
    slug = world.tenant.slug
    for url in (
        reverse("accounts:home", args=[slug]),
        reverse("companies:firm-list", args=[slug]),
        reverse("accounts:landing"),
        reverse("account_login"),
        reverse("portal:home", args=[other_world.tenant.slug]),
    ):
        assert client.get(url).status_code == 404, url


def test_a_staff_login_ends_the_portal_session(world, rf):
    from django.contrib.auth import login as staff_login
    from django.contrib.sessions.backends.db import SessionStore

    from portal import auth

    portal_user = make_portal_user(world, portal_firm(world))
    request = rf.get("/")
    request.session = SessionStore()
    with scope(tenant=world.tenant.pk):
        auth.log_in(request, portal_user)
    assert auth.has_portal_session(request)
    user = world.employee.user
    user.backend = "django.contrib.auth.backends.ModelBackend"
    staff_login(request, user)
    assert not auth.has_portal_session(request)
    assert request.portal_user is None


def test_only_managers_with_the_right_send_access_and_only_to_eligible_firms(world):
    firm = portal_firm(world)
    bare = portal_firm(world, "No Invoice Yet", invoice=False)
    with scope(tenant=world.tenant.pk):
        with pytest.raises(PermissionDenied):
            send_access(tenant=world.tenant, actor=world.employee, firm=firm)
        world.manager.profile.codes = [c for c in world.manager.profile.codes
                                       if c != "portal.send_access"]  # fmt: skip
        world.manager.profile.save()
        manager = type(world.manager).objects.get(pk=world.manager.pk)
        with pytest.raises(PermissionDenied):
            send_access(tenant=world.tenant, actor=manager, firm=firm)
        with pytest.raises(ValidationError, match="invoice or a contract"):
            send_access(tenant=world.tenant, actor=world.executive, firm=bare)
        assert send_access(tenant=world.tenant, actor=world.executive, firm=firm).pk
    assert OutboxEmail.objects.count() == 1


def test_contact_login_uses_the_contacts_address_and_language(world):
    firm = portal_firm(world)
    with scope(tenant=world.tenant.pk):
        contact = firm.primary_contact
        portal_user = send_access(
            tenant=world.tenant, actor=world.manager, firm=firm, contact=contact,
            expires_on=timezone.localdate() + timedelta(days=30),
        )  # fmt: skip
        assert portal_user.email == "ayse@portal-firm.example"
        assert portal_user.language == "tr"
        with pytest.raises(ValidationError):
            send_access(
                tenant=world.tenant, actor=world.manager, firm=firm, contact=contact,
                email="someone@else.example",
            )  # fmt: skip
    row = OutboxEmail.objects.get(to=["ayse@portal-firm.example"])
    assert "müşteri portalı" in row.subject.lower() or "portal" in row.subject.lower()


def test_forgot_password_sends_a_link_only_for_working_logins(world, client):
    portal_user = make_portal_user(world, portal_firm(world))
    with scopes_disabled():
        PortalUser.objects.filter(pk=portal_user.pk).update(
            link_sent_at=timezone.now() - timedelta(hours=1)
        )
    url = portal_url(world, "forgot-password")
    for email in ("nobody@example.com", portal_user.email):
        response = client.post(url, {"email": email})
        assert response.status_code == 302
    assert list(OutboxEmail.objects.values_list("to", flat=True)) == [[portal_user.email]]


HOSTILE = ["\x00", "a" * 5000, "<script>alert(1)</script>@x.example", "x\r\nBcc: evil@example.com"]


def test_hostile_input_on_the_portal_forms_is_refused_with_a_message(world, client):
    portal_user = make_portal_user(world, portal_firm(world))
    token_page = portal_url(world, "set-password", "not-a-token")
    for value in HOSTILE:
        login = client.post(portal_url(world, "login"), {"email": value, "password": value})
        assert login.status_code == 400, value
        assert "<script>alert(1)</script>" not in login.content.decode()
        forgot = client.post(portal_url(world, "forgot-password"), {"email": value})
        assert forgot.status_code == 400, value
        assert client.post(token_page, {"password1": value, "password2": value}).status_code == 400
        language = client.post(portal_url(world, "language"), {"language": value, "next": value})
        assert language.status_code == 302 and language["Location"] == portal_url(world, "home")
    assert OutboxEmail.objects.count() == 0
    # The login still works afterwards (the failures above used other addresses).
    response = client.post(
        portal_url(world, "login"), {"email": portal_user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
