"""The invitation is written in the transaction that adds the employee, and leaves after commit."""

import pytest
from django.db import transaction
from django_scopes import scopes_disabled

from accounts.models import Employee, User
from core.models import OutboxEmail
from tests.integration.conftest import decode_message

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Boom(Exception):
    pass


def test_rolled_back_change_leaves_no_mail_and_no_message(world, invite, broker):
    with pytest.raises(Boom), transaction.atomic():
        employee, row = invite("rolled-back@example.com")
        assert row is not None  # written inside the transaction...
        raise Boom  # ...and the action fails after it

    assert not OutboxEmail.objects.filter(to__contains=["rolled-back@example.com"]).exists()
    assert not User.objects.filter(email="rolled-back@example.com").exists()
    with scopes_disabled():
        assert not Employee.objects.filter(pk=employee.pk).exists()
    assert broker.queue_length() == 0, "nothing may be published for a rolled-back row"


def test_committed_change_writes_one_invitation_and_queues_it_after_commit(world, invite, broker):
    with transaction.atomic():
        employee, row = invite("kept@example.com")
        assert broker.queue_length() == 0, "published before the transaction committed"

    rows = OutboxEmail.objects.filter(to__contains=["kept@example.com"])
    assert rows.count() == 1
    row = rows.get()
    assert row.idempotency_key.startswith(f"invitation:{world.tenant.pk}:{employee.pk}:")
    assert row.tenant_id == world.tenant.pk
    assert row.status == OutboxEmail.Status.PENDING
    assert row.queued_at is not None  # handed to the broker: the sweeper leaves it alone
    # Exactly one message, for this row, on the real (private) broker.
    assert [decode_message(m)[:2] for m in broker.queued_messages()] == [
        ("core.tasks.deliver_email", [row.pk])
    ]
