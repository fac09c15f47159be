"""Offers in the portal: the firm reads the offers it was sent and accepts or rejects them.

Reads start from the portal user's firm and never show a draft: a firm sees an offer once it
was sent (then accepted, rejected or expired). The answer goes through
``sales.services.offers.offer_decide_by_firm``; here it also lands on the firm's timeline (a
portal event) and reaches the offer's owner (or, with no owner, the firm's sales
representative) in the application and by one e-mail, in their language.
"""

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core import mail
from core.notifications import notify
from portal import events
from portal.models import PortalEvent
from sales.models import Offer, OfferStatus
from sales.services.offers import offer_decide_by_firm

# What a firm sees: every offer it was sent, never a draft.
SHOWN = (OfferStatus.SENT, OfferStatus.ACCEPTED, OfferStatus.REJECTED, OfferStatus.EXPIRED)


def firm_offers(*, tenant, firm):
    """The offers ``firm`` was sent, newest first (one query per page)."""
    return (
        Offer.objects.filter(tenant=tenant, firm=firm, status__in=SHOWN)
        .select_related("owner")
        .order_by("-issued_on", "-id")
    )


def firm_offer_get(*, tenant, firm, pk):
    """One offer ``firm`` was sent, with what its page and PDF need; 404 for anything else."""
    qs = firm_offers(tenant=tenant, firm=firm).select_related(
        "firm", "contact", "owner__user", "template"
    )
    return get_object_or_404(qs, pk=pk)


def _recipient(offer):
    """Who hears of the answer: the offer's owner, else the firm's sales representative."""
    for person in (offer.owner, offer.firm.sales_rep):
        if person is not None and person.is_working:
            return person
    return None


def sender(portal_user):
    """How a portal user is named to staff: the contact with the firm, or the firm."""
    if portal_user.contact_id is None:
        return portal_user.firm.name
    return f"{portal_user.contact.full_name} ({portal_user.firm.name})"


def _tell_owner(*, tenant, offer, portal_user):
    recipient = _recipient(offer)
    if recipient is None:
        return
    accepted = offer.status == OfferStatus.ACCEPTED
    path = reverse("sales:offer-detail", args=[tenant.slug, offer.pk])
    language = mail.language_for(recipient, tenant)
    with translation.override(language):
        text = (
            _("%(firm)s accepted the offer %(number)s in the portal.")
            if accepted
            else _("%(firm)s rejected the offer %(number)s in the portal.")
        ) % {"firm": offer.firm.name, "number": offer.number}
    notify(tenant=tenant, recipients=[recipient], text=text, url=path, verb=f"offer.{offer.status}")
    mail.enqueue_template(
        key=f"portal-offer:{offer.pk}:{offer.status}:{offer.decided_at.timestamp()}",
        to=[recipient.user.email],
        template="portal_offer_decided",
        context={
            "recipient_name": recipient.full_name,
            "firm_name": offer.firm.name,
            "sender": sender(portal_user),
            "number": offer.number,
            "title": offer.title,
            "total": offer.total,
            "currency": offer.currency,
            "decision": offer.status,
            "comment": offer.decision_comment,
            "url": settings.SITE_URL + path,
        },
        tenant=tenant,
        language=language,
    )


@transaction.atomic
def offer_decide(*, tenant, portal_user, offer, accept, comment=""):
    """``portal_user`` accepts (``accept``) or rejects ``offer`` of their firm with a comment.

    Raises ValidationError when the offer can no longer be answered (already decided, or
    taken back to draft meanwhile); nothing is recorded then.
    """
    offer = offer_decide_by_firm(
        tenant=tenant, offer=offer, accept=accept, comment=comment, by=portal_user
    )
    kind = PortalEvent.Kind.OFFER_ACCEPTED if accept else PortalEvent.Kind.OFFER_REJECTED
    events.record(
        portal_user=portal_user, kind=kind, subject=offer, summary=f"{offer.number} {offer.title}"
    )
    offer = Offer.objects.select_related("firm__sales_rep__user", "owner__user").get(
        tenant=tenant, pk=offer.pk
    )
    _tell_owner(tenant=tenant, offer=offer, portal_user=portal_user)
    return offer
