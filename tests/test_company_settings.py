"""The company's own settings: name, language, currency and whether employees read every firm."""

import pytest
from django.urls import reverse
from django_scopes import scope

from accounts.models import Tenant
from core.models import AuditEntry
from tests.helpers import ALLOWED, HOSTILE


def page(world):
    return reverse("accounts:company-settings", args=[world.tenant.slug])


def form(world, **changes):
    return {
        "name": world.tenant.name,
        "language": "tr",
        "currency": "EUR",
        "employees_read_all_firms": "",
        **changes,
    }


@pytest.mark.django_db
def test_executive_changes_currency_and_firm_visibility(client, world):
    client.force_login(world.executive.user)
    assert world.tenant.employees_read_all_firms
    response = client.post(page(world), form(world), follow=True)
    assert "The company settings are saved." in response.content.decode()
    tenant = Tenant.objects.get(pk=world.tenant.pk)
    assert (tenant.currency, tenant.language, tenant.employees_read_all_firms) == (
        "EUR",
        "tr",
        False,
    )
    with scope(tenant=tenant.pk):
        entry = AuditEntry.objects.filter(tenant=tenant, subject_type="accounts.tenant").first()
    assert {change["field"] for change in entry.changes} >= {"currency", "language"}


@pytest.mark.django_db
def test_employee_and_manager_cannot(client, world):
    for member in (world.employee, world.manager):
        client.force_login(member.user)
        assert client.post(page(world), form(world)).status_code == 403
    assert Tenant.objects.get(pk=world.tenant.pk).currency == world.tenant.currency


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "language", "currency"])
def test_hostile_values_change_nothing(client, world, field):
    client.force_login(world.executive.user)
    for value in HOSTILE:
        before = Tenant.objects.values().get(pk=world.tenant.pk)
        response = client.post(page(world), form(world, **{field: value}))
        assert response.status_code in ALLOWED
        if response.status_code == 400:
            assert Tenant.objects.values().get(pk=world.tenant.pk) == before
