"""Designing order request forms (seed 003): the form's name, introduction and fields.

A field is ``{"key", "label", "kind", "required", "choices", "help"}``. ``key`` is stable while
the field exists (``f1``, ``f2`` ...): a request stores its answers under the keys with the
label and the value shown, so editing a form never changes what was already sent.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.models import AuditEntry
from portal.models import OrderRequestForm

KINDS = {
    "product": gettext_lazy("Product"),
    "text": gettext_lazy("Text"),
    "textarea": gettext_lazy("Long text"),
    "number": gettext_lazy("Number"),
    "date": gettext_lazy("Date"),
    "choice": gettext_lazy("Choice"),
    "yesno": gettext_lazy("Yes / no"),
}
MAX_FIELDS = 30
LABEL_LIMIT = 120
HELP_LIMIT = 300
MAX_CHOICES = 50
CHOICE_LIMIT = 120
NAME_LIMIT = 120
INTRO_LIMIT = 5000
KEY_PATTERN = re.compile(r"^f[0-9]{1,4}$")
FIELD_KEYS = ("key", "label", "kind", "required", "choices", "help")


def split_choices(text):
    """The choices typed one per line: stripped, blank lines left out."""
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def clean_choices(values):
    """Check a choice field's options: 1 to ``MAX_CHOICES``, each short and different."""
    values = [str(value).strip() for value in values if str(value).strip()]
    if not values:
        raise ValidationError(_("Give the choices, one per line."))
    if len(values) > MAX_CHOICES:
        raise ValidationError(_("At most %(n)s choices.") % {"n": MAX_CHOICES})
    if any(len(value) > CHOICE_LIMIT for value in values):
        raise ValidationError(_("A choice has at most %(n)s characters.") % {"n": CHOICE_LIMIT})
    if len({value.casefold() for value in values}) != len(values):
        raise ValidationError(_("A choice appears twice."))
    return values


def clean_field(raw):
    """One field, checked: a label, a known kind, choices for a choice field."""
    label = str(raw.get("label") or "").strip()
    if not label:
        raise ValidationError(_("Every field needs a label."))
    if len(label) > LABEL_LIMIT:
        raise ValidationError(_("A label has at most %(n)s characters.") % {"n": LABEL_LIMIT})
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ValidationError(_("Select a valid choice."))
    help_text = str(raw.get("help") or "").strip()
    if len(help_text) > HELP_LIMIT:
        raise ValidationError(_("A help text has at most %(n)s characters.") % {"n": HELP_LIMIT})
    return {
        "key": str(raw.get("key") or ""),
        "label": label,
        "kind": kind,
        "required": bool(raw.get("required")),
        "choices": clean_choices(raw.get("choices") or []) if kind == "choice" else [],
        "help": help_text,
    }


def clean_fields(fields):
    """A form's fields, checked and given keys; ``ValidationError`` names what is wrong."""
    if not isinstance(fields, list | tuple) or not fields:
        raise ValidationError(_("Add at least one field."))
    if len(fields) > MAX_FIELDS:
        raise ValidationError(_("A form has at most %(n)s fields.") % {"n": MAX_FIELDS})
    cleaned = [clean_field(raw) for raw in fields]
    labels = [field["label"].casefold() for field in cleaned]
    if len(set(labels)) != len(labels):
        raise ValidationError(_("Two fields have the same label."))
    used = set()
    for field in cleaned:
        if not KEY_PATTERN.match(field["key"]) or field["key"] in used:
            field["key"] = ""
        used.add(field["key"])
    numbers = [int(field["key"][1:]) for field in cleaned if field["key"]]
    following = max(numbers, default=0) + 1
    for field in cleaned:
        if not field["key"]:
            field["key"] = f"f{following}"
            following += 1
    return cleaned


def clean_head(*, tenant, name, description, exclude=None):
    """The form's name (required, short, not used by another form) and introduction."""
    name, description = str(name or "").strip(), str(description or "").strip()
    if not name:
        raise ValidationError({"name": _("This field is required.")})
    if len(name) > NAME_LIMIT:
        raise ValidationError({"name": _("At most %(n)s characters.") % {"n": NAME_LIMIT}})
    if len(description) > INTRO_LIMIT:
        raise ValidationError({"description": _("At most %(n)s characters.") % {"n": INTRO_LIMIT}})
    taken = OrderRequestForm.objects.filter(tenant=tenant, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"name": _("Another form has this name.")})
    return name, description


def starter_fields():
    """The starter form's fields, labelled in the active language."""
    return [
        {"label": _("Product"), "kind": "product", "required": True},
        {"label": _("Quantity"), "kind": "number", "required": True},
        {"label": _("Date needed"), "kind": "date", "required": False},
        {"label": _("Notes"), "kind": "textarea", "required": False},
    ]


@transaction.atomic
def request_form_create(*, tenant, actor, name, description, fields):
    """Create an order request form; ``fields`` as ``clean_fields`` accepts them."""
    name, description = clean_head(tenant=tenant, name=name, description=description)
    form = OrderRequestForm.objects.create(
        tenant=tenant,
        name=name,
        description=description,
        fields=clean_fields(fields),
        created_by=actor.user,
    )
    audit.record(tenant=tenant, actor=actor.user, instance=form, action=AuditEntry.Action.CREATE)
    return form


@transaction.atomic
def request_form_update(*, tenant, actor, form, name, description, fields):
    """Change a form; requests already sent keep the answers they were sent with."""
    form = OrderRequestForm.objects.select_for_update().get(tenant=tenant, pk=form.pk)
    name, description = clean_head(
        tenant=tenant, name=name, description=description, exclude=form.pk
    )
    fields = clean_fields(fields)
    before = audit.snapshot(form, ("name", "description"))
    changed_fields = fields != form.fields
    form.name, form.description, form.fields = name, description, fields
    form.save(update_fields=["name", "description", "fields", "updated_at"])
    audit.record(
        tenant=tenant,
        actor=actor.user,
        instance=form,
        action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(form, ("name", "description"))),
        summary=_("Fields changed") if changed_fields else "",
    )
    return form


@transaction.atomic
def request_form_set_active(*, tenant, actor, form, active):
    """Offer the form in the portal (``active``) or stop offering it."""
    form = OrderRequestForm.objects.select_for_update().get(tenant=tenant, pk=form.pk)
    if form.is_active == bool(active):
        return form
    form.is_active = bool(active)
    form.save(update_fields=["is_active", "updated_at"])
    audit.record(
        tenant=tenant,
        actor=actor.user,
        instance=form,
        action=AuditEntry.Action.UPDATE,
        summary=_("Offered in the portal") if active else _("No longer offered in the portal"),
    )
    return form


def request_form_create_starter(*, tenant, actor):
    """The ready-made form "Order request": product, quantity, date needed, notes.

    Labels are in the company's language; a name already taken gets a number.
    """
    with translation.override(tenant.language):
        base, fields = _("Order request"), starter_fields()
    taken = {
        name.casefold()
        for name in OrderRequestForm.objects.filter(
            tenant=tenant, name__istartswith=base
        ).values_list("name", flat=True)
    }
    name, n = base, 1
    while name.casefold() in taken:
        n += 1
        name = f"{base} ({n})"
    return request_form_create(tenant=tenant, actor=actor, name=name, description="", fields=fields)
