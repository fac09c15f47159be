"""Per-user list layouts: which of a list's columns a user shows, in which order."""

from django.db import transaction

from core.models import ListLayout


def columns_for(*, tenant, user, list_key, available, default):
    """The user's saved columns that still exist, or ``default``."""
    saved = (
        ListLayout.objects.filter(tenant=tenant, user=user, list_key=list_key)
        .values_list("columns", flat=True)
        .first()
    )
    chosen = [c for c in (saved or default) if c in available]
    return chosen or [c for c in default if c in available]


@transaction.atomic
def columns_save(*, tenant, user, list_key, columns, available):
    """Remember the user's columns (unknown names are dropped, order kept)."""
    columns = list(dict.fromkeys(c for c in columns if c in available))[:30]
    ListLayout.objects.update_or_create(
        tenant=tenant, user=user, list_key=list_key, defaults={"columns": columns}
    )
    return columns
