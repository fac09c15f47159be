"""The frame of every tenant page: the main menu, the bell and the reminder banner.

The bell and the banner learn from the membership query whether they have anything to show
(``core.badges``), so an empty frame costs no query of its own; the menu is rendered once per
company, permission set, language and section (``core.navigation``).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from accounts.selectors import membership_for
from agenda.services import reminders as agenda_services
from core import badges
from core.notifications import notifications_mark_all_read, notify
from tests.helpers import give_profile, url


def search_page(world):
    """A tenant page with no query of its own: only the frame."""
    return url(world, "search")


def queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.django_db
def test_an_empty_frame_runs_no_query_of_its_own(client, world):
    client.force_login(world.employee.user)
    empty, html = queries(client, search_page(world))
    assert 'id="notification-count"' not in html and "No new notifications." in html
    assert "Call the dealer" not in html
    with scope(tenant=world.tenant.pk):
        notify(tenant=world.tenant, recipients=[world.employee], text="Offer accepted")
        agenda_services.reminder_create(
            tenant=world.tenant, actor=world.manager, text="Call the dealer",
            due_at=timezone.now() - timedelta(minutes=1), recipients=[world.employee],
        )  # fmt: skip
    full, html = queries(client, search_page(world))
    assert full == empty + 2  # the bell's items and the due reminders
    assert 'id="notification-count">1<' in html and "Offer accepted" in html
    assert "Call the dealer" in html
    with scope(tenant=world.tenant.pk):
        notifications_mark_all_read(tenant=world.tenant, member=world.employee)
    read, html = queries(client, search_page(world))
    assert read == empty + 1 and 'id="notification-count"' not in html
    assert "Call the dealer" in html


@pytest.mark.django_db
def test_the_flags_are_about_the_member_and_their_tenant(world, other_world):
    with scope(tenant=other_world.tenant.pk):
        notify(tenant=other_world.tenant, recipients=[other_world.employee], text="Elsewhere")
    with scope(tenant=world.tenant.pk):
        notify(tenant=world.tenant, recipients=[world.manager], text="For the manager")
    _tenant, employee = membership_for(world.employee.user, world.tenant.slug)
    _tenant, manager = membership_for(world.manager.user, world.tenant.slug)
    assert employee.has_unread_notifications is False
    assert manager.has_unread_notifications is True
    assert employee.has_due_reminders is False


@pytest.mark.django_db
def test_the_flags_are_trusted_on_safe_requests_only(world):
    _tenant, member = membership_for(world.employee.user, world.tenant.slug)
    factory = RequestFactory()
    for request, trusted in ((factory.get("/"), True), (factory.head("/"), True),
                             (factory.post("/"), False)):  # fmt: skip
        request.member = member
        assert badges.says_none(request, "unread_notifications") is trusted
    request = factory.get("/")
    assert badges.says_none(request, "unread_notifications") is False  # no member: ask
    assert badges.says_none(None, "unread_notifications") is False


@pytest.mark.django_db
def test_the_menu_follows_permissions_language_and_section(client, world):
    home = reverse("accounts:home", args=[world.tenant.slug])
    client.force_login(world.executive.user)
    html = client.get(home).content.decode()
    assert (
        "Administration" in html and reverse("accounts:settings", args=[world.tenant.slug]) in html
    )
    # The same menu is kept for the executive; the employee has another.
    give_profile(world, world.employee, "Firms only", ["firms.view"])
    client.force_login(world.employee.user)
    html = client.get(home).content.decode()
    assert "Administration" not in html and "Employees" not in html
    assert url(world, "firm-list") in html
    assert f'class="nav-link active" href="{home}"' in html
    html = client.get(url(world, "firm-list")).content.decode()
    assert 'class="nav-link dropdown-toggle active"' in html
    assert f'class="nav-link active" href="{home}"' not in html
    world.employee.user.language = "tr"
    world.employee.user.save(update_fields=["language"])
    html = client.get(home).content.decode()
    assert "Firmalar" in html and "Tüm firmalar" in html
