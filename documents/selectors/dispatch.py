"""Reads of dispatches: what can be sent to a firm, what was sent, and how far it got.

A dispatch belongs to a firm: a member reads it when they can read the firm. Its state is not
stored (the model has no status field); it is derived from what the worker left behind:

- *preparing*: not every recipient has an outbox row yet and no failure is recorded;
- *not prepared*: the worker recorded a render failure (an audit event carrying the error)
  and nobody asked for another try since;
- *sending*, *sent*, *failed*: every recipient has an outbox row; the rows' delivery status
  decides (one failed e-mail makes the dispatch *failed*).
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from companies.models import Contact, Email, FirmContact
from companies.selectors.firms import visible_firms
from core.models import AuditEntry, OutboxEmail
from documents.models import (
    ContactCard,
    Dispatch,
    DispatchItem,
    DispatchRecipient,
    DocumentTemplate,
    LinkOpening,
)

DISPATCH_TYPE = "documents.dispatch"
RENDER_ERROR = "render_error"  # the field name of a failure in the audit event's changes
# A dispatch still preparing after this long lost its task (a broker outage, a dead worker).
STUCK_AFTER = timedelta(minutes=2)

PREPARING, NOT_PREPARED, SENDING, SENT, FAILED = (
    "preparing",
    "not_prepared",
    "sending",
    "sent",
    "failed",
)
STATES = {
    PREPARING: (_("Preparing"), "text-bg-secondary"),
    NOT_PREPARED: (_("Could not be prepared"), "text-bg-danger"),
    SENDING: (_("Sending"), "text-bg-info"),
    SENT: (_("Sent"), "text-bg-success"),
    FAILED: (_("Delivery failed"), "text-bg-danger"),
}
DELIVERY = {
    OutboxEmail.Status.PENDING: (_("In the outbox"), "text-bg-info"),
    OutboxEmail.Status.RETRYING: (_("Retrying"), "text-bg-warning"),
    OutboxEmail.Status.SENT: (_("Sent"), "text-bg-success"),
    OutboxEmail.Status.FAILED: (_("Failed"), "text-bg-danger"),
}


# --- what can be sent ------------------------------------------------------------------------


def dispatch_firm(*, tenant, member, pk):
    """A firm the member can read, to send documents to (404 otherwise)."""
    qs = visible_firms(tenant=tenant, member=member).select_related("primary_contact", "legal_form")
    return get_object_or_404(qs, pk=pk)


def first_email():
    return Subquery(
        Email.objects.filter(contact=OuterRef("pk")).order_by("id").values("address")[:1]
    )


def dispatch_contacts(*, tenant, firm):
    """The firm's active contacts that have an e-mail address (``first_email``), by name."""
    linked = FirmContact.objects.filter(tenant=tenant, firm=firm).values("contact")
    return (
        Contact.objects.filter(tenant=tenant, pk__in=linked, is_active=True)
        .annotate(first_email=first_email())
        .filter(first_email__isnull=False)
        .order_by("first_name", "last_name", "pk")
    )


def dispatch_templates(*, tenant, kind):
    """Active templates of ``kind`` that have a version to send, by name."""
    if not kind:
        return DocumentTemplate.objects.none()
    return (
        DocumentTemplate.objects.filter(
            tenant=tenant, kind=kind, is_active=True, current_version__isnull=False
        )
        .select_related("current_version")
        .order_by("name", "pk")
    )


def contact_card(*, tenant):
    """The tenant's contact card, or None while nobody has filled it in."""
    return ContactCard.objects.filter(tenant=tenant).first()


def _known_languages():
    codes = {code for code, _name in settings.LANGUAGES}
    names = {}
    for code in codes:
        info = translation.get_language_info(code)
        for name in (code, info["name"], info["name_local"]):
            names[name.casefold()] = code
    return names


def contact_language(contact):
    """The first language on the contact's record that the product speaks, or None.

    Contacts list languages as free text ("Turkish native, English fluent"); a code ("tr"),
    an English name or the language's own name ("Türkçe") is recognised.
    """
    if contact is None:
        return None
    names = _known_languages()
    for entry in contact.languages or []:
        word = str(entry.get("language", "") if isinstance(entry, dict) else "").casefold()
        if word in names:
            return names[word]
    return None


def firm_language(*, tenant, firm):
    """The language to write to a firm in: its primary contact's, else the tenant's."""
    contact = firm.primary_contact if firm.primary_contact_id else None
    return contact_language(contact) or tenant.language or settings.LANGUAGE_CODE


# --- what was sent ---------------------------------------------------------------------------


def visible_dispatches(*, tenant, member):
    """Every dispatch on a firm the member can read."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    return Dispatch.objects.filter(tenant=tenant, firm_id__in=firms)


def _recipients():
    return Prefetch(
        "recipients",
        queryset=DispatchRecipient.objects.select_related("outbox")
        .only(
            "id",
            "tenant_id",
            "dispatch_id",
            "contact_id",
            "name",
            "email",
            "outbox_id",
            "outbox__status",
            "outbox__sent_at",
            "outbox__last_error",
            "outbox__attempts",
        )
        .order_by("id"),
    )


def _items():
    return Prefetch("items", queryset=DispatchItem.objects.order_by("id"))


def dispatch_rows(queryset):
    """``queryset`` with what a list row shows: sender, recipients with delivery, items."""
    return queryset.select_related("sent_by").prefetch_related(_recipients(), _items())


def firm_dispatches(*, tenant, member, firm):
    """The firm's dispatches, newest first (``with_states`` adds their state)."""
    qs = visible_dispatches(tenant=tenant, member=member).filter(firm=firm)
    return dispatch_rows(qs).order_by("-created_at", "-pk")


def dispatch_get(*, tenant, member, pk):
    """One readable dispatch with its firm (404 otherwise)."""
    qs = visible_dispatches(tenant=tenant, member=member).select_related("firm", "sent_by")
    return get_object_or_404(qs, pk=pk)


def dispatch_detail(*, tenant, member, pk):
    """One dispatch with its items (and their openings), recipients and state."""
    openings = LinkOpening.objects.select_related("recipient").order_by("-opened_at", "-pk")
    items = (
        DispatchItem.objects.select_related("version")
        .order_by("id")
        .prefetch_related(Prefetch("openings", queryset=openings))
    )
    qs = (
        visible_dispatches(tenant=tenant, member=member)
        .select_related("firm", "sent_by")
        .prefetch_related(_recipients(), Prefetch("items", queryset=items))
    )
    dispatch = get_object_or_404(qs, pk=pk)
    return with_states(tenant=tenant, dispatches=[dispatch])[0]


def dispatch_item_get(*, tenant, member, dispatch_pk, pk):
    """One item of a readable dispatch, with its version (404 otherwise)."""
    dispatch = dispatch_get(tenant=tenant, member=member, pk=dispatch_pk)
    qs = DispatchItem.objects.filter(tenant=tenant, dispatch=dispatch).select_related("version")
    return get_object_or_404(qs, pk=pk)


def linked_item(*, payload):
    """``(item, recipient)`` a signed link names, inside its tenant; None if either is not
    there, the item was not sent as a link, or the tenant is closed. Run in the payload's
    tenant scope."""
    item = (
        DispatchItem.objects.filter(
            tenant_id=payload.tenant_id,
            pk=payload.item_id,
            as_link=True,
            tenant__is_active=True,
        )
        .select_related("version", "tenant")
        .first()
    )
    if item is None:
        return None
    recipient = DispatchRecipient.objects.filter(
        tenant_id=payload.tenant_id, pk=payload.recipient_id, dispatch_id=item.dispatch_id
    ).first()
    return None if recipient is None else (item, recipient)


def item_file(item):
    """The file that went out for ``item`` (the rendered PDF or the version's own file), or
    None while it is not there (an HTML template not rendered yet)."""
    if item.file:
        return item.file
    if item.version_id is not None and item.version.file:
        return item.version.file
    return None


def render_failures(*, tenant, dispatch_ids):
    """``{dispatch id: error}`` of dispatches whose latest event is a render failure."""
    events = (
        AuditEntry.objects.filter(
            tenant=tenant,
            subject_type=DISPATCH_TYPE,
            subject_id__in=list(dispatch_ids),
            action=AuditEntry.Action.EVENT,
        )
        .order_by("subject_id", "created_at", "id")
        .values_list("subject_id", "changes")
    )
    latest = {}
    for subject_id, changes in events:
        latest[subject_id] = changes
    failures = {}
    for subject_id, changes in latest.items():
        for change in changes or []:
            if isinstance(change, dict) and change.get("field") == RENDER_ERROR:
                failures[subject_id] = str(change.get("new", ""))
    return failures


def _delivery_state(recipients):
    statuses = {r.outbox.status for r in recipients}
    if OutboxEmail.Status.FAILED in statuses:
        return FAILED
    if statuses == {OutboxEmail.Status.SENT}:
        return SENT
    return SENDING


def with_states(*, tenant, dispatches):
    """Set ``state``, ``state_label``, ``state_style``, ``error``, ``can_retry`` on each
    dispatch (recipients prefetched) and ``delivery`` on each recipient; one query."""
    dispatches = list(dispatches)
    failures = render_failures(tenant=tenant, dispatch_ids=[d.pk for d in dispatches])
    stuck_before = timezone.now() - STUCK_AFTER
    for dispatch in dispatches:
        recipients = list(dispatch.recipients.all())
        dispatch.error = failures.get(dispatch.pk, "")
        if recipients and all(r.outbox_id for r in recipients):
            dispatch.state = _delivery_state(recipients)
            dispatch.error = ""
        elif dispatch.error:
            dispatch.state = NOT_PREPARED
        else:
            dispatch.state = PREPARING
        dispatch.state_label, dispatch.state_style = STATES[dispatch.state]
        dispatch.can_retry = dispatch.state == NOT_PREPARED or (
            dispatch.state == PREPARING and dispatch.created_at < stuck_before
        )
        for recipient in recipients:
            if recipient.outbox_id is None:
                recipient.delivery = STATES[dispatch.state]
            else:
                recipient.delivery = DELIVERY.get(recipient.outbox.status, DELIVERY["pending"])
    return dispatches


def stuck_dispatches(*, tenant, limit=100):
    """Ids of the tenant's dispatches of the last day still waiting for the worker after
    ``STUCK_AFTER``, without a recorded failure: the sweeper queues them again."""
    now = timezone.now()
    waiting = DispatchRecipient.objects.filter(dispatch=OuterRef("pk"), outbox__isnull=True)
    ids = list(
        Dispatch.objects.filter(
            tenant=tenant,
            created_at__lt=now - STUCK_AFTER,
            created_at__gte=now - timedelta(days=1),
        )
        .filter(Exists(waiting))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    failures = render_failures(tenant=tenant, dispatch_ids=ids) if ids else {}
    return [pk for pk in ids if pk not in failures]
