"""The worker's half of a dispatch: render, keep, choose attachment or link, write the e-mails.

:func:`dispatch_prepare` runs in one transaction under a lock on the dispatch row
(``SELECT ... FOR UPDATE SKIP LOCKED``: a second worker on the same dispatch skips it). It
only does what is missing: an item that has its PDF is not rendered again, a recipient that
has an outbox row gets no second one (and the row's idempotency key,
``dispatch:<dispatch>:<recipient>``, refuses a duplicate anyway). Run twice, it sends once.

A render failure (a template that does not render, a record that is gone, a file missing from
storage) is recorded as an audit event on the dispatch carrying the error, the sender is
notified, and no e-mail is written: the dispatch shows "could not be prepared" until someone
asks for another try. PDFs already rendered in that run are kept.
"""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core import audit, mail
from core.models import AuditEntry
from core.notifications import notify
from documents import links, merge, sources
from documents.models import CONTACT_CARD, Dispatch, DispatchItem, DispatchRecipient
from documents.rendering import RenderError, render_pdf
from documents.selectors import dispatch as selectors

logger = logging.getLogger(__name__)

PREPARED, NOT_PREPARED, NOTHING_TO_DO = "prepared", "not_prepared", "nothing_to_do"
ITEM_FIELDS = ["file", "original_name", "content_type", "size", "updated_at"]


class PreparationError(Exception):
    """Something the dispatch needs cannot be made; the message says what, for people."""


def dispatch_prepare(*, dispatch_id):
    """Prepare and queue a dispatch once; return what happened (None: locked or gone)."""
    with transaction.atomic():
        dispatch = (
            Dispatch.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "tenant",
                "firm",
                "firm__primary_contact",
                "firm__legal_form",
                "sent_by",
                "sent_by__user",
            )
            .filter(pk=dispatch_id)
            .first()
        )
        if dispatch is None:
            return None
        recipients = list(
            DispatchRecipient.objects.filter(dispatch=dispatch)
            .select_related("contact")
            .order_by("id")
        )
        waiting = [r for r in recipients if r.outbox_id is None]
        if not waiting:
            return NOTHING_TO_DO
        items = list(
            DispatchItem.objects.filter(dispatch=dispatch)
            .select_related("version", "version__template")
            .order_by("id")
        )
        first = recipients[0].contact if recipients else None
        # Errors are kept in the tenant's language (the e-mails choose their own).
        with translation.override(dispatch.tenant.language or settings.LANGUAGE_CODE):
            try:
                _render_items(dispatch, items, contact=first)
                contents = _contents(items)
            except PreparationError as error:
                _record_failure(dispatch, str(error))
                return NOT_PREPARED
        _choose_links(items, settings.DOCUMENT_ATTACHMENT_LIMIT)
        _write_emails(dispatch, items, contents, waiting)
    return PREPARED


def _render_items(dispatch, items, *, contact):
    for item in items:
        if item.file:
            continue  # rendered by an earlier run
        if item.version_id is None:
            name, pdf = _render_record(dispatch)
        elif item.version.template.is_html:
            name, pdf = item.original_name, _render_template(dispatch, item, contact)
        else:
            continue  # a file sent as it is
        item.file.save(name, ContentFile(pdf), save=False)
        item.original_name, item.content_type, item.size = name[:200], "application/pdf", len(pdf)
        item.save(update_fields=ITEM_FIELDS)


def _render_template(dispatch, item, contact):
    template = item.version.template
    values = merge.build(
        tenant=dispatch.tenant,
        language=template.language,
        firm=dispatch.firm,
        contact=contact,
        employee=dispatch.sent_by,
    )
    try:
        return render_pdf(item.version.html, values)
    except RenderError as error:
        raise PreparationError(f"{item.title}: {error}") from None


def _render_record(dispatch):
    """The PDF of the record the dispatch was made for (an offer), through its source."""
    source = sources.get(dispatch.subject_type)
    record = None
    if source is not None and dispatch.sent_by is not None:
        record = source.get(dispatch.tenant, dispatch.sent_by, dispatch.subject_id)
    if record is None:
        raise PreparationError(_("The record to send is no longer available."))
    language = selectors.firm_language(tenant=dispatch.tenant, firm=dispatch.firm)
    try:
        filename, pdf = source.render(dispatch.tenant, record, language)
    except RenderError as error:
        raise PreparationError(f"{source.title(record)}: {error}") from None
    return filename, pdf


def _contents(items):
    """``{item id: bytes}`` of every item's file, read once for all the recipients."""
    contents = {}
    for item in items:
        stored = selectors.item_file(item)
        if stored is None:
            raise PreparationError(_("The file of “%(title)s” is missing.") % {"title": item.title})
        try:
            with stored.storage.open(stored.name, "rb") as handle:
                contents[item.pk] = handle.read()
        except OSError:
            raise PreparationError(
                _("The file of “%(title)s” cannot be read.") % {"title": item.title}
            ) from None
        if item.size != len(contents[item.pk]):
            item.size = len(contents[item.pk])
            item.save(update_fields=["size", "updated_at"])
    return contents


def _choose_links(items, limit):
    """Attach the smallest files while the e-mail stays within ``limit`` bytes; the rest go
    as signed links (a single file over the limit always does)."""
    total = 0
    for item in sorted(items, key=lambda i: (i.size, i.pk)):
        as_link = total + item.size > limit
        if not as_link:
            total += item.size
        if item.as_link != as_link:
            item.as_link = as_link
            item.save(update_fields=["as_link", "updated_at"])


def _card_values(tenant):
    card = selectors.contact_card(tenant=tenant)
    if card is None:
        raise PreparationError(_("The contact card is empty."))
    fields = ("company_name", "address", "phone", "fax", "email", "website")
    return {name: getattr(card, name) for name in fields}


def _write_emails(dispatch, items, contents, waiting):
    tenant = dispatch.tenant
    attachments = [
        (item.original_name, contents[item.pk], item.content_type)
        for item in items
        if not item.as_link
    ]
    card = _card_values(tenant) if dispatch.kind == CONTACT_CARD else None
    firm_language = selectors.firm_language(tenant=tenant, firm=dispatch.firm)
    sender = dispatch.sent_by
    reply_to = [sender.user.email] if sender is not None and sender.user.email else []
    for recipient in waiting:
        language = selectors.contact_language(recipient.contact) or firm_language
        context = _mail_context(dispatch, items, recipient, card)
        row = mail.enqueue(
            key=f"dispatch:{dispatch.pk}:{recipient.pk}",
            to=[recipient.email],
            tenant=tenant,
            reply_to=reply_to,
            attachments=attachments,
            **mail.render("document_dispatch", context, language),
        )
        recipient.outbox = row
        recipient.save(update_fields=["outbox", "updated_at"])


def _mail_context(dispatch, items, recipient, card):
    linked = [
        {
            "title": item.title,
            "name": item.original_name,
            "size": item.size,
            "url": links.link_url(
                tenant_id=dispatch.tenant_id, item_id=item.pk, recipient_id=recipient.pk
            ),
        }
        for item in items
        if item.as_link
    ]
    sender = dispatch.sent_by
    return {
        "recipient_name": recipient.name,
        "subject": dispatch.subject,
        "message": dispatch.message,
        "attached": [item.original_name for item in items if not item.as_link],
        "linked": linked,
        "links_expire": links.expires_at() if linked else None,
        "card": card,
        "sender_name": sender.full_name if sender else "",
        "company": (card or {}).get("company_name") or dispatch.tenant.name,
    }


def _record_failure(dispatch, error):
    """Keep the error on the dispatch (an audit event) and tell the sender."""
    tenant = dispatch.tenant
    logger.warning("Dispatch %s could not be prepared: %s", dispatch.pk, error)
    audit.record(
        tenant=tenant,
        actor=None,
        instance=dispatch,
        action=AuditEntry.Action.EVENT,
        summary=error[:255],
        changes=[{"field": selectors.RENDER_ERROR, "old": "", "new": error[:2000]}],
    )
    sender = dispatch.sent_by
    if sender is None or not sender.is_working:
        return
    with translation.override(sender.user.language or tenant.language):
        text = _("The documents “%(subject)s” for %(firm)s could not be prepared: %(error)s") % {
            "subject": dispatch.subject,
            "firm": dispatch.firm.name,
            "error": error,
        }
    notify(
        tenant=tenant,
        recipients=[sender],
        text=text,
        verb="dispatch_failed",
        url=reverse("documents:dispatch-detail", args=[tenant.slug, dispatch.pk]),
    )
