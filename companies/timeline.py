"""The firm's timeline: its audit entries merged with what other modules record about it.

Modules register a source: a function ``(tenant, firm, limit) -> [TimelineItem]`` returning
their newest items. The timeline shows every source's items and the firm's audit entries
together, newest first. A source must run a fixed number of queries whatever the firm holds.
"""

from dataclasses import dataclass, field
from datetime import datetime

from core.models import AuditEntry

LIMIT = 300

_sources = []


@dataclass
class TimelineItem:
    created_at: datetime
    summary: str
    actor: object = None
    url: str = ""
    kind: str = ""
    badge: str = ""
    colour: str = ""
    detail: str = ""
    action: str = AuditEntry.Action.EVENT
    display_changes: list = field(default_factory=list)


# An item's ``kind`` → the permission code a member needs to see it ("invoice" →
# "invoices.view"): reading the firm is not enough to read its invoices.
_kind_permissions = {}


def register(source):
    _sources.append(source)
    return source


def register_kinds(permissions):
    """Declare which permission code each of a module's item kinds needs."""
    _kind_permissions.update(permissions)


def merged(*, tenant, firm, entries, member=None, limit=LIMIT):
    """The audit ``entries`` and every registered source's items ``member`` may see, newest
    first."""
    items = list(entries)
    for source in _sources:
        items.extend(source(tenant, firm, limit))
    if member is not None:
        codes = member.permission_codes
        items = [
            item
            for item in items
            if _kind_permissions.get(getattr(item, "kind", "")) in (None, *codes)
        ]
    items.sort(key=lambda item: item.created_at, reverse=True)
    return items[:limit]
