"""Editable lists behind drop-downs (Settings).

Apps register their lists here with default entries; a tenant edits labels, order, colour and
whether an entry is active. Lists marked ``fixed`` keep their codes (the code carries
behaviour, such as a position); the others accept new entries. A list may declare ``flags``:
switches each entry has (an activity type "shown on the start page"), edited beside the label.
A list may also declare a ``number``: one figure per entry, named by the list (the pieces in a
unit, the default probability of a sales stage). A default entry is ``(code, label, colour)``,
``(code, label, colour, flags)`` or ``(code, label, colour, flags, number)``.
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext, override

from core.models import Choice


@dataclass(frozen=True)
class ChoiceList:
    key: str
    label: str | Promise
    module: str | Promise
    fixed: bool = False
    defaults: tuple = field(default_factory=tuple)  # (code, label, colour[, flags])
    flags: tuple = field(default_factory=tuple)  # (flag, label)
    number: str | Promise | None = None  # the label of the entries' figure, if they have one


_lists: dict[str, ChoiceList] = {}


def register(choice_list):
    _lists[choice_list.key] = choice_list
    return choice_list


def lists():
    return list(_lists.values())


def get_list(key):
    return _lists.get(key)


def ensure_defaults(*, tenant, language="en"):
    """Create the registered default entries a tenant does not have yet."""
    existing = set(Choice.objects.filter(tenant=tenant).values_list("list_key", "code"))
    new = []
    with override(language):
        for choice_list in _lists.values():
            for order, (code, label, colour, *rest) in enumerate(choice_list.defaults):
                if (choice_list.key, code) not in existing:
                    new.append(
                        Choice(
                            tenant=tenant,
                            list_key=choice_list.key,
                            code=code,
                            label=gettext(str(label)) if isinstance(label, str) else str(label),
                            order=(order + 1) * 10,
                            colour=colour,
                            flags=list(rest[0]) if rest else [],
                            number=rest[1] if len(rest) > 1 else None,
                        )
                    )
    Choice.objects.bulk_create(new, ignore_conflicts=True)


def options(*, tenant, key, include_inactive=False):
    """The entries of one list (of every list with ``key=None``), in order."""
    qs = Choice.objects.filter(tenant=tenant)
    if key is not None:
        qs = qs.filter(list_key=key)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("order", "label")


def labels(*, tenant, key):
    """``{code: label}`` for a list, including inactive entries (old records keep labels)."""
    return dict(Choice.objects.filter(tenant=tenant, list_key=key).values_list("code", "label"))


def flagged(*, tenant, key, flag):
    """The ids of a list's entries that have ``flag`` switched on (one small query).

    Filtering rows by these ids beats joining the list: PostgreSQL cannot estimate an array
    containment and plans the join as if one entry matched.
    """
    return list(
        Choice.objects.filter(tenant=tenant, list_key=key, flags__contains=[flag]).values_list(
            "pk", flat=True
        )
    )


def new_code(*, tenant, key, label):
    """A unique code for a new entry, derived from its label."""
    base = slugify(label)[:50] or "item"
    taken = set(
        Choice.objects.filter(tenant=tenant, list_key=key, code__startswith=base).values_list(
            "code", flat=True
        )
    )
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code


def entry_counts(*, tenant):
    """``{list_key: number of entries}`` for a tenant."""
    rows = (
        Choice.objects.filter(tenant=tenant)
        .values("list_key")
        .annotate(n=Count("id"))
        .values_list("list_key", "n")
    )
    return dict(rows)


def next_order(*, tenant, key):
    """An order value after the list's last entry."""
    last = (
        Choice.objects.filter(tenant=tenant, list_key=key)
        .order_by("-order")
        .values_list("order", flat=True)
        .first()
    )
    return (last or 0) + 10
