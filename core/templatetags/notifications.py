"""``{% notification_bell as bell %}``: the unread count and latest items for the navigation bar."""

from django import template

from core import badges
from core.notifications import unread_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_bell(context):
    """``{"unread": n, "items": [...]}`` for the request's member, or None outside a tenant.

    One query (see ``core.notifications.unread_summary``), at most once per rendering.
    """
    tenant, member = context.get("tenant"), context.get("member")
    if tenant is None or member is None:
        return None
    request = context.get("request")
    cached = getattr(request, "_notification_bell", None) if request is not None else None
    if cached is None:
        if badges.says_none(request, "unread_notifications"):
            unread, items = 0, []
        else:
            unread, items = unread_summary(tenant=tenant, member=member)
        cached = {"unread": unread, "items": items}
        if request is not None:
            request._notification_bell = cached
    return cached
