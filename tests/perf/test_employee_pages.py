"""Benchmarks, not part of the default run: ``./kervan test tests/perf -s``.

Timings on a shared machine are noisy, so each page is measured as a ratio against a bare
Django view that returns the same bytes, in the same process and the same run: the ratio is
the price of our own work (tenancy, permissions, queries, template rendering) per request.
"""

import statistics
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from accounts.models import Employee, User
from tests.factories import department, make_world
from tests.perf.urls import BODY

EMPLOYEES = 2000
ROUNDS = 30


def seed(world, n):
    sales = department(world.tenant, "sales")
    users = User.objects.bulk_create(
        User(email=f"perf{i}@example.com", first_name="Perf", last_name=str(i)) for i in range(n)
    )
    with scope(tenant=world.tenant.pk):
        Employee.objects.bulk_create(
            Employee(
                tenant=world.tenant,
                user=user,
                first_name="Perf",
                last_name=str(i),
                position="employee",
                department=sales,
                reports_to=world.manager,
                profile=world.employee.profile,
            )
            for i, user in enumerate(users)
        )


def timed(fn, rounds=ROUNDS):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["accounts:employee-list", "accounts:employee-detail"])
def test_page_against_bare_view(page, settings):
    """Both requests pass the same middleware with the same logged-in user."""
    settings.ROOT_URLCONF = "tests.perf.urls"
    world = make_world()
    seed(world, EMPLOYEES)
    client = Client()
    client.force_login(world.executive.user)
    args = [world.tenant.slug] + ([world.employee.pk] if page.endswith("detail") else [])
    url = reverse(page, args=args)

    def ours():
        response = client.get(url)
        return b"".join(response.streaming_content) if response.streaming else response.content

    BODY["bytes"] = ours()
    baseline = timed(lambda: client.get("/bare/").content)
    ours_time = timed(ours)
    ratio = ours_time / baseline
    print(
        f"\n{page}: {EMPLOYEES} employees, {len(BODY['bytes'])} bytes, "
        f"ours {ours_time * 1000:.1f} ms, bare Django {baseline * 1000:.1f} ms, ratio {ratio:.1f}"
    )
    assert ratio < 25


@pytest.mark.django_db
def test_export_cost_per_row():
    world = make_world()
    seed(world, EMPLOYEES)
    client = Client()
    client.force_login(world.executive.user)
    url = reverse("accounts:employee-export", args=[world.tenant.slug])
    elapsed = timed(lambda: b"".join(client.get(url).streaming_content), rounds=5)
    per_row = elapsed / EMPLOYEES * 1000
    print(f"\nemployee export: {EMPLOYEES} rows in {elapsed * 1000:.0f} ms, {per_row:.3f} ms a row")
    assert per_row < 0.5
