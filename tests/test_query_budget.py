"""List and detail pages run a fixed number of queries, however many rows there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_employee


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_people(world, n):
    for i in range(n):
        make_employee(world.tenant, f"p{i}@example.com", reports_to=world.manager)


BUDGETS = {"accounts:employee-list": 12, "accounts:employee-detail": 14}


@pytest.mark.django_db
def test_export_query_count_does_not_grow(client, world):
    client.force_login(world.executive.user)
    url = reverse("accounts:employee-export", args=[world.tenant.slug])

    def export_queries():
        with CaptureQueriesContext(connection) as ctx:
            b"".join(client.get(url).streaming_content)
        return len(ctx.captured_queries)

    few = export_queries()
    add_people(world, 50)
    assert export_queries() == few


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BUDGETS))
def test_page_query_count_does_not_grow(name, client, world):
    client.force_login(world.executive.user)
    args = [world.tenant.slug] + ([world.employee.pk] if "detail" in name else [])
    url = reverse(name, args=args)
    few = count_queries(client, url)
    add_people(world, 50)
    many = count_queries(client, url)
    assert few == many, f"{few} queries with 1 employee, {many} with 50"
    assert many <= BUDGETS[name]


@pytest.mark.django_db
def test_history_and_documents_tabs_have_budgets(client, world):
    client.force_login(world.executive.user)
    for name in ("accounts:employee-history", "accounts:employee-documents"):
        url = reverse(name, args=[world.tenant.slug, world.employee.pk])
        assert count_queries(client, url) <= 14, name
