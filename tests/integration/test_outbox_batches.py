"""The outbox's batch path against a real SMTP server, Redis and a real worker: rows written
together go to the broker in messages of ``mail.DELIVERY_BATCH`` ids; one task delivers a
message's rows over one SMTP connection, each row under its own lock, with the single-row
rules for errors (tests/test_outbox_batches.py has the locking without SMTP)."""

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.utils import timezone

from core import mail
from core.models import OutboxEmail
from tests.integration.conftest import (
    SMTPHandler,
    decode_message,
    running_smtp,
    wait_until,
)

pytestmark = [pytest.mark.integration]


@dataclass
class CountingHandler(SMTPHandler):
    """Also notes the client end of the connection of every message offered."""

    peers: list = field(default_factory=list)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.peers.append(session.peer)
        return await super().handle_MAIL(server, session, envelope, address, mail_options)

    @property
    def connections(self):
        return len(set(self.peers))


@pytest.fixture
def smtp():
    """This module's SMTP server (``smtp_settings`` and ``celery_procs`` use it too)."""
    with running_smtp(CountingHandler()) as controller:
        yield controller


def messages(count, prefix="batch"):
    return [
        {
            "key": f"{prefix}:{n}",
            "to": [f"person{n}@example.com"],
            "subject": f"Message {n}",
            "body_text": "b",
        }
        for n in range(count)
    ]


def received_ids(smtp):
    return sorted(str(m.message["Message-ID"]) for m in smtp.handler.messages)


@pytest.mark.django_db(transaction=True)
def test_rows_reach_the_broker_after_commit_in_batches_of_ids(broker):
    with transaction.atomic():
        rows = mail.enqueue_many(messages(120))
        assert broker.queue_length() == 0, "published before the transaction committed"
    ids = [row.pk for row in rows]
    queued = [decode_message(m)[:2] for m in broker.queued_messages()]
    assert sorted(queued, key=lambda item: item[1][0]) == [
        ("core.tasks.deliver_emails", [ids[0:50]]),
        ("core.tasks.deliver_emails", [ids[50:100]]),
        ("core.tasks.deliver_emails", [ids[100:120]]),
    ]
    assert not OutboxEmail.objects.filter(pk__in=ids, queued_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_batch_with_the_broker_down_waits_for_the_sweeper(broker):
    broker.stop()
    with transaction.atomic():
        rows = mail.enqueue_many(messages(3))
    assert OutboxEmail.objects.filter(pk__in=[r.pk for r in rows], queued_at=None).count() == 3


@pytest.mark.django_db
def test_one_connection_for_a_batch(smtp, smtp_settings):
    rows = mail.enqueue_many(messages(20))
    assert mail.deliver_many([row.pk for row in rows]) == {"sent": 20}
    assert len(smtp.handler.messages) == 20
    assert smtp.handler.connections == 1
    assert received_ids(smtp) == sorted(mail.message_id(row) for row in rows)


@pytest.mark.django_db
def test_a_transient_error_retries_only_that_row(smtp, smtp_settings, broker):
    rows = mail.enqueue_many(messages(5))
    smtp.handler.fail_next(1, reply="451 4.3.0 Try again later", stage="rcpt")
    assert mail.deliver_many([row.pk for row in rows]) == {"retrying": 1, "sent": 4}
    by_status = {
        row.idempotency_key: row for row in OutboxEmail.objects.filter(pk__in=[r.pk for r in rows])
    }
    first = by_status["batch:0"]
    assert (first.status, first.attempts) == (OutboxEmail.Status.RETRYING, 1)
    assert "451" in first.last_error and first.next_attempt_at > timezone.now()
    for key in ("batch:1", "batch:2", "batch:3", "batch:4"):
        assert (by_status[key].status, by_status[key].attempts) == ("sent", 1)
    assert smtp.handler.connections == 1  # the refusal did not cost the connection
    # Only that row waits for its retry: one single-row message with a countdown.
    [(task, args, eta)] = [decode_message(m) for m in broker.queued_messages()]
    assert (task, args) == ("core.tasks.deliver_email", [first.pk]) and eta

    # An early duplicate of the batch skips it (its backoff has not run out) ...
    assert mail.deliver_many([row.pk for row in rows]) == {"skipped": 5}
    # ... and once it is due it goes, once.
    OutboxEmail.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    assert mail.deliver(first.pk) == OutboxEmail.Status.SENT
    assert len(smtp.handler.to("person0@example.com")) == 1


@pytest.mark.django_db
def test_a_permanent_error_fails_only_that_row(smtp, smtp_settings, broker):
    rows = mail.enqueue_many(messages(3))
    smtp.handler.fail_next(1, reply="550 5.1.1 No such user", stage="data")
    assert mail.deliver_many([row.pk for row in rows]) == {"failed": 1, "sent": 2}
    assert broker.queue_length() == 0, "a permanent failure must not schedule a retry"


@pytest.mark.django_db
def test_a_dropped_connection_is_opened_again(smtp, smtp_settings, broker):
    """A ``421`` makes the client close the connection: that row retries later, the next rows
    go over a new connection."""
    rows = mail.enqueue_many(messages(4))
    original = smtp.handler._failure

    def drop_second(stage):
        if stage == "data" and len(smtp.handler.peers) == 2:  # the second message
            return "421 4.4.2 Closing connection"
        return original(stage)

    smtp.handler._failure = drop_second
    outcome = mail.deliver_many([row.pk for row in rows])
    assert outcome == {"sent": 3, "retrying": 1}
    assert smtp.handler.connections == 2
    second = OutboxEmail.objects.get(pk=rows[1].pk)
    assert second.status == OutboxEmail.Status.RETRYING and "421" in second.last_error
    assert len(smtp.handler.messages) == 3


@pytest.mark.django_db
def test_an_unreachable_server_costs_one_attempt_a_batch(smtp_settings, broker):
    from tests.integration.conftest import free_port

    smtp_settings.EMAIL_PORT = free_port()
    rows = mail.enqueue_many(messages(3))
    assert mail.deliver_many([row.pk for row in rows]) == {"retrying": 3}
    for row in OutboxEmail.objects.filter(pk__in=[r.pk for r in rows]):
        assert row.attempts == 1 and row.last_error and row.next_attempt_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_a_batch_over_one_connection_each_once(celery_procs, smtp):
    celery_procs.worker()
    with transaction.atomic():
        rows = mail.enqueue_many(messages(60))
    wait_until(lambda: len(smtp.handler.messages) >= 60, 60, "every message arrived")
    wait_until(
        lambda: (
            OutboxEmail.objects.filter(pk__in=[r.pk for r in rows], status="sent").count() == 60
        ),
        10,
        "every row is marked sent",
    )
    assert received_ids(smtp) == sorted(mail.message_id(row) for row in rows)
    assert smtp.handler.connections == 2  # two messages: 50 and 10 ids
