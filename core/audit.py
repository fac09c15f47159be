"""The audit log: services record who changed which fields from what to what.

Values are stored as the text a person saw at the time (a department's label, not its id), so
the history stays readable after lists change.
"""

from django.db import models

from core.models import AuditEntry


def display_value(instance, field_name):
    """The human form of one field's value."""
    field = instance._meta.get_field(field_name)
    if field.choices:
        return str(getattr(instance, f"get_{field_name}_display")())
    value = getattr(instance, field_name)
    if value is None or value == "":
        return ""
    if isinstance(field, models.FileField):
        return value.name.rsplit("/", 1)[-1] if value else ""
    if isinstance(field, models.BooleanField):
        return "✓" if value else "✗"
    return str(value)


def snapshot(instance, fields):
    return {name: display_value(instance, name) for name in fields}


def diff(before, after):
    """The fields whose displayed value changed, as ``[{field, old, new}]``."""
    names = list(after) + [name for name in before if name not in after]
    return [
        {"field": name, "old": before.get(name, ""), "new": after.get(name, "")}
        for name in names
        if before.get(name, "") != after.get(name, "")
    ]


def subject_type(instance_or_model):
    meta = instance_or_model._meta
    return f"{meta.app_label}.{meta.model_name}"


def record(*, tenant, actor, instance, action, changes=None, summary=""):
    """Write one audit entry; call inside the service's transaction."""
    if action == AuditEntry.Action.UPDATE and not changes and not summary:
        return None
    return AuditEntry.objects.create(
        tenant=tenant,
        actor=actor if actor is not None and actor.is_authenticated else None,
        subject_type=subject_type(instance),
        subject_id=instance.pk,
        action=action,
        changes=changes or [],
        summary=str(summary)[:255],
    )


def entries_for(*, tenant, instance):
    """The history of one object, newest first, with actors loaded."""
    return AuditEntry.objects.filter(
        tenant=tenant, subject_type=subject_type(instance), subject_id=instance.pk
    ).select_related("actor")


def with_field_labels(entries, model, extra_labels=None):
    """Attach the verbose field names of ``model`` (and ``extra_labels``) to each change."""
    names = {f.name: f.verbose_name for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
    names.update(extra_labels or {})
    for entry in entries:
        entry.display_changes = [
            {**change, "label": names.get(change["field"], change["field"])}
            for change in entry.changes
        ]
    return entries
