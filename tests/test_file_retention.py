"""The files of imports and exports are deleted when their time is up (services.retention)."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_scopes import scope

from companies.models import ExportJob, ImportJob
from companies.services.retention import files_expire
from companies.tasks import sweep_imports
from tests.helpers import make_firm
from tests.test_exports_worker import job_get, request_as, run
from tests.test_exports_worker import url as export_url
from tests.test_import_export import FIRM_HEADER, csv_bytes, firm_row, make_job, start_and_run
from tests.test_import_export import run as run_import


def age(model, job, **fields):
    """Move ``job``'s timestamps back (``fields``: name → days ago)."""
    now = timezone.now()
    with scope(tenant=job.tenant_id):
        model.objects.filter(pk=job.pk).update(
            **{name: now - timedelta(days=days) for name, days in fields.items()}
        )


def fresh(model, job):
    with scope(tenant=job.tenant_id):
        return model.objects.get(pk=job.pk)


@pytest.mark.django_db
def test_an_export_file_is_deleted_after_its_days_and_the_job_says_so(client, world, settings):
    settings.EXPORT_FILE_DAYS = 7
    make_firm(world, "Kept Ltd")
    old, recent = (run(world, request_as(world, world.executive)) for _ in range(2))
    failed = request_as(world, world.executive)
    with scope(tenant=world.tenant.pk):
        ExportJob.objects.filter(pk=failed.pk).update(status=ExportJob.Status.FAILED)
    name = old.file.name
    assert old.status == ExportJob.Status.DONE and default_storage.exists(name)
    age(ExportJob, old, finished_at=8)
    age(ExportJob, recent, finished_at=6)
    age(ExportJob, failed, created_at=30)

    assert files_expire() == 1
    old = job_get(world, old.pk)
    assert old.status == ExportJob.Status.EXPIRED and not old.file and old.row_count == 1
    assert not default_storage.exists(name)
    assert job_get(world, recent.pk).status == ExportJob.Status.DONE
    assert default_storage.exists(job_get(world, recent.pk).file.name)
    assert job_get(world, failed.pk).status == ExportJob.Status.FAILED
    assert files_expire() == 0  # nothing twice

    client.force_login(world.executive.user)
    assert client.get(export_url(world, "export-download", old.pk)).status_code == 404
    page = client.get(export_url(world, "export-detail", old.pk)).content.decode()
    assert "File deleted" in page and "deleted 7 days after it was written" in page
    assert "hx-trigger" not in page.split('id="export-progress"')[1].split(">")[0]  # no polling
    listing = client.get(export_url(world, "export-list")).content.decode()
    assert "File deleted" in listing


@pytest.mark.django_db
def test_the_message_is_in_the_requesters_language(world, settings):
    settings.EXPORT_FILE_DAYS = 1
    make_firm(world, "Kept Ltd")
    with scope(tenant=world.tenant.pk):
        from companies.services import exports

        job = exports.export_request(
            tenant=world.tenant, member=world.executive, kind="firms", file_format="csv",
            params={}, language="tr",
        )  # fmt: skip
    job = run(world, job)
    age(ExportJob, job, finished_at=2)
    files_expire()
    assert "gün" in job_get(world, job.pk).failure


@pytest.mark.django_db
def test_import_files_go_after_their_days_and_the_results_stay(world, settings):
    settings.IMPORT_FILE_DAYS = 30
    content = csv_bytes(FIRM_HEADER, [firm_row(name="Imported Ltd", type="customer")])
    done = start_and_run(world, make_job(world, content))
    waiting = make_job(world, content, name="second.csv")
    young = make_job(world, content, name="third.csv")
    names = {job.pk: job.file.name for job in (done, waiting, young)}
    assert done.status == ImportJob.Status.DONE and done.created_count == 1
    age(ImportJob, done, finished_at=31)
    age(ImportJob, waiting, updated_at=31)
    age(ImportJob, young, updated_at=29)

    assert sweep_imports() == 2  # the beat task runs the retention too
    done, waiting, young = (fresh(ImportJob, job) for job in (done, waiting, young))
    assert done.status == ImportJob.Status.DONE and done.created_count == 1 and not done.file
    assert waiting.status == ImportJob.Status.FAILED and not waiting.file
    assert waiting.failure == "The file was deleted after 30 days without a run. Upload it again."
    assert waiting.finished_at is not None
    assert young.status == ImportJob.Status.MAPPED and young.file
    assert not default_storage.exists(names[done.pk])
    assert not default_storage.exists(names[waiting.pk])
    assert default_storage.exists(names[young.pk])


@pytest.mark.django_db
def test_a_job_that_moved_on_keeps_its_file(world, settings, monkeypatch):
    """The job read as waiting, then started before the update: the update misses it."""
    settings.IMPORT_FILE_DAYS = 30
    content = csv_bytes(FIRM_HEADER, [firm_row(name="Raced Ltd", type="customer")])
    job = make_job(world, content)
    age(ImportJob, job, updated_at=31)
    from companies.services import retention

    real_delete = retention._delete

    def started_meanwhile(job, read_status, now, **changes):
        with scope(tenant=job.tenant_id):
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        real_delete(job, read_status, now, **changes)

    monkeypatch.setattr(retention, "_delete", started_meanwhile)
    files_expire()
    job = fresh(ImportJob, job)
    assert job.status == ImportJob.Status.QUEUED and default_storage.exists(job.file.name)
    assert run_import(job).status == ImportJob.Status.DONE
