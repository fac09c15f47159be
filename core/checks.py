"""System check: every view of ours declares the permission each HTTP method needs."""

from django.conf import settings
from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver

from core.permissions import is_known

OWN_APPS = (
    "core.", "accounts.", "companies.", "agenda.", "sales.", "documents.", "catalogue.",
    "opportunities.", "portal.", "campaigns.",
)  # fmt: skip


def iter_patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from iter_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def view_declaration(callback):
    view_class = getattr(callback, "view_class", None)
    owner = view_class or callback
    return owner, getattr(owner, "permissions", None)


@checks.register(checks.Tags.security)
def check_declared_permissions(app_configs, **kwargs):
    errors = []
    for route, pattern in iter_patterns(get_resolver(settings.ROOT_URLCONF).url_patterns):
        owner, declared = view_declaration(pattern.callback)
        if not owner.__module__.startswith(OWN_APPS):
            continue
        if not declared:
            errors.append(
                checks.Error(
                    f"View {owner.__module__}.{owner.__qualname__} at '{route}' declares no "
                    "permissions.",
                    id="kervan.E001",
                )
            )
            continue
        for method, code in declared.items():
            if not is_known(code):
                errors.append(
                    checks.Error(
                        f"View {owner.__qualname__} declares unknown permission {code!r} "
                        f"for {method}.",
                        id="kervan.E002",
                    )
                )
    return errors
