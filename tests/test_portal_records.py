"""The firm's records in the portal: invoices, contracts, documents sent and appointments, each
only of the portal user's own firm; downloads reach the firm's timeline."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from agenda.services.activities import activity_cancel
from portal.models import PortalEvent
from sales.models import ContractStatus
from tests.documents_helpers import PNG
from tests.helpers import give_profile
from tests.matrix.portal_records import (
    PDF,
    activity_type,
    book,
    make_contract,
    make_invoice,
    send_document,
)
from tests.portal_helpers import portal_login, portal_url, portal_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return portal_world(world)


@pytest.fixture
def portal(client, w):
    return portal_login(client, w.portal_user)


def get(client, w, name, *args, **params):
    return client.get(portal_url(w, name, *args), params)


def text(client, w, name, *args, **params):
    response = get(client, w, name, *args, **params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def body(response):
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def events_of(w, firm):
    with scope(tenant=w.tenant.pk):
        return list(
            PortalEvent.objects.filter(firm=firm).values_list(
                "kind", "subject_type", "subject_id", "summary", "portal_user_id"
            )
        )


# --- invoices --------------------------------------------------------------------------------


def test_invoices_show_only_the_firms_own_with_amounts_and_file_state(portal, w):
    make_invoice(w, w.portal_firm, "OWN-PDF-1", total="1234.50", net="1028.75", vat="205.75",
                 currency="EUR", due_on="2026-12-31")  # fmt: skip
    make_invoice(w, w.portal_firm, "OWN-SCAN-2", pdf=None, original=PNG)
    make_invoice(w, w.other_portal_firm, "FOREIGN-3")
    page = text(portal, w, "invoices")
    assert "OWN-PDF-1" in page and "OWN-SCAN-2" in page
    assert "1,234.50 EUR" in page and "1,028.75 EUR" in page and "205.75 EUR" in page
    assert "12/31/2026" in page
    assert "Scanned original" in page and "No file yet" in page  # the helper's invoice has none
    assert "FOREIGN-3" not in page and "INV-acme-other-customer" not in page
    assert 'aria-current="page"' in page


def test_invoice_download_prefers_the_pdf_then_the_scan_and_is_recorded(portal, w):
    both = make_invoice(w, w.portal_firm, "BOTH-1", original=PNG)
    scan = make_invoice(w, w.portal_firm, "SCAN-2", pdf=None, original=PNG)
    response = get(portal, w, "invoice-download", both.pk)
    assert body(response) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="invoice-BOTH-1.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(get(portal, w, "invoice-download", scan.pk)) == PNG
    assert events_of(w, w.portal_firm) == [
        ("download", "invoice", scan.pk, "Invoice SCAN-2", w.portal_user.pk),
        ("download", "invoice", both.pk, "Invoice BOTH-1", w.portal_user.pk),
    ]


def test_an_invoice_without_a_file_or_of_another_firm_is_not_found(portal, w):
    bare = make_invoice(w, w.portal_firm, "BARE-1", pdf=None)
    foreign = make_invoice(w, w.other_portal_firm, "FOREIGN-1")
    assert get(portal, w, "invoice-download", bare.pk).status_code == 404
    assert get(portal, w, "invoice-download", foreign.pk).status_code == 404
    assert events_of(w, w.portal_firm) == events_of(w, w.other_portal_firm) == []


def test_downloads_show_on_the_staff_timeline_only_with_the_view_rights(portal, client, w):
    invoice = make_invoice(w, w.portal_firm, "TL-INV-1")
    item = send_document(w, w.portal_firm, "Timeline leaflet")
    body(get(portal, w, "invoice-download", invoice.pk))
    body(get(portal, w, "document-download", item.pk))
    timeline = reverse("companies:firm-timeline", args=[w.tenant.slug, w.portal_firm.pk])

    def seen():
        response = client.get(timeline)
        assert response.status_code == 200
        page = response.content.decode()
        return {
            "invoice": "Invoice TL-INV-1" in page,
            "document": "Document Timeline leaflet" in page,
            "badge": "Portal · Downloaded" in page,
        }

    client.force_login(w.employee.user)
    assert seen() == {"invoice": True, "document": True, "badge": True}
    page = client.get(timeline).content.decode()
    assert w.portal_firm.name in page  # who downloaded: the firm's own login

    give_profile(w, w.employee, "Firms and invoices", ["firms.view", "invoices.view"])
    assert seen() == {"invoice": True, "document": False, "badge": True}
    give_profile(w, w.employee, "Firms only", ["firms.view", "firms.change"])
    assert seen() == {"invoice": False, "document": False, "badge": False}


# --- contracts -------------------------------------------------------------------------------


def test_contracts_hide_drafts_and_other_firms(portal, w):
    active = make_contract(w, w.portal_firm, "Maintenance 2026", value="5000.00", currency="TRY")
    make_contract(w, w.portal_firm, "Expired deal", status=ContractStatus.EXPIRED, content=None)
    draft = make_contract(w, w.portal_firm, "Secret draft", status=ContractStatus.DRAFT)
    foreign = make_contract(w, w.other_portal_firm, "Foreign contract")
    page = text(portal, w, "contracts")
    assert "Maintenance 2026" in page and "5,000.00 TRY" in page and "Active" in page
    assert "Expired deal" in page and "No file" in page
    assert "Secret draft" not in page and "Foreign contract" not in page
    assert get(portal, w, "contract-download", draft.pk).status_code == 404
    assert get(portal, w, "contract-download", foreign.pk).status_code == 404
    response = get(portal, w, "contract-download", active.pk)
    assert body(response) == PDF and 'filename="contract.pdf"' in response["Content-Disposition"]
    assert events_of(w, w.portal_firm) == [
        ("download", "contract", active.pk, "Contract Maintenance 2026", w.portal_user.pk)
    ]


def test_a_contract_without_a_file_is_not_found(portal, w):
    bare = make_contract(w, w.portal_firm, "Paper only", content=None)
    assert get(portal, w, "contract-download", bare.pk).status_code == 404


# --- documents -------------------------------------------------------------------------------


def test_documents_are_those_delivered_to_the_firm(portal, w):
    own = send_document(w, w.portal_firm, "Spring catalogue", content=PDF + b"own")
    send_document(w, w.portal_firm, "Still in the outbox", delivered=False)
    foreign = send_document(w, w.other_portal_firm, "Foreign price list")
    page = text(portal, w, "documents")
    assert "Spring catalogue" in page and "About Spring catalogue" in page and "Brochure" in page
    assert "Still in the outbox" not in page and "Foreign price list" not in page

    response = get(portal, w, "document-download", own.pk)
    assert body(response) == PDF + b"own"
    assert response["Content-Disposition"].startswith("attachment")
    assert get(portal, w, "document-download", foreign.pk).status_code == 404
    assert events_of(w, w.portal_firm) == [
        ("download", "dispatch", own.dispatch_id, "Document Spring catalogue", w.portal_user.pk)
    ]


def test_a_document_not_delivered_yet_cannot_be_downloaded(portal, w):
    waiting = send_document(w, w.portal_firm, "Waiting brochure", delivered=False)
    assert get(portal, w, "document-download", waiting.pk).status_code == 404


def test_documents_are_newest_first(portal, w):
    send_document(w, w.portal_firm, "Older leaflet")
    send_document(w, w.portal_firm, "Newer leaflet")
    page = text(portal, w, "documents")
    assert page.index("Newer leaflet") < page.index("Older leaflet")


# --- appointments ----------------------------------------------------------------------------


def test_appointments_show_upcoming_visible_ones_of_the_firm(portal, w):
    book(w, w.portal_firm, "Quarterly review", days=2, location="Izmir office")
    book(w, w.portal_firm, "Yesterday's visit", days=-1)
    book(w, w.portal_firm, "Private prep", days=1, show_in_agenda=False)
    book(w, w.portal_firm, "Internal call", days=1, type_code="call")
    cancelled = book(w, w.portal_firm, "Cancelled meeting", days=4, type_code="meeting")
    with scope(tenant=w.tenant.pk):
        activity_cancel(tenant=w.tenant, actor=w.executive, activity=cancelled)
    book(w, w.other_portal_firm, "Foreign appointment", days=1)
    page = text(portal, w, "appointments")
    assert "Quarterly review" in page and "Izmir office" in page
    assert w.employee.full_name in page
    for hidden in ("Yesterday", "Private prep", "Internal call", "Cancelled", "Foreign"):
        assert hidden not in page, hidden


def test_the_settings_switch_decides_which_activity_types_the_portal_shows(portal, w):
    book(w, w.portal_firm, "Site visit", days=2, type_code="visit")
    book(w, w.portal_firm, "Phone follow-up", days=2, type_code="call")
    with scope(tenant=w.tenant.pk):
        call, visit = activity_type(w, "call"), activity_type(w, "visit")
        call.flags = [*call.flags, "portal"]
        visit.flags = [flag for flag in visit.flags if flag != "portal"]
        call.save(update_fields=["flags"])
        visit.save(update_fields=["flags"])
    page = text(portal, w, "appointments")
    assert "Phone follow-up" in page and "Site visit" not in page


def test_appointments_are_soonest_first_and_paginated(portal, w):
    for day in range(27, 0, -1):
        book(w, w.portal_firm, f"Visit number {day:02d}", days=day)
    first = text(portal, w, "appointments")
    assert first.index("Visit number 01") < first.index("Visit number 02")
    assert "Visit number 26" not in first and "Page 1 of 2" in first
    second = text(portal, w, "appointments", page=2)
    assert "Visit number 26" in second and "Visit number 27" in second


def test_appointment_times_are_in_the_company_persons_time_zone(portal, w):
    user = w.employee.user
    user.timezone = "Asia/Tokyo"
    user.save(update_fields=["timezone"])
    # At half past: a time on the hour reads "8 p.m." in English, without its minutes.
    start = (timezone.now() + timedelta(days=5)).replace(minute=30, second=0, microsecond=0)
    activity = book(w, w.portal_firm, "Tokyo call", start=start, end=start + timedelta(hours=1))
    local = activity.start + timedelta(hours=9)  # Tokyo is UTC+9 all year
    page = text(portal, w, "appointments")
    assert local.strftime("%H:%M") in page or local.strftime("%-I:%M") in page
    assert "JST" in page


# --- the start page --------------------------------------------------------------------------


def test_home_shows_the_next_three_appointments_and_latest_three_invoices(portal, w):
    for day in (1, 2, 3, 4):
        book(w, w.portal_firm, f"Meeting day {day}", days=day)
    for number in range(1, 5):
        make_invoice(w, w.portal_firm, f"HOME-INV-{number}")
    book(w, w.other_portal_firm, "Foreign meeting", days=1)
    page = text(portal, w, "home")
    assert "Meeting day 1" in page and "Meeting day 3" in page and "Meeting day 4" not in page
    assert "HOME-INV-4" in page and "HOME-INV-2" in page and "HOME-INV-1" not in page
    assert "Foreign meeting" not in page


def test_home_with_nothing_yet_says_so(client, w):
    portal_login(client, w.other_portal_user)
    page = text(client, w, "home")
    assert "There are no upcoming appointments." in page


# --- empty states, hostile ids, query budgets ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "empty"),
    [
        ("contracts", "There are no contracts for you yet."),
        ("documents", "No documents have been sent to you yet."),
        ("appointments", "There are no upcoming appointments."),
    ],
)
def test_empty_lists_say_so(portal, w, name, empty):
    assert empty in text(portal, w, name)


@pytest.mark.parametrize("name", ["invoice-download", "contract-download", "document-download"])
@pytest.mark.parametrize("bad", ["abc", "-1", "99999999999999999999999", "٣", "1%00", "0"])
def test_hostile_ids_are_not_found(portal, w, name, bad):
    path = portal_url(w, name, 1).replace("/1/", f"/{bad}/")
    assert portal.get(path).status_code == 404


def test_logged_out_visitors_go_to_the_portal_login(client, w):
    response = get(client, w, "invoices")
    assert response.status_code == 302
    assert response["Location"].startswith(portal_url(w, "login"))


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_rows(w, n, start=0):
    for i in range(start, start + n):
        make_invoice(w, w.portal_firm, f"Q-INV-{i}", original=PNG)
        make_contract(w, w.portal_firm, f"Q-contract {i}")
        book(w, w.portal_firm, f"Q-visit {i}", days=i + 1)
    for i in range(start, start + min(n, 3)):
        send_document(w, w.portal_firm, f"Q-doc {i}")


BUDGETS = {"home": 10, "invoices": 5, "contracts": 5, "documents": 5, "appointments": 7}


@pytest.mark.parametrize("name", sorted(BUDGETS))
def test_list_query_counts_do_not_grow(portal, w, name):
    url = portal_url(w, name)
    add_rows(w, 1)
    few = count_queries(portal, url)
    add_rows(w, 6, start=1)
    many = count_queries(portal, url)
    assert few == many, f"{few} queries with one row, {many} with more"
    assert many <= BUDGETS[name]


def test_a_file_gone_from_storage_is_not_found_and_not_recorded(portal, w):
    invoice = make_invoice(w, w.portal_firm, "GONE-1")
    invoice.pdf.storage.delete(invoice.pdf.name)
    assert get(portal, w, "invoice-download", invoice.pk).status_code == 404
    assert events_of(w, w.portal_firm) == []


def test_a_head_request_is_not_recorded_as_a_download(portal, w):
    invoice = make_invoice(w, w.portal_firm, "HEAD-1")
    response = portal.head(portal_url(w, "invoice-download", invoice.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b""
    assert events_of(w, w.portal_firm) == []
