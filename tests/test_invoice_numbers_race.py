"""Two invoices issued at the same moment get different numbers (two real connections)."""

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from core.models import Sequence
from sales.models import Invoice
from sales.services.invoices import invoice_create
from tests.factories import make_firm, make_world
from tests.test_claims_race import waiting_for_locks

LINE = {
    "description": "Consulting",
    "quantity": Decimal(1),
    "unit_price": Decimal("100"),
    "discount_percent": Decimal(0),
    "vat_rate": Decimal(20),
}


@pytest.mark.django_db(transaction=True)
def test_two_invoices_at_once_get_different_numbers():
    """Both creations wait on the sequence's row lock, then race for the next number."""
    world = make_world("Racing", "r")
    firm = make_firm(world.tenant, "Race Firm", sales_rep=world.employee)
    other = make_firm(world.tenant, "Race Firm 2", sales_rep=world.employee)
    with scope(tenant=world.tenant.pk):
        Sequence.objects.create(tenant=world.tenant, name="invoice", value=41)
    results = {}

    def issue(name, target):
        try:
            with scope(tenant=world.tenant.pk):
                invoice = invoice_create(
                    tenant=world.tenant, actor=world.employee, firm=target,
                    data={"number": "", "issued_on": date(2026, 5, 1), "currency": "TRY"},
                    lines=[LINE],
                )  # fmt: skip
            results[name] = invoice.number
        except Exception as error:  # shown in the assertions below
            results[name] = repr(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [
        threading.Thread(target=issue, args=("first", firm)),
        threading.Thread(target=issue, args=("second", other)),
    ]
    with scope(tenant=world.tenant.pk), transaction.atomic():
        # Hold the sequence's row lock until both creations are waiting for it.
        Sequence.objects.select_for_update().get(tenant=world.tenant, name="invoice")
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while waiting_for_locks() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert waiting_for_locks() == 2, results
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(results.values()) == ["000042", "000043"], results
    with scopes_disabled():
        numbers = sorted(Invoice.objects.values_list("number", flat=True))
        assert numbers == ["000042", "000043"]
        assert Sequence.objects.get(tenant=world.tenant, name="invoice").value == 43


@pytest.mark.django_db(transaction=True)
def test_the_same_number_typed_twice_at_once_saves_one_invoice():
    """The unique constraint decides; the loser gets the form error, not a server error."""
    world = make_world("Racing", "r")
    firm = make_firm(world.tenant, "Race Firm", sales_rep=world.employee)
    results = {}
    barrier = threading.Barrier(2)

    def issue(name):
        try:
            with scope(tenant=world.tenant.pk), transaction.atomic():
                barrier.wait(timeout=10)
                invoice = invoice_create(
                    tenant=world.tenant, actor=world.employee, firm=firm,
                    data={"number": "HAND-1", "issued_on": date(2026, 5, 1), "currency": "TRY"},
                    lines=[LINE],
                )  # fmt: skip
                time.sleep(0.3)  # keep the transaction open so both inserts overlap
            results[name] = invoice.number
        except Exception as error:
            results[name] = " ".join(getattr(error, "messages", [repr(error)]))
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(results.values()) == [
        "Another invoice already has this number.",
        "HAND-1",
    ], results
    with scopes_disabled():
        assert Invoice.objects.filter(number="HAND-1").count() == 1
