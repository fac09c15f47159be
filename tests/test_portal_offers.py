"""Offers in the portal: the firm sees what it was sent, downloads it, accepts or rejects it
with a comment; the owner hears of it once, the firm's timeline shows it."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import Employee
from core.models import AuditEntry, Notification, OutboxEmail
from portal.models import PortalEvent
from portal.services.offers import offer_decide
from sales.models import Offer, OfferStatus
from sales.services.offers import offer_create, offers_expire
from tests.helpers import HOSTILE
from tests.matrix.portal_offers import offer_template, sent_offer
from tests.portal_helpers import make_portal_user, portal_firm, portal_login, portal_url
from tests.test_claims_race import waiting_for_locks

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(world):
    return portal_firm(world, "Kuzey Makina")


@pytest.fixture
def portal_user(world, firm):
    return make_portal_user(world, firm)


@pytest.fixture
def offer(world, firm):
    return sent_offer(world, firm, "Pumps for the new plant", template=offer_template(world))


@pytest.fixture
def portal(client, portal_user):
    return portal_login(client, portal_user)


def fresh(offer):
    with scopes_disabled():
        return Offer.objects.get(pk=offer.pk)


def owner_mails(world):
    return OutboxEmail.objects.filter(to=[world.employee.user.email])


def test_offer_acceptance_notifies_the_owner_through_the_outbox(world, firm, offer, portal, client):
    listing = client.get(portal_url(world, "offers")).content.decode()
    assert offer.number in listing and "Pumps for the new plant" in listing
    page = client.get(portal_url(world, "offer-detail", offer.pk)).content.decode()
    assert "Pump service" in page and "Delivery in two weeks." in page and "360.00" in page
    assert "Accept the offer" in page

    response = client.post(
        portal_url(world, "offer-accept", offer.pk), {"comment": "Please deliver in May."}
    )
    assert response.status_code == 302
    assert "you accepted the offer" in client.get(response["Location"]).content.decode()

    offer = fresh(offer)
    assert offer.status == OfferStatus.ACCEPTED
    assert offer.decision_comment == "Please deliver in May." and offer.decided_at is not None
    mail = owner_mails(world).get()
    assert mail.subject == f"Kuzey Makina accepted offer {offer.number}"
    assert "Please deliver in May." in mail.body_text
    assert reverse("sales:offer-detail", args=[world.tenant.slug, offer.pk]) in mail.body_text
    with scopes_disabled():
        event = PortalEvent.objects.get(firm=firm, kind=PortalEvent.Kind.OFFER_ACCEPTED)
        assert event.subject_id == offer.pk and offer.number in event.summary
        note = Notification.objects.get(recipient=world.employee)
        assert "accepted the offer" in note.text and str(offer.pk) in note.url
        entry = AuditEntry.objects.filter(subject_id=offer.pk, action="event").latest("id")
        assert entry.actor is None and "Kuzey Makina" in entry.summary
        assert entry.changes[0]["code"] == "accepted"

    client.force_login(world.employee.user)
    timeline = client.get(
        reverse("companies:firm-timeline", args=[world.tenant.slug, firm.pk])
    ).content.decode()
    assert "Accepted an offer" in timeline and "Offer accepted" in timeline


def test_the_firm_rejects_an_offer(world, offer, portal, client):
    response = client.post(portal_url(world, "offer-reject", offer.pk), {"comment": "Too dear."})
    assert response.status_code == 302
    offer = fresh(offer)
    assert offer.status == OfferStatus.REJECTED and offer.decision_comment == "Too dear."
    mail = owner_mails(world).get()
    assert "rejected" in mail.subject and "Too dear." in mail.body_text
    with scopes_disabled():
        assert PortalEvent.objects.filter(kind=PortalEvent.Kind.OFFER_REJECTED).count() == 1
    page = client.get(portal_url(world, "offer-detail", offer.pk)).content.decode()
    assert "You rejected this offer." in page and "Accept the offer" not in page


def test_a_draft_is_not_shown_to_the_firm(world, firm, offer, portal, client):
    with scope(tenant=world.tenant.pk):
        draft = offer_create(
            tenant=world.tenant,
            actor=world.employee,
            data={
                "number": "",
                "title": "Secret draft",
                "firm": firm,
                "contact": None,
                "issued_on": timezone.localdate(),
                "valid_until": None,
                "currency": "TRY",
                "terms": "",
                "template": None,
                "opportunity": None,
            },
            lines=[{"description": "x", "quantity": 1, "unit_price": 1}],
        )
    assert "Secret draft" not in client.get(portal_url(world, "offers")).content.decode()
    for name in ("offer-detail", "offer-pdf"):
        assert client.get(portal_url(world, name, draft.pk)).status_code == 404
    assert client.post(portal_url(world, "offer-accept", draft.pk)).status_code == 404
    assert fresh(draft).status == OfferStatus.DRAFT and not OutboxEmail.objects.exists()


def test_another_firms_offer_is_a_404(world, offer, client):
    other = make_portal_user(world, portal_firm(world, "Other Customer"))
    portal_login(client, other)
    assert "Pumps" not in client.get(portal_url(world, "offers")).content.decode()
    assert client.get(portal_url(world, "offer-detail", offer.pk)).status_code == 404
    assert client.get(portal_url(world, "offer-pdf", offer.pk)).status_code == 404
    assert client.post(portal_url(world, "offer-accept", offer.pk)).status_code == 404
    assert client.post(portal_url(world, "offer-reject", offer.pk)).status_code == 404
    assert fresh(offer).status == OfferStatus.SENT


def test_an_offer_already_decided_gives_a_message_and_changes_nothing(world, offer, portal, client):
    client.post(portal_url(world, "offer-accept", offer.pk), {"comment": "Yes"})
    response = client.post(
        portal_url(world, "offer-reject", offer.pk), {"comment": "No"}, follow=True
    )
    assert "This offer was already accepted on" in response.content.decode()
    offer = fresh(offer)
    assert offer.status == OfferStatus.ACCEPTED and offer.decision_comment == "Yes"
    assert owner_mails(world).count() == 1
    with scopes_disabled():
        assert PortalEvent.objects.filter(kind__startswith="offer_").count() == 1


def test_an_expired_offer_may_still_be_answered_and_says_so(world, firm, portal, client):
    offer = sent_offer(world, firm, "Old offer")
    with scopes_disabled():
        Offer.objects.filter(pk=offer.pk).update(
            valid_until=timezone.localdate() - timedelta(days=3)
        )
    page = client.get(portal_url(world, "offer-detail", offer.pk)).content.decode()
    assert "The validity of this offer ended on" in page
    assert offers_expire() == 1 and fresh(offer).status == OfferStatus.EXPIRED
    assert client.post(portal_url(world, "offer-accept", offer.pk)).status_code == 302
    assert fresh(offer).status == OfferStatus.ACCEPTED


def test_without_an_owner_the_sales_rep_hears_in_their_language(world, offer, portal, client):
    with scopes_disabled():
        Offer.objects.filter(pk=offer.pk).update(owner=None)
        world.employee.user.language = "tr"
        world.employee.user.save(update_fields=["language"])
    client.post(portal_url(world, "offer-reject", offer.pk))
    mail = owner_mails(world).get()
    assert mail.body_text.startswith("Merhaba")


def test_no_one_working_to_tell_still_records_the_answer(world, offer, portal, client):
    with scopes_disabled():
        Employee.objects.filter(pk=world.employee.pk).update(status="resigned")
    client.post(portal_url(world, "offer-accept", offer.pk))
    assert fresh(offer).status == OfferStatus.ACCEPTED
    assert not OutboxEmail.objects.filter(idempotency_key__startswith="portal-offer").exists()


def test_the_pdf_is_served_as_an_attachment_and_logged(world, firm, offer, portal, client):
    response = client.get(portal_url(world, "offer-pdf", offer.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    with scopes_disabled():
        assert PortalEvent.objects.filter(firm=firm, kind="download", subject_id=offer.pk).exists()


def test_without_a_template_the_pdf_gives_a_message(world, firm, portal, client):
    offer = sent_offer(world, firm, "No template")
    response = client.get(portal_url(world, "offer-pdf", offer.pk), follow=True)
    assert "cannot be made right now" in response.content.decode()
    with scopes_disabled():
        assert not PortalEvent.objects.filter(kind="download").exists()


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_comments_never_break_the_answer(world, offer, portal, client, value):
    response = client.post(portal_url(world, "offer-reject", offer.pk), {"comment": value})
    assert response.status_code in (302, 400)
    offer = fresh(offer)
    if response.status_code == 400:
        assert offer.status == OfferStatus.SENT and not OutboxEmail.objects.exists()
    else:
        assert offer.status == OfferStatus.REJECTED and offer.decision_comment == value.strip()


def test_markup_in_a_comment_is_shown_as_text(world, offer, portal, client):
    client.post(portal_url(world, "offer-accept", offer.pk), {"comment": "<b>bold</b>"})
    page = client.get(portal_url(world, "offer-detail", offer.pk)).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_and_detail_have_budgets(world, firm, offer, portal, client):
    list_url = portal_url(world, "offers")
    detail_url = portal_url(world, "offer-detail", offer.pk)
    few = count_queries(client, list_url), count_queries(client, detail_url)
    for i in range(8):
        sent_offer(world, firm, f"More {i}")
    many = count_queries(client, list_url), count_queries(client, detail_url)
    assert few == many and many[0] <= 10 and many[1] <= 10, (few, many)


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_one_wins(world):
    firm = portal_firm(world, "Race Customer")
    offer = sent_offer(world, firm, "Raced")
    portal_user = make_portal_user(world, firm)
    results = {}

    def answer(name, accept):
        try:
            with scope(tenant=world.tenant.pk):
                offer_decide(
                    tenant=world.tenant,
                    portal_user=portal_user,
                    offer=offer,
                    accept=accept,
                    comment=name,
                )
            results[name] = "done"
        except Exception as error:  # shown in the assertions below
            results[name] = " ".join(getattr(error, "messages", [repr(error)]))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer, args=("yes", True)),
        threading.Thread(target=answer, args=("no", False)),
    ]
    with scope(tenant=world.tenant.pk), transaction.atomic():
        Offer.objects.select_for_update().get(pk=offer.pk)  # both wait for this lock
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while waiting_for_locks() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=20)

    outcomes = sorted(results.values(), key=lambda text: text != "done")
    assert outcomes[0] == "done" and "already" in outcomes[1], results
    offer = fresh(offer)
    winner = "yes" if offer.status == OfferStatus.ACCEPTED else "no"
    assert results[winner] == "done" and offer.decision_comment == winner
    assert OutboxEmail.objects.filter(idempotency_key__startswith="portal-offer").count() == 1
    with scopes_disabled():
        assert PortalEvent.objects.filter(kind__startswith="offer_").count() == 1
