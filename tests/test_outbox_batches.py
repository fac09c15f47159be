"""The outbox's batch path without a worker: many rows in one INSERT, delivered together, each
row under its own lock (the SMTP side, the broker and a real worker: tests/integration)."""

import threading

import pytest
from django.core import mail as django_mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from agenda.models import Reminder
from agenda.services import due
from agenda.services.reminders import reminder_create
from core import mail
from core.models import OutboxEmail
from tests.test_agenda_due import START, at


@pytest.fixture
def locmem(settings):
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django_mail.outbox = []
    return django_mail.outbox


def message(key, to="a@example.com"):
    return {"key": key, "to": [to], "subject": f"Subject {key}", "body_text": "b"}


@pytest.mark.django_db
def test_enqueue_many_writes_each_key_once_and_returns_the_new_rows():
    mail.enqueue(key="old", to=["a@example.com"], subject="s", body_text="b")
    new = mail.enqueue_many([message("old"), message("n1"), message("n2"), message("n1")])
    assert sorted(row.idempotency_key for row in new) == ["n1", "n2"]
    assert all(row.pk for row in new)
    assert OutboxEmail.objects.filter(idempotency_key__in=["old", "n1", "n2"]).count() == 3
    assert mail.enqueue_many([message("n1"), message("n2")]) == []
    row = OutboxEmail.objects.get(idempotency_key="n2")
    assert (row.subject, row.to, row.status) == ("Subject n2", ["a@example.com"], "pending")


@pytest.mark.django_db
def test_enqueue_many_is_one_insert_and_rolls_back_with_its_transaction():
    with CaptureQueriesContext(connection) as queries:
        mail.enqueue_many([message(f"bulk:{n}") for n in range(120)])
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "core_outboxemail"')]
    assert len(inserts) == 1 and len(queries) == 3
    assert OutboxEmail.objects.filter(idempotency_key__startswith="bulk:").count() == 120

    with pytest.raises(RuntimeError), transaction.atomic():
        mail.enqueue_many([message("gone")])
        raise RuntimeError
    assert not OutboxEmail.objects.filter(idempotency_key="gone").exists()


@pytest.mark.django_db
def test_deliver_many_sends_each_due_row_once_over_one_connection(locmem):
    rows = mail.enqueue_many([message(f"m{n}", to=f"p{n}@example.com") for n in range(5)])
    OutboxEmail.objects.filter(pk=rows[1].pk).update(status="sent")
    ids = [row.pk for row in rows]
    assert mail.deliver_many(ids) == {"sent": 4, "skipped": 1}
    assert sorted(m.to[0] for m in locmem) == [f"p{n}@example.com" for n in (0, 2, 3, 4)]
    assert mail.deliver_many(ids) == {"skipped": 5}
    assert len(locmem) == 4
    # The same Message-ID as the single-row path gives.
    assert locmem[0].extra_headers["Message-ID"] == mail.message_id(rows[0])


@pytest.mark.django_db(transaction=True)
def test_a_batch_skips_a_sent_row_and_a_row_locked_by_another_transaction(locmem):
    rows = mail.enqueue_many([message(f"lock:{n}", to=f"p{n}@example.com") for n in range(4)])
    sent, locked = rows[0], rows[1]
    OutboxEmail.objects.filter(pk=sent.pk).update(status="sent")
    holding, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                OutboxEmail.objects.select_for_update().get(pk=locked.pk)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert holding.wait(10)
        assert mail.deliver_many([row.pk for row in rows]) == {"skipped": 2, "sent": 2}
    finally:
        release.set()
        thread.join()
    assert sorted(m.to[0] for m in locmem) == ["p2@example.com", "p3@example.com"]
    locked.refresh_from_db()
    assert (locked.status, locked.attempts) == ("pending", 0)  # left to its holder
    # Once the lock is gone the row is due again (the sweeper's next message delivers it).
    assert mail.deliver_many([locked.pk]) == {"sent": 1}


@pytest.mark.django_db
def test_a_batch_of_reminders_writes_its_rows_in_one_insert(world):
    with scope(tenant=world.tenant.pk):
        reminders = [
            reminder_create(
                tenant=world.tenant,
                actor=world.manager,
                text=f"Reminder {n}",
                due_at=START,
                recipients=[world.manager, world.employee],
            )
            for n in range(15)
        ]
    with CaptureQueriesContext(connection) as queries:
        counts = due.dispatch_due(now=at("14 12:00"))
    assert counts["reminder"] == 30
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "core_outboxemail"')]
    assert len(inserts) == 1
    keys = set(
        OutboxEmail.objects.filter(idempotency_key__startswith="reminder:").values_list(
            "idempotency_key", flat=True
        )
    )
    assert len(keys) == 30
    with scope(tenant=world.tenant.pk):
        assert all(
            r.day_before_done_for == START
            for r in Reminder.objects.filter(pk__in=[r.pk for r in reminders])
        )
    assert due.dispatch_due(now=at("14 12:01"))["reminder"] == 0
