"""Writes of the firm settings: custom fields and required built-in fields."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from companies.custom_fields import OPTIONAL_BUILTINS
from companies.models import CustomField
from core import audit
from core.models import AuditEntry

FIELDS = ("label", "kind", "required", "show_in_list", "order", "is_active")


def _key(*, tenant, entity, label):
    base = slugify(label).replace("-", "_")[:30] or "field"
    taken = set(
        CustomField.objects.filter(tenant=tenant, entity=entity).values_list("key", flat=True)
    )
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return key


@transaction.atomic
def custom_field_save(*, tenant, actor, field=None, entity, label, kind, options, **values):
    """Create or change a custom field; its key and kind stay once values may exist."""
    if field is None:
        field = CustomField(tenant=tenant, entity=entity, kind=kind)
        field.key = _key(tenant=tenant, entity=entity, label=label)
        action = AuditEntry.Action.CREATE
    elif kind != field.kind:
        raise ValidationError({"kind": _("The kind of a field cannot change once it exists.")})
    else:
        action = AuditEntry.Action.UPDATE
    before = audit.snapshot(field, FIELDS) if field.pk else {}
    field.label, field.options = label, options
    for name, value in values.items():
        setattr(field, name, value)
    field.save()
    audit.record(
        tenant=tenant, actor=actor, instance=field, action=action,
        changes=audit.diff(before, audit.snapshot(field, FIELDS)),
    )  # fmt: skip
    return field


@transaction.atomic
def required_fields_save(*, tenant, actor, firm, contact):
    """Which optional built-in fields the tenant requires."""
    chosen = {
        "firm": [n for n in firm if n in OPTIONAL_BUILTINS["firm"]],
        "contact": [n for n in contact if n in OPTIONAL_BUILTINS["contact"]],
    }
    before = {k: ", ".join(v) for k, v in (tenant.required_fields or {}).items()}
    tenant.required_fields = chosen
    tenant.save(update_fields=["required_fields"])
    audit.record(
        tenant=tenant, actor=actor, instance=tenant, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, {k: ", ".join(v) for k, v in chosen.items()}),
    )  # fmt: skip
    return tenant


@transaction.atomic
def tag_save(*, tenant, actor, tag=None, name, colour):
    """Create or rename a tag; names are unique in the tenant, whatever their case."""
    from companies.models import Tag

    name = name.strip()
    clash = Tag.objects.filter(tenant=tenant, name__iexact=name)
    if tag is not None:
        clash = clash.exclude(pk=tag.pk)
    if clash.exists():
        raise ValidationError({"name": _("A tag with this name exists already.")})
    action = AuditEntry.Action.UPDATE if tag else AuditEntry.Action.CREATE
    tag = tag or Tag(tenant=tenant)
    before = audit.snapshot(tag, ["name", "colour"]) if tag.pk else {}
    tag.name, tag.colour = name, colour
    tag.save()
    audit.record(
        tenant=tenant, actor=actor, instance=tag, action=action,
        changes=audit.diff(before, audit.snapshot(tag, ["name", "colour"])),
    )  # fmt: skip
    return tag


@transaction.atomic
def group_save(*, tenant, actor, group=None, name, parent):
    """Create or change a firm group of the n-level tree; a group cannot go under itself."""
    from companies.models import FirmGroup

    if parent is not None and parent.tenant_id != tenant.pk:
        raise ValidationError({"parent": _("Select a valid choice.")})
    ancestor = parent
    while ancestor is not None and group is not None:
        if ancestor.pk == group.pk:
            raise ValidationError({"parent": _("A group cannot stand under itself.")})
        ancestor = ancestor.parent
    name = name.strip()
    clash = FirmGroup.objects.filter(tenant=tenant, parent=parent, name__iexact=name)
    if group is not None:
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise ValidationError({"name": _("A group with this name exists here already.")})
    action = AuditEntry.Action.UPDATE if group else AuditEntry.Action.CREATE
    group = group or FirmGroup(tenant=tenant)
    before = audit.snapshot(group, ["name", "parent"]) if group.pk else {}
    group.name, group.parent = name, parent
    group.save()
    audit.record(
        tenant=tenant, actor=actor, instance=group, action=action,
        changes=audit.diff(before, audit.snapshot(group, ["name", "parent"])),
    )  # fmt: skip
    return group
