"""Export of the filtered firm list and its contacts to CSV and XLSX (seed 002).

The filters are the firm list's own (``companies.views.firms.list_filters``) and the rows
come from ``firm_list``, so an export holds exactly the firms the list shows, narrowed by the
member's row rules. The columns are the import's, so an exported file imports back.
Rows are read in chunks of 500 with their channels prefetched per chunk: the number of
queries grows with the chunks, not with the rows.
"""

import tempfile

from django.http import FileResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from companies.custom_fields import active_fields
from companies.import_files import XLSX
from companies.importing import CONTACT_COLUMNS, FIRM_COLUMNS
from companies.selectors.firms import firm_list
from companies.views.firms import list_filters
from core import choices
from core.exports import csv_response, safe_cell
from core.views import TenantView

CHUNK = 500
FORMATS = ("csv", "xlsx")


def xlsx_cell(value):
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, int | float):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))


def xlsx_response(filename, title, header, rows):
    """``rows`` under ``header`` as an XLSX download, written row by row to a temporary file."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([xlsx_cell(cell) for cell in header])
    for row in rows:
        sheet.append([xlsx_cell(cell) for cell in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    book.save(out)
    out.seek(0)
    response = FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def scoped(tenant_id, rows):
    """Yield ``rows`` with the tenant's scope active while each one is made.

    A streamed response is consumed after the view has returned, outside the scope the
    tenancy middleware opened; the prefetches of each chunk need it.
    """
    rows = iter(rows)
    while True:
        with scope(tenant=tenant_id):
            row = next(rows, None)
        if row is None:
            return
        yield row


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


class ExportView(TenantView):
    permissions = {"GET": "firms.export"}
    name = ""
    entity = ""
    columns = ()

    def get(self, request, tenant_slug):
        file_format = request.GET.get("format", "csv")
        if file_format not in FORMATS:
            return HttpResponseBadRequest(_("Choose CSV or XLSX."))
        firm_fields = active_fields(tenant=self.tenant, entity="firm")
        firms = firm_list(
            tenant=self.tenant,
            member=self.member,
            filters=list_filters(request.GET),
            sort=request.GET.get("sort", "name"),
            custom_fields=firm_fields,
            params=request.GET,
        )
        self.custom_fields = (
            firm_fields
            if self.entity == "firm"
            else active_fields(tenant=self.tenant, entity=self.entity)
        )
        rows = (
            [*row, *(custom_text(f, owner.custom.get(f.key)) for f in self.custom_fields)]
            for owner, row in self.rows(firms)
        )
        header = [str(c.label) for c in self.columns] + [f.label for f in self.custom_fields]
        stamp = timezone.localdate().isoformat()
        filename = f"{self.name}-{self.tenant.slug}-{stamp}.{file_format}"
        if file_format == "csv":
            return csv_response(filename, header, scoped(self.tenant.pk, rows))
        return xlsx_response(filename, self.name, header, rows)


class FirmExportView(ExportView):
    name = "firms"
    entity = "firm"
    columns = FIRM_COLUMNS

    def rows(self, firms):
        labels = {
            key: choices.labels(tenant=self.tenant, key=key)
            for key in ("firm_type", "firm_role", "firm_status")
        }
        firms = firms.select_related(
            "sector", "lead_source", "sales_rep__user", "primary_contact"
        ).prefetch_related(
            "phones",
            "emails",
            "websites",
            "addresss",
            "primary_contact__phones",
            "primary_contact__emails",
        )
        for firm in firms.iterator(chunk_size=CHUNK):
            yield firm, self.row(firm, labels)

    @staticmethod
    def row(firm, labels):
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


class ContactExportView(ExportView):
    """The contacts of the filtered firms, one row per firm and contact."""

    name = "contacts"
    entity = "contact"
    columns = CONTACT_COLUMNS

    def rows(self, firms):
        firms = firms.prefetch_related("contacts__prefix", "contacts__phones", "contacts__emails")
        for firm in firms.iterator(chunk_size=CHUNK):
            for contact in firm.contacts.all():
                yield (
                    contact,
                    [
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
                    ],
                )
