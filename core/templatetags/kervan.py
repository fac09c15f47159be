"""Template filters used across the project (loaded as a builtin)."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]``, or None: for label dictionaries looked up by code."""
    if not mapping:
        return None
    return mapping.get(key)
