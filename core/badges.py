"""Flags of the page frame, read with the membership so that most pages skip two queries.

Every tenant page shows the bell of unread notifications and the banner of due reminders, yet
on most pages both are empty. An app registers a flag: a name and a function of the moment that
returns an ``Exists`` over the employee row (``OuterRef("pk")`` is the employee,
``OuterRef("tenant_id")`` its tenant). ``accounts.selectors.membership_for`` annotates the
employee with every flag, and :func:`says_none` tells a template tag that it may skip its own
query.

A flag is trusted on GET and HEAD only: a POST may create or clear what it describes before
its response is rendered.
"""

from django.utils import timezone

_FLAGS = {}


def register(name, expression):
    """Register flag ``name``; ``expression(now)`` returns the ``Exists`` to annotate."""
    _FLAGS[name] = expression


def annotations(now=None):
    """``{"has_<name>": Exists(...)}`` for every registered flag, evaluated at ``now``."""
    now = now or timezone.now()
    return {f"has_{name}": expression(now) for name, expression in _FLAGS.items()}


def says_none(request, name):
    """True when the membership query found nothing for flag ``name`` on a safe request."""
    if request is None or request.method not in ("GET", "HEAD"):
        return False
    return getattr(getattr(request, "member", None), f"has_{name}", None) is False
