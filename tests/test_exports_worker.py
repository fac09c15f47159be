"""Exports written by the worker: the request, the job page, the file, the sweeper.

The worker's task is called directly (``run_export``), as the worker would call it; one test
runs it eagerly from the request's commit. The file's cells are read back with ``csv`` and
openpyxl.
"""

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from accounts.models import Employee
from companies.import_files import XLSX
from companies.models import CustomField, ExportJob, Firm
from companies.services import exports
from companies.tasks import run_export, sweep_imports
from core.models import AuditEntry
from crm.celery import app
from tests.helpers import HOSTILE, give_profile, make_firm
from tests.test_import_export import csv_rows, download, export, request_export, url, xlsx_rows


def job_get(world, pk):
    with scope(tenant=world.tenant.pk):
        return ExportJob.objects.get(tenant=world.tenant, pk=pk)


def request_as(world, member, *, kind="firms", file_format="csv", params=None):
    with scope(tenant=world.tenant.pk):
        return exports.export_request(
            tenant=world.tenant,
            member=member,
            kind=kind,
            file_format=file_format,
            params=params or {},
        )


def run(world, job):
    run_export(job.pk, tenant_id=world.tenant.pk)
    return job_get(world, job.pk)


def restrict_employees(world):
    """Employees see only their own firms and the pool; ``world.employee`` may export."""
    with scope(tenant=world.tenant.pk):
        world.tenant.employees_read_all_firms = False
        world.tenant.save(update_fields=["employees_read_all_firms"])
    give_profile(world, world.employee, "Exporters", ["firms.view", "firms.export"])


def take_queued_export(job):
    """The broker message that runs ``job`` (removed from the test broker's queue), or None."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for raw in client.lrange("celery", 0, -1):
        headers = json.loads(raw).get("headers", {})
        if headers.get("task") == "companies.tasks.run_export" and headers.get("argsrepr") == (
            f"({job.pk},)"
        ):
            client.lrem("celery", 1, raw)
            return headers
    return None


# --------------------------------------------------------------------------------------------
# the flow through the pages


@pytest.mark.django_db
def test_the_list_buttons_post_the_filters_and_the_job_page_follows_the_worker(
    client, world, login
):
    make_firm(world, "Alpha Dealer", code="ALPHA", type="dealer")
    make_firm(world, "Beta Customer", code="BETA")
    login(world.manager)
    page = client.get(url(world, "firm-list"), {"type": "dealer"}).content.decode()
    assert f'action="{url(world, "firm-export")}?type=dealer"' in page
    assert 'hx-include="#firm-filters"' in page and 'name="format" value="xlsx"' in page

    job_id = request_export(client, world, type="dealer")
    job = job_get(world, job_id)
    assert (job.status, job.kind, job.file_format) == ("queued", "firms", "csv")
    assert job.params == {"type": "dealer"} and job.created_by == world.manager.user
    detail = client.get(url(world, "export-detail", job_id)).content.decode()
    assert "Waiting for the background worker" in detail and 'hx-trigger="every 2s"' in detail
    assert url(world, "export-download", job_id) not in detail
    assert client.get(url(world, "export-download", job_id)).status_code == 404

    assert run_export(job_id, tenant_id=world.tenant.pk) == "done"
    fragment = client.get(
        url(world, "export-detail", job_id), {"part": "progress"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 2s"' not in fragment and "1 row" in fragment
    assert url(world, "export-download", job_id) in fragment
    response = download(client, world, job_id)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"firms-{world.tenant.slug}-" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = csv_rows(b"".join(response.streaming_content))
    assert [row[0] for row in rows[1:]] == ["ALPHA"]

    listing = client.get(url(world, "export-list")).content.decode()
    assert url(world, "export-detail", job_id) in listing
    assert url(world, "export-download", job_id) in listing
    with scope(tenant=world.tenant.pk):
        entries = AuditEntry.objects.filter(subject_type="companies.exportjob", subject_id=job_id)
        summaries = set(entries.values_list("summary", flat=True))
    assert summaries == {"Export requested: Firms, CSV", "Export finished: 1 row."}


@pytest.mark.django_db
def test_htmx_posts_the_current_filter_form_over_the_pages_query_string(client, world, login):
    make_firm(world, "Alpha Dealer", code="ALPHA", type="dealer")
    make_firm(world, "Beta Customer", code="BETA")
    login(world.manager)
    # The page was loaded with type=dealer; the filter form now says customer, q emptied.
    response = client.post(
        f"{url(world, 'contact-export')}?type=dealer&q=zzz",
        {"format": "xlsx", "type": "customer", "q": "", "sort": "-name", "junk": "x"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    job_id = int(response["HX-Redirect"].rstrip("/").rsplit("/", 1)[1])
    assert response["HX-Redirect"] == url(world, "export-detail", job_id)
    job = job_get(world, job_id)
    assert (job.kind, job.file_format) == ("contacts", "xlsx")
    assert job.params == {"type": "customer", "q": "", "sort": "-name"}


@pytest.mark.django_db
def test_the_task_runs_from_the_requests_commit(
    client, world, login, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    make_firm(world, "Eager", code="EAGER")
    login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = request_export(client, world, format="xlsx")
    assert job_get(world, job_id).status == "done"
    response = download(client, world, job_id)
    assert response["Content-Type"] == XLSX
    assert xlsx_rows(b"".join(response.streaming_content))[1][:2] == ["EAGER", "Eager"]


# --------------------------------------------------------------------------------------------
# what the file holds


@pytest.mark.django_db
def test_filters_and_row_rules_as_the_list_shows_them(client, world, login):
    restrict_employees(world)
    make_firm(world, "Own Dealer", code="OWN", sales_rep=world.employee, type="dealer")
    make_firm(world, "Pool", code="POOL")
    make_firm(world, "Foreign", code="FOREIGN", sales_rep=world.outsider)
    later = make_firm(world, "Own Later", code="LATER", sales_rep=world.employee)
    login(world.employee)
    page = client.get(url(world, "firm-list")).content.decode()
    assert "OWN" in page and "POOL" in page and "FOREIGN" not in page

    everything = request_export(client, world, sort="-code")
    dealers = request_export(client, world, format="xlsx", type="dealer")
    # The row rules are applied as they are when the worker runs.
    with scope(tenant=world.tenant.pk):
        Firm.objects.filter(pk=later.pk).update(sales_rep=world.outsider)
    for job_id in (everything, dealers):
        run_export(job_id, tenant_id=world.tenant.pk)
    content = b"".join(download(client, world, everything).streaming_content)
    assert [row[0] for row in csv_rows(content)[1:]] == ["POOL", "OWN"]
    content = b"".join(download(client, world, dealers).streaming_content)
    assert [row[0] for row in xlsx_rows(content)[1:]] == ["OWN"]

    login(world.manager)  # the employee's manager reaches the employee's firms, not others'
    codes = [row[0] for row in csv_rows(export(client, world, sort="code"))[1:]]
    assert "OWN" in codes and "POOL" in codes


@pytest.mark.django_db
def test_csv_and_xlsx_hold_the_columns_and_the_custom_fields(client, world, login):
    with scope(tenant=world.tenant.pk):
        for key, kind in (("fleet", "number"), ("vip", "boolean"), ("since", "date")):
            CustomField.objects.create(
                tenant=world.tenant, entity="firm", key=key, label=key.title(), kind=kind
            )
        CustomField.objects.create(
            tenant=world.tenant, entity="contact", key="hobby", label="Hobby", kind="text"
        )
    dealer = make_firm(world, "Çınar Bayi", code="CINAR", type="dealer")
    make_firm(
        world,
        "Şube Müşteri",
        code="SUBE",
        parent=dealer,
        custom={"fleet": 12.5, "vip": True, "since": "2020-02-01"},
        channels={"phones": [{"number": "5551234"}], "addresses": [{"city": "İzmir"}]},
        first_contact={
            "data": {"first_name": "Ayşe", "last_name": "Yılmaz", "custom": {"hobby": "Kayak"}}
        },
    )
    login(world.manager)
    header, *rows = csv_rows(export(client, world, sort="code"))
    assert header[:2] == ["Code", "Name"] and header[-3:] == ["Fleet", "Since", "Vip"]
    cinar, sube = rows
    assert cinar[:2] == ["CINAR", "Çınar Bayi"] and cinar[-3:] == ["", "", ""]
    assert sube[:2] == ["SUBE", "Şube Müşteri"] and sube[header.index("Parent code")] == "CINAR"
    assert sube[header.index("City")] == "İzmir" and sube[-3:] == ["12.5", "2020-02-01", "Yes"]
    header, *rows = xlsx_rows(export(client, world, format="xlsx", sort="code"))
    assert rows[1][header.index("Parent code")] == "CINAR" and rows[1][-1] == "Yes"
    header, *rows = xlsx_rows(export(client, world, "contact-export", format="xlsx"))
    assert header[:3] == ["Firm code", "Prefix", "First name"] and header[-1] == "Hobby"
    assert [row[0] for row in rows] == ["SUBE"] and rows[0][2:4] == ["Ayşe", "Yılmaz"]
    assert rows[0][-1] == "Kayak"


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_of_no_rows_is_a_file_with_its_header(client, world, login, file_format):
    make_firm(world, "Only", code="ONLY")
    login(world.manager)
    job_id = request_export(client, world, format=file_format, q="nothing matches this")
    assert run_export(job_id, tenant_id=world.tenant.pk) == "done"
    assert job_get(world, job_id).row_count == 0
    content = b"".join(download(client, world, job_id).streaming_content)
    rows = csv_rows(content) if file_format == "csv" else xlsx_rows(content)
    assert len(rows) == 1 and rows[0][:2] == ["Code", "Name"]
    assert "0 rows" in client.get(url(world, "export-detail", job_id)).content.decode()


# --------------------------------------------------------------------------------------------
# who sees a job


@pytest.mark.django_db
def test_only_the_requester_sees_and_downloads_the_job(client, world, other_world, login):
    give_profile(world, world.employee, "Exporters", ["firms.view", "firms.export"])
    job = run(world, request_as(world, world.manager))
    login(world.manager)
    assert client.get(url(world, "export-detail", job.pk)).status_code == 200
    assert b"".join(download(client, world, job.pk).streaming_content)
    for person in (world.employee, world.executive):
        login(person)
        assert client.get(url(world, "export-detail", job.pk)).status_code == 404
        assert client.get(url(world, "export-download", job.pk)).status_code == 404
        assert (
            url(world, "export-detail", job.pk)
            not in client.get(url(world, "export-list")).content.decode()
        )
    login(other_world.executive)
    foreign = reverse("companies:export-download", args=[other_world.tenant.slug, job.pk])
    assert client.get(foreign).status_code == 404
    login(world.outsider)  # no export right: refused before anything is looked up
    assert client.get(url(world, "export-detail", job.pk)).status_code == 403


@pytest.mark.django_db
def test_the_file_waits_until_the_job_is_done(client, world, login):
    job = request_as(world, world.manager)
    login(world.manager)
    for status in ("queued", "running", "failed"):
        with scope(tenant=world.tenant.pk):
            ExportJob.objects.filter(pk=job.pk).update(status=status, failure="Broken.")
        assert client.get(url(world, "export-download", job.pk)).status_code == 404
    page = client.get(url(world, "export-detail", job.pk)).content.decode()
    assert "Broken." in page and 'hx-trigger="every 2s"' not in page


# --------------------------------------------------------------------------------------------
# the run


@pytest.mark.django_db
def test_a_second_delivery_does_nothing(world):
    make_firm(world, "Once", code="ONCE")
    job = run(world, request_as(world, world.manager))
    assert (job.status, job.row_count) == ("done", 1)
    with scope(tenant=world.tenant.pk):
        audits = AuditEntry.objects.count()
    again = run(world, job)
    assert (again.file.name, again.finished_at, again.updated_at) == (
        job.file.name,
        job.finished_at,
        job.updated_at,
    )
    # A job another worker is writing is left to it.
    running = request_as(world, world.manager)
    with scope(tenant=world.tenant.pk):
        ExportJob.objects.filter(pk=running.pk).update(status="running")
        assert run(world, running).status == "running" and not run(world, running).file
        assert AuditEntry.objects.count() == audits + 1  # the request's entry only


@pytest.mark.django_db
def test_a_requester_who_left_or_lost_the_right_gets_a_clear_failure(client, world, login):
    make_firm(world, "Kept", code="KEPT")
    give_profile(world, world.employee, "Exporters", ["firms.view", "firms.export"])
    with scope(tenant=world.tenant.pk):
        left = request_as(world, Employee.objects.get(pk=world.employee.pk))
    with scope(tenant=world.tenant.pk):
        Employee.objects.filter(pk=world.employee.pk).update(status="dismissed")
    left = run(world, left)
    assert left.status == "failed" and not left.file
    assert left.failure == "The person who asked for this export no longer works here."

    lost = request_as(world, world.manager)
    give_profile(world, world.manager, "Viewers", ["firms.view"])
    lost = run(world, lost)
    assert (lost.status, lost.failure) == (
        "failed",
        "The person who asked for this export may no longer export.",
    )


@pytest.mark.django_db
def test_the_file_is_written_in_the_requesters_language(client, world, login):
    with scope(tenant=world.tenant.pk):
        CustomField.objects.create(
            tenant=world.tenant, entity="firm", key="vip", label="Vip", kind="boolean"
        )
    make_firm(world, "Dil", code="DIL", custom={"vip": False})
    login(world.manager)
    job_id = request_export(client, world)
    with scope(tenant=world.tenant.pk):
        ExportJob.objects.filter(pk=job_id).update(language="tr")
    run_export(job_id, tenant_id=world.tenant.pk)
    header, row = csv_rows(b"".join(download(client, world, job_id).streaming_content))
    assert header[:2] == ["Kod", "Ad"] and row[-1] == "Hayır"


# --------------------------------------------------------------------------------------------
# hostile input


@pytest.mark.django_db
def test_hostile_list_parameters_export_what_the_list_shows(client, world, login):
    make_firm(world, "Plain", code="PLAIN")
    login(world.manager)
    params = {
        "type": '<script>alert("x")</script>',
        "status": "nul\x00byte",
        "sales_rep": "99999999999999999999999",
        "tag": "²",
        "group": "-1",
        "customer_list": "٣٤٥",
        "parent": "' OR 1=1 --",
        "city": "x" * 20000,
        "sort": "password",
        "active": "maybe",
        "unknown": "x",
    }
    response = client.post(f"{url(world, 'firm-export')}?{urlencode(params)}", {"format": "csv"})
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        job = ExportJob.objects.filter(tenant=world.tenant).latest("pk")
    assert "unknown" not in job.params and "status" not in job.params  # NUL: dropped
    assert len(job.params["city"]) == exports.MAX_VALUE
    assert run(world, job).status == "done"
    # The list ignores the same values: the city filter is the only one left, and no firm
    # is in a city of 200 x's.
    assert csv_rows(b"".join(download(client, world, job.pk).streaming_content))[1:] == []
    params.pop("city")
    codes = [row[0] for row in csv_rows(export(client, world, **params))[1:]]
    shown = "PLAIN" in client.get(url(world, "firm-list"), params).content.decode()
    assert codes == (["PLAIN"] if shown else [])
    # Ids out of range or in other digits match nothing, on the list as in the export.
    params.pop("sales_rep"), params.pop("customer_list")
    assert [row[0] for row in csv_rows(export(client, world, **params))[1:]] == ["PLAIN"]
    assert "PLAIN" in client.get(url(world, "firm-list"), params).content.decode()
    for value in HOSTILE:
        response = client.post(url(world, "firm-export"), {"format": value})
        assert response.status_code == 400
        assert "Choose CSV or XLSX." in response.content.decode()


# The worker runs in autocommit, not inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_an_unexpected_error_fails_the_job_once(client, world, login, monkeypatch):
    with scope(tenant=world.tenant.pk):
        CustomField.objects.create(
            tenant=world.tenant, entity="firm", key="fleet", label="Fleet", kind="number"
        )
    make_firm(world, "Any", code="ANY")
    login(world.manager)
    # A number filter no stored value can match is ignored, as on the list.
    job_id = request_export(client, world, cf_fleet="NaN")
    assert run_export(job_id, tenant_id=world.tenant.pk) == "done"

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("companies.services.exports._write", broken)
    job_id = request_export(client, world)
    assert run_export(job_id, tenant_id=world.tenant.pk) == "failed"
    job = job_get(world, job_id)
    assert job.failure == "The export stopped because of an unexpected error."
    page = client.get(url(world, "export-detail", job_id)).content.decode()
    assert "Traceback" not in page and "disk full" not in page
    assert run_export(job_id, tenant_id=world.tenant.pk) == "failed"  # no loop: it stays failed


# --------------------------------------------------------------------------------------------
# the sweeper


@pytest.mark.django_db
def test_the_sweeper_queues_again_gives_up_and_fails_stalled_runs(world):
    now = timezone.now()
    lost = request_as(world, world.manager)
    fresh = request_as(world, world.manager)
    forgotten = request_as(world, world.manager)
    stalled = request_as(world, world.manager)
    working = request_as(world, world.manager)
    with scope(tenant=world.tenant.pk):
        jobs = ExportJob.objects.filter(tenant=world.tenant)
        jobs.filter(pk=lost.pk).update(queued_at=now - exports.QUEUE_AGAIN_AFTER * 2)
        jobs.filter(pk=forgotten.pk).update(
            queued_at=now - exports.QUEUE_AGAIN_AFTER * 2,
            created_at=now - exports.GIVE_UP_AFTER - timedelta(minutes=1),
        )
        jobs.filter(pk=stalled.pk).update(
            status="running", updated_at=now - exports.STALLED_AFTER - timedelta(minutes=1)
        )
        jobs.filter(pk=working.pk).update(status="running", updated_at=now)
    try:
        assert sweep_imports() == 3  # the imports' beat job sweeps exports too
        assert take_queued_export(lost) is not None
        assert take_queued_export(fresh) is None
    finally:
        take_queued_export(lost)
    assert exports.exports_sweep() == 0  # the job queued again has a new lease
    lost, fresh = job_get(world, lost.pk), job_get(world, fresh.pk)
    assert (lost.status, fresh.status) == ("queued", "queued") and lost.queued_at > now
    forgotten, stalled = job_get(world, forgotten.pk), job_get(world, stalled.pk)
    assert (forgotten.status, forgotten.failure) == ("failed", str(exports.NOT_TAKEN))
    assert (stalled.status, stalled.failure) == ("failed", str(exports.STOPPED))
    assert job_get(world, working.pk).status == "running"
    assert run(world, stalled).status == "failed" and run(world, lost).status == "done"


@pytest.mark.django_db
def test_a_run_the_sweeper_failed_cannot_finish_afterwards(world, monkeypatch):
    """The sweeper gives up on a run while it writes: the run's file is not kept."""
    job = request_as(world, world.manager)
    for i in range(3):
        make_firm(world, f"Slow {i}")
    real = exports.export_table

    def table_then_sweep(**kwargs):
        table = real(**kwargs)
        later = timezone.now() + exports.STALLED_AFTER + timedelta(minutes=1)
        assert exports.exports_sweep(now=later) == 1
        return table

    monkeypatch.setattr(exports, "export_table", table_then_sweep)
    job = run(world, job)
    assert (job.status, job.failure, job.file.name) == ("failed", str(exports.STOPPED), "")


# --------------------------------------------------------------------------------------------
# query budgets


def count_queries(client, path, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_job_page_and_list_query_budgets(client, world, login):
    login(world.manager)
    first = run(world, request_as(world, world.manager))
    progress = {"data": {"part": "progress"}, "headers": {"HX-Request": "true"}}
    pages = [
        url(world, "export-list"),
        url(world, "export-detail", first.pk),
    ]
    few = [count_queries(client, path) for path in pages]
    few.append(count_queries(client, url(world, "export-detail", first.pk), **progress))
    for i in range(25):
        job = request_as(world, world.manager, file_format="xlsx" if i % 2 else "csv")
        if i % 3:
            run(world, job)
    many = [count_queries(client, path) for path in pages]
    many.append(count_queries(client, url(world, "export-detail", first.pk), **progress))
    assert few == many
    assert many[0] <= 10 and many[1] <= 10 and many[2] <= 8, many
