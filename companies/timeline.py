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


def register(source):
    _sources.append(source)
    return source


def merged(*, tenant, firm, entries, limit=LIMIT):
    """The audit ``entries`` and every registered source's items, newest first."""
    items = list(entries)
    for source in _sources:
        items.extend(source(tenant, firm, limit))
    items.sort(key=lambda item: item.created_at, reverse=True)
    return items[:limit]
