"""Contracts (seed 000 "sözleşme"): dates, value, file, status, the service covered, the firm's
status, the renewal reminder in the date-alarm digest, nightly expiry, lists, row rules,
budgets and hostile input."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django_scopes import scope, scopes_disabled

from agenda.services.digests import date_alarms
from core.models import AuditEntry
from sales.models import Contract, Service
from sales.services.contracts import contract_create, contracts_expire
from tests import helpers
from tests.factories import make_firm
from tests.test_sales_invoices import count_queries, fresh, make_service

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML_AS_PDF = b"<html><body><script>alert(1)</script></body></html>"
ALLOWED = helpers.ALLOWED


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def url(world, name, *args):
    return reverse(f"sales:{name}", args=[world.tenant.slug, *args])


def contract_post(firm=None, **overrides):
    data = {
        "title": "Maintenance 2026",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "value": "12000.50",
        "currency": "EUR",
        "status": "active",
        "renewal_days": "30",
        "responsible": "",
        "service": "",
        "note": "Yearly",
    }
    if firm is not None:
        data["firm"] = firm.pk
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def add_contract(world, firm, actor=None, service=None, **data):
    values = {"title": "Support", "starts_on": date(2026, 1, 1), "status": "active", **data}
    with scope(tenant=world.tenant.pk):
        return contract_create(
            tenant=world.tenant, actor=actor or world.employee, firm=firm, data=values,
            service=service,
        )  # fmt: skip


def count():
    with scopes_disabled():
        return Contract.objects.count()


@pytest.fixture
def firm(world):
    return make_firm(world.tenant, "Anadolu Makina", sales_rep=world.employee,
                     actor=world.executive.user)  # fmt: skip


@pytest.mark.django_db
def test_add_a_contract_with_its_file(client, world, firm):
    client.force_login(world.manager.user)
    upload = SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf")
    response = client.post(url(world, "contract-create"), contract_post(firm, file=upload))
    assert response.status_code == 302, response.text[:2000]
    with scopes_disabled():
        contract = Contract.objects.get()
    assert contract.title == "Maintenance 2026" and contract.ends_on == date(2026, 12, 31)
    assert str(contract.value) == "12000.50" and contract.currency == "EUR"
    assert contract.status == "active" and contract.renewal_days == 30
    assert contract.responsible == world.employee  # the firm's sales representative
    assert contract.created_by == world.manager and contract.original_name == "contract.pdf"
    page = client.get(response["Location"]).text
    assert "Maintenance 2026" in page and "30 days before the end" in page
    download = client.get(url(world, "contract-file", contract.pk))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    firm = fresh(firm)
    assert firm.status == "potential_customer"
    with scopes_disabled():
        assert AuditEntry.objects.filter(subject_type="sales.contract", action="create").exists()
    tab = client.get(url(world, "firm-contracts", firm.pk))
    assert "Maintenance 2026" in tab.text
    timeline = client.get(reverse("companies:firm-timeline", args=[world.tenant.slug, firm.pk]))
    assert "Maintenance 2026" in timeline.text and "Contract" in timeline.text


@pytest.mark.django_db
def test_files_are_checked_by_content(client, world, firm):
    client.force_login(world.employee.user)
    cases = [
        (SimpleUploadedFile("c.pdf", HTML_AS_PDF), 400, "This kind of file is not accepted here."),
        (SimpleUploadedFile("c.pdf", docx_bytes()), 400, "A Word document must be named .docx."),
        (SimpleUploadedFile("c.png", PDF), 400, "but its content is application/pdf"),
        (SimpleUploadedFile("c.docx", docx_bytes()), 302, ""),
    ]
    for upload, status, message in cases:
        before = count()
        response = client.post(url(world, "contract-create"), contract_post(firm, file=upload))
        assert response.status_code == status, upload.name
        assert message in response.text
        assert count() == before + (status == 302)
    with scopes_disabled():
        assert Contract.objects.get().content_type.endswith("wordprocessingml.document")


@pytest.mark.django_db
def test_dates_and_the_reminder_are_checked(client, world, firm):
    client.force_login(world.employee.user)
    cases = [
        ({"ends_on": "2025-12-31"}, "The end cannot be before the start."),
        ({"ends_on": ""}, "A renewal reminder needs an end date."),
        ({"renewal_days": "-1"}, "Ensure this value is greater than or equal to 0."),
    ]
    for extra, message in cases:
        response = client.post(url(world, "contract-create"), contract_post(firm, **extra))
        assert response.status_code == 400 and message in response.text, extra
    assert count() == 0
    response = client.post(
        url(world, "contract-create"), contract_post(firm, ends_on="", renewal_days="")
    )
    assert response.status_code == 302  # an open-ended contract


@pytest.mark.django_db
def test_a_service_gets_its_contract_and_gets_it_back_on_delete(client, world, firm):
    service = make_service(world, firm, title="Yearly maintenance")
    elsewhere = make_service(world, make_firm(world.tenant, "Other", sales_rep=world.employee))
    client.force_login(world.employee.user)
    page = client.get(url(world, "contract-create") + f"?firm={firm.pk}&service={service.pk}").text
    assert f'<option value="{service.pk}" selected' in page
    assert 'value="Yearly maintenance"' in page  # the title is taken from the service
    fragment = client.get(
        url(world, "contract-create"), {"firm": firm.pk},
        headers={"HX-Request": "true", "HX-Target": "contract-service"},
    ).text  # fmt: skip
    assert fragment.startswith('<div id="contract-service">') and "<html" not in fragment
    assert "Yearly maintenance" in fragment
    refused = client.get(url(world, "contract-create") + f"?firm={firm.pk}&service={elsewhere.pk}")
    assert escape("The service is not this firm's, or it has a contract.") in refused.text
    response = client.post(url(world, "contract-create"), contract_post(firm, service=service.pk))
    assert response.status_code == 302
    with scopes_disabled():
        contract = Contract.objects.get()
        assert Service.objects.get(pk=service.pk).contract == contract
    # A second contract for the same service, or one for another firm's service, is refused.
    for other in (service, elsewhere):
        response = client.post(url(world, "contract-create"), contract_post(firm, service=other.pk))
        assert response.status_code == 400 and "Select a valid choice" in response.text
    assert count() == 1
    response = client.post(url(world, "contract-delete", contract.pk))
    assert response.status_code == 302
    assert response["Location"] == url(world, "firm-contracts", firm.pk)
    with scopes_disabled():
        assert not Contract.objects.exists()
        assert not hasattr(Service.objects.get(pk=service.pk), "contract")
        assert AuditEntry.objects.filter(subject_type="sales.contract", action="delete").exists()
    page = client.get(url(world, "contract-create") + f"?firm={firm.pk}&service={service.pk}").text
    assert f'<option value="{service.pk}" selected' in page


@pytest.mark.django_db
def test_edit_changes_the_contract_and_its_file(client, world, firm):
    contract = add_contract(world, firm, ends_on=date(2026, 6, 30))
    client.force_login(world.employee.user)
    assert client.get(url(world, "contract-edit", contract.pk)).status_code == 200
    upload = SimpleUploadedFile("v2.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    response = client.post(
        url(world, "contract-edit", contract.pk),
        contract_post(title="Support, extended", status="terminated", file=upload),
    )
    assert response.status_code == 302, response.text[:1500]
    contract = fresh(contract)
    assert contract.title == "Support, extended" and contract.status == "terminated"
    assert contract.original_name == "v2.png"
    response = client.post(
        url(world, "contract-edit", contract.pk), contract_post(remove_file="on")
    )
    assert response.status_code == 302 and not fresh(contract).file
    with scopes_disabled():
        changes = [
            c["field"]
            for e in AuditEntry.objects.filter(subject_type="sales.contract", action="update")
            for c in e.changes
        ]
    assert {"title", "status", "file"} <= set(changes)


@pytest.mark.django_db
def test_the_renewal_reminder_joins_the_date_alarm_digest(world, firm):
    today = date(2026, 6, 1)
    soon = add_contract(world, firm, title="Lease", ends_on=date(2026, 7, 1), renewal_days=25)
    add_contract(world, firm, title="Later", ends_on=date(2026, 9, 1), renewal_days=10)
    add_contract(world, firm, title="No reminder", ends_on=date(2026, 6, 3))
    add_contract(world, firm, title="Draft", ends_on=date(2026, 6, 20), renewal_days=15,
                 status="draft")  # fmt: skip
    others = make_firm(world.tenant, "Not mine", sales_rep=world.outsider)
    add_contract(world, others, actor=world.executive, title="Theirs",
                 ends_on=date(2026, 6, 10), renewal_days=5)  # fmt: skip
    with scope(tenant=world.tenant.pk):
        items = date_alarms(tenant=world.tenant, employee=world.employee, start=today, days=7)
        outsider_items = date_alarms(
            tenant=world.tenant, employee=world.outsider, start=today, days=7
        )
        later = date_alarms(tenant=world.tenant, employee=world.employee, start=today, days=90)
    renewals = [item for item in items if item.kind == "contract_renewal"]
    assert [(i.name, i.on, i.firm_name) for i in renewals] == [
        ("Lease", date(2026, 6, 6), "Anadolu Makina")
    ]
    with translation.override("en"):
        assert str(renewals[0].kind_label) == "Contract renewal (ends 07/01/2026)"
    assert [i.name for i in outsider_items if i.kind == "contract_renewal"] == ["Theirs"]
    assert [i.name for i in later if i.kind == "contract_renewal"] == ["Lease", "Later"]
    assert soon.responsible == world.employee


@pytest.mark.django_db
def test_contracts_expire_across_tenants(world, other_world, firm):
    yesterday = timezone.localdate() - timedelta(days=1)
    lapsed = add_contract(world, firm, ends_on=yesterday)
    today = add_contract(world, firm, ends_on=timezone.localdate())
    draft = add_contract(world, firm, ends_on=yesterday, status="draft")
    open_ended = add_contract(world, firm)
    theirs_firm = make_firm(other_world.tenant, "Globex Firm", sales_rep=other_world.employee)
    theirs = add_contract(other_world, theirs_firm, actor=other_world.employee, ends_on=yesterday)
    assert contracts_expire() == 2
    assert [fresh(c).status for c in (lapsed, today, draft, open_ended, theirs)] == [
        "expired", "active", "draft", "active", "expired",
    ]  # fmt: skip
    with scopes_disabled():
        entry = AuditEntry.objects.get(subject_type="sales.contract", subject_id=lapsed.pk,
                                       action="update")  # fmt: skip
    assert entry.actor is None
    assert entry.changes == [{"field": "status", "old": "Active", "new": "Expired"}]
    assert contracts_expire() == 0


@pytest.mark.django_db
def test_the_beat_task_expires_contracts(world, firm):
    from sales.tasks import expire_lapsed

    lapsed = add_contract(world, firm, ends_on=timezone.localdate() - timedelta(days=3))
    result = expire_lapsed()
    assert result["contracts"] == 1 and fresh(lapsed).status == "expired"


@pytest.mark.django_db
def test_list_filters(client, world, firm):
    today = timezone.localdate()
    other = make_firm(world.tenant, "Boğaziçi Ltd", sales_rep=world.employee)
    soon = add_contract(world, firm, title="Soon", ends_on=today + timedelta(days=10))
    far = add_contract(world, firm, title="Far", ends_on=today + timedelta(days=200))
    draft = add_contract(world, other, title="Drafted", status="draft")
    client.force_login(world.employee.user)

    def listed(query=""):
        response = client.get(url(world, "contract-list") + query)
        assert response.status_code == 200
        return {c.title for c in (soon, far, draft) if f">{c.title}</a>" in response.text}

    assert listed() == {"Soon", "Far", "Drafted"}
    assert listed("?status=draft") == {"Drafted"}
    assert listed("?status=active") == {"Soon", "Far"}
    assert listed("?ending_within=30") == {"Soon"}
    assert listed("?ending_within=365") == {"Soon", "Far"}
    assert listed(f"?firm={other.pk}") == {"Drafted"}
    assert listed("?sort=-end&q=bo") == {"Drafted"}


@pytest.mark.django_db
def test_row_rules_follow_the_firm(client, world, firm):
    outsiders = make_firm(world.tenant, "Outsider Firm", sales_rep=world.outsider)
    theirs = add_contract(world, outsiders, actor=world.outsider, title="Theirs")
    ours = add_contract(world, firm, title="Ours")
    client.force_login(world.employee.user)
    assert client.get(url(world, "contract-detail", theirs.pk)).status_code == 200
    assert client.get(url(world, "contract-edit", theirs.pk)).status_code == 403
    assert client.post(url(world, "contract-delete", theirs.pk)).status_code == 403
    response = client.post(url(world, "contract-create"), contract_post(outsiders))
    assert response.status_code == 400
    assert (
        "You may not add contracts to this firm."
        in client.get(url(world, "contract-create") + f"?firm={outsiders.pk}").text
    )
    with scopes_disabled():
        type(world.tenant).objects.filter(pk=world.tenant.pk).update(employees_read_all_firms=False)
    assert client.get(url(world, "contract-detail", theirs.pk)).status_code == 404
    assert client.get(url(world, "contract-file", theirs.pk)).status_code == 404
    listing = client.get(url(world, "contract-list")).text
    assert ">Ours</a>" in listing and ">Theirs</a>" not in listing
    assert fresh(ours).title == "Ours"


@pytest.mark.django_db
def test_list_tab_and_detail_query_budgets(client, world, firm):
    client.force_login(world.manager.user)
    contract = add_contract(world, firm, service=make_service(world, firm))
    pages = [
        url(world, "contract-list"),
        url(world, "firm-contracts", firm.pk),
        url(world, "contract-detail", contract.pk),
        url(world, "contract-edit", contract.pk),
    ]
    few = [count_queries(client, page) for page in pages]
    for i in range(15):
        add_contract(world, firm, title=f"C{i}", service=make_service(world, firm, title=f"S{i}"),
                     responsible=world.manager, ends_on=date(2027, 1, 1))  # fmt: skip
    many = [count_queries(client, page) for page in pages]
    assert few == many, (few, many)
    assert max(many) <= 18, many


@pytest.mark.django_db
def test_hostile_input_never_fails_and_never_half_saves(client, world, other_world, firm):
    service = make_service(world, firm)
    client.force_login(world.employee.user)
    base = contract_post(firm, service=service.pk, responsible=world.employee.pk)
    for field in list(base):
        for value in helpers.HOSTILE:
            before = count()
            response = client.post(url(world, "contract-create"), {**base, field: value})
            assert response.status_code in ALLOWED, (field, value[:20], response.status_code)
            if response.status_code == 302:
                with scopes_disabled():
                    contract = Contract.objects.order_by("-pk").first()
                    assert "\x00" not in contract.title + contract.note
                    contract.delete()
            else:
                assert count() == before, (field, value[:20])
    foreign = make_firm(other_world.tenant, "Globex Firm")
    foreign_service = make_service(other_world, foreign)
    for extra in ({"firm": foreign.pk}, {"service": foreign_service.pk},
                  {"responsible": other_world.employee.pk}):  # fmt: skip
        response = client.post(url(world, "contract-create"), {**base, **extra})
        assert response.status_code == 400 and count() == 0, extra
    contract = add_contract(world, firm)
    for field in [*contract_post(), "remove_file"]:
        for value in helpers.HOSTILE:
            response = client.post(url(world, "contract-edit", contract.pk), {**base, field: value})
            assert response.status_code in ALLOWED, (field, value[:20], response.status_code)
    for name in ("q", "firm", "status", "ending_within", "sort", "page"):
        for value in helpers.HOSTILE:
            response = client.get(url(world, "contract-list"), {name: value})
            assert response.status_code == 200, (name, value[:20])
    for name in ("firm", "service"):
        for value in helpers.HOSTILE:
            response = client.get(url(world, "contract-create"), {name: value})
            assert response.status_code == 200, (name, value[:20])
