"""Sending documents to a firm's contacts (seed 000: offers, brochures, contact information).

:func:`dispatch_send` writes the dispatch, its recipients and its items in one transaction,
with the audit entry, the firm's status step ("first contact" → "in talks" when material is
sent) and a source record's ``on_sent``. After commit the worker prepares it
(``documents.services.dispatch_prepare``): it renders the PDFs, keeps them on the items and
writes one outbox e-mail per recipient.
"""

import ipaddress

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from companies.selectors.firms import visible_firms
from companies.services.firms import firm_advance_status
from core import audit
from core.models import AuditEntry
from documents.models import (
    CONTACT_CARD,
    DISPATCH_KINDS,
    Dispatch,
    DispatchItem,
    DispatchRecipient,
    DocumentKind,
    LinkOpening,
)
from documents.selectors import dispatch as selectors

# Sending one of these moves a firm in "first contact" to "in talks" (seed 000).
MATERIAL_KINDS = frozenset(
    {
        DocumentKind.OFFER,
        DocumentKind.BROCHURE,
        DocumentKind.PRESENTATION,
        DocumentKind.MAGAZINE,
        DocumentKind.CD,
        DocumentKind.FILM,
    }
)
KIND_CODES = {code for code, _label in DISPATCH_KINDS}
PDF = "application/pdf"


def _invalid(field, message=None):
    return ValidationError({field: message or _("Select a valid choice.")})


def _check_firm(*, tenant, actor, firm):
    if firm.tenant_id != tenant.pk or not (
        visible_firms(tenant=tenant, member=actor).filter(pk=firm.pk).exists()
    ):
        raise ValidationError(_("You cannot send documents to this firm."))


def _checked_contacts(*, tenant, firm, contacts):
    """The chosen contacts as the database has them (with ``first_email``), in their order."""
    wanted = {contact.pk for contact in contacts}
    if not wanted:
        raise _invalid("contacts", _("Choose at least one contact."))
    found = list(selectors.dispatch_contacts(tenant=tenant, firm=firm).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise _invalid("contacts")
    return found


def _checked_templates(*, tenant, kind, templates, record):
    wanted = {template.pk for template in templates}
    if kind == CONTACT_CARD:
        if wanted:
            raise _invalid("templates", _("The contact information is sent on its own."))
        if selectors.contact_card(tenant=tenant) is None:
            raise _invalid("kind", _("Fill in the contact card in the document library first."))
        return []
    found = list(selectors.dispatch_templates(tenant=tenant, kind=kind).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise _invalid("templates")
    if not found and record is None:
        raise _invalid("templates", _("Choose at least one document of this kind."))
    return found


def _check_record(*, firm, kind, source, record):
    if source is None and record is None:
        return
    if source is None or record is None or kind != source.kind:
        raise ValidationError(_("The record to send is not valid."))
    if getattr(record, "firm_id", None) != firm.pk:
        raise ValidationError(_("The record belongs to another firm."))


def pdf_name(title):
    """A file name for a rendered PDF (the title's letters are kept, Turkish ones too)."""
    stem = get_valid_filename(str(title).replace("/", " ").replace("\\", " ")[:150].strip())
    return f"{stem or 'document'}.pdf"


def _template_item(*, tenant, dispatch, template):
    version = template.current_version
    item = DispatchItem(tenant=tenant, dispatch=dispatch, version=version, title=template.name)
    if template.is_html:
        item.original_name, item.content_type = pdf_name(template.name), PDF
    else:
        item.original_name = (version.original_name or template.name)[:200]
        item.content_type = version.content_type or "application/octet-stream"
        item.size = version.size
    return item


def _record_item(*, tenant, dispatch, source, record):
    title = str(source.title(record))[:255]
    return DispatchItem(
        tenant=tenant,
        dispatch=dispatch,
        version=None,
        title=title,
        original_name=pdf_name(title),
        content_type=PDF,
    )


def dispatch_send(
    *,
    tenant,
    actor,
    firm,
    kind,
    contacts,
    templates=(),
    subject,
    message="",
    source=None,
    record=None,
):
    """Record a dispatch of ``templates`` (or the contact card, or ``record`` as its own PDF
    through ``source``) to ``contacts`` of ``firm``; the worker sends it after commit.

    ``actor`` is the sending member (Employee). A source's ``on_sent`` and
    ``firm_advance_status`` receive the member's user, as the audit log records users.
    """
    if kind not in KIND_CODES:
        raise _invalid("kind")
    with transaction.atomic():
        _check_firm(tenant=tenant, actor=actor, firm=firm)
        _check_record(firm=firm, kind=kind, source=source, record=record)
        people = _checked_contacts(tenant=tenant, firm=firm, contacts=contacts)
        chosen = _checked_templates(tenant=tenant, kind=kind, templates=templates, record=record)
        dispatch = Dispatch.objects.create(
            tenant=tenant,
            firm=firm,
            kind=kind,
            subject=" ".join(subject.split())[:255],
            message=message,
            sent_by=actor,
            subject_type=source.label if source else "",
            subject_id=record.pk if record else None,
        )
        DispatchRecipient.objects.bulk_create(
            DispatchRecipient(
                tenant=tenant,
                dispatch=dispatch,
                contact=person,
                name=person.full_name[:200],
                email=person.first_email,
            )
            for person in people
        )
        items = [_template_item(tenant=tenant, dispatch=dispatch, template=t) for t in chosen]
        if record is not None:
            items.insert(
                0, _record_item(tenant=tenant, dispatch=dispatch, source=source, record=record)
            )
        DispatchItem.objects.bulk_create(items)
        if kind in MATERIAL_KINDS:
            firm_advance_status(tenant=tenant, actor=actor.user, firm=firm, event="material_sent")
        if source is not None:
            source.on_sent(tenant, actor.user, record)
        audit.record(
            tenant=tenant,
            actor=actor.user,
            instance=dispatch,
            action=AuditEntry.Action.CREATE,
            summary=_("To: %(to)s") % {"to": ", ".join(p.first_email for p in people)},
            changes=audit.diff(
                {},
                {
                    **audit.snapshot(dispatch, ["firm", "kind", "subject"]),
                    "documents": ", ".join(item.title for item in items),
                },
            ),
        )
        transaction.on_commit(lambda: queue_prepare(dispatch.pk, tenant.pk))
    return dispatch


def queue_prepare(dispatch_id, tenant_id):
    """Hand the dispatch to the worker; if the broker is down, the sweeper does it later."""
    from documents.tasks import queue

    return queue(dispatch_id=dispatch_id, tenant_id=tenant_id)


def dispatch_retry(*, tenant, actor, dispatch):
    """Ask the worker to prepare a dispatch again (it could not, or its task was lost)."""
    with transaction.atomic():
        _check_firm(tenant=tenant, actor=actor, firm=dispatch.firm)
        [dispatch] = selectors.with_states(
            tenant=tenant,
            dispatches=selectors.dispatch_rows(
                Dispatch.objects.filter(tenant=tenant, pk=dispatch.pk)
            ),
        )
        if not dispatch.can_retry:
            raise ValidationError(_("This dispatch is not waiting for another try."))
        audit.record(
            tenant=tenant,
            actor=actor.user,
            instance=dispatch,
            action=AuditEntry.Action.EVENT,
            summary=_("Prepared again on request"),
        )
        transaction.on_commit(lambda: queue_prepare(dispatch.pk, tenant.pk))
    return dispatch


def link_opening_record(*, tenant, item, recipient, ip_address, user_agent):
    """Log that a signed link was opened (no actor: the person has no login)."""
    try:
        ip_address = str(ipaddress.ip_address(ip_address or ""))
    except ValueError:
        ip_address = None
    with transaction.atomic():
        return LinkOpening.objects.create(
            tenant=tenant,
            item=item,
            recipient=recipient,
            ip_address=ip_address,
            user_agent=" ".join(str(user_agent).split())[:255],
        )
