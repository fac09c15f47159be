"""Reads of the portal. Every portal read starts from the portal user's firm.

Another firm's record is never found: each selector filters by the tenant and the firm first,
and the ``*_get`` selectors answer 404 for anything outside that.
"""

import zoneinfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Employee
from agenda.lists import IN_PORTAL
from agenda.models import Activity, Status
from core import choices
from core.models import OutboxEmail
from documents.models import DispatchItem, DispatchRecipient
from documents.selectors.dispatch import item_file
from sales.models import Contract, ContractStatus, Invoice, Offer, OfferStatus
from sales.pdf import filename as pdf_filename

# The activity types a customer sees: those switched "Shown in the customer portal" in Settings
# (appointments, meetings and visits by default). Calls, to-dos and e-mails are the company's
# own work.
APPOINTMENT_FLAG = IN_PORTAL
APPOINTMENT_FIELDS = (
    "id", "tenant_id", "firm_id", "type", "assigned_to", "subject", "start", "end", "all_day",
    "location", "type__label", "assigned_to__first_name", "assigned_to__last_name",
    "assigned_to__user", "assigned_to__user__timezone",
)  # fmt: skip
INVOICE_FIELDS = (
    "id", "tenant_id", "firm_id", "number", "issued_on", "due_on", "currency", "net", "vat",
    "total", "pdf", "original", "original_name", "original_content_type",
)  # fmt: skip


def home_summary(*, tenant, firm):
    """Counts for the start page: a fixed number of queries."""
    invoices = Invoice.objects.filter(tenant=tenant, firm=firm).count()
    contracts = (
        Contract.objects.filter(tenant=tenant, firm=firm)
        .exclude(status=ContractStatus.DRAFT)
        .aggregate(total=Count("pk"), active=Count("pk", filter=Q(status=ContractStatus.ACTIVE)))
    )
    open_offers = Offer.objects.filter(tenant=tenant, firm=firm, status=OfferStatus.SENT).count()
    return {
        "invoices": invoices,
        "contracts": contracts["total"],
        "active_contracts": contracts["active"],
        "open_offers": open_offers,
        "today": timezone.localdate(),
    }


# --- invoices --------------------------------------------------------------------------------


def firm_invoices(*, tenant, firm):
    """The firm's invoices, newest first, with what a row shows (no lines)."""
    return (
        Invoice.objects.filter(tenant=tenant, firm=firm)
        .only(*INVOICE_FIELDS)
        .order_by("-issued_on", "-pk")
    )


def invoice_get(*, tenant, firm, pk):
    """One invoice of the firm (404 otherwise)."""
    return get_object_or_404(firm_invoices(tenant=tenant, firm=firm), pk=pk)


def invoice_file(invoice):
    """``(file, filename, content type)`` a customer downloads: the generated PDF, else the
    scanned original; None when the invoice has neither."""
    if invoice.pdf:
        return invoice.pdf, pdf_filename(invoice), "application/pdf"
    if invoice.original:
        name = invoice.original_name or f"invoice-{invoice.pk}"
        return invoice.original, name, invoice.original_content_type or None
    return None


# --- contracts -------------------------------------------------------------------------------


def firm_contracts(*, tenant, firm):
    """The firm's contracts that are not drafts, newest start first."""
    return (
        Contract.objects.filter(tenant=tenant, firm=firm)
        .exclude(status=ContractStatus.DRAFT)
        .defer("note")
        .order_by("-starts_on", "-pk")
    )


def contract_get(*, tenant, firm, pk):
    """One contract of the firm that is not a draft (404 otherwise)."""
    return get_object_or_404(firm_contracts(tenant=tenant, firm=firm), pk=pk)


# --- documents sent --------------------------------------------------------------------------


def _delivered(tenant):
    """A dispatch at least one of whose e-mails went out."""
    return Exists(
        DispatchRecipient.objects.filter(
            tenant=tenant,
            dispatch_id=OuterRef("dispatch_id"),
            outbox__status=OutboxEmail.Status.SENT,
        )
    )


def firm_documents(*, tenant, firm):
    """The documents that went out to the firm (items of its dispatches of which an e-mail was
    delivered), newest dispatch first."""
    return (
        DispatchItem.objects.filter(tenant=tenant, dispatch__tenant=tenant, dispatch__firm=firm)
        .filter(_delivered(tenant))
        .select_related("dispatch", "version")
        .defer("version__html", "dispatch__message")
        .order_by("-dispatch__created_at", "-dispatch_id", "pk")
    )


def with_availability(items):
    """Set ``available`` on each document item: whether its file is there to download."""
    items = list(items)
    for item in items:
        item.available = item_file(item) is not None
    return items


def document_get(*, tenant, firm, pk):
    """One document sent to the firm (404 otherwise)."""
    return get_object_or_404(firm_documents(tenant=tenant, firm=firm), pk=pk)


# --- appointments ----------------------------------------------------------------------------


def upcoming_appointments(*, tenant, firm, now=None):
    """The company's appointments with the firm that have not ended: planned, shown in the
    agenda (an activity kept out of it is private) and of an appointment type; soonest first.
    """
    now = now or timezone.now()
    types = choices.flagged(tenant=tenant, key="activity_type", flag=APPOINTMENT_FLAG)
    people = Employee.objects.only("id", "first_name", "last_name").order_by(
        "first_name", "last_name", "pk"
    )
    return (
        Activity.objects.filter(
            tenant=tenant,
            firm=firm,
            status=Status.PLANNED,
            show_in_agenda=True,
            end__gte=now,
            type_id__in=types,
        )
        .select_related("type", "assigned_to__user")
        .only(*APPOINTMENT_FIELDS)
        .prefetch_related(Prefetch("participants", queryset=people))
        .order_by("start", "pk")
    )


def with_people(activities):
    """Set ``people`` (who from the company: the assigned employee, then the participants) and
    ``zone`` (the assigned employee's time zone, in which the times are shown) on each."""
    activities = list(activities)
    for activity in activities:
        people = [activity.assigned_to]
        people += [p for p in activity.participants.all() if p.pk != activity.assigned_to_id]
        activity.people = [person.full_name for person in people]
        try:
            activity.zone = zoneinfo.ZoneInfo(activity.assigned_to.user.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
            activity.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return activities
