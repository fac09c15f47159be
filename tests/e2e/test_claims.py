"""The flow of a claim: an employee asks for a pool firm, their manager approves it."""

import re

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from companies.models import Firm
from companies.services.firms import firm_create
from tests import factories
from tests.e2e.conftest import link_in, log_in

pytestmark = pytest.mark.e2e


def test_claim_a_pool_firm_and_approve_it(browsing, mailbox, live_site):
    world = factories.make_world("Acme", "a")
    slug = world.tenant.slug
    with scope(tenant=world.tenant.pk):
        firm = firm_create(
            tenant=world.tenant,
            actor=world.executive.user,
            data={"name": "Boğaziçi Lojistik", "type": "customer"},
        )
        firm_create(
            tenant=world.tenant,
            actor=world.executive.user,
            data={"name": "Taken Firm", "type": "customer", "sales_rep": world.outsider},
        )

    # --- the employee finds the firm in the pool and asks for it ---
    employee = browsing.new_page()
    log_in(employee, world.employee.user.email, factories.PASSWORD)
    expect(employee).to_have_url(re.compile(rf"/o/{slug}/$"))
    employee.goto(f"/o/{slug}/firms/pool/")
    pool = employee.locator("#pool-firms")
    expect(pool).to_contain_text("Boğaziçi Lojistik")
    expect(pool).not_to_contain_text("Taken Firm")
    pool.locator(f"tr[data-firm='{firm.pk}']").get_by_role("link", name="Claim").click()
    expect(employee).to_have_url(re.compile(rf"/firms/{firm.pk}/claim/$"))
    employee.fill("textarea[name=message]", "Their buyer is an old colleague of mine.")
    employee.get_by_role("button", name="Send the request").click()
    expect(employee).to_have_url(f"{live_site}/o/{slug}/claims/")
    mine = employee.locator("#my-claims")
    expect(mine).to_contain_text("Boğaziçi Lojistik")
    expect(mine.locator("[data-status=pending]")).to_have_count(1)

    # --- the manager gets an e-mail, follows it and approves ---
    request_mail = mailbox.deliver_one(world.manager.user.email)
    assert "Boğaziçi Lojistik" in request_mail["Subject"]
    claims_url = link_in(request_mail, rf"/o/{slug}/claims/$")
    manager = browsing.new_page()
    log_in(manager, world.manager.user.email, factories.PASSWORD)
    expect(manager).to_have_url(re.compile(rf"/o/{slug}/$"))
    manager.goto(claims_url)
    waiting = manager.locator("#claims-to-decide .card")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("Their buyer is an old colleague of mine.")
    expect(waiting).to_contain_text(world.employee.full_name)
    waiting.get_by_role("button", name="Approve").click()
    expect(manager.locator("main")).to_contain_text("Your decision was recorded.")
    expect(manager.locator("#claims-to-decide .card")).to_have_count(0)

    with scopes_disabled():
        assert Firm.objects.get(pk=firm.pk).sales_rep_id == world.employee.pk

    # --- the employee is told, sees the state, and the firm has left the pool ---
    decision_mail = mailbox.deliver_one(world.employee.user.email)
    assert "approved" in decision_mail["Subject"]
    employee.goto(f"/o/{slug}/claims/")
    expect(employee.locator("#my-claims [data-status=approved]")).to_have_count(1)
    expect(employee.locator("#my-claims")).to_contain_text(world.manager.full_name)
    employee.goto(f"/o/{slug}/firms/pool/")
    expect(employee.locator("#pool-firms")).not_to_contain_text("Boğaziçi Lojistik")
    employee.goto(f"/o/{slug}/notifications/")
    notice = employee.locator("#notification-list li").first
    expect(notice).to_contain_text("Your request for Boğaziçi Lojistik was approved.")
    notice.get_by_role("button", name="Open").click()
    expect(employee).to_have_url(f"{live_site}/o/{slug}/claims/")
    employee.goto(f"/o/{slug}/notifications/")
    expect(employee.locator("#notification-list li[data-read=no]")).to_have_count(0)
