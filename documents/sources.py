"""Records that a dispatch can carry as a PDF of their own (an offer, an invoice).

A module registers a :class:`Source` under a label (``"sales.offer"``). The dispatch form
offers it when opened with ``?source=<label>:<pk>``; the dispatch stores the label and id,
renders the PDF in the worker with ``render``, and calls ``on_sent`` inside the transaction
that records the dispatch (an offer becomes "sent").
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    label: str  # "app.model"
    kind: str  # the DocumentKind it is sent as
    # (tenant, member, pk) -> the record, or None when the member cannot reach it
    get: Callable
    # (record) -> the title shown in the dispatch form and on the timeline
    title: Callable
    # (tenant, record, language) -> (filename, pdf bytes); runs in the worker
    render: Callable
    # (tenant, actor, record) -> None; runs in the dispatch's transaction
    on_sent: Callable = lambda tenant, actor, record: None


_sources: dict[str, Source] = {}


def register(source):
    _sources[source.label] = source
    return source


def get(label):
    return _sources.get(label)


def parse(value):
    """``"sales.offer:12"`` → ``(Source, 12)``, or ``(None, None)`` for anything else."""
    label, _sep, pk = (value or "").partition(":")
    source = _sources.get(label)
    if source is None or not pk.isdigit() or len(pk) > 18:
        return None, None
    return source, int(pk)
