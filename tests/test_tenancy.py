import pytest
from django.urls import reverse
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from accounts.models import Employee, EmployeeDocument, PermissionProfile
from core.models import AuditEntry, Choice
from core.tasks import TenantTask
from crm.celery import app


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", [Employee, EmployeeDocument, PermissionProfile, Choice, AuditEntry]
)
def test_query_without_scope_raises(model, world):
    with pytest.raises(ScopeError):
        list(model.objects.all())


@pytest.mark.django_db
def test_scope_shows_only_that_tenants_rows(world, other_world):
    with scope(tenant=world.tenant.pk):
        emails = set(Employee.objects.values_list("user__email", flat=True))
    assert emails and all(email.startswith("a-") for email in emails)


@pytest.mark.django_db
def test_unknown_tenant_is_404_for_members_and_login_for_anonymous(client, world):
    url = "/o/no-such-company/"
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(world.executive.user)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_another_tenants_object_is_404_inside_own_tenant(client, world, other_world):
    client.force_login(world.executive.user)
    url = reverse("accounts:employee-detail", args=[world.tenant.slug, other_world.employee.pk])
    assert client.get(url).status_code == 404


def test_tenant_task_runs_in_the_tenants_scope(db, world):
    seen = {}

    def probe(*, tenant_id=None):
        seen["count"] = Employee.objects.filter(tenant_id=tenant_id).count()

    task = app.task(probe, base=TenantTask, name="tests.tenancy.probe")
    task(tenant_id=world.tenant.pk)
    assert seen["count"] == 4
    with pytest.raises(ValueError):
        task()


@pytest.mark.django_db
def test_user_in_two_tenants_picks_one(client, world, other_world):
    from tests.factories import make_employee

    make_employee(other_world.tenant, "x@example.com", user=world.employee.user)
    client.force_login(world.employee.user)
    response = client.get(reverse("accounts:tenant-picker"))
    assert response.status_code == 200
    assert "Acme" in response.text and "Globex" in response.text
    assert client.get(reverse("accounts:home", args=[other_world.tenant.slug])).status_code == 200


@pytest.mark.django_db
def test_single_tenant_user_goes_straight_in(client, world):
    client.force_login(world.employee.user)
    response = client.get(reverse("accounts:tenant-picker"))
    assert response["Location"] == reverse("accounts:home", args=[world.tenant.slug])


@pytest.mark.django_db
def test_site_operators_admin_lists_tenant_models(client, world):
    from accounts.models import User

    operator = User.objects.create_superuser(email="ops@example.com", password="x")
    client.force_login(operator)
    for model in ("employee", "permissionprofile", "tenant", "user"):
        assert client.get(f"/admin/accounts/{model}/").status_code == 200, model
    assert client.get(f"/admin/accounts/employee/{world.employee.pk}/change/").status_code == 200
    for model in ("choice", "auditentry", "outboxemail"):
        assert client.get(f"/admin/core/{model}/").status_code == 200, model
    client.force_login(world.executive.user)  # tenant executives are not site operators
    assert client.get("/admin/accounts/employee/").status_code == 302
