"""Writing the product catalogue: products and the n-level product groups.

A product's code comes from the tenant's sequence "product" when none is given and stays unique
in the tenant (compared without regard to case). The date of the sale price's last change is
kept by :func:`product_update`. A product that was sold, offered or sampled is never deleted:
it is made inactive instead, and the records that name it keep it.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue import selectors
from catalogue.models import Product, ProductGroup
from companies.models.firms import FirmRole
from core import audit
from core.models import AuditEntry
from core.sequences import next_value

PRODUCT_FIELDS = (
    "code", "name", "description", "group", "unit", "purchase_price", "sale_price",
    "currency", "vat_rate", "supplier", "discount_allowed", "price_increase_allowed",
    "sellable", "barcode", "serial_tracking", "warranty_months", "colour", "is_active",
)  # fmt: skip
AUDITED = (*PRODUCT_FIELDS, "sale_price_changed_on")
CODE_SEQUENCE = "product"


def _invalid(field):
    return ValidationError({field: _("Select a valid choice.")})


def _check_references(tenant, data):
    """Every foreign key must point into the tenant; the unit into the "unit" list; the
    supplier must have the supplier role."""
    for name in ("group", "unit", "supplier"):
        value = data.get(name)
        if value is not None and value.tenant_id != tenant.pk:
            raise _invalid(name)
    unit = data.get("unit")
    if unit is not None and unit.list_key != selectors.UNIT_LIST:
        raise _invalid("unit")
    supplier = data.get("supplier")
    if supplier is not None and FirmRole.SUPPLIER not in (supplier.roles or []):
        raise ValidationError({"supplier": _("Choose a firm with the supplier role.")})


def _code_taken(tenant, code, exclude=None):
    qs = Product.objects.filter(tenant=tenant, code__iexact=code)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def _new_code(tenant):
    """The next free code of the sequence (a code typed by hand may have taken a number)."""
    while True:
        code = f"P{next_value(tenant=tenant, name=CODE_SEQUENCE):06d}"
        if not _code_taken(tenant, code):
            return code


def _save(product, tenant):
    try:
        with transaction.atomic():  # the same code saved by two people at the same moment
            product.save()
    except IntegrityError as error:
        raise ValidationError({"code": _("Another product has this code.")}) from error


@transaction.atomic
def product_create(*, tenant, actor, data):
    """Add a product; an empty ``code`` takes the next number of the sequence "product".

    ``actor``: the acting ``accounts.Employee``; ``data``: the fields of ``PRODUCT_FIELDS``.
    """
    _check_references(tenant, data)
    product = Product(tenant=tenant, created_by=actor.user)
    for name in PRODUCT_FIELDS:
        if name in data:
            setattr(product, name, data[name])
    product.code = (product.code or "").strip()
    if not product.code:
        product.code = _new_code(tenant)
    elif _code_taken(tenant, product.code):
        raise ValidationError({"code": _("Another product has this code.")})
    product.sale_price_changed_on = timezone.localdate()
    _save(product, tenant)
    audit.record(
        tenant=tenant, actor=actor.user, instance=product, action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, audit.snapshot(product, AUDITED)),
    )  # fmt: skip
    return product


@transaction.atomic
def product_update(*, tenant, actor, product, data):
    """Change a product; a new sale price records today as the date of its last change.

    An empty ``code`` keeps the current one.
    """
    _check_references(tenant, data)
    product = Product.objects.select_for_update().get(tenant=tenant, pk=product.pk)
    before = audit.snapshot(product, AUDITED)
    old_price = product.sale_price
    for name in PRODUCT_FIELDS:
        if name in data and not (name == "code" and not (data[name] or "").strip()):
            setattr(product, name, data[name].strip() if name == "code" else data[name])
    if _code_taken(tenant, product.code, exclude=product.pk):
        raise ValidationError({"code": _("Another product has this code.")})
    if product.sale_price != old_price:
        product.sale_price_changed_on = timezone.localdate()
    _save(product, tenant)
    audit.record(
        tenant=tenant, actor=actor.user, instance=product, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(product, AUDITED)),
    )  # fmt: skip
    return product


@transaction.atomic
def product_delete(*, tenant, actor, product):
    """Delete a product nothing refers to; one in use must be made inactive instead."""
    product = Product.objects.select_for_update().get(tenant=tenant, pk=product.pk)
    refused = ValidationError(
        _("This product is in use: make it inactive instead of deleting it."), code="in_use"
    )
    if selectors.product_in_use(tenant=tenant, product=product):
        raise refused
    audit.record(
        tenant=tenant, actor=actor.user, instance=product, action=AuditEntry.Action.DELETE,
        changes=audit.diff(audit.snapshot(product, AUDITED), {}), summary=str(product),
    )  # fmt: skip
    try:
        with transaction.atomic():
            product.delete()
    except ProtectedError as error:  # referred to by a record added meanwhile
        raise refused from error


def _check_group_parent(tenant, group, parent):
    if parent is None:
        return
    if parent.tenant_id != tenant.pk:
        raise _invalid("parent")
    if group is None or group.pk is None:
        return
    rows = selectors.group_tree(tenant=tenant)
    below = set(selectors.descendant_ids(rows, group.pk)) | {group.pk}
    if parent.pk in below:
        raise ValidationError({"parent": _("A group cannot stand under itself.")})


@transaction.atomic
def group_save(*, tenant, actor, name, parent, group=None):
    """Create a product group or rename / move one; names are unique among siblings."""
    name = name.strip()
    _check_group_parent(tenant, group, parent)
    clash = ProductGroup.objects.filter(tenant=tenant, parent=parent, name__iexact=name)
    if group is not None:
        group = ProductGroup.objects.select_for_update().get(tenant=tenant, pk=group.pk)
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise ValidationError({"name": _("A group with this name exists here already.")})
    action = AuditEntry.Action.UPDATE if group else AuditEntry.Action.CREATE
    group = group or ProductGroup(tenant=tenant)
    before = audit.snapshot(group, ["name", "parent"]) if group.pk else {}
    group.name, group.parent = name, parent
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as error:
        raise ValidationError({"name": _("A group with this name exists here already.")}) from error
    audit.record(
        tenant=tenant, actor=actor.user, instance=group, action=action,
        changes=audit.diff(before, audit.snapshot(group, ["name", "parent"])),
    )  # fmt: skip
    return group


@transaction.atomic
def group_delete(*, tenant, actor, group):
    """Delete an empty group: one with products or groups under it stays."""
    group = ProductGroup.objects.select_for_update().get(tenant=tenant, pk=group.pk)
    if (
        Product.objects.filter(tenant=tenant, group=group).exists()
        or ProductGroup.objects.filter(tenant=tenant, parent=group).exists()
    ):
        raise ValidationError(
            _("Only an empty group can be deleted: move its products and subgroups first.")
        )
    audit.record(
        tenant=tenant, actor=actor.user, instance=group, action=AuditEntry.Action.DELETE,
        summary=group.name,
    )  # fmt: skip
    group.delete()
