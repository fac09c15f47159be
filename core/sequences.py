"""Per-tenant counters, gap-free within a transaction (the row is locked until commit)."""

from core.models import Sequence


def next_value(*, tenant, name):
    """The next number of ``name`` for ``tenant``; call inside the caller's transaction."""
    Sequence.objects.get_or_create(tenant=tenant, name=name)
    sequence = Sequence.objects.select_for_update().get(tenant=tenant, name=name)
    sequence.value += 1
    sequence.save(update_fields=["value", "updated_at"])
    return sequence.value
