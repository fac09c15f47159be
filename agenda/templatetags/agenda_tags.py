"""Template tags of the agenda: the reminder banner shown at the top of every page."""

from django import template

from agenda.selectors.reminders import due_for
from core import badges

register = template.Library()


def banner_context(request):
    """The banner's context for the member of ``request``: one query, none outside a tenant."""
    tenant = getattr(request, "tenant", None)
    member = getattr(request, "member", None)
    if tenant is None or member is None:
        return {"due": []}
    next_url = request.get_full_path()
    if request.method == "POST" and getattr(request, "htmx", False):
        next_url = request.POST.get("next", "")  # the page the banner sits on
    if badges.says_none(request, "due_reminders"):
        due = []
    else:
        due = due_for(tenant=tenant, member=member)
    return {
        "due": due,
        "member": member,
        "tenant": tenant,
        "next_url": next_url,
    }


@register.inclusion_tag("agenda/_reminder_banner.html", takes_context=True)
def reminder_banner(context):
    """The due reminders of the member looking at the page, with Dismiss and Snooze buttons."""
    request = context.get("request")
    if request is None:
        return {"due": []}
    result = banner_context(request)
    result["csrf_token"] = context.get("csrf_token")
    return result
