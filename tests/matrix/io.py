"""Matrix entries for import and export of firms and contacts."""

from django.core.files.base import ContentFile
from django_scopes import scope

from companies.import_files import Table
from companies.services import imports
from tests.matrix.common import FORBIDDEN, OK

IMPORTERS = {"employee": FORBIDDEN, "manager": OK, "executive": OK}


def prepare(w):
    """An uploaded file of the manager's, waiting for its column mapping."""
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


def job(w):
    return {"pk": w.import_job.pk}


MATRIX = {
    "companies:firm-import": ("GET", None, IMPORTERS),
    # The manager uploaded the file; executives see every import.
    "companies:import-detail": ("GET", job, IMPORTERS),
    "companies:firm-export": ("GET", None, IMPORTERS),
    "companies:contact-export": ("GET", None, IMPORTERS),
}
