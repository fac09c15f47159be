"""Claiming a pool firm with a manager's approval (issue 3, seed 000 "Firmayı talep et")."""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.models import Position
from companies.models import Claim, ClaimStatus, Firm
from companies.selectors import claims as selectors
from companies.services import claims as services
from companies.services.firms import firm_create
from core.models import AuditEntry, Notification, OutboxEmail
from core.notifications import notify
from tests.factories import make_employee, make_world
from tests.test_hostile_input import ALLOWED, HOSTILE

# --- helpers -----------------------------------------------------------------------------------


def new_firm(world, name="Pool Firm", **data):
    with scope(tenant=world.tenant.pk):
        return firm_create(
            tenant=world.tenant,
            actor=world.executive.user,
            data={"name": name, "type": "customer", **data},
        )


def ask(world, firm, requester=None, message="I know their buyer."):
    with scope(tenant=world.tenant.pk):
        return services.claim_create(
            tenant=world.tenant, requester=requester or world.employee, firm=firm, message=message
        )


def approve(world, claim, decider=None, reason=""):
    with scope(tenant=world.tenant.pk):
        return services.claim_approve(
            tenant=world.tenant, decider=decider or world.manager, claim=claim, reason=reason
        )


def reject(world, claim, decider=None, reason="Not your region."):
    with scope(tenant=world.tenant.pk):
        return services.claim_reject(
            tenant=world.tenant, decider=decider or world.manager, claim=claim, reason=reason
        )


def firm_events(firm, word):
    with scopes_disabled():
        return list(
            AuditEntry.objects.filter(
                subject_type="companies.firm",
                subject_id=firm.pk,
                action=AuditEntry.Action.EVENT,
                summary__contains=word,
            )
        )


def fresh(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


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


# --- two approvals at the same moment ---------------------------------------------------------


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


# --- notifications -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_bell_shows_unread_items_in_one_query(rf, world):
    with scope(tenant=world.tenant.pk):
        for i in range(7):
            notify(tenant=world.tenant, recipients=[world.manager], text=f"Note {i}", url="/x/")
        notify(tenant=world.tenant, recipients=[world.employee], text="Not for the manager")
        request = rf.get("/")
        request.user = world.manager.user
        with CaptureQueriesContext(connection) as ctx:
            html = render_to_string(
                "components/_notifications.html",
                {"tenant": world.tenant, "member": world.manager},
                request=request,
            )
    assert len(ctx.captured_queries) == 1
    assert 'id="notification-count">7<' in html
    assert "Note 6" in html and "Note 1" not in html  # the latest five
    assert "Not for the manager" not in html


@pytest.mark.django_db
def test_notifications_page_and_mark_as_read(client, world):
    with scope(tenant=world.tenant.pk):
        first, second = (
            notify(tenant=world.tenant, recipients=[world.employee], text=t, url=u)[0]
            for t, u in (("Go there", "/o/acme/claims/"), ("Evil", "https://evil.example.com/"))
        )
        (theirs,) = notify(tenant=world.tenant, recipients=[world.manager], text="Theirs")
    client.force_login(world.employee.user)
    page = client.get(url(world, "notifications"))
    assert "Go there" in page.text and "Theirs" not in page.text
    response = client.post(url(world, "notification-read", first.pk), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/o/acme/claims/"
    assert fresh(first).read_at is not None
    # A link off the site is never followed.
    response = client.post(url(world, "notification-read", second.pk), {"open": "1"})
    assert response["Location"] == url(world, "notifications")
    assert client.post(url(world, "notification-read", theirs.pk)).status_code == 404
    client.post(url(world, "notification-read-all"))
    assert fresh(theirs).read_at is None


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
