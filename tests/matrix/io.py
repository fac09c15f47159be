"""Matrix entries for import and export of firms and contacts."""

from django.core.files.base import ContentFile
from django_scopes import scope

from companies.import_files import Table
from companies.services import exports, imports
from tests.matrix.common import FORBIDDEN, FORM_ERROR, NOT_FOUND, OK

IMPORTERS = {"employee": FORBIDDEN, "manager": OK, "executive": OK}
# An export is its requester's alone: another member, an executive too, gets a 404.
MANAGERS_EXPORT = {"employee": FORBIDDEN, "manager": OK, "executive": NOT_FOUND}
# The matrix posts no format: a clear 400 for those allowed to export.
EXPORTERS_POST = {"employee": FORBIDDEN, "manager": FORM_ERROR, "executive": FORM_ERROR}


def prepare(w):
    """An uploaded file of the manager's, waiting for its column mapping; an export of the
    manager's, written."""
    with scope(tenant=w.tenant.pk):
        w.import_job = imports.import_create(
            tenant=w.tenant,
            actor=w.manager.user,
            kind="firms",
            upload=ContentFile(b"Name\nAcme\n", name="firms.csv"),
            original_name="firms.csv",
            file_format="csv",
            table=Table(["Name"], [(2, ["Acme"])]),
        )
        w.export_job = exports.export_request(
            tenant=w.tenant, member=w.manager, kind="firms", file_format="csv", params={}
        )
        exports.export_run(tenant=w.tenant, job_id=w.export_job.pk)


def job(w):
    return {"pk": w.import_job.pk}


def export(w):
    return {"pk": w.export_job.pk}


MATRIX = {
    "companies:firm-import": ("GET", None, IMPORTERS),
    # The manager uploaded the file; executives see every import.
    "companies:import-detail": ("GET", job, IMPORTERS),
    "companies:firm-export": ("POST", None, EXPORTERS_POST),
    "companies:contact-export": ("POST", None, EXPORTERS_POST),
    "companies:export-list": ("GET", None, IMPORTERS),
    "companies:export-detail": ("GET", export, MANAGERS_EXPORT),
    "companies:export-download": ("GET", export, MANAGERS_EXPORT),
}
