import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_render_for_executive(world, login):
    client = login(world.executive)
    slug = world.tenant.slug
    pk = world.employee.pk
    for name, kwargs in [
        ("accounts:home", {}),
        ("accounts:employee-list", {}),
        ("accounts:employee-create", {}),
        ("accounts:employee-detail", {"pk": pk}),
        ("accounts:employee-edit", {"pk": pk}),
        ("accounts:employee-status", {"pk": pk}),
        ("accounts:employee-history", {"pk": pk}),
        ("accounts:employee-documents", {"pk": pk}),
        ("accounts:profile-list", {}),
        ("accounts:profile-create", {}),
        ("accounts:settings", {}),
        ("accounts:settings-list", {"list_key": "department"}),
        ("accounts:outbox", {}),
    ]:
        response = client.get(reverse(name, kwargs={"tenant_slug": slug, **kwargs}))
        assert response.status_code == 200, name
