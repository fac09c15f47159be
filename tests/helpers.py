"""Helpers shared by the test modules: hostile values, URLs, firms made for a world."""

from django.urls import reverse

from tests import factories

HOSTILE = [
    "x" * 20000,
    "nul\x00byte",
    "line\r\nBcc: victim@example.com",
    '<script>alert("x")</script>',
    "' OR 1=1 --",
    "",
    "-1",
    "99999999999999999999999",
    "²",
    "٣٤٥",
]
ALLOWED = {200, 302, 400, 403, 404}


def url(world, name, *args):
    """A ``companies:`` URL of the world's tenant."""
    return reverse(f"companies:{name}", args=[world.tenant.slug, *args])


def make_firm(world, name, **data):
    """A customer firm of the world's tenant, created by its executive."""
    firm_type = data.pop("type", "customer")
    return factories.make_firm(world.tenant, name, firm_type, actor=world.executive.user, **data)


def give_profile(world, employee, name, codes):
    """Give ``employee`` a new permission profile ``name`` holding exactly ``codes``."""
    from django_scopes import scope

    from accounts import services
    from accounts.models import Employee

    with scope(tenant=world.tenant.pk):
        profile = services.profile_save(
            tenant=world.tenant, actor=None, name=name, description="", codes=codes
        )
        Employee.objects.filter(pk=employee.pk).update(profile=profile)
    return profile
