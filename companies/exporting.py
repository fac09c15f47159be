"""Export tables of the filtered firm list and its contacts, written to CSV and XLSX (seed 002).

The filters are the firm list's own (``companies.filters.list_filters`` over the list's
query parameters) and the rows come from ``firm_list``, so an export holds exactly the firms
the list shows the member, narrowed by their row rules. The columns are the import's, so an
exported file imports back. Rows are read in chunks of ``CHUNK`` with their channels
prefetched per chunk: the number of queries grows with the chunks, not with the rows.

Also the reads of export jobs: the member's own jobs only.
"""

import csv
import io
from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from companies.custom_fields import active_fields
from companies.filters import list_filters
from companies.import_files import XLSX
from companies.importing import CONTACT_COLUMNS, FIRM_COLUMNS
from companies.models import ExportJob
from companies.selectors.firms import firm_list
from core import choices
from core.exports import safe_cell

CHUNK = 500
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


# --------------------------------------------------------------------------------------------
# cells


def xlsx_cell(value):
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, int | float):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))


def custom_text(field, value):
    """A custom value as the import reads it back."""
    if value is None:
        return ""
    if field.kind == "boolean":
        return _("Yes") if value else _("No")
    return value


def first(items):
    return min(items, key=lambda item: item.pk, default=None)


def text(value):
    return "" if value is None else str(value)


# --------------------------------------------------------------------------------------------
# tables


def firm_rows(tenant, firms):
    labels = {
        key: choices.labels(tenant=tenant, key=key)
        for key in ("firm_type", "firm_role", "firm_status")
    }
    firms = firms.select_related(
        "parent", "sector", "lead_source", "sales_rep__user", "primary_contact"
    ).prefetch_related(
        "phones",
        "emails",
        "websites",
        "addresss",
        "primary_contact__phones",
        "primary_contact__emails",
    )
    for firm in firms.iterator(chunk_size=CHUNK):
        yield firm, firm_row(firm, labels)


def firm_row(firm, labels):
    address = first(firm.addresss.all())
    contact = firm.primary_contact
    roles = [labels["firm_role"].get(role, role) for role in firm.roles]
    return [
        firm.code,
        firm.name,
        labels["firm_type"].get(firm.type) or firm.get_type_display(),
        ", ".join(roles),
        firm.parent.code if firm.parent else "",
        firm.tax_number,
        firm.trade_registry_number,
        firm.brand,
        firm.founding_date.isoformat() if firm.founding_date else "",
        firm.employee_count,
        text(firm.sector),
        text(firm.lead_source),
        labels["firm_status"].get(firm.status) or firm.get_status_display(),
        firm.get_priority_display(),
        firm.sales_rep.user.email if firm.sales_rep else "",
        text(first(firm.phones.all())),
        text(first(firm.emails.all())),
        text(first(firm.websites.all())),
        *(getattr(address, name, "") for name in ("city", "province", "country", "street")),
        address.postal_code if address else "",
        firm.notes,
        contact.full_name if contact else "",
        text(first(contact.phones.all())) if contact else "",
        text(first(contact.emails.all())) if contact else "",
    ]


def contact_rows(tenant, firms):
    """The contacts of the filtered firms, one row per firm and contact."""
    firms = firms.prefetch_related("contacts__prefix", "contacts__phones", "contacts__emails")
    for firm in firms.iterator(chunk_size=CHUNK):
        for contact in firm.contacts.all():
            yield contact, contact_row(firm, contact)


def contact_row(firm, contact):
    return [
        firm.code,
        text(contact.prefix),
        contact.first_name,
        contact.last_name,
        contact.job_title,
        contact.department,
        text(first(contact.phones.all())),
        text(first(contact.emails.all())),
        contact.birthday.isoformat() if contact.birthday else "",
        contact.notes,
    ]


@dataclass(frozen=True)
class Kind:
    name: str  # the file name's first word and the sheet's title
    entity: str  # whose custom fields are columns
    columns: tuple
    rows: object  # (tenant, firms queryset) → iterator of (owner, cells)


KINDS = {
    ExportJob.Kind.FIRMS: Kind("firms", "firm", tuple(FIRM_COLUMNS), firm_rows),
    ExportJob.Kind.CONTACTS: Kind("contacts", "contact", tuple(CONTACT_COLUMNS), contact_rows),
}


@dataclass
class Table:
    title: str
    header: list
    rows: object  # an iterator of lists of cells


def export_table(*, tenant, member, kind, params):
    """The header and the rows of an export of the firm list filtered by ``params``.

    ``params`` are the list's query parameters (a dict or a QueryDict); values the list would
    ignore are ignored here too.
    """

    spec = KINDS[kind]
    firm_fields = active_fields(tenant=tenant, entity="firm")
    firms = firm_list(
        tenant=tenant,
        member=member,
        filters=list_filters(params),
        sort=str(params.get("sort") or "name"),
        custom_fields=firm_fields,
        params=params,
    )
    fields = (
        firm_fields if spec.entity == "firm" else active_fields(tenant=tenant, entity="contact")
    )
    header = [str(column.label) for column in spec.columns] + [f.label for f in fields]
    rows = (
        [*cells, *(custom_text(f, owner.custom.get(f.key)) for f in fields)]
        for owner, cells in spec.rows(tenant, firms)
    )
    return Table(spec.name, header, rows)


# --------------------------------------------------------------------------------------------
# files


def write_csv(out, table):
    """Write ``table`` to the binary file ``out`` as UTF-8 CSV with a BOM (for Excel)."""
    stream = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(stream)
    stream.write("\ufeff")
    writer.writerow([safe_cell(cell) for cell in table.header])
    for row in table.rows:
        writer.writerow([safe_cell(cell) for cell in row])
        yield
    stream.detach()


def write_xlsx(out, table):
    """Write ``table`` to the binary file ``out`` as a one-sheet workbook (write-only mode)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.title[:31])
    sheet.append([xlsx_cell(cell) for cell in table.header])
    for row in table.rows:
        sheet.append([xlsx_cell(cell) for cell in row])
        yield
    book.save(out)


WRITERS = {"csv": write_csv, "xlsx": write_xlsx}


def write_table(out, file_format, table):
    """Write ``table`` to ``out``; yields once per row written, so the caller can report."""
    return WRITERS[file_format](out, table)


# --------------------------------------------------------------------------------------------
# reads of export jobs


def export_jobs(*, tenant, member, limit=20):
    """The member's own recent exports."""
    return ExportJob.objects.filter(tenant=tenant, created_by=member.user_id)[:limit]


def export_job_get(*, tenant, member, pk):
    """One of the member's own exports; 404 for anyone else's (executives included)."""
    return get_object_or_404(
        ExportJob.objects.filter(tenant=tenant, created_by=member.user_id), pk=pk
    )
