"""An export travels the whole way: the firm list's button posts, the request's transaction
commits and queues the task, a real Celery worker writes the file with the requester's row
rules, and the job page offers it. With the broker down the request still answers at once and
the sweeper hands the job to the worker once the broker is back.
"""

import io
import time
from datetime import timedelta
from urllib.parse import urlencode

import openpyxl
import pytest
from django.urls import resolve, reverse
from django.utils import timezone
from django_scopes import scope

from companies.models import ExportJob
from companies.services import exports
from tests.helpers import give_profile, make_firm
from tests.integration.conftest import publish_to, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def url(world, name, *args):
    return reverse(f"companies:{name}", args=[world.tenant.slug, *args])


def ask(client, world, file_format, **params):
    response = client.post(
        f"{url(world, 'firm-export')}?{urlencode(params)}", {"format": file_format}
    )
    assert response.status_code == 302, response.status_code
    return resolve(response["Location"]).kwargs["pk"]


def status(world, job_id):
    with scope(tenant=world.tenant.pk):
        return ExportJob.objects.get(pk=job_id).status


def test_a_real_worker_writes_the_export_with_the_requesters_row_rules(
    celery_procs, world, client, login
):
    celery_procs.worker()
    with scope(tenant=world.tenant.pk):
        world.tenant.employees_read_all_firms = False
        world.tenant.save(update_fields=["employees_read_all_firms"])
    give_profile(world, world.employee, "Exporters", ["firms.view", "firms.export"])
    make_firm(world, "Çağlayan Şişe", code="OWN", sales_rep=world.employee)
    make_firm(world, "Çağlayan Cam", code="FOREIGN", sales_rep=world.outsider)
    make_firm(world, "Başka", code="OTHER", sales_rep=world.employee)
    login(world.employee)

    job_id = ask(client, world, "xlsx", q="Çağlayan")
    wait_until(lambda: status(world, job_id) == "done", 60, "the worker wrote the export")

    page = client.get(url(world, "export-detail", job_id)).content.decode()
    assert url(world, "export-download", job_id) in page and "1 row" in page
    response = client.get(url(world, "export-download", job_id))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["Code", "Name"] and [row[:2] for row in rows[1:]] == [
        ["OWN", "Çağlayan Şişe"]
    ]


def test_an_export_asked_for_with_the_broker_down_is_written_after_the_sweep(
    celery_procs, broker, world, client, login
):
    make_firm(world, "Bekleyen", code="WAIT")
    login(world.manager)
    broker.stop()
    started = time.monotonic()
    job_id = ask(client, world, "csv")
    elapsed = time.monotonic() - started
    assert elapsed < 3, f"the request took {elapsed:.2f} s with the broker down"
    assert status(world, job_id) == "queued"

    broker.start()
    publish_to(broker.url)
    celery_procs.worker()
    later = timezone.now() + exports.QUEUE_AGAIN_AFTER + timedelta(seconds=5)
    assert exports.exports_sweep(now=later) == 1
    wait_until(lambda: status(world, job_id) == "done", 60, "the swept export was written")
    response = client.get(url(world, "export-download", job_id))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert content.splitlines()[1].startswith("WAIT,Bekleyen,")
