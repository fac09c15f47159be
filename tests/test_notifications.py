"""In-application notifications: the bell in the navigation and the notifications page."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from core.models import Notification
from core.notifications import notify
from tests.helpers import url


def fresh(notification):
    with scope(tenant=notification.tenant_id):
        return Notification.objects.get(pk=notification.pk)


@pytest.mark.django_db
def test_the_bell_shows_unread_items_in_one_query(rf, world):
    with scope(tenant=world.tenant.pk):
        for i in range(7):
            notify(tenant=world.tenant, recipients=[world.manager], text=f"Note {i}", url="/x/")
        notify(tenant=world.tenant, recipients=[world.employee], text="Not for the manager")
        request = rf.get("/")
        request.user = world.manager.user
        with CaptureQueriesContext(connection) as ctx:
            html = render_to_string(
                "components/_notifications.html",
                {"tenant": world.tenant, "member": world.manager},
                request=request,
            )
    assert len(ctx.captured_queries) == 1
    assert 'id="notification-count">7<' in html
    assert "Note 6" in html and "Note 1" not in html  # the latest five
    assert "Not for the manager" not in html


@pytest.mark.django_db
def test_notifications_page_and_mark_as_read(client, world):
    with scope(tenant=world.tenant.pk):
        first, second = (
            notify(tenant=world.tenant, recipients=[world.employee], text=t, url=u)[0]
            for t, u in (("Go there", "/o/acme/claims/"), ("Evil", "https://evil.example.com/"))
        )
        (theirs,) = notify(tenant=world.tenant, recipients=[world.manager], text="Theirs")
    client.force_login(world.employee.user)
    page = client.get(url(world, "notifications"))
    assert "Go there" in page.text and "Theirs" not in page.text
    response = client.post(url(world, "notification-read", first.pk), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/o/acme/claims/"
    assert fresh(first).read_at is not None
    # A link off the site is never followed.
    response = client.post(url(world, "notification-read", second.pk), {"open": "1"})
    assert response["Location"] == url(world, "notifications")
    assert client.post(url(world, "notification-read", theirs.pk)).status_code == 404
    client.post(url(world, "notification-read-all"))
    assert fresh(theirs).read_at is None
