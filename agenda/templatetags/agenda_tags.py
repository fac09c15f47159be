"""Template tags of the agenda: the reminder banner shown at the top of every page."""

from django import template

register = template.Library()


@register.inclusion_tag("agenda/_reminder_banner.html", takes_context=True)
def reminder_banner(context):
    """The due reminders of the member looking at the page (none outside a tenant)."""
    return {"reminders": []}
