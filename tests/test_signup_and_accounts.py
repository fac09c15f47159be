import re

import pytest
from django.urls import reverse
from django_scopes import scope

from accounts.models import Employee, Tenant
from core.models import Choice, OutboxEmail

SIGNUP = {
    "company_name": "Anadolu Dağıtım A.Ş.",
    "first_name": "Selin",
    "last_name": "Aydın",
    "email": "selin@anadolu.example",
    "password1": "Uzun-ve-guclu-parola-42",
    "password2": "Uzun-ve-guclu-parola-42",
}


def link_in(mail, fragment):
    return next(url for url in re.findall(r"https?://\S+", mail.body_text) if fragment in url)


@pytest.mark.django_db
def test_signup_verify_and_land_in_the_new_tenant(client):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    tenant = Tenant.objects.get(name="Anadolu Dağıtım A.Ş.")
    assert tenant.slug == "anadolu-dagitim-as"
    with scope(tenant=tenant.pk):
        executive = Employee.objects.get(tenant=tenant)
        assert executive.position == "executive"
        assert Choice.objects.filter(list_key="department").count() == 5
    # Not logged in before the address is verified.
    assert client.get(reverse("accounts:home", args=[tenant.slug])).status_code == 302

    mail = OutboxEmail.objects.get(to=["selin@anadolu.example"])
    confirm = link_in(mail, "/accounts/confirm-email/").replace("http://testserver", "")
    assert client.get(confirm).status_code == 200
    response = client.post(confirm, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:home", args=[tenant.slug])
    assert "Good day, Selin" in response.text


@pytest.mark.django_db
def test_signup_can_be_switched_off(client, settings):
    settings.SIGNUP_ENABLED = False
    response = client.post(reverse("account_signup"), SIGNUP)
    assert not Tenant.objects.exists()
    assert "closed" in client.get(reverse("account_signup")).text.lower()
    assert response.status_code == 200


@pytest.mark.django_db
def test_signup_with_hostile_company_name_is_a_form_error(client):
    data = {**SIGNUP, "company_name": "x" * 500 + "\x00"}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert not Tenant.objects.exists()


@pytest.mark.django_db
def test_password_reset_goes_through_the_outbox(client, world):
    response = client.post(reverse("account_reset_password"), {"email": world.employee.user.email})
    assert response.status_code == 302
    mail = OutboxEmail.objects.get(to=[world.employee.user.email])
    assert "/accounts/password/reset/key/" in mail.body_text


@pytest.mark.django_db
def test_failed_logins_are_logged_and_throttled(client, world, caplog, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    caplog.set_level("WARNING", logger="kervan.security")
    for _ in range(4):
        response = client.post(
            reverse("account_login"), {"login": world.employee.user.email, "password": "wrong"}
        )
    assert "Failed login" in caplog.text
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.text


@pytest.mark.django_db
def test_login_with_email(client, world):
    from tests.factories import PASSWORD

    response = client.post(
        reverse("account_login"), {"login": world.employee.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:home", args=[world.tenant.slug])).status_code == 200


@pytest.mark.django_db
def test_two_factor_setup_asks_for_the_password_then_shows_the_authenticator_form(client, world):
    from tests.factories import PASSWORD

    client.force_login(world.employee.user)
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    assert "Confirm Access" in page.text
    page = client.post(
        reverse("account_reauthenticate"),
        {"password": PASSWORD, "next": reverse("mfa_activate_totp")},
        follow=True,
    )
    assert page.status_code == 200
    assert "Authenticator" in page.text and 'name="code"' in page.text


@pytest.mark.django_db
def test_language_and_time_zone_per_user(client, world):
    client.force_login(world.employee.user)
    response = client.post(
        reverse("accounts:preferences"), {"language": "tr", "time_zone": "Asia/Tehran"}
    )
    assert response.status_code == 302
    page = client.get(reverse("accounts:home", args=[world.tenant.slug]))
    assert '<html lang="tr"' in page.text
    assert "Asia/Tehran" in page.text


@pytest.mark.django_db
def test_right_to_left_language_switches_layout(client, world):
    client.force_login(world.employee.user)
    client.post(reverse("accounts:language"), {"language": "fa", "next": "/"})
    page = client.get(reverse("accounts:home", args=[world.tenant.slug]))
    assert 'dir="rtl"' in page.text and "bootstrap.rtl.min.css" in page.text


@pytest.mark.django_db
def test_language_switch_refuses_foreign_redirects(client):
    response = client.post(
        reverse("accounts:language"), {"language": "tr", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
