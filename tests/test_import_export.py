"""Import of firms and contacts from CSV and XLSX, and export of the filtered firm list.

The worker's side of exports (the job, its page, the sweeper) is in test_exports_worker.py.
"""

import csv
import io
import json
import time
import zipfile
from urllib.parse import urlencode

import openpyxl
import pytest
import redis
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django_scopes import scope, scopes_disabled

from companies.import_files import XLSX
from companies.models import Address, Contact, Email, Firm, FirmContact, ImportJob, Phone
from companies.services import firms as firm_services
from companies.services import imports
from companies.tasks import read_import, run_export, run_import
from core.models import AuditEntry, Choice, Sequence
from tests.helpers import give_profile

FIRM_HEADER = [
    "Code",
    "Name",
    "Type",
    "Roles",
    "Parent code",
    "Tax number",
    "Founding date",
    "Number of employees",
    "Sector",
    "Status",
    "Priority",
    "Sales representative e-mail",
    "Phone",
    "E-mail",
    "Website",
    "City",
    "Street",
    "Notes",
    "Contact name",
    "Contact phone",
    "Contact e-mail",
]


def csv_bytes(header, rows, delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(header, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def firm_row(**values):
    keys = [
        "code",
        "name",
        "type",
        "roles",
        "parent",
        "tax",
        "founded",
        "employees",
        "sector",
        "status",
        "priority",
        "rep",
        "phone",
        "email",
        "website",
        "city",
        "street",
        "notes",
        "contact",
        "contact_phone",
        "contact_email",
    ]
    return [values.get(key, "") for key in keys]


def url(world, name, *args):
    return reverse(f"companies:{name}", args=[world.tenant.slug, *args])


def upload(client, world, content, name="firms.csv", kind="firms"):
    return client.post(
        url(world, "firm-import"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )


def job_of(world, **filters):
    with scope(tenant=world.tenant.pk):
        return ImportJob.objects.filter(tenant=world.tenant, **filters).latest("id")


def read(job):
    """What the worker does with an uploaded file: ``read_import`` as a delivered task."""
    read_import(job.pk, tenant_id=job.tenant_id)
    with scope(tenant=job.tenant_id):
        return ImportJob.objects.get(pk=job.pk)


def make_job(world, content, *, name="firms.csv", kind="firms", actor=None, on_duplicate="skip"):
    """A mapped job (the file read by the worker, its headers guessed), as the views leave it."""
    from companies.import_files import read_table

    actor = actor or world.manager
    file_format = name.rsplit(".", 1)[1]
    stored = SimpleUploadedFile(name, content)
    with scope(tenant=world.tenant.pk):
        job = imports.import_create(
            tenant=world.tenant,
            actor=actor.user,
            kind=kind,
            upload=stored,
            original_name=name,
            file_format=file_format,
            table=read_table(stored, file_format, limit=1),
        )
    job = read(job)
    with scope(tenant=world.tenant.pk):
        return imports.import_map(
            tenant=world.tenant,
            actor=actor.user,
            job=job,
            mapping=job.mapping,
            on_duplicate=on_duplicate,
        )


def run(job):
    run_import(job.pk, tenant_id=job.tenant_id)
    with scope(tenant=job.tenant_id):
        return ImportJob.objects.get(pk=job.pk)


def start_and_run(world, job):
    with scope(tenant=world.tenant.pk):
        imports.import_start(tenant=world.tenant, actor=job.created_by, job=job)
    return run(job)


def firms_by_name(world):
    with scope(tenant=world.tenant.pk):
        return {
            f.name: f
            for f in Firm.objects.filter(tenant=world.tenant).select_related(
                "parent", "sales_rep", "sector", "primary_contact"
            )
        }


def make_firm(world, name, *, actor=None, channels=None, **data):
    actor = actor or world.executive
    with scope(tenant=world.tenant.pk):
        return firm_services.firm_create(
            tenant=world.tenant,
            actor=actor.user,
            data={"name": name, "type": data.pop("type", "customer"), **data},
            channels=channels or {},
        )


def counts():
    """Rows per model in the apps an import may touch."""
    with scopes_disabled():
        return {
            model.__name__: model.objects.count()
            for app in ("companies", "core", "accounts")
            for model in apps.get_app_config(app).get_models()
        }


def take_queued_message(job, task="companies.tasks.run_import"):
    """The broker message of ``task`` for ``job`` from the test broker's queue (removed)."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for raw in client.lrange("celery", 0, -1):
        message = json.loads(raw)
        headers = message.get("headers", {})
        if headers.get("task") == task and headers.get("argsrepr") == (f"({job.pk},)"):
            client.lrem("celery", 1, raw)
            return headers
    return None


# --------------------------------------------------------------------------------------------
# the flow through the views


@pytest.mark.django_db
def test_mapping_preview_and_run_through_the_views(
    client, world, login, django_capture_on_commit_callbacks
):
    login(world.manager)
    distributor = make_firm(world, "Marmara Dağıtım", type="distributor", code="D-1")
    with scope(tenant=world.tenant.pk):  # the tenant's own label of a fixed list entry
        Choice.objects.filter(tenant=world.tenant, list_key="firm_type", code="customer").update(
            label="Müşteri"
        )
    rows = [
        firm_row(
            name="Ege Bayi",
            type="DEALER",
            parent="d-1",
            tax="111",
            founded="17.05.2001",
            employees="12",
            sector="Retail",
            status="in talks",
            priority="High",
            rep=world.employee.user.email,
            phone="+90 212 555 00 11",
            email="info@ege.example",
            website="ege.example",
            city="İzmir",
            street="Kordon 1",
            notes='=HYPERLINK("http://x")',
            contact="Ayşe Deniz Kaya",
            contact_phone="0532 111 22 33",
            contact_email="ayse@ege.example",
        ),
        firm_row(name="Ege Müşteri", type="MÜŞTERİ", roles="Customer; partner", city="İzmir"),
        firm_row(name="Broken", type="spaceship", founded="31.02.2020"),
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, world, csv_bytes(FIRM_HEADER, rows, delimiter=";"))
    job = job_of(world)
    assert response.status_code == 302
    assert response["Location"] == url(world, "import-detail", job.pk)
    assert job.status == ImportJob.Status.READING and len(callbacks) == 1
    page = client.get(url(world, "import-detail", job.pk))
    assert "Reading the file…" in page.text and 'hx-trigger="every 1s"' in page.text
    assert 'name="col_name"' not in page.text
    reading = url(world, "import-detail", job.pk) + "?part=reading"
    fragment = client.get(reading, HTTP_HX_REQUEST="true")
    assert "Reading the file…" in fragment.text and "<html" not in fragment.text
    callbacks[0]()  # publishes to the test broker for real
    headers = take_queued_message(job, "companies.tasks.read_import")
    assert headers is not None, "the reading was not queued"
    assert headers["kwargsrepr"] == f"{{'tenant_id': {world.tenant.pk}}}"
    job = read(job)
    assert job.status == ImportJob.Status.UPLOADED and job.total_rows == 3
    assert read(job).status == ImportJob.Status.UPLOADED  # a second delivery does nothing
    fragment = client.get(reading, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and fragment["HX-Refresh"] == "true"
    assert job.mapping == {
        "code": 0,
        "name": 1,
        "type": 2,
        "roles": 3,
        "parent_code": 4,
        "tax_number": 5,
        "founding_date": 6,
        "employee_count": 7,
        "sector": 8,
        "status": 9,
        "priority": 10,
        "sales_rep": 11,
        "phone": 12,
        "email": 13,
        "website": 14,
        "city": 15,
        "street": 16,
        "notes": 17,
        "contact_name": 18,
        "contact_phone": 19,
        "contact_email": 20,
    }

    page = client.get(url(world, "import-detail", job.pk))
    assert page.status_code == 200 and 'name="col_tax_number"' in page.text

    mapping = {f"col_{key}": str(index) for key, index in job.mapping.items()}
    before = counts()
    response = client.post(
        url(world, "import-detail", job.pk), {"action": "map", "on_duplicate": "skip", **mapping}
    )
    assert response.status_code == 302
    assert job_of(world).status == ImportJob.Status.MAPPED

    preview = client.get(url(world, "import-detail", job.pk))
    assert preview.status_code == 200
    assert preview.text.count("badge text-bg-success") == 2
    assert "Type: “spaceship” is not one of the options." in preview.text
    assert "Founding date: “31.02.2020” is not a date" in preview.text
    assert counts() == before, "the preview saves nothing"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url(world, "import-detail", job.pk), {"action": "run"})
    assert response.status_code == 302
    assert len(callbacks) == 1 and job_of(world).status == ImportJob.Status.QUEUED
    fragment = client.get(
        url(world, "import-detail", job.pk) + "?part=progress", HTTP_HX_REQUEST="true"
    )
    assert 'hx-trigger="every 1s"' in fragment.text and "<html" not in fragment.text

    callbacks[0]()  # publishes to the test broker for real
    headers = take_queued_message(job)
    assert headers is not None, "the run was not queued"
    assert headers["kwargsrepr"] == f"{{'tenant_id': {world.tenant.pk}}}"

    done = run(job)
    assert done.status == ImportJob.Status.DONE
    assert (done.created_count, done.error_count, done.processed_rows) == (2, 1, 3)
    assert done.errors == [
        {
            "row": 4,
            "messages": [
                "Type: “spaceship” is not one of the options.",
                "Founding date: “31.02.2020” is not a date (use YYYY-MM-DD or DD.MM.YYYY).",
            ],
        }
    ]
    firms = firms_by_name(world)
    assert "Broken" not in firms
    dealer, customer = firms["Ege Bayi"], firms["Ege Müşteri"]
    assert dealer.parent == distributor and dealer.path == f"/{distributor.pk}/"
    assert (dealer.type, dealer.status, dealer.priority) == ("dealer", "in_talks", "high")
    assert dealer.sales_rep == world.employee and dealer.sector.code == "retail"
    assert dealer.founding_date.isoformat() == "2001-05-17" and dealer.employee_count == 12
    assert dealer.code.startswith("F") and dealer.notes.startswith("=HYPERLINK")
    assert dealer.primary_contact.first_name == "Ayşe Deniz"
    assert dealer.primary_contact.last_name == "Kaya"
    assert customer.type == "customer" and customer.roles == ["customer", "partner"]
    with scope(tenant=world.tenant.pk):
        phone = Phone.objects.get(firm=dealer)
        assert (phone.country_code, phone.number, phone.digits) == (
            "90",
            "2125550011",
            "902125550011",
        )
        assert Address.objects.get(firm=dealer).city == "İzmir"
        assert Email.objects.get(contact=dealer.primary_contact).address == "ayse@ege.example"
        assert FirmContact.objects.filter(firm=dealer, contact=dealer.primary_contact).exists()
        entry = AuditEntry.objects.get(subject_type="companies.firm", subject_id=dealer.pk)
        assert entry.action == "create" and entry.summary == "Imported from firms.csv"
        assert entry.actor == world.manager.user
    fragment = client.get(
        url(world, "import-detail", job.pk) + "?part=progress", HTTP_HX_REQUEST="true"
    )
    assert "every 1s" not in fragment.text and "spaceship" in fragment.text
    assert client.post(url(world, "import-detail", job.pk), {"action": "run"}).status_code == 400


@pytest.mark.django_db
def test_xlsx_import_reads_dates_numbers_and_labels_in_any_case(client, world, login):
    with scope(tenant=world.tenant.pk):
        Choice.objects.filter(tenant=world.tenant, list_key="sector", code="construction").update(
            label="İnşaat"
        )
    login(world.executive)
    header = ["Name", "Type", "Founding date", "Number of employees", "Sector", "Status"]
    rows = [
        ["Kuzey Yapı", "Distributor", openpyxl.utils.datetime.from_excel(36892), 250, "inşaat", ""],
        ["Güney Yapı", "MAIN DEALER", "2003-04-05", 7.0, "INSAAT", "Potential customer"],
        ["Doğu Yapı", "customer", None, "", "construction", "FIRST_CONTACT"],
    ]
    response = upload(client, world, xlsx_bytes(header, rows), name="firms.xlsx")
    assert response.status_code == 302
    job = read(job_of(world))
    assert job.file_format == "xlsx" and job.total_rows == 3
    done = start_and_run(world, make_mapped(world, job))
    assert (done.created_count, done.error_count) == (3, 0), done.errors
    firms = firms_by_name(world)
    assert firms["Kuzey Yapı"].founding_date.isoformat() == "2001-01-01"
    assert firms["Kuzey Yapı"].employee_count == 250
    assert firms["Güney Yapı"].type == "main_dealer"
    assert firms["Güney Yapı"].employee_count == 7
    assert firms["Güney Yapı"].status == "potential_customer"
    assert {f.sector.code for f in firms.values()} == {"construction"}


def make_mapped(world, job):
    with scope(tenant=world.tenant.pk):
        return imports.import_map(
            tenant=world.tenant,
            actor=job.created_by,
            job=job,
            mapping=job.mapping,
            on_duplicate="skip",
        )


# --------------------------------------------------------------------------------------------
# duplicates


def existing_acme(world):
    return make_firm(
        world,
        "Acme Ltd",
        tax_number="1234567890",
        brand="Old brand",
        channels={
            "emails": [{"address": "info@acme.example"}],
            "addresses": [{"city": "İstanbul", "street": "Old street"}],
        },
    )


DUPLICATE_ROWS = [
    firm_row(name="Acme Holding", tax="123 456 7890", notes="same tax number"),
    firm_row(name="Acme Other", email="INFO@acme.example", priority="high"),
    firm_row(name="ACME  LTD", city="ISTANBUL", street="New street 5"),
    firm_row(name="Brand New", tax="999", contact="Can Demir"),
    firm_row(name="Brand New Again", tax="999"),
]


@pytest.mark.django_db
def test_duplicates_are_skipped(world):
    acme = existing_acme(world)
    job = start_and_run(world, make_job(world, csv_bytes(FIRM_HEADER, DUPLICATE_ROWS)))
    assert (job.created_count, job.updated_count, job.skipped_count) == (1, 0, 4)
    assert job.skipped == [
        {"row": 2, "message": f"{acme.code} already exists (same tax number)."},
        {"row": 3, "message": f"{acme.code} already exists (same e-mail)."},
        {"row": 4, "message": f"{acme.code} already exists (same name and city)."},
        {"row": 6, "message": "Same as row 5."},
    ]
    with scope(tenant=world.tenant.pk):
        again = Firm.objects.get(pk=acme.pk)
        assert (again.name, again.brand, again.updated_at) == (
            "Acme Ltd",
            "Old brand",
            acme.updated_at,
        )
        assert Address.objects.get(firm=acme).street == "Old street"
    assert set(firms_by_name(world)) == {"Acme Ltd", "Brand New"}


@pytest.mark.django_db
def test_duplicates_update_the_existing_firm_and_its_history(world):
    acme = existing_acme(world)
    rows = [*DUPLICATE_ROWS[:4], firm_row(code=acme.code, name="Acme Ltd", contact="Can Demir")]
    job = start_and_run(world, make_job(world, csv_bytes(FIRM_HEADER, rows), on_duplicate="update"))
    assert (job.created_count, job.updated_count, job.error_count) == (1, 4, 0), job.errors
    with scope(tenant=world.tenant.pk):
        acme = Firm.objects.select_related("primary_contact").get(pk=acme.pk)
        assert acme.name == "Acme Ltd"  # the last row that names it
        assert (acme.notes, acme.priority, acme.tax_number) == (
            "same tax number",
            "high",
            "1234567890",
        )
        assert Address.objects.get(firm=acme).street == "New street 5"
        assert acme.primary_contact.full_name == "Can Demir"
        entries = AuditEntry.objects.filter(
            subject_type="companies.firm", subject_id=acme.pk, action="update"
        ).order_by("id")
        assert len(entries) == 4
        changed = {c["field"] for entry in entries for c in entry.changes}
        assert {"name", "notes", "priority", "addresses", "contacts", "primary_contact"} <= changed
        assert all(entry.summary == "Imported from firms.csv" for entry in entries)
    # The same file again changes nothing more.
    again = start_and_run(
        world, make_job(world, csv_bytes(FIRM_HEADER, rows[3:]), on_duplicate="update")
    )
    assert again.updated_count == 0 and again.skipped_count == 2
    assert again.skipped[0]["message"].endswith("is already up to date.")


@pytest.mark.django_db
def test_update_of_a_firm_the_member_may_not_change_is_refused(world):
    theirs = make_firm(world, "Outsider Firm", tax_number="555", sales_rep=world.outsider)
    rows = [firm_row(name="Hijacked", tax="555")]
    job = start_and_run(
        world,
        make_job(world, csv_bytes(FIRM_HEADER, rows), actor=world.manager, on_duplicate="update"),
    )
    assert job.errors == [
        {"row": 2, "messages": [f"{theirs.code} already exists and you may not change it."]}
    ]
    assert "Hijacked" not in firms_by_name(world)


# --------------------------------------------------------------------------------------------
# ten thousand rows, fifty bad ones

BAD_KINDS = [
    (lambda r: r.update(name=""), "Name is required."),
    (lambda r: r.update(type="spaceship"), "Type: “spaceship” is not one of the options."),
    (lambda r: r.update(founded="31.02.2020"), "Founding date: “31.02.2020” is not a date"),
    (lambda r: r.update(employees="many"), "Number of employees: “many” is not a whole number."),
    (lambda r: r.update(email="not-an-email"), "E-mail: “not-an-email” is not a valid e-mail"),
    (lambda r: r.update(rep="ghost@example.com"), "no working employee has the e-mail"),
    (lambda r: r.update(tax="9" * 31), "Tax number is too long (at most 30 characters)."),
    (lambda r: r.update(parent="NOPE"), "Parent code “NOPE”: no such firm that you can see."),
    (lambda r: r.update(phone="call me"), "Phone: “call me” is not a phone number."),
    (lambda r: r.update(name="Bell\x07Firm"), "Name contains control characters."),
]
TYPES = ["customer", "Customer", "DEALER", "main dealer", "distribütör"]


def big_row(world, i):
    values = {
        "name": f"Firm {i:05d}",
        "type": TYPES[i % len(TYPES)],
        "tax": str(1_000_000_000 + i),
        "founded": "2001-05-17" if i % 2 else "17.05.2001",
        "employees": str(i % 500),
        "sector": ["Retail", "CONSTRUCTION", "services"][i % 3],
        "status": ["in talks", "First contact", "potential_customer"][i % 3],
        "rep": world.employee.user.email if i % 3 == 0 else "",
        "phone": f"+90 212 {i:07d}" if i % 2 else f"0212 {i:07d}",
        "email": f"firm{i}@example.com",
        "city": ["İstanbul", "Ankara", "İzmir"][i % 3],
        "street": f"Street {i}",
        "notes": f"Row {i}",
    }
    if values["type"] == "customer" and i % 7 == 0:
        values["parent"] = "dist-1"
    if i % 4 == 0:
        values.update(contact=f"Ayşe Yılmaz {i}", contact_email=f"ayse{i}@example.com")
    bad = i % 200 == 13
    if bad:
        BAD_KINDS[(i // 200) % len(BAD_KINDS)][0](values)
    return firm_row(**values), bad


@pytest.mark.django_db
def test_ten_thousand_rows_with_fifty_bad_ones(world, capsys):
    distributor = make_firm(world, "Dağıtıcı", type="distributor", code="DIST-1")
    rows, bad_rows, contacts = [], [], 0
    for i in range(10_000):
        row, bad = big_row(world, i)
        rows.append(row)
        if bad:
            bad_rows.append(i + 2)  # the header is row 1
        elif row[18]:
            contacts += 1
    job = make_job(world, csv_bytes(FIRM_HEADER, rows))
    with scope(tenant=world.tenant.pk):
        imports.import_start(tenant=world.tenant, actor=world.manager.user, job=job)
    before = counts()

    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        job = run(job)
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(f"\n10,000-row import: {seconds:.1f} s, {len(queries)} queries")

    assert seconds < 60
    assert len(queries) < 20 * 40, "queries must grow with batches, not rows"
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.error_count, job.skipped_count) == (9950, 50, 0)
    assert [error["row"] for error in job.errors] == bad_rows
    for error in job.errors:
        kind = BAD_KINDS[((error["row"] - 2) // 200) % len(BAD_KINDS)][1]
        assert len(error["messages"]) == 1 and kind in error["messages"][0], error

    after = counts()
    expected = {
        "Firm": 9950,
        "Address": 9950,
        "Phone": 9950,
        "Email": 9950 + contacts,
        "Contact": contacts,
        "FirmContact": contacts,
        "AuditEntry": 9950 + contacts + 1,  # + the job's "finished" entry
        "Sequence": 1,  # the tenant's first generated firm code
    }
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == expected
    firms = firms_by_name(world)
    bad_names = {f"Firm {row - 2:05d}" for row in bad_rows}
    assert not bad_names & set(firms), "a bad row left a firm behind"
    with scope(tenant=world.tenant.pk):
        bad_emails = {f"firm{row - 2}@example.com" for row in bad_rows}
        assert not Email.objects.filter(address__in=bad_emails).exists()
        assert Sequence.objects.get(tenant=world.tenant, name="firm-code").value == 9950
        assert Firm.objects.filter(parent=distributor).count() == len(
            [i for i in range(0, 10_000, 35) if f"Firm {i:05d}" in firms]
        )
        assert Firm.objects.get(pk=distributor.pk).updated_at == distributor.updated_at
        assert len(set(Firm.objects.values_list("code", flat=True))) == 9951
    assert firms["Firm 00004"].type == "distributor" and firms["Firm 00002"].type == "dealer"


@pytest.mark.django_db
def test_a_second_run_and_a_resumed_run_write_nothing_twice(world):
    rows = [firm_row(name=f"Resumed {i}") for i in range(1200)]
    job = make_job(world, csv_bytes(FIRM_HEADER, rows))
    with scope(tenant=world.tenant.pk):
        imports.import_start(tenant=world.tenant, actor=world.manager.user, job=job)
        # As if a worker had committed the first batch and died: the run resumes after it.
        ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=500)
    job = run(job)
    assert (job.status, job.processed_rows, job.created_count) == ("done", 1200, 700)
    assert "Resumed 499" not in firms_by_name(world) and "Resumed 500" in firms_by_name(world)
    before = counts()
    assert run(job).status == "done" and counts() == before


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_queues_stalled_imports_again_and_leaves_fresh_ones(world):
    from datetime import timedelta

    from django.utils import timezone

    stalled = make_job(world, csv_bytes(FIRM_HEADER, [firm_row(name="Swept")]))
    fresh = make_job(world, csv_bytes(FIRM_HEADER, [firm_row(name="Fresh")]))
    long_ago = timezone.now() - imports.STALLED_AFTER - timedelta(seconds=5)
    with scope(tenant=world.tenant.pk):
        ImportJob.objects.filter(pk=stalled.pk).update(status="running", updated_at=long_ago)
        ImportJob.objects.filter(pk=fresh.pk).update(status="queued", queued_at=timezone.now())
    assert imports.imports_sweep() == 1
    assert imports.imports_sweep() == 0  # swept jobs get a new lease
    assert run(stalled).status == "done" and "Swept" in firms_by_name(world)


def reading_job(world, content, name="firms.csv"):
    """A job as the upload leaves it: stored, not read yet (the reading not queued)."""
    with scope(tenant=world.tenant.pk):
        return imports.import_create(
            tenant=world.tenant,
            actor=world.manager.user,
            kind="firms",
            upload=SimpleUploadedFile(name, content),
            original_name=name,
            file_format=name.rsplit(".", 1)[1],
        )


@pytest.mark.django_db
def test_the_worker_reads_a_reading_job_once(world):
    job = reading_job(world, csv_bytes(["Name", "City"], [["A", "İzmir"], ["B", ""]]))
    assert (job.status, job.total_rows, job.headers) == ("reading", 0, [])
    job = read(job)
    assert (job.status, job.total_rows, job.headers) == ("uploaded", 2, ["Name", "City"])
    assert job.mapping == {"name": 0, "city": 1}
    with scope(tenant=world.tenant.pk):
        ImportJob.objects.filter(pk=job.pk).update(headers=["changed"])
    assert read(job).headers == ["changed"], "a job no longer reading is left alone"


@pytest.mark.django_db
def test_a_corrupt_workbook_fails_in_the_worker_with_its_reason(client, world, login):
    job = read(reading_job(world, broken_xlsx(), name="broken.xlsx"))
    assert job.status == ImportJob.Status.FAILED
    assert job.failure == "The workbook cannot be read." and job.finished_at
    assert read(job).status == ImportJob.Status.FAILED
    login(world.manager)
    page = client.get(url(world, "import-detail", job.pk))
    assert page.status_code == 200 and "The workbook cannot be read." in page.text
    assert "every 1s" not in page.text


@pytest.mark.django_db
def test_the_mapping_of_a_job_still_being_read_is_refused(client, world, login):
    login(world.manager)
    job = reading_job(world, csv_bytes(["Name"], [["A"]]))
    detail = url(world, "import-detail", job.pk)
    for data in ({"action": "map", "on_duplicate": "skip", "col_name": "0"}, {"action": "run"}):
        response = client.post(detail, data)
        assert response.status_code == 400
        assert "The file is still being read" in response.text
        assert job_of(world).status == ImportJob.Status.READING
    with scope(tenant=world.tenant.pk), pytest.raises(ValidationError):
        imports.import_map(
            tenant=world.tenant, actor=world.manager.user, job=job, mapping={}, on_duplicate="skip"
        )


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_queues_a_stuck_reading_again(world):
    from datetime import timedelta

    from django.utils import timezone

    stuck = reading_job(world, csv_bytes(["Name"], [["Stuck"]]))
    fresh = reading_job(world, csv_bytes(["Name"], [["Fresh"]]))
    for job in (stuck, fresh):  # the messages the upload queued were lost
        take_queued_message(job, "companies.tasks.read_import")
    long_ago = timezone.now() - imports.STALLED_AFTER - timedelta(seconds=5)
    with scope(tenant=world.tenant.pk):
        ImportJob.objects.filter(pk=stuck.pk).update(updated_at=long_ago)
    assert imports.imports_sweep() == 1
    assert take_queued_message(stuck, "companies.tasks.read_import") is not None
    assert take_queued_message(fresh, "companies.tasks.read_import") is None
    assert imports.imports_sweep() == 0  # swept jobs get a new lease
    assert read(stuck).status == ImportJob.Status.UPLOADED


# --------------------------------------------------------------------------------------------
# contacts


@pytest.mark.django_db
def test_contact_import(world):
    mine = make_firm(world, "Mine", code="M-1", sales_rep=world.employee)
    also_mine = make_firm(world, "Also mine", code="M-2", sales_rep=world.employee)
    theirs = make_firm(world, "Theirs", code="T-1", sales_rep=world.outsider)
    with scope(tenant=world.tenant.pk):
        known, secret = (
            firm_services.contact_create(
                tenant=world.tenant,
                actor=None,
                firm=firm,
                data={"first_name": first, "last_name": "Person"},
                channels={"emails": [{"address": f"{first.lower()}@example.com"}]},
            )
            for firm, first in ((also_mine, "Known"), (theirs, "Secret"))
        )
    header = ["Firm code", "Prefix", "First name", "Last name", "Job title", "E-mail", "Birthday"]
    rows = [
        ["m-1", "DR.", "Zeynep", "Öz", "CEO", "zeynep@example.com", "1980-02-03"],
        ["M-1", "", "zeynep", "ÖZ", "", "", ""],  # same name at the same firm
        ["T-1", "", "Hidden", "", "", "", ""],  # a firm the employee may not change
        ["X-9", "", "Nobody", "", "", "", ""],
        ["M-1", "", "Known", "Person", "Buyer", "KNOWN@example.com", ""],
        ["M-1", "", "Secret", "Person", "Spy", "secret@example.com", ""],
    ]
    content = csv_bytes(header, rows)
    job = start_and_run(
        world, make_job(world, content, name="people.csv", kind="contacts", actor=world.employee)
    )
    assert job.status == "failed" and "may not import" in job.failure  # employees may not
    give_profile(world, world.employee, "Importers", ["firms.view", "firms.change", "firms.import"])
    job = start_and_run(
        world,
        make_job(
            world,
            content,
            name="people.csv",
            kind="contacts",
            actor=world.employee,
            on_duplicate="update",
        ),
    )
    assert (job.created_count, job.updated_count) == (1, 1), (job.errors, job.skipped)
    assert job.errors == [
        {"row": 3, "messages": ["The file has this record already, in row 2."]},
        {"row": 4, "messages": ["Firm code “T-1”: no such firm that you may change."]},
        {"row": 5, "messages": ["Firm code “X-9”: no such firm that you may change."]},
        {"row": 7, "messages": ["Secret Person already exists and you may not change it."]},
    ]
    with scope(tenant=world.tenant.pk):
        mine = Firm.objects.select_related("primary_contact__prefix").get(pk=mine.pk)
        assert mine.primary_contact.first_name == "Zeynep"
        assert mine.primary_contact.prefix.code == "dr"
        assert mine.primary_contact.birthday.isoformat() == "1980-02-03"
        assert Contact.objects.get(pk=known.pk).job_title == "Buyer"
        assert Contact.objects.get(pk=secret.pk).job_title == ""
        links = FirmContact.objects.filter(contact=known).values_list("firm_id", flat=True)
        assert set(links) == {mine.pk, also_mine.pk}
        assert AuditEntry.objects.filter(
            subject_type="companies.firm", subject_id=mine.pk, summary="Contact added: Known Person"
        ).exists()


# --------------------------------------------------------------------------------------------
# hostile input


def broken_xlsx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<<<not xml")
    return out.getvalue()


HOSTILE_FILES = [
    ("page.csv", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "looks like a web page"),
    ("page.csv", b"\xef\xbb\xbf  <svg onload=alert(1)>", "looks like a web page"),
    ("image.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "Upload a CSV or XLSX file."),
    ("notes.pdf", b"Name\nAcme\n", "Upload a CSV or XLSX file."),
    ("table.xlsx", b"Name\nAcme\n", "Upload a CSV or XLSX file."),
    ("binary.csv", b"Name\nAc\x00me\n", "binary data"),
    ("empty.csv", b"Name;Type\n", "no rows below its header row"),
    ("broken.xlsx", broken_xlsx(), "The workbook cannot be read."),
    ("huge.csv", b"Name\n" + b"x" * (10 * 1024 * 1024), "The file is too large"),
    ("\x00.csv", b"Name\nAcme\n", "The file name is not acceptable."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), HOSTILE_FILES)
def test_hostile_files_are_refused_with_a_clear_error(client, world, login, name, content, message):
    login(world.manager)
    before = counts()
    response = upload(client, world, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_unpacked(client, world, login):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(210):
                sheet.write(b"\0" * 1024 * 1024)
    assert len(out.getvalue()) < 1024 * 1024
    login(world.manager)
    response = upload(client, world, out.getvalue(), name="bomb.xlsx")
    assert response.status_code == 400 and "too large once unpacked" in response.text


@pytest.mark.django_db
def test_too_many_rows_are_refused(client, world, login, settings):
    login(world.manager)
    from companies import import_files as importing

    content = csv_bytes(["Name"], [[f"F{i}"] for i in range(importing.MAX_ROWS + 1)])
    response = upload(client, world, content)
    assert response.status_code == 302  # the rows are counted in the worker
    job = read(job_of(world))
    assert job.status == ImportJob.Status.FAILED and "more than 50000 rows" in job.failure
    page = client.get(url(world, "import-detail", job.pk))
    assert "more than 50000 rows" in page.text and 'name="col_name"' not in page.text


@pytest.mark.django_db
def test_hostile_mapping_and_actions(client, world, login):
    login(world.manager)
    job = make_job(world, csv_bytes(["Name", "Sales representative e-mail"], [["A", ""]]))
    with scope(tenant=world.tenant.pk):
        ImportJob.objects.filter(pk=job.pk).update(status="uploaded")
    detail = url(world, "import-detail", job.pk)
    for data in [
        {"col_name": "999"},
        {"col_name": "abc"},
        {"col_name": "0\x00"},
        {"col_name": "-1"},
        {"col_name": "0", "on_duplicate": "explode"},
        {"col_name": ""},
    ]:
        response = client.post(detail, {"action": "map", "on_duplicate": "skip", **data})
        assert response.status_code == 400, data
        assert job_of(world).status == "uploaded"
    for action in ("run", "", "drop-tables"):
        assert client.post(detail, {"action": action}).status_code == 400
    # Only a member who may assign representatives maps the representative column.
    account = world.manager
    give_profile(world, account, "No assign", ["firms.view", "firms.import"])
    response = client.post(
        detail, {"action": "map", "on_duplicate": "skip", "col_name": "0", "col_sales_rep": "1"}
    )
    assert response.status_code == 400 and "may not assign" in response.text


@pytest.mark.django_db
def test_hostile_cells_are_row_errors_and_leave_nothing(world):
    rows = [
        firm_row(name="x" * 201),
        firm_row(name="Escape", notes="a\x1bb"),
        firm_row(name="Script", website="javascript:alert(1)"),
        firm_row(name="Bidi \u202e", employees="٣٤٥"),
        firm_row(name="Huge number", employees="99999999999999999999"),
        firm_row(name="Newline\r\nBcc: x@example.com"),
        firm_row(name="<b>markup</b>", status="' OR 1=1 --"),
        firm_row(name="Orphan", contact_email="orphan@example.com"),
        firm_row(name="Under customer", parent="CUST-1"),
    ]
    make_firm(world, "A customer", code="CUST-1")
    before = counts()
    job = start_and_run(world, make_job(world, csv_bytes(FIRM_HEADER, rows)))
    assert job.created_count == 1, job.errors  # only the collapsed "Newline Bcc: …" name
    assert [e["row"] for e in job.errors] == [2, 3, 4, 5, 6, 8, 9, 10]
    messages = [m for e in job.errors for m in e["messages"]]
    assert "Name is too long (at most 200 characters)." in messages
    assert "Notes contains control characters." in messages
    assert "Website: “javascript:alert(1)” is not a valid web address." in messages
    assert "Number of employees: “٣٤٥” is not a whole number." in messages
    assert "The contact's phone or e-mail needs a contact name." in messages
    assert "A Customer cannot stand under a Customer." in messages
    assert set(firms_by_name(world)) == {"A customer", "Newline Bcc: x@example.com"}
    after = counts()
    assert after["Firm"] - before["Firm"] == 1


@pytest.mark.django_db
def test_another_members_import_is_forbidden_and_a_foreign_one_not_found(
    client, world, other_world, login
):
    job = make_job(world, csv_bytes(["Name"], [["A"]]), actor=world.manager)
    login(world.executive)
    assert client.get(url(world, "import-detail", job.pk)).status_code == 200
    give_profile(world, world.employee, "Importers", ["firms.view", "firms.import"])
    login(world.employee)
    assert client.get(url(world, "import-detail", job.pk)).status_code == 403
    assert client.post(url(world, "import-detail", job.pk), {"action": "run"}).status_code == 403
    login(other_world.executive)
    foreign = reverse("companies:import-detail", args=[other_world.tenant.slug, job.pk])
    assert client.get(foreign).status_code == 404


# --------------------------------------------------------------------------------------------
# export


def request_export(client, world, name="firm-export", **params):
    """Press the firm list's export button with ``params`` as the list's query string; the
    job's id from the redirect to its page."""
    file_format = params.pop("format", "csv")
    response = client.post(f"{url(world, name)}?{urlencode(params)}", {"format": file_format})
    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.url_name == "export-detail", response["Location"]
    return match.kwargs["pk"]


def download(client, world, job_id):
    response = client.get(url(world, "export-download", job_id))
    assert response.status_code == 200, response.status_code
    return response


def export(client, world, name="firm-export", **params):
    """Ask for an export, run the worker's task as the worker would, download the file."""
    job_id = request_export(client, world, name, **params)
    assert run_export(job_id, tenant_id=world.tenant.pk) == "done"
    return b"".join(download(client, world, job_id).streaming_content)


def csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.django_db
def test_export_neutralises_formulas_in_csv_and_xlsx(client, world, login):
    make_firm(
        world,
        '=HYPERLINK("http://evil.example","click")',
        code="+SUM(A1)",
        notes="@cmd\x01|calc",
        channels={"phones": [{"number": "-5"}]},
    )
    login(world.executive)
    header, row = csv_rows(export(client, world, format="csv"))
    assert header[:3] == ["Code", "Name", "Type"]
    assert row[0] == "'+SUM(A1)" and row[1] == '\'=HYPERLINK("http://evil.example","click")'
    assert row[header.index("Notes")] == "'@cmd\x01|calc"
    assert row[header.index("Phone")] == "'+90 -5"
    job_id = request_export(client, world, format="xlsx")
    run_export(job_id, tenant_id=world.tenant.pk)
    response = download(client, world, job_id)
    assert response["Content-Type"] == XLSX
    assert response["X-Content-Type-Options"] == "nosniff"
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    cells = {cell.value: cell for cell in sheet[2]}
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert all(cell.data_type != "f" for cell in sheet[2])
    assert "'@cmd|calc" in cells  # the control character that XLSX cannot hold is dropped


@pytest.mark.django_db
def test_export_respects_row_rules_and_filters(client, world, login):
    with scope(tenant=world.tenant.pk):
        world.tenant.employees_read_all_firms = False
        world.tenant.save(update_fields=["employees_read_all_firms"])
    give_profile(world, world.employee, "Exporters", ["firms.view", "firms.export"])
    make_firm(world, "Own", code="OWN", sales_rep=world.employee, type="dealer")
    make_firm(world, "Pool", code="POOL")
    make_firm(world, "Foreign", code="FOREIGN", sales_rep=world.outsider)
    login(world.employee)
    assert [r[0] for r in csv_rows(export(client, world))[1:]] == ["OWN", "POOL"]
    assert [r[0] for r in xlsx_rows(export(client, world, format="xlsx"))[1:]] == ["OWN", "POOL"]
    assert [r[0] for r in csv_rows(export(client, world, type="dealer"))[1:]] == ["OWN"]
    login(world.executive)
    codes = [r[0] for r in csv_rows(export(client, world, sort="-code"))[1:]]
    assert codes == ["POOL", "OWN", "FOREIGN"]
    assert client.post(url(world, "firm-export"), {"format": "pdf"}).status_code == 400
    assert client.get(url(world, "firm-export"), {"format": "csv"}).status_code == 405


def add_firms(world, n, start=0):
    for i in range(start, start + n):
        firm = make_firm(
            world,
            f"Firm {i}",
            sales_rep=world.employee,
            parent=None,
            channels={
                "phones": [{"number": f"555{i:04d}"}],
                "emails": [{"address": f"f{i}@x.example"}],
                "addresses": [{"city": "Ankara"}],
                "websites": [{"url": "https://x.example"}],
            },
        )
        with scope(tenant=world.tenant.pk):
            firm_services.contact_create(
                tenant=world.tenant,
                actor=None,
                firm=firm,
                data={"first_name": f"C{i}"},
                channels={
                    "phones": [{"number": "1234"}],
                    "emails": [{"address": f"c{i}@x.example"}],
                },
            )


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["firm-export", "contact-export"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_query_count_does_not_grow_with_rows(client, world, login, name, file_format):
    login(world.executive)
    add_firms(world, 2)

    def queries():
        """The worker's queries for the whole file."""
        job_id = request_export(client, world, name, format=file_format)
        with CaptureQueriesContext(connection) as ctx:
            assert run_export(job_id, tenant_id=world.tenant.pk) == "done"
        return len(ctx.captured_queries)

    few = queries()
    add_firms(world, 40, start=2)
    assert queries() == few


@pytest.mark.django_db
def test_exported_files_import_back(client, world, login):
    add_firms(world, 3)
    login(world.manager)
    for file_format in ("csv", "xlsx"):
        content = export(client, world, format=file_format)
        job = make_job(world, content, name=f"firms.{file_format}")
        assert len(job.mapping) == 27, job.mapping  # every column recognised by its header
        job = start_and_run(world, job)
        assert (job.created_count, job.error_count, job.skipped_count) == (0, 0, 3), job.errors
        content = export(client, world, "contact-export", format=file_format)
        job = make_job(world, content, name=f"contacts.{file_format}", kind="contacts")
        assert len(job.mapping) == 10
        job = start_and_run(world, job)
        assert (job.created_count, job.error_count, job.skipped_count) == (0, 0, 3), job.errors
    header, *rows = csv_rows(export(client, world, "contact-export"))
    assert header[:3] == ["Firm code", "Prefix", "First name"]
    assert sorted(row[2] for row in rows) == ["C0", "C1", "C2"]


# --------------------------------------------------------------------------------------------
# custom fields and required fields


@pytest.mark.django_db
def test_custom_fields_and_required_fields_import_and_export(client, world, login):
    from companies.models import CustomField

    with scope(tenant=world.tenant.pk):
        for key, kind, options, required in [
            ("fleet", "number", [], False),
            ("segment", "choice", ["Küçük", "Büyük"], False),
            ("vip", "boolean", [], False),
            ("since", "date", [], False),
            ("region", "text", [], True),
        ]:
            CustomField.objects.create(
                tenant=world.tenant,
                entity="firm",
                key=key,
                label=key.title(),
                kind=kind,
                options=options,
                required=required,
            )
        world.tenant.required_fields = {"firm": ["tax_number"]}
        world.tenant.save(update_fields=["required_fields"])
    header = ["Name", "Tax number", "Fleet", "Segment", "Vip", "Since", "Region"]
    rows = [
        ["Good", "1", "12,5", "KÜÇÜK", "evet", "01.02.2020", "Marmara"],
        ["No tax", "", "3", "", "", "", "Ege"],
        ["No region", "2", "", "", "", "", ""],
        ["Bad values", "3", "lots", "Orta", "maybe", "yesterday", "Ege"],
    ]
    job = start_and_run(world, make_job(world, csv_bytes(header, rows)))
    assert len(job.mapping) == 7
    assert job.created_count == 1
    assert job.errors == [
        {"row": 3, "messages": ["Tax number is required."]},
        {"row": 4, "messages": ["Region is required."]},
        {
            "row": 5,
            "messages": [
                "Fleet: “lots” is not valid here.",
                "Segment: “Orta” is not one of the options.",
                "Since: “yesterday” is not a date (use YYYY-MM-DD or DD.MM.YYYY).",
                "Vip: “maybe” is not valid here.",
            ],
        },
    ]
    good = firms_by_name(world)["Good"]
    assert good.custom == {
        "fleet": 12.5,
        "segment": "Küçük",
        "vip": True,
        "since": "2020-02-01",
        "region": "Marmara",
    }
    login(world.executive)
    header, row = csv_rows(export(client, world))
    assert header[-5:] == ["Fleet", "Region", "Segment", "Since", "Vip"]  # in Settings' order
    assert row[-5:] == ["12.5", "Marmara", "Küçük", "2020-02-01", "Yes"]
    assert len(csv_rows(export(client, world, cf_segment="Büyük"))) == 1  # the list's filter
    # An update changes only the custom values the row gives.
    content = csv_bytes(["Name", "Tax number", "Segment"], [["Good", "1", "Büyük"]])
    job = start_and_run(world, make_job(world, content, on_duplicate="update"))
    assert job.updated_count == 1
    assert firms_by_name(world)["Good"].custom["segment"] == "Büyük"
    assert firms_by_name(world)["Good"].custom["fleet"] == 12.5
