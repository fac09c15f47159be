"""A real Celery worker on Redis delivers outbox rows to a real SMTP server, each row once."""

import re
import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from core import mail
from core.models import OutboxEmail
from core.tasks import deliver_email
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.integration

DELIVERED = re.compile(r"Task core\.tasks\.deliver_email\[[^\]]+\] succeeded in [^:]+: (.*)")


def delivered_results(worker):
    return DELIVERED.findall(worker.log())


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_the_invitation_over_smtp(celery_procs, smtp, world, invite, client):
    celery_procs.worker()
    address = "deniz.yilmaz@example.com"
    employee, row = invite(address)

    wait_until(lambda: smtp.handler.to(address), 20, "the SMTP server received the invitation")
    [received] = smtp.handler.to(address)
    assert received.rcpt_tos == [address]
    assert received.message["To"] == address
    assert world.tenant.name in received.subject

    # The one-time link to set a password, in both parts; it opens the set-password page.
    link = re.compile(re.escape(settings.SITE_URL) + r"(/invitation/([\w-]+)/([\w-]+)/)")
    found = link.search(received.text)
    assert found, received.text
    path, uidb64, _token = found.groups()
    assert force_str(urlsafe_base64_decode(uidb64)) == str(employee.user_id)
    assert path in received.html
    assert client.get(path).status_code == 200

    # No password: the person has none yet, and nothing that looks like one is in the mail.
    employee.user.refresh_from_db()
    assert not employee.user.has_usable_password()
    for body in (received.text, received.html):
        assert not re.search(r"password\s*[:=]\s*\S", body, re.IGNORECASE), body

    # The worker records the delivery (it commits just after the SMTP server answers).
    wait_until(
        lambda: OutboxEmail.objects.get(pk=row.pk).status == OutboxEmail.Status.SENT,
        5,
        "the row is marked sent",
    )
    row.refresh_from_db()
    assert row.attempts == 1
    assert row.sent_at is not None
    assert row.last_error == ""
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_delivering_the_same_row_twice_sends_once(world, invite, smtp, smtp_settings):
    _, row = invite("twice@example.com")

    assert mail.deliver(row.pk) == OutboxEmail.Status.SENT
    assert mail.deliver(row.pk) is None

    assert len(smtp.handler.to("twice@example.com")) == 1
    assert smtp.handler.attempts == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxEmail.Status.SENT, 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_row_send_once(world, invite, smtp, smtp_settings):
    """Two workers holding the same row's message at once: the row lock lets one send."""
    _, row = invite("race@example.com")
    smtp.handler.delay = 1.0  # the first delivery sits in DATA while the second one runs
    results = {}

    def first():
        try:
            results["first"] = mail.deliver(row.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    wait_until(lambda: smtp.handler.attempts == 1, 5, "the first delivery reached the server")
    started = time.monotonic()
    results["second"] = mail.deliver(row.pk)
    results["second_took"] = time.monotonic() - started
    thread.join(10)

    assert results["first"] == OutboxEmail.Status.SENT
    assert results["second"] is None
    assert results["second_took"] < 0.5, "the duplicate waited for the lock instead of skipping"
    assert len(smtp.handler.to("race@example.com")) == 1
    assert smtp.handler.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_worker_sends_once_however_often_the_row_is_queued(celery_procs, smtp, broker, invite):
    address = "queued-thrice@example.com"
    _, row = invite(address)  # committed: queued once after commit
    deliver_email.delay(row.pk)
    deliver_email.delay(row.pk)
    assert broker.queue_length() == 3  # three messages for one row wait in Redis

    worker = celery_procs.worker()
    wait_until(lambda: len(delivered_results(worker)) == 3, 20, "the worker ran all three")
    wait_until(
        lambda: broker.queue_length() == 0 and broker.unacked() == 0, 5, "all messages acked"
    )

    assert sorted(delivered_results(worker)) == ["'sent'", "None", "None"]
    assert len(smtp.handler.to(address)) == 1
    assert smtp.handler.attempts == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxEmail.Status.SENT, 1)
