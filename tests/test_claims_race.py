"""Two approvals of a claim at the same moment change the firm once (two real connections)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from companies.models import Claim, Firm
from companies.services import claims as services
from core.models import OutboxEmail
from tests.claims_helpers import ask, firm_events, fresh, new_firm
from tests.factories import make_employee, make_world


def waiting_for_locks():
    """How many sessions of the test database wait for a lock (read afresh, not cached)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rivals", [False, True], ids=["same-claim", "rival-claims"])
def test_two_approvals_at_once_change_the_firm_once(rivals):
    """Both approvals pass their checks, wait on the firm's lock, and then race for it."""
    world = make_world("Racing", "r")
    firm = new_firm(world)
    claim = ask(world, firm)
    other = ask(
        world,
        firm,
        requester=make_employee(world.tenant, "r-second@example.com", reports_to=world.manager),
    )
    targets = {"manager": claim, "executive": other if rivals else claim}
    results = {}

    def decide(role):
        try:
            with scope(tenant=world.tenant.pk):
                services.claim_approve(
                    tenant=world.tenant, decider=getattr(world, role), claim=targets[role]
                )
            results[role] = "approved"
        except ValidationError as error:
            results[role] = error.messages[0]
        except Exception as error:  # shown in the assertions below
            results[role] = repr(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=decide, args=(role,)) for role in targets]
    with scope(tenant=world.tenant.pk), transaction.atomic():
        # Hold the firm's row lock until both approvals are waiting for it.
        Firm.objects.select_for_update().get(pk=firm.pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while waiting_for_locks() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert waiting_for_locks() == 2, results
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(results.values()) == ["This request has already been decided.", "approved"]
    firm = fresh(firm)
    winner = targets[next(role for role, result in results.items() if result == "approved")]
    assert firm.sales_rep_id == winner.requester_id
    assert len(firm_events(firm, "approved by")) == 1
    with scopes_disabled():
        statuses = sorted(Claim.objects.filter(firm=firm).values_list("status", flat=True))
        decided_mails = OutboxEmail.objects.filter(idempotency_key__endswith=":decided").count()
    assert statuses == ["approved", "superseded"]  # the other claim closed with the approval
    assert decided_mails == 2  # the winner and the superseded rival, once each
