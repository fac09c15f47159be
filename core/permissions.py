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
ACCESS_LEVELS = {PUBLIC, LOGGED_IN, MEMBER}


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


_modules: dict[str, Module] = {}


def register_module(key, label, actions):
    """Declare a module's permission codes: ``actions`` is a list of ``(action, label)``."""
    perms = tuple(
        Permission(f"{key}.{action}", action_label, key) for action, action_label in actions
    )
    _modules[key] = Module(key, label, perms)
    return _modules[key]


def modules():
    """Every registered module in registration order."""
    return list(_modules.values())


def all_codes():
    return {perm.code for module in _modules.values() for perm in module.permissions}


def is_known(code):
    return code in ACCESS_LEVELS or code in all_codes()
