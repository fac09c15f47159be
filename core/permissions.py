"""The catalogue of permission codes and the declarations views make.

Each app declares its codes in its own ``permissions.py`` with :func:`register_module`.
Views declare, per HTTP method, which code they need (or one of the access levels below);
a view that declares nothing is refused by the system check in ``core.checks``.
"""

from dataclasses import dataclass

from django.utils.functional import Promise

# Access levels that are not permission codes.
PUBLIC = "@public"  # anyone, logged in or not
LOGGED_IN = "@logged-in"  # any authenticated user, outside a tenant
MEMBER = "@member"  # any active member of the tenant in the URL
PORTAL = "@portal"  # a logged-in portal user of the tenant in the URL (portal views only)
ACCESS_LEVELS = {PUBLIC, LOGGED_IN, MEMBER, PORTAL}


@dataclass(frozen=True)
class Permission:
    code: str
    label: str | Promise
    module: str


@dataclass(frozen=True)
class Module:
    key: str
    label: str | Promise
    permissions: tuple[Permission, ...]
    defaults: dict  # position → codes its default profile gets


_modules: dict[str, Module] = {}


def register_module(key, label, actions, defaults=None):
    """Declare a module's permission codes.

    ``actions`` is a list of ``(action, label)``; ``defaults`` maps a position to the actions
    its default profile gets (executives reach everything anyway).
    """
    perms = tuple(Permission(f"{key}.{action}", text, key) for action, text in actions)
    codes = {
        position: [f"{key}.{action}" for action in position_actions]
        for position, position_actions in (defaults or {}).items()
    }
    _modules[key] = Module(key, label, perms, codes)
    return _modules[key]


def default_codes(position):
    """Every code a position's default profile starts with, over all modules."""
    return sorted(code for m in _modules.values() for code in m.defaults.get(position, []))


def modules():
    """Every registered module in registration order."""
    return list(_modules.values())


def all_codes():
    return {perm.code for module in _modules.values() for perm in module.permissions}


def is_known(code):
    return code in ACCESS_LEVELS or code in all_codes()
