"""The agenda's due e-mails reach a real SMTP server once (a real worker, beat and Redis).

- Two beat-like passes over the same ~200 due appointments at the same time: each
  (appointment, kind, recipient) e-mail is written once and arrives once.
- A worker killed (SIGKILL) in the middle of sending, before the server accepted the message
  in hand: another worker and the sweeper send everything, each once.
- The one window the design does not close (docs/agenda-dispatch.md): the server accepted a
  message but the worker died before committing "sent". The row is sent again, with the same
  Message-ID, so the repeat is recognisable; this test pins that down as "at least once, and
  only the message in flight twice".

Time is passed in: the appointments are in March 2030, far from the beat's own clock, so the
beat started here only sweeps the outbox (its own agenda pass finds nothing of ours due).
"""

import asyncio
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from agenda.models import Activity
from agenda.services import due
from core import mail
from core.models import Choice, OutboxEmail
from tests.integration.conftest import SMTPHandler, running_smtp, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NOW = datetime(2030, 3, 12, 6, 0, tzinfo=UTC)  # 08:00 in Istanbul, 07:00 in Warsaw
FIRST_START = datetime(2030, 3, 12, 10, 0, tzinfo=UTC)


@dataclass
class AcceptThenAnswer(SMTPHandler):
    """Like the shared handler, but it can keep the message (as an MTA that queued it) and
    only then sit on its "250" for ``answer_delay`` seconds."""

    answer_delay: float = 0.0

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        return reply


@pytest.fixture
def smtp():
    """This module's SMTP server (``celery_procs`` delivers to it too)."""
    with running_smtp(AcceptThenAnswer()) as controller:
        yield controller


def book_many(world, count):
    """``count`` appointments due for both e-mails; every third has a participant."""
    with scopes_disabled():
        kind = Choice.objects.get(tenant=world.tenant, list_key="activity_type", code="appointment")
    for person, zone in ((world.employee, "Europe/Istanbul"), (world.manager, "Europe/Warsaw")):
        person.user.timezone = zone
        person.user.save(update_fields=["timezone"])
    people = [world.employee, world.manager]
    with scope(tenant=world.tenant.pk):
        for i in range(count):
            start = FIRST_START + timedelta(minutes=i)
            activity = Activity.objects.create(
                tenant=world.tenant,
                type=kind,
                subject=f"Visit {i}",
                assigned_to=people[i % 2],
                created_by=world.executive,
                start=start,
                end=start + timedelta(minutes=30),
            )
            if i % 3 == 0:
                activity.participants.add(people[(i + 1) % 2])


def expected_keys(world):
    keys = set()
    with scope(tenant=world.tenant.pk):
        activities = Activity.objects.prefetch_related("participants").select_related("assigned_to")
        for activity in activities:
            epoch = int(activity.start.timestamp())
            for person in {activity.assigned_to, *activity.participants.all()}:
                for kind in ("day-before", "morning"):
                    keys.add(f"agenda:{activity.pk}:{kind}:{person.pk}:{epoch}")
    return keys


def message_ids(keys):
    return {mail.message_id(SimpleNamespace(idempotency_key=key)): key for key in keys}


def received_ids(smtp):
    return Counter(str(m.message["Message-ID"]) for m in list(smtp.handler.messages))


def all_sent(count):
    def check():
        rows = OutboxEmail.objects.filter(idempotency_key__startswith="agenda:")
        return rows.filter(status=OutboxEmail.Status.SENT).count() == count

    return check


def test_two_beats_at_once_send_each_email_once(celery_procs, smtp, world):
    book_many(world, 200)
    keys = expected_keys(world)
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def beat(name):
        try:
            barrier.wait(10)
            results[name] = due.dispatch_due(now=NOW, batch=20)
        except Exception as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors

    sent = Counter()
    for counts in results.values():
        sent.update({k: v for k, v in counts.items() if k in ("day-before", "morning")})
    assert sum(sent.values()) == len(keys), results  # together, each e-mail written once
    rows = OutboxEmail.objects.filter(idempotency_key__startswith="agenda:")
    assert set(rows.values_list("idempotency_key", flat=True)) == keys

    celery_procs.worker()
    celery_procs.beat()  # the sweeper, for any row whose message did not reach the broker
    wait_until(all_sent(len(keys)), 180, "every row delivered", interval=0.5)
    wait_until(lambda: len(smtp.handler.messages) >= len(keys), 10, "every message arrived")
    time.sleep(1.5)

    expected = message_ids(keys)
    received = received_ids(smtp)
    assert set(received) == set(expected)
    assert [mid for mid, n in received.items() if n != 1] == []
    by_key = {expected[str(m.message["Message-ID"])]: m for m in smtp.handler.messages}
    for key, message in by_key.items():
        employee_pk = int(key.split(":")[3])
        email = world.employee.user.email
        if employee_pk != world.employee.pk:
            email = world.manager.user.email
        assert message.rcpt_tos == [email]


def wait_until_stuck(smtp, seconds=0.5):
    """Until one delivery has been sitting in the server for ``seconds``."""
    handler = smtp.handler

    def stuck():
        in_flight = handler.attempts - len(handler.messages)
        if in_flight < 1:
            return False
        time.sleep(seconds)
        return handler.attempts - len(handler.messages) >= 1

    wait_until(stuck, 30, "a delivery is held by the slow server")


def age_pending_rows():
    """What two minutes of waiting would do: the sweeper calls pending rows stuck."""
    OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING).update(
        queued_at=timezone.now() - mail.STUCK_AFTER - timedelta(seconds=1)
    )


def test_worker_killed_mid_sending_loses_nothing_and_repeats_nothing(celery_procs, smtp, world):
    book_many(world, 30)
    keys = expected_keys(world)
    worker = celery_procs.worker()
    due.dispatch_due(now=NOW)

    wait_until(lambda: len(smtp.handler.messages) >= 10, 60, "some e-mails went out")
    # The server now holds the next message before accepting it (at RCPT)...
    smtp.handler.delay, smtp.handler.delay_stage = 30, "rcpt"
    wait_until_stuck(smtp)
    worker.kill()  # ...and the worker dies with it in hand.
    before = len(smtp.handler.messages)
    assert before < len(keys)

    smtp.handler.delay = 0
    age_pending_rows()
    celery_procs.worker()
    celery_procs.beat()
    wait_until(all_sent(len(keys)), 120, "every row delivered", interval=0.5)
    wait_until(lambda: len(smtp.handler.messages) >= len(keys), 10, "every message arrived")
    time.sleep(1.5)

    received = received_ids(smtp)
    assert set(received) == set(message_ids(keys))
    assert [mid for mid, n in received.items() if n != 1] == []


def test_the_at_least_once_window_repeats_only_the_message_in_flight(celery_procs, smtp, world):
    """The server keeps the message and the worker dies before reading the "250": the row was
    never marked sent, so it goes again. Only that one repeats, with the same Message-ID."""
    book_many(world, 6)
    keys = expected_keys(world)
    smtp.handler.answer_delay = 30
    worker = celery_procs.worker()
    due.dispatch_due(now=NOW)

    wait_until(lambda: len(smtp.handler.messages) == 1, 30, "the first message was kept")
    worker.kill()
    [(in_flight, _)] = received_ids(smtp).items()

    smtp.handler.answer_delay = 0
    age_pending_rows()
    celery_procs.worker()
    celery_procs.beat()
    wait_until(all_sent(len(keys)), 120, "every row delivered", interval=0.5)
    wait_until(lambda: len(smtp.handler.messages) >= len(keys) + 1, 10, "every message arrived")
    time.sleep(1.5)

    received = received_ids(smtp)
    assert set(received) == set(message_ids(keys))  # nothing lost
    assert {mid: n for mid, n in received.items() if n != 1} == {in_flight: 2}
