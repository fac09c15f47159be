"""The main navigation of tenant pages, rendered once per company, rights, language and section.

The menu depends only on the company's slug, the member's permission codes, the language, the
URL prefix and which section the page belongs to, so each worker process renders a variant once
and keeps it (at most ``VARIANTS``). With ``DEBUG`` on it is rendered every time, so that an
edited template shows at once.
"""

from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import translation

VARIANTS = 1024
SECTIONS = (
    ("firms", ("/firms/", "/phonebook/", "/lists/", "/claims/")),
    ("agenda", ("/agenda/",)),
    ("sales", ("/sales/", "/opportunities/", "/products/")),
    ("employees", ("/employees/",)),
)


def section_of(path, slug):
    """The menu entry to mark active for ``path``: "home", a section's name, or ""."""
    if path == reverse("accounts:home", args=[slug]):
        return "home"
    return next((name for name, parts in SECTIONS if any(part in path for part in parts)), "")


def main_menu(request, tenant, member):
    """The menu's HTML for ``member`` of ``tenant`` on the page of ``request``."""
    key = (
        tenant.slug,
        member.permission_codes,
        translation.get_language(),
        get_script_prefix(),
        section_of(request.path, tenant.slug),
    )
    return (_render if settings.DEBUG else _kept)(*key)


def _render(slug, codes, language, prefix, active):
    """The menu, rendered in the active language (``language`` and ``prefix`` key the cache)."""
    context = {"slug": slug, "codes": codes, "active": active}
    return render_to_string("components/_nav_modules.html", context)


_kept = lru_cache(maxsize=VARIANTS)(_render)
