"""Template filters used across the project (loaded as a builtin)."""

from django import template

from core.navigation import main_menu

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]``, or None: for label dictionaries looked up by code."""
    if not mapping:
        return None
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def nav_modules(context):
    """The main menu of a tenant page (``core.navigation``); empty outside a tenant."""
    request, tenant, member = context.get("request"), context.get("tenant"), context.get("member")
    if request is None or tenant is None or member is None:
        return ""
    return main_menu(request, tenant, member)
