"""Offers on the firm's timeline: made, sent, accepted, rejected (see companies.timeline).

Two queries whatever the firm holds: its newest offers (made), and the status events of its
offers from the audit log (each carries the new status's ``code``, see
``sales.services.offers._move``) with their offer's number and title.
"""

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from companies import timeline
from core import audit
from core.models import AuditEntry
from sales.models import Offer, OfferStatus

timeline.register_kinds({"offer": "offers.view"})

SHOWN = {
    OfferStatus.SENT: lambda: _("Offer sent"),
    OfferStatus.ACCEPTED: lambda: _("Offer accepted"),
    OfferStatus.REJECTED: lambda: _("Offer rejected"),
}


def _item(tenant, pk, summary, *, created_at, actor, badge, detail=""):
    return timeline.TimelineItem(
        created_at=created_at,
        summary=summary,
        actor=actor,
        url=reverse("sales:offer-detail", args=[tenant.slug, pk]),
        kind="offer",
        badge=badge,
        detail=detail,
    )


def _status_code(entry):
    for change in entry.changes:
        if isinstance(change, dict) and change.get("field") == "status":
            return change.get("code")
    return None


@timeline.register
def offers(tenant, firm, limit):
    made = list(
        Offer.objects.filter(tenant=tenant, firm=firm)
        .select_related("owner")
        .order_by("-created_at", "-id")[:limit]
    )
    items = [
        _item(
            tenant,
            offer.pk,
            str(offer),
            created_at=offer.created_at,
            actor=offer.owner,
            badge=_("Offer made"),
            detail=offer.get_status_display(),
        )
        for offer in made
    ]
    named = Offer.objects.filter(tenant=tenant, pk=OuterRef("subject_id"))
    events = list(
        AuditEntry.objects.filter(
            tenant=tenant,
            subject_type=audit.subject_type(Offer),
            subject_id__in=Offer.objects.filter(tenant=tenant, firm=firm).values("pk"),
            action=AuditEntry.Action.EVENT,
            changes__contains=[{"field": "status"}],
        )
        .annotate(
            offer_number=Subquery(named.values("number")[:1]),
            offer_title=Subquery(named.values("title")[:1]),
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
    for entry in events:
        code = _status_code(entry)
        if code in SHOWN:
            summary = f"{entry.offer_number} {entry.offer_title}"
            items.append(
                _item(
                    tenant,
                    entry.subject_id,
                    summary,
                    created_at=entry.created_at,
                    actor=entry.actor,
                    badge=SHOWN[code](),
                    detail=entry.summary,
                )
            )
    return items
