"""Recording what portal users do, for the firm's timeline."""

from portal.models import PortalEvent


def record(*, portal_user, kind, subject=None, summary=""):
    """Write a portal event of ``portal_user``'s firm; ``subject`` is the record it concerns."""
    return PortalEvent.objects.create(
        tenant_id=portal_user.tenant_id,
        firm_id=portal_user.firm_id,
        portal_user=portal_user,
        kind=kind,
        subject_type=subject._meta.model_name if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        summary=str(summary)[:255],
    )
