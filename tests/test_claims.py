"""Claiming a pool firm with a manager's approval (issue 3, seed 000 "Firmayı talep et")."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.models import Position
from companies.models import Claim, ClaimStatus, Firm
from companies.selectors import claims as selectors
from companies.services import claims as services
from core.models import AuditEntry, Notification, OutboxEmail
from core.notifications import notify
from tests.claims_helpers import approve, ask, firm_events, fresh, new_firm, reject
from tests.factories import make_employee
from tests.test_hostile_input import ALLOWED, HOSTILE

# --- helpers -----------------------------------------------------------------------------------


def url(world, name, *args):
    return reverse(f"companies:{name}", args=[world.tenant.slug, *args])


# --- the pool ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pool_lists_active_firms_without_a_representative(client, world):
    open_firm = new_firm(world, "Open Firm")
    taken = new_firm(world, "Taken Firm", sales_rep=world.outsider)
    new_firm(world, "Sleeping Firm", is_active=False)
    with scope(tenant=world.tenant.pk):
        names = [f.name for f in selectors.pool_firms(tenant=world.tenant, member=world.employee)]
    assert names == ["Open Firm"]

    client.force_login(world.employee.user)
    page = client.get(url(world, "pool"))
    assert page.status_code == 200
    assert "Open Firm" in page.text and "Taken Firm" not in page.text
    assert url(world, "claim-create", open_firm.pk) in page.text
    assert url(world, "claim-create", taken.pk) not in page.text


@pytest.mark.django_db
def test_a_firm_created_with_a_representative_cannot_be_claimed(client, world):
    firm = new_firm(world, "Assigned Firm", sales_rep=world.outsider)
    with pytest.raises(ValidationError, match="already has a sales representative"):
        ask(world, firm)
    client.force_login(world.employee.user)
    assert "cannot be claimed" in client.get(url(world, "claim-create", firm.pk)).text
    response = client.post(url(world, "claim-create", firm.pk), {"message": "Please"})
    assert response.status_code == 400
    with scopes_disabled():
        assert not Claim.objects.exists()


@pytest.mark.django_db
def test_claim_is_recorded_and_the_nearest_approver_is_told(world):
    firm = new_firm(world)
    claim = ask(world, firm, message="Their buyer is my neighbour.")
    claim = fresh(claim)
    assert claim.status == ClaimStatus.PENDING and claim.requester_id == world.employee.pk
    assert claim.message == "Their buyer is my neighbour."
    (event,) = firm_events(firm, "Claimed by")
    assert event.actor_id == world.employee.user_id and "neighbour" in event.summary

    # The manager above the employee is told, in the application and by e-mail; nobody else.
    with scopes_disabled():
        notes = list(Notification.objects.all())
        mails = list(OutboxEmail.objects.filter(idempotency_key__startswith=f"claim:{claim.pk}:"))
    assert [n.recipient_id for n in notes] == [world.manager.pk]
    assert notes[0].url == url(world, "claim-list") and firm.name in notes[0].text
    assert [m.idempotency_key for m in mails] == [f"claim:{claim.pk}:requested:{world.manager.pk}"]
    assert mails[0].to == [world.manager.user.email] and mails[0].tenant_id == world.tenant.pk
    assert "Their buyer is my neighbour." in mails[0].body_text
    assert f"http://testserver{url(world, 'claim-list')}" in mails[0].body_text


@pytest.mark.django_db
def test_without_a_manager_the_executives_are_told(world):
    claim = ask(world, new_firm(world), requester=world.outsider)
    with scopes_disabled():
        recipients = set(Notification.objects.values_list("recipient_id", flat=True))
        keys = set(OutboxEmail.objects.values_list("idempotency_key", flat=True))
    assert recipients == {world.executive.pk}
    assert keys == {f"claim:{claim.pk}:requested:{world.executive.pk}"}


@pytest.mark.django_db
def test_one_open_request_per_firm_and_employee(world):
    firm = new_firm(world)
    claim = ask(world, firm)
    with pytest.raises(ValidationError, match="already asked"):
        ask(world, firm)
    # The database refuses it too, whatever the code path.
    with scope(tenant=world.tenant.pk), pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            tenant=world.tenant, firm=firm, requester=world.employee, message="Again"
        )
    # A colleague may ask for the same firm, and after a rejection the employee may ask again.
    colleague = make_employee(world.tenant, "a-colleague@example.com", reports_to=world.manager)
    ask(world, firm, requester=colleague)
    reject(world, claim)
    again = ask(world, firm, message="Second try")
    assert fresh(again).status == ClaimStatus.PENDING


# --- decisions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_approval_assigns_the_firm_and_closes_rival_claims(world):
    firm = new_firm(world)
    rival_person = make_employee(world.tenant, "a-rival@example.com", reports_to=world.manager)
    claim = ask(world, firm)
    rival = ask(world, firm, requester=rival_person)
    approve(world, claim, reason="Good fit")

    firm, claim, rival = fresh(firm), fresh(claim), fresh(rival)
    assert firm.sales_rep_id == world.employee.pk
    assert claim.status == ClaimStatus.APPROVED and claim.approver_id == world.manager.pk
    assert claim.decided_at is not None and claim.reason == "Good fit"
    assert rival.status == ClaimStatus.SUPERSEDED and rival.decided_at is not None

    (approved,) = firm_events(firm, "approved by")
    assert approved.actor_id == world.manager.user_id
    assert approved.changes == [{"field": "sales_rep", "old": "", "new": world.employee.full_name}]
    assert len(firm_events(firm, "closed")) == 1
    with scopes_disabled():
        told = dict(Notification.objects.filter(verb__startswith="claim.").values_list(
            "recipient_id", "verb"
        ).exclude(verb="claim.requested"))  # fmt: skip
        keys = set(OutboxEmail.objects.values_list("idempotency_key", flat=True))
    assert told == {world.employee.pk: "claim.approved", rival_person.pk: "claim.superseded"}
    assert {f"claim:{claim.pk}:decided", f"claim:{rival.pk}:decided"} <= keys
    with scope(tenant=world.tenant.pk):
        assert not selectors.pool_firms(tenant=world.tenant, member=world.employee).exists()


@pytest.mark.django_db
def test_rejection_needs_a_reason_and_leaves_the_firm_in_the_pool(world):
    firm = new_firm(world)
    claim = ask(world, firm)
    with pytest.raises(ValidationError, match="required"):
        reject(world, claim, reason="   ")
    reject(world, claim, reason="Ayşe already calls them.")
    claim = fresh(claim)
    assert claim.status == ClaimStatus.REJECTED and claim.reason == "Ayşe already calls them."
    assert claim.approver_id == world.manager.pk
    assert fresh(firm).sales_rep_id is None
    (event,) = firm_events(firm, "rejected by")
    assert "Ayşe already calls them." in event.summary
    with scopes_disabled():
        mail = OutboxEmail.objects.get(idempotency_key=f"claim:{claim.pk}:decided")
    assert mail.to == [world.employee.user.email] and "rejected" in mail.subject
    assert "Ayşe already calls them." in mail.body_text


@pytest.mark.django_db
def test_own_request_cannot_be_approved(client, world):
    claim = ask(world, new_firm(world), requester=world.manager)
    with pytest.raises(PermissionDenied):
        approve(world, claim, decider=world.manager)
    client.force_login(world.manager.user)
    response = client.post(url(world, "claim-decide", claim.pk), {"decision": "approve"})
    assert response.status_code == 403
    assert fresh(claim).status == ClaimStatus.PENDING
    # The executive above the manager may.
    approve(world, claim, decider=world.executive)
    assert fresh(claim).status == ClaimStatus.APPROVED


@pytest.mark.django_db
def test_a_decided_request_cannot_be_decided_again(client, world):
    firm = new_firm(world)
    claim = ask(world, firm)
    approve(world, claim)
    with pytest.raises(ValidationError, match="already been decided"):
        approve(world, claim, decider=world.executive)
    with pytest.raises(ValidationError, match="already been decided"):
        reject(world, claim, decider=world.executive)
    client.force_login(world.executive.user)
    response = client.post(
        url(world, "claim-decide", claim.pk), {"decision": "reject", "reason": "Late"}
    )
    assert response.status_code == 400 and "already been decided" in response.text
    claim = fresh(claim)
    assert claim.status == ClaimStatus.APPROVED and claim.approver_id == world.manager.pk
    assert len(firm_events(firm, "approved by")) == 1 and not firm_events(firm, "rejected")


@pytest.mark.django_db
def test_who_decides(world):
    other_manager = make_employee(
        world.tenant, "a-other-manager@example.com", Position.MANAGER, "support"
    )
    claim = ask(world, new_firm(world))
    with scope(tenant=world.tenant.pk):

        def may(member):
            return selectors.can_decide_claim(tenant=world.tenant, member=member, claim=claim)

        def waiting(member):
            return list(selectors.claims_to_decide(tenant=world.tenant, member=member))

        assert may(world.manager) and may(world.executive)
        assert not may(other_manager) and not may(world.employee) and not may(world.outsider)
        assert waiting(world.manager) == [claim] and waiting(world.executive) == [claim]
        assert waiting(other_manager) == [] and waiting(world.employee) == []
    with pytest.raises(PermissionDenied):
        approve(world, claim, decider=other_manager)


@pytest.mark.django_db
def test_dealer_staff_claim_and_decide_only_inside_their_firm(world):
    dealer = new_firm(world, "Dealer", type="dealer")
    inside = new_firm(world, "Inside Customer", parent=dealer)
    outside = new_firm(world, "Outside Customer")
    boss = make_employee(world.tenant, "a-dealer-boss@example.com", Position.MANAGER, firm=dealer)
    clerk = make_employee(world.tenant, "a-dealer-clerk@example.com", reports_to=boss, firm=dealer)
    with pytest.raises(PermissionDenied):
        ask(world, outside, requester=clerk)
    claim = ask(world, inside, requester=clerk)
    # The clerk's dealer manager is told and decides; a claim outside the dealer is not theirs.
    with scopes_disabled():
        assert list(Notification.objects.values_list("recipient_id", flat=True)) == [boss.pk]
    foreign = ask(world, outside)
    with scope(tenant=world.tenant.pk):
        assert selectors.can_decide_claim(tenant=world.tenant, member=boss, claim=claim)
        assert not selectors.can_decide_claim(tenant=world.tenant, member=boss, claim=foreign)
    approve(world, claim, decider=boss)
    assert fresh(inside).sales_rep_id == clerk.pk


@pytest.mark.django_db
def test_a_firm_assigned_another_way_closes_its_claims(world):
    firm = new_firm(world)
    claim = ask(world, firm)
    with scope(tenant=world.tenant.pk), transaction.atomic():
        locked = Firm.objects.select_for_update().get(pk=firm.pk)
        locked.sales_rep = world.outsider
        locked.save(update_fields=["sales_rep"])
        closed = services.claims_supersede(
            tenant=world.tenant, decider=world.executive, firm=locked
        )
    assert closed == 1 and fresh(claim).status == ClaimStatus.SUPERSEDED
    with pytest.raises(ValidationError):
        approve(world, claim)


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_claim_and_approve_through_the_pages(client, world):
    firm = new_firm(world, "Kuzey Tekstil")
    client.force_login(world.employee.user)
    assert client.get(url(world, "claim-create", firm.pk)).status_code == 200
    assert client.post(url(world, "claim-create", firm.pk), {"message": ""}).status_code == 400
    response = client.post(url(world, "claim-create", firm.pk), {"message": "Mine"})
    assert response.status_code == 302 and response["Location"] == url(world, "claim-list")
    assert "Requested" in client.get(url(world, "pool")).text
    with scopes_disabled():
        claim = Claim.objects.get(firm=firm)

    client.force_login(world.manager.user)
    page = client.get(url(world, "claim-list"))
    assert "Kuzey Tekstil" in page.text and url(world, "claim-decide", claim.pk) in page.text
    response = client.post(url(world, "claim-decide", claim.pk), {"decision": "reject"})
    assert response.status_code == 400 and "Give a reason" in response.text
    response = client.post(url(world, "claim-decide", claim.pk), {"decision": "approve"})
    assert response.status_code == 302
    assert fresh(firm).sales_rep_id == world.employee.pk

    client.force_login(world.employee.user)
    mine = client.get(url(world, "claim-list")).text
    assert 'data-status="approved"' in mine and world.manager.full_name in mine
    assert "Kuzey Tekstil" not in client.get(url(world, "pool")).text.split("<main", 1)[1]


@pytest.mark.django_db
def test_pages_of_another_tenant_are_not_found(client, world, other_world):
    foreign_firm = new_firm(other_world, "Foreign")
    foreign_claim = ask(other_world, foreign_firm)
    (foreign_note,) = notify(tenant=other_world.tenant, recipients=[other_world.employee], text="x")
    client.force_login(world.executive.user)
    assert client.get(url(world, "claim-create", foreign_firm.pk)).status_code == 404
    assert (
        client.post(url(world, "claim-create", foreign_firm.pk), {"message": "hi"}).status_code
        == 404
    )
    response = client.post(url(world, "claim-decide", foreign_claim.pk), {"decision": "approve"})
    assert response.status_code == 404
    assert client.post(url(world, "notification-read", foreign_note.pk)).status_code == 404
    assert fresh(foreign_claim).status == ClaimStatus.PENDING
    assert fresh(foreign_note).read_at is None


def count_queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["pool", "claim-list", "notifications"])
def test_page_queries_do_not_grow(name, client, world):
    client.force_login(world.manager.user)
    ask(world, new_firm(world, "First"))
    ask(world, new_firm(world, "Own first"), requester=world.manager)
    few = count_queries(client, url(world, name))
    for i in range(15):
        ask(world, new_firm(world, f"Firm {i}"))
        ask(world, new_firm(world, f"Own {i}"), requester=world.manager)
    many = count_queries(client, url(world, name))
    assert few == many and many <= 12, (few, many)


# --- hostile input -----------------------------------------------------------------------------


def snapshot():
    with scopes_disabled():
        return (
            Claim.objects.count(),
            AuditEntry.objects.count(),
            OutboxEmail.objects.count(),
            Notification.objects.count(),
            sorted(Firm.objects.values_list("pk", "sales_rep_id")),
            sorted(Claim.objects.values_list("pk", "status", "reason")),
        )


def assert_no_nul():
    with scopes_disabled():
        for row in Claim.objects.all():
            assert "\x00" not in row.message + row.reason
        for row in AuditEntry.objects.all():
            assert "\x00" not in row.summary


@pytest.mark.django_db
def test_hostile_claim_messages(client, world):
    client.force_login(world.employee.user)
    for i, value in enumerate(HOSTILE):
        firm = new_firm(world, f"Hostile {i}")
        before = snapshot()
        response = client.post(url(world, "claim-create", firm.pk), {"message": value})
        assert response.status_code in ALLOWED, (value[:30], response.status_code)
        if response.status_code != 302:
            assert snapshot() == before, value[:30]
        assert_no_nul()
    with scopes_disabled():
        saved = set(Claim.objects.values_list("message", flat=True))
    assert '<script>alert("x")</script><img src=x onerror=alert(1)>' in saved
    page = client.get(url(world, "claim-list")).text
    assert "<script>alert" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["decision", "reason"])
def test_hostile_decisions(field, client, world):
    client.force_login(world.manager.user)
    for i, value in enumerate(HOSTILE):
        claim = ask(world, new_firm(world, f"Hostile {field} {i}"))
        data = {"decision": "reject", "reason": "Because", field: value}
        before = snapshot()
        response = client.post(url(world, "claim-decide", claim.pk), data)
        assert response.status_code in ALLOWED, (value[:30], response.status_code)
        if response.status_code != 302:
            assert snapshot() == before, value[:30]
        assert_no_nul()
    for value in ("-1", "0", "99999999999999999999", "abc"):
        response = client.post(f"/o/{world.tenant.slug}/claims/{value}/decide/", {})
        assert response.status_code == 404
