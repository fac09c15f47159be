"""Portal events on the firm's 360° timeline: logins, downloads, decisions, requests."""

from django.utils.translation import gettext as _

from companies import timeline
from portal.models import PortalEvent

# An event about a record needs the right to see such records.
timeline.register_kinds(
    {
        "portal:invoice": "invoices.view",
        "portal:contract": "contracts.view",
        "portal:offer": "offers.view",
        "portal:dispatch": "documents.view",
        "portal:orderrequest": "portal.view",
        "portal:profilechange": "portal.view",
    }
)


@timeline.register
def portal_events(tenant, firm, limit):
    """One query: the firm's newest portal events with who did them."""
    events = (
        PortalEvent.objects.filter(tenant=tenant, firm=firm)
        .select_related("portal_user__contact", "portal_user__firm")
        .order_by("-created_at")[:limit]
    )
    return [
        timeline.TimelineItem(
            created_at=event.created_at,
            summary=event.summary,
            actor=event.portal_user.display_name if event.portal_user else "",
            kind=f"portal:{event.subject_type}" if event.subject_type else "portal",
            badge=_("Portal") + " · " + event.get_kind_display(),
            colour="#0d6efd",
        )
        for event in events
    ]
