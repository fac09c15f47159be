"""Test data: tenants with employees in every position, created outside any scope."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django_scopes import scope, scopes_disabled

from accounts import services
from accounts.models import Employee, Position, Tenant, User
from core.models import Choice

PASSWORD = "correct-horse-battery-9"


def make_user(email, first="Test", last="User", password=PASSWORD):
    user = User.objects.create_user(
        email=email, password=password, first_name=first, last_name=last
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def make_tenant(name="Acme"):
    return services.tenant_create(name=name)


def department(tenant, code="sales"):
    with scopes_disabled():
        return Choice.objects.get(tenant=tenant, list_key="department", code=code)


def make_employee(tenant, email, position=Position.EMPLOYEE, dept="sales", reports_to=None, **kw):
    first = kw.pop("first_name", email.split("@")[0].title())
    last = kw.pop("last_name", "Tester")
    user = kw.pop("user", None) or make_user(email, first, last)
    with scope(tenant=tenant.pk):
        return Employee.objects.create(
            tenant=tenant,
            user=user,
            first_name=first,
            last_name=last,
            position=position,
            department=department(tenant, dept) if dept else None,
            reports_to=reports_to,
            profile=services.default_profile(tenant=tenant, position=position),
            **kw,
        )


@dataclass
class World:
    """One tenant's people: an executive, a manager with an employee below, another employee."""

    tenant: Tenant
    executive: Employee
    manager: Employee
    employee: Employee
    outsider: Employee  # an employee in another department, not below the manager


def make_world(name="Acme", prefix="a"):
    tenant = make_tenant(name)
    executive = make_employee(
        tenant, f"{prefix}-exec@example.com", Position.EXECUTIVE, "management"
    )
    manager = make_employee(
        tenant, f"{prefix}-manager@example.com", Position.MANAGER, "sales", reports_to=executive
    )
    employee = make_employee(tenant, f"{prefix}-employee@example.com", reports_to=manager)
    outsider = make_employee(tenant, f"{prefix}-outsider@example.com", dept="support")
    return World(tenant, executive, manager, employee, outsider)


def make_firm(tenant, name, firm_type="customer", actor=None, **data):
    """A firm through the real service, with optional channels and first contact."""
    from companies.services.firms import firm_create

    channels = data.pop("channels", None)
    first_contact = data.pop("first_contact", None)
    with scope(tenant=tenant.pk):
        return firm_create(
            tenant=tenant,
            actor=actor,
            data={"name": name, "type": firm_type, **data},
            channels=channels,
            first_contact=first_contact,
        )
