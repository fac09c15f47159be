"""Opportunities on the firm's 360° timeline: each one opened, and each change of stage."""

from django.urls import reverse
from django.utils.translation import gettext as _

from companies import timeline
from core import audit
from core.models import AuditEntry
from opportunities.models import Opportunity

timeline.register_kinds({"opportunity": "opportunities.view"})


@timeline.register
def opportunities(tenant, firm, limit):
    """Three queries: the firm's newest opportunities, its stage changes, their names."""
    opened = list(
        Opportunity.objects.filter(tenant=tenant, firm=firm)
        .select_related("owner", "stage")
        .order_by("-created_at")[:limit]
    )
    items = [
        timeline.TimelineItem(
            created_at=o.created_at,
            summary=f"{o.code} {o.name}",
            actor=o.owner,
            url=reverse("opportunities:detail", args=[tenant.slug, o.pk]),
            kind="opportunity",
            badge=_("Opportunity opened"),
            colour=o.stage.colour,
            detail=o.stage.label,
        )
        for o in opened
    ]
    changes = list(
        AuditEntry.objects.filter(
            tenant=tenant,
            subject_type=audit.subject_type(Opportunity),
            subject_id__in=Opportunity.objects.filter(tenant=tenant, firm=firm).values("pk"),
            action=AuditEntry.Action.UPDATE,
            changes__contains=[{"field": "stage"}],
        )
        .select_related("actor")
        .order_by("-created_at")[:limit]
    )
    names = Opportunity.objects.filter(
        tenant=tenant, pk__in={entry.subject_id for entry in changes}
    ).in_bulk()
    for entry in changes:
        found = names.get(entry.subject_id)
        stage = next(c for c in entry.changes if c.get("field") == "stage")
        items.append(
            timeline.TimelineItem(
                created_at=entry.created_at,
                summary=f"{found.code} {found.name}" if found else "",
                actor=entry.actor,
                url=reverse("opportunities:detail", args=[tenant.slug, entry.subject_id]),
                kind="opportunity",
                badge=_("Stage changed"),
                detail=f"{stage.get('old', '')} → {stage.get('new', '')}",
            )
        )
    return items
