"""The firm's records in the portal: invoices, contracts, the documents sent to it and the
upcoming appointments, with the downloads (each recorded on the firm's timeline)."""

from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.files import serve
from core.permissions import PORTAL
from core.views import paginate
from documents.selectors.dispatch import item_file
from portal import events, selectors
from portal.models import PortalEvent
from portal.views.base import PortalView


class RecordsView(PortalView):
    """A paginated list of the firm's records."""

    permissions = {"GET": PORTAL}
    nav = template = ""

    def rows(self):
        raise NotImplementedError

    def prepare(self, page):
        """Add what the rows show once the page is loaded."""

    def get(self, request, tenant_slug):
        page = paginate(request, self.rows())
        self.prepare(page)
        context = self.get_context_data(nav=self.nav, page=page)
        return render(request, self.template, context)


class DownloadView(PortalView):
    """One file of the firm's, as an attachment; the download goes on the firm's timeline."""

    permissions = {"GET": PORTAL}

    def download(self, pk):
        """``(subject, summary, file, filename, content type)``; raises Http404."""
        raise NotImplementedError

    def get(self, request, tenant_slug, pk):
        subject, summary, stored, filename, content_type = self.download(pk)
        try:
            response = serve(stored, filename=filename, content_type=content_type)
        except FileNotFoundError:  # gone from the storage: nothing to hand out
            raise Http404 from None
        if request.method == "GET":  # a HEAD request downloads nothing
            events.record(
                portal_user=self.portal_user,
                kind=PortalEvent.Kind.DOWNLOAD,
                subject=subject,
                summary=summary,
            )
        response["Cache-Control"] = "private, no-store"
        return response

    def summary(self, text, **values):
        """``text`` in the company's language: the timeline is read by its staff."""
        with translation.override(self.tenant.language):
            return str(text) % values


class InvoiceListView(RecordsView):
    nav, template = "invoices", "portal/records_invoices.html"

    def rows(self):
        return selectors.firm_invoices(tenant=self.tenant, firm=self.firm)


class InvoiceDownloadView(DownloadView):
    def download(self, pk):
        invoice = selectors.invoice_get(tenant=self.tenant, firm=self.firm, pk=pk)
        found = selectors.invoice_file(invoice)
        if found is None:
            raise Http404
        summary = self.summary(_("Invoice %(number)s"), number=invoice.number)
        return (invoice, summary, *found)


class ContractListView(RecordsView):
    nav, template = "contracts", "portal/records_contracts.html"

    def rows(self):
        return selectors.firm_contracts(tenant=self.tenant, firm=self.firm)


class ContractDownloadView(DownloadView):
    def download(self, pk):
        contract = selectors.contract_get(tenant=self.tenant, firm=self.firm, pk=pk)
        if not contract.file:
            raise Http404
        summary = self.summary(_("Contract %(title)s"), title=contract.title)
        filename = contract.original_name or f"contract-{contract.pk}"
        return contract, summary, contract.file, filename, contract.content_type or None


class DocumentListView(RecordsView):
    nav, template = "documents", "portal/records_documents.html"

    def rows(self):
        return selectors.firm_documents(tenant=self.tenant, firm=self.firm)

    def prepare(self, page):
        page.object_list = selectors.with_availability(page.object_list)


class DocumentDownloadView(DownloadView):
    def download(self, pk):
        item = selectors.document_get(tenant=self.tenant, firm=self.firm, pk=pk)
        stored = item_file(item)
        if stored is None:
            raise Http404
        summary = self.summary(_("Document %(title)s"), title=item.title)
        return item.dispatch, summary, stored, item.original_name, item.content_type or None


class AppointmentListView(RecordsView):
    nav, template = "appointments", "portal/records_appointments.html"

    def rows(self):
        return selectors.upcoming_appointments(tenant=self.tenant, firm=self.firm)

    def prepare(self, page):
        page.object_list = selectors.with_people(page.object_list)
