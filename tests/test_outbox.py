"""The outbox's own rules, without a worker (the worker path is in tests/integration)."""

import smtplib
import ssl
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core import mail
from core.models import OutboxEmail


@pytest.fixture
def locmem_delivery(settings):
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django_mail.outbox = []
    return django_mail.outbox


@pytest.mark.django_db
def test_django_send_mail_writes_an_outbox_row_not_a_message(locmem_delivery):
    send_mail("Subject\r\nInjected: x", "Body", "from@example.com", ["to@example.com"])
    row = OutboxEmail.objects.get()
    assert row.subject == "Subject Injected: x"  # header injection folded away
    assert row.status == "pending" and locmem_delivery == []


@pytest.mark.django_db
def test_enqueue_is_idempotent_per_key():
    for _ in range(3):
        mail.enqueue(key="k1", to=["a@example.com"], subject="s", body_text="b")
    assert OutboxEmail.objects.filter(idempotency_key="k1").count() == 1


@pytest.mark.django_db
def test_deliver_sends_once(locmem_delivery):
    row = mail.enqueue(
        key="k2", to=["a@example.com"], subject="Hello", body_text="b", body_html="<p>b</p>"
    )
    assert mail.deliver(row.pk) == "sent"
    assert mail.deliver(row.pk) is None
    assert len(locmem_delivery) == 1
    assert locmem_delivery[0].alternatives[0][1] == "text/html"


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPResponseException(451, b"try later"), True),
        (smtplib.SMTPResponseException(550, b"no such user"), False),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no")}), False),
        (smtplib.SMTPRecipientsRefused({"a@x": (452, b"full")}), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (ValueError("bad header"), False),
        (smtplib.SMTPNotSupportedError("no STARTTLS"), False),
        (ssl.SSLCertVerificationError("bad certificate"), False),
    ],
)
def test_transient_and_permanent_errors(error, transient):
    assert mail.is_transient(error) is transient


def test_backoff_grows_and_is_capped():
    delays = [mail.backoff(n) for n in range(1, 12)]
    assert delays[0] == 30 and delays == sorted(delays) and max(delays) == 3600


@pytest.mark.django_db
def test_sweep_picks_due_rows_only(monkeypatch):
    queued = []
    monkeypatch.setattr(mail, "queue_many", lambda pks: queued.extend(pks) or len(pks))
    now = timezone.now()
    fresh = mail.enqueue(key="fresh", to=["a@x.com"], subject="s", body_text="b")
    lost = mail.enqueue(key="lost", to=["a@x.com"], subject="s", body_text="b")
    never = mail.enqueue(key="never", to=["a@x.com"], subject="s", body_text="b")
    retry_due = mail.enqueue(key="retry", to=["a@x.com"], subject="s", body_text="b")
    retry_later = mail.enqueue(key="later", to=["a@x.com"], subject="s", body_text="b")
    sent = mail.enqueue(key="sent", to=["a@x.com"], subject="s", body_text="b")
    OutboxEmail.objects.filter(pk=fresh.pk).update(queued_at=now)
    OutboxEmail.objects.filter(pk=lost.pk).update(queued_at=now - timedelta(minutes=10))
    OutboxEmail.objects.filter(pk=never.pk).update(created_at=now - timedelta(minutes=1))
    OutboxEmail.objects.filter(pk=retry_due.pk).update(status="retrying", next_attempt_at=now)
    OutboxEmail.objects.filter(pk=retry_later.pk).update(
        status="retrying", next_attempt_at=now + timedelta(hours=1)
    )
    OutboxEmail.objects.filter(pk=sent.pk).update(status="sent", created_at=now - timedelta(days=1))
    assert mail.sweep() == 3
    assert set(queued) == {lost.pk, never.pk, retry_due.pk}


@pytest.mark.django_db(transaction=True)
def test_broker_down_never_fails_the_caller(settings):
    from crm.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.pool.force_close_all()
    try:
        with transaction.atomic():
            row = mail.enqueue(key="down", to=["a@x.com"], subject="s", body_text="b")
        row.refresh_from_db()
        assert row.queued_at is None and row.status == "pending"
    finally:
        app.conf.broker_url = old
        app.pool.force_close_all()
