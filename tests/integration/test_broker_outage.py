"""A dead broker or a lost message loses no e-mail and never holds up a web request."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Position
from core import mail
from core.models import OutboxEmail
from tests.factories import department
from tests.integration.conftest import publish_to, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_employee_create_answers_fast_with_redis_down_and_the_mail_goes_out_later(
    celery_procs, broker, smtp, world, login
):
    client = login(world.executive)
    url = reverse("accounts:employee-create", kwargs={"tenant_slug": world.tenant.slug})
    address = "during-outage@example.com"
    broker.stop()

    started = time.monotonic()
    response = client.post(
        url,
        {
            "first_name": "Ayse",
            "last_name": "Kaya",
            "email": address,
            "position": Position.EMPLOYEE,
            "department": department(world.tenant).pk,
        },
    )
    elapsed = time.monotonic() - started

    assert response.status_code == 302, response.content.decode()[:3000]
    assert elapsed < 2, f"employee-create took {elapsed:.2f} s with the broker down"
    [row] = OutboxEmail.objects.filter(to__contains=[address])
    assert row.status == OutboxEmail.Status.PENDING
    assert row.queued_at is None, "the row must say it never reached the broker"

    # Redis comes back on the same port; the worker and beat (sweeping every second) catch up.
    broker.start()
    celery_procs.worker()
    celery_procs.beat()
    wait_until(lambda: smtp.handler.to(address), 20, "the invitation was delivered")
    time.sleep(1.5)  # more sweeps: it must not go out twice
    assert len(smtp.handler.to(address)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxEmail.Status.SENT, 1)


def _row(key, **fields):
    return OutboxEmail.objects.create(
        idempotency_key=f"test:{key}",
        from_email="Kervan CRM <noreply@localhost>",
        to=[f"{key}@example.com"],
        subject=f"Message {key}",
        body_text=f"Hello {key}",
        **fields,
    )


def test_sweeper_requeues_what_the_broker_lost_and_nothing_else(celery_procs, smtp):
    now = timezone.now()
    long_ago = now - timedelta(minutes=10)
    # Due: the sweeper must hand these to the worker.
    _row("lost-message", queued_at=long_ago, created_at=long_ago)
    _row("never-queued", queued_at=None, created_at=now - timedelta(minutes=1))
    _row(
        "retry-due",
        status=OutboxEmail.Status.RETRYING,
        attempts=1,
        next_attempt_at=now - timedelta(seconds=1),
        queued_at=long_ago,
        created_at=long_ago,
    )
    # Not due: finished rows, a retry for later, a row whose message is (presumably) in flight.
    _row("sent", status=OutboxEmail.Status.SENT, attempts=1, sent_at=long_ago, queued_at=long_ago)
    _row("failed", status=OutboxEmail.Status.FAILED, attempts=1, queued_at=long_ago)
    _row(
        "retry-later",
        status=OutboxEmail.Status.RETRYING,
        attempts=1,
        next_attempt_at=now + timedelta(hours=1),
        queued_at=long_ago,
    )
    _row("in-flight", queued_at=now, created_at=now)

    celery_procs.worker()
    celery_procs.beat()
    due = {"lost-message", "never-queued", "retry-due"}
    wait_until(
        lambda: {r.rcpt_tos[0].split("@")[0] for r in list(smtp.messages)} == due,
        20,
        f"the sweeper re-queued {sorted(due)}",
    )
    time.sleep(1.5)  # a few more sweeps

    assert sorted(r.rcpt_tos[0].split("@")[0] for r in smtp.messages) == sorted(due)
    statuses = dict(OutboxEmail.objects.values_list("idempotency_key", "status"))
    assert statuses == {
        "test:lost-message": "sent",
        "test:never-queued": "sent",
        "test:retry-due": "sent",
        "test:sent": "sent",
        "test:failed": "failed",
        "test:retry-later": "retrying",
        "test:in-flight": "pending",
    }


def test_worker_keeps_delivering_after_redis_restarts(celery_procs, broker, smtp, invite):
    worker = celery_procs.worker()
    broker.stop()
    time.sleep(0.5)  # the worker notices the lost connection
    broker.start()
    publish_to(broker.url)  # this process's pooled connections died with the old Redis

    _, row = invite("after-restart@example.com")
    wait_until(
        lambda: smtp.handler.to("after-restart@example.com"),
        20,
        "the worker reconnected and delivered",
    )
    assert worker.alive
    wait_until(
        lambda: OutboxEmail.objects.get(pk=row.pk).status == OutboxEmail.Status.SENT,
        5,
        "row sent",
    )


def test_sweep_with_the_broker_down_loses_nothing(world, invite, broker, smtp, smtp_settings):
    """A sweep that cannot reach the broker leaves the rows for the next sweep."""
    _, row = invite("sweep-down@example.com")  # queued (broker up)
    OutboxEmail.objects.filter(pk=row.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    broker.stop()

    started = time.monotonic()
    assert mail.sweep() == 0
    assert time.monotonic() - started < 2
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.PENDING
    assert row.queued_at is None  # the next sweep will pick it up again
    assert mail.deliver(row.pk) == OutboxEmail.Status.SENT


def test_employee_create_answers_fast_with_redis_hung(broker, world, login):
    """A broker that accepts connections but never answers (hung, or a network partition)
    must not hold up the request any longer than a stopped one."""
    client = login(world.executive)
    url = reverse("accounts:employee-create", kwargs={"tenant_slug": world.tenant.slug})
    broker.freeze()

    started = time.monotonic()
    response = client.post(
        url,
        {
            "first_name": "Ayse",
            "last_name": "Kaya",
            "email": "hung-broker@example.com",
            "position": Position.EMPLOYEE,
        },
    )
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    [row] = OutboxEmail.objects.filter(to__contains=["hung-broker@example.com"])
    assert row.queued_at is None  # left for the sweeper
    assert elapsed < 2, f"employee-create took {elapsed:.2f} s with the broker hung"


def test_a_worker_killed_mid_delivery_loses_nothing(celery_procs, smtp, invite):
    """The worker dies while talking to the SMTP server: its transaction rolls back, the lock
    goes with it, and the sweeper hands the stuck row to another worker."""
    address = "worker-killed@example.com"
    smtp.handler.delay, smtp.handler.delay_stage = 30, "rcpt"  # hold it before acceptance
    worker = celery_procs.worker()
    _, row = invite(address)
    wait_until(lambda: smtp.handler.attempts == 1, 10, "the worker is talking to the server")
    worker.kill()

    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxEmail.Status.PENDING, 0)
    assert smtp.messages == []

    # Its message died with the worker (unacked until Redis' visibility timeout, an hour).
    # Two minutes later the sweeper calls it stuck; skip the wait by ageing queued_at.
    smtp.handler.delay = 0
    OutboxEmail.objects.filter(pk=row.pk).update(
        queued_at=timezone.now() - mail.STUCK_AFTER - timedelta(seconds=1)
    )
    celery_procs.worker()
    celery_procs.beat()
    wait_until(lambda: smtp.handler.to(address), 20, "the sweeper re-queued the stuck row")
    time.sleep(1.5)
    assert len(smtp.handler.to(address)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxEmail.Status.SENT, 1)
