"""SMTP answers: 4xx and connection trouble retry with backoff, 5xx fail visibly, at once."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core import mail
from core.models import OutboxEmail
from tests.integration.conftest import decode_message, free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

ADDRESS = "invitee@example.com"


@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_transient_error_is_retried_later_and_then_sent(invite, smtp, smtp_settings, broker, stage):
    smtp.handler.fail_next(1, reply="451 4.3.0 Try again later", stage=stage)
    _, row = invite(ADDRESS)

    assert mail.deliver(row.pk) == OutboxEmail.Status.RETRYING
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.RETRYING
    assert row.attempts == 1
    assert "451" in row.last_error
    assert row.sent_at is None
    wait = (row.next_attempt_at - timezone.now()).total_seconds()
    assert mail.backoff(1) - 5 < wait <= mail.backoff(1)
    assert smtp.handler.to(ADDRESS) == []

    # The retry went to the broker with an ETA at next_attempt_at (not a busy loop).
    [(task, args, eta)] = [decode_message(m) for m in broker.queued_messages()]
    assert (task, args) == ("core.tasks.deliver_email", [row.pk])
    assert abs((datetime.fromisoformat(eta) - row.next_attempt_at).total_seconds()) < 2

    # Not due yet: the sweeper leaves it alone.
    assert mail.sweep() == 0

    # Its time comes: the sweeper queues it and the next attempt goes through.
    OutboxEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert mail.sweep() == 1
    assert mail.deliver(row.pk) == OutboxEmail.Status.SENT
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxEmail.Status.SENT, 2, "")
    assert row.sent_at is not None
    assert len(smtp.handler.to(ADDRESS)) == 1
    assert smtp.handler.attempts == 2


def test_duplicate_messages_do_not_skip_the_backoff(invite, smtp, smtp_settings, broker):
    """A due retry can have two messages: its own (countdown) and the sweeper's. The first
    attempt fails again and sets the next backoff; the second message must respect it."""
    smtp.handler.fail_next(3)
    _, row = invite(ADDRESS)
    assert mail.deliver(row.pk) == OutboxEmail.Status.RETRYING  # attempt 1, countdown queued
    OutboxEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())  # time comes
    assert mail.sweep() == 1  # the sweeper queues it too: two messages for one retry

    assert mail.deliver(row.pk) == OutboxEmail.Status.RETRYING  # attempt 2: next in 60 s
    mail.deliver(row.pk)  # the other message, right after

    row.refresh_from_db()
    assert row.attempts == 2, "a duplicate message made an attempt before the backoff ran out"
    assert smtp.handler.attempts == 2
    assert row.next_attempt_at > timezone.now()


def test_unreachable_smtp_server_is_a_transient_error(invite, smtp_settings, broker):
    smtp_settings.EMAIL_PORT = free_port()  # nothing listens there
    _, row = invite(ADDRESS)

    assert mail.deliver(row.pk) == OutboxEmail.Status.RETRYING
    row.refresh_from_db()
    assert row.attempts == 1
    assert row.next_attempt_at > timezone.now()
    assert row.last_error


def test_transient_errors_give_up_after_the_last_attempt(invite, smtp, smtp_settings):
    smtp.handler.fail_next(1)
    _, row = invite(ADDRESS)
    OutboxEmail.objects.filter(pk=row.pk).update(
        status=OutboxEmail.Status.RETRYING, attempts=mail.MAX_ATTEMPTS - 1
    )

    assert mail.deliver(row.pk) == OutboxEmail.Status.FAILED
    row.refresh_from_db()
    assert row.attempts == mail.MAX_ATTEMPTS
    assert "451" in row.last_error
    assert mail.deliver(row.pk) is None
    assert smtp.handler.attempts == 1


@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_permanent_error_fails_visibly_without_more_attempts(
    world, invite, smtp, smtp_settings, broker, login, stage
):
    smtp.handler.reject_all(reply="550 5.1.1 Mailbox unavailable", stage=stage)
    _, row = invite(ADDRESS)

    assert mail.deliver(row.pk) == OutboxEmail.Status.FAILED
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.FAILED
    assert row.attempts == 1
    assert "550" in row.last_error
    assert row.sent_at is None
    assert broker.queue_length() == 0, "a permanent failure must not schedule a retry"

    # No more attempts: not by a duplicate message, not by the sweeper.
    OutboxEmail.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - timedelta(hours=1),
        queued_at=timezone.now() - timedelta(hours=1),
    )
    assert mail.deliver(row.pk) is None
    assert mail.sweep() == 0
    assert smtp.handler.attempts == 1
    assert smtp.messages == []

    # Visible to the tenant's admins.
    client = login(world.executive)
    url = reverse("accounts:outbox", kwargs={"tenant_slug": world.tenant.slug})
    page = client.get(url, {"status": OutboxEmail.Status.FAILED})
    assert page.status_code == 200
    assert ADDRESS in page.content.decode()
    assert "550" in page.content.decode()
