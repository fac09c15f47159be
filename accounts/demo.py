"""The demo tenant: departments, employees in every position, printed logins."""

from django.db import transaction
from django_scopes import scope

from accounts import services
from accounts.models import Employee, Position, Tenant, User
from core import choices
from core.models import Choice

DEMO_SLUG = "demo"
DEMO_PASSWORD = "kervan-demo-2026"

# (first, last, e-mail, position, department code, reports-to e-mail)
PEOPLE = [
    ("Ayşe", "Yılmaz", "ayse@demo.kervan.test", Position.EXECUTIVE, "management", None),
    ("Mehmet", "Demir", "mehmet@demo.kervan.test", Position.EXECUTIVE_MANAGER, "sales", "ayse"),
    ("Zeynep", "Kaya", "zeynep@demo.kervan.test", Position.MANAGER, "sales", "mehmet"),
    ("Can", "Öztürk", "can@demo.kervan.test", Position.EMPLOYEE, "sales", "zeynep"),
    ("Elif", "Şahin", "elif@demo.kervan.test", Position.MANAGER, "support", "ayse"),
    ("Emre", "Çelik", "emre@demo.kervan.test", Position.EMPLOYEE, "support", "elif"),
]


@transaction.atomic
def load_demo():
    """Create the demo tenant once; return ``(tenant, [(email, position)])``."""
    tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
    if tenant is None:
        tenant = services.tenant_create(name="Kervan Demo", language="en")
        Tenant.objects.filter(pk=tenant.pk).update(slug=DEMO_SLUG)
        tenant.refresh_from_db()
    logins = []
    with scope(tenant=tenant.pk):
        choices.ensure_defaults(tenant=tenant)
        by_key = {}
        for first, last, email, position, department, manager in PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
                )
                user.emailaddress_set.create(email=email, primary=True, verified=True)
            employee = Employee.objects.filter(tenant=tenant, user=user).first()
            if employee is None:
                employee = Employee.objects.create(
                    tenant=tenant,
                    user=user,
                    first_name=first,
                    last_name=last,
                    position=position,
                    department=Choice.objects.get(
                        tenant=tenant, list_key="department", code=department
                    ),
                    reports_to=by_key.get(manager),
                    profile=services.default_profile(tenant=tenant, position=position),
                )
            by_key[email.split("@")[0]] = employee
            logins.append((email, position.label))
    return tenant, logins
