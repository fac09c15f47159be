"""In-application notifications: the bell in the navigation bar and the notifications page.

Apps call :func:`notify` inside the transaction of the action that causes the notification, so
a rolled-back action leaves no notification behind. The text is stored as the recipient reads
it (the caller renders it in the recipient's language); ``verb`` is the caller's short name for
what happened. Nothing here knows any business words.
"""

from django.db.models import Count, Exists, OuterRef, Window
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.models import Notification

TEXT_LIMIT = Notification._meta.get_field("text").max_length
URL_LIMIT = Notification._meta.get_field("url").max_length
BELL_ITEMS = 5


def _shorten(text, limit):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def notify(*, tenant, recipients, text, url="", verb=""):
    """Write one unread notification for each recipient (each person once); return them."""
    seen, rows = set(), []
    for recipient in recipients:
        if recipient.pk in seen:
            continue
        if recipient.tenant_id != tenant.pk:
            raise ValueError("A notification's recipient must belong to its tenant.")
        seen.add(recipient.pk)
        rows.append(
            Notification(
                tenant=tenant,
                recipient=recipient,
                verb=verb[:60],
                text=_shorten(text, TEXT_LIMIT),
                url=url if len(url) <= URL_LIMIT else "",
            )
        )
    return Notification.objects.bulk_create(rows)


def notifications_for(*, tenant, member):
    """Every notification of ``member``, newest first."""
    return Notification.objects.filter(tenant=tenant, recipient=member)


def notification_get(*, tenant, member, pk):
    """One of ``member``'s own notifications; anyone else's is a 404."""
    return get_object_or_404(notifications_for(tenant=tenant, member=member), pk=pk)


def unread_summary(*, tenant, member, limit=BELL_ITEMS):
    """``(unread count, the latest unread notifications)`` for the bell, in one query.

    The window count is computed over every unread row before the LIMIT applies.
    """
    rows = list(
        notifications_for(tenant=tenant, member=member)
        .filter(read_at__isnull=True)
        .annotate(unread_total=Window(Count("id")))
        .order_by("-created_at", "-id")[:limit]
    )
    return (rows[0].unread_total if rows else 0), rows


def unread_flag(now):
    """Whether the employee of the outer row has an unread notification (a ``core.badges`` flag)."""
    return Exists(
        Notification.objects.filter(
            tenant_id=OuterRef("tenant_id"), recipient_id=OuterRef("pk"), read_at__isnull=True
        )
    )


def notification_mark_read(*, tenant, member, notification):
    """Mark one of ``member``'s notifications read (reading it again changes nothing)."""
    notifications_for(tenant=tenant, member=member).filter(
        pk=notification.pk, read_at__isnull=True
    ).update(read_at=timezone.now(), updated_at=timezone.now())


def notifications_mark_all_read(*, tenant, member):
    """Mark every unread notification of ``member`` read; return how many changed."""
    now = timezone.now()
    return (
        notifications_for(tenant=tenant, member=member)
        .filter(read_at__isnull=True)
        .update(read_at=now, updated_at=now)
    )
