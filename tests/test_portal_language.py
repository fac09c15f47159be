"""The portal speaks the contact's language (English and Turkish at least)."""

import pytest
from django.utils import timezone
from django_scopes import scope

from core.models import OutboxEmail
from portal.models import PortalUser
from portal.services.access import send_access
from tests.portal_helpers import make_portal_user, portal_firm, portal_login, portal_url

pytestmark = pytest.mark.django_db


def test_a_turkish_contact_gets_the_access_email_and_the_portal_in_turkish(world, client):
    firm = portal_firm(world)
    with scope(tenant=world.tenant.pk):
        contact = firm.primary_contact  # speaks Turkish (tests.portal_helpers)
        portal_user = send_access(tenant=world.tenant, actor=world.manager, firm=firm,
                                  contact=contact)  # fmt: skip
    assert portal_user.language == "tr"
    row = OutboxEmail.objects.get(to=[portal_user.email])
    assert "müşteri portalı erişiminiz" in row.subject
    assert "Parolanızı bu bağlantıyla belirleyin" in row.body_text

    portal_login(client, portal_user)
    with scope(tenant=world.tenant.pk):
        PortalUser.objects.filter(pk=portal_user.pk).update(activated_at=timezone.now())
    page = client.get(portal_url(world, "home")).content.decode()
    assert '<html lang="tr"' in page
    assert "Hoş geldiniz, Ayşe Demir" in page
    assert "Müşteri portalı" in page


def test_the_firm_login_follows_the_company_language_and_can_switch(world, client):
    world.tenant.language = "en"
    world.tenant.save()
    portal_user = make_portal_user(world, portal_firm(world))
    portal_login(client, portal_user)
    assert "Welcome, " in client.get(portal_url(world, "home")).content.decode()
    response = client.post(
        portal_url(world, "language"), {"language": "tr", "next": portal_url(world, "home")}
    )
    assert response.status_code == 302 and response["Location"] == portal_url(world, "home")
    portal_user.refresh_from_db()
    assert portal_user.language == "tr"
    assert "Hoş geldiniz" in client.get(portal_url(world, "home")).content.decode()


def test_the_language_switch_refuses_foreign_next_addresses(world, client):
    response = client.post(
        portal_url(world, "language"), {"language": "tr", "next": "https://evil.example/"}
    )
    assert response["Location"] == portal_url(world, "home")
    login = client.get(portal_url(world, "login"))
    assert "Müşteri portalına giriş" in login.content.decode()
