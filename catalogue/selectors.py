"""Reading the product catalogue: products with their group, unit and supplier, and the
n-level group tree. The catalogue is shared by the whole tenant (no row rules)."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from catalogue.models import Product, ProductGroup
from companies.models import Firm, Sample
from companies.models.firms import FirmRole
from companies.selectors.firms import visible_firms
from core import choices

UNIT_LIST = "unit"
SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "code": ("code", "id"),
    "-code": ("-code", "-id"),
    "price": ("sale_price", "name", "id"),
    "-price": ("-sale_price", "name", "id"),
    "group": ("group__name", "name", "id"),
    "-group": ("-group__name", "name", "id"),
}


def product_list(*, tenant, filters=None, sort="name"):
    """Products matching ``filters`` (already cleaned: ids, "yes"/"no", a search text)."""
    f = filters or {}
    qs = Product.objects.filter(tenant=tenant)
    if f.get("q"):
        q = f["q"]
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(barcode__icontains=q))
    if f.get("group"):
        qs = qs.filter(group_id__in=group_with_descendants(tenant=tenant, group_id=f["group"]))
    for name, field in (("active", "is_active"), ("sellable", "sellable")):
        if f.get(name) in ("yes", "no"):
            qs = qs.filter(**{field: f[name] == "yes"})
    if f.get("supplier"):
        qs = qs.filter(supplier_id=f["supplier"])
    return qs.select_related("group", "unit", "supplier").order_by(*SORTS.get(sort, SORTS["name"]))


def product_get(*, tenant, pk):
    """One product of the tenant (404 for any other)."""
    qs = Product.objects.filter(tenant=tenant).select_related(
        "group", "unit", "supplier", "created_by"
    )
    return get_object_or_404(qs, pk=pk)


def product_usage(*, tenant, product):
    """How many order lines, offer lines and samples name ``product`` (three counts)."""
    from sales.models import OfferLine, OrderLine

    usage = {
        "order_lines": OrderLine.objects.filter(tenant=tenant, product=product).count(),
        "offer_lines": OfferLine.objects.filter(tenant=tenant, product=product).count(),
        "samples": Sample.objects.filter(tenant=tenant, product=product).count(),
    }
    usage["in_use"] = any(usage.values())
    return usage


def product_in_use(*, tenant, product):
    """Whether anything refers to ``product`` (then it can only be made inactive)."""
    from sales.models import OfferLine, OrderLine

    return (
        OrderLine.objects.filter(tenant=tenant, product=product).exists()
        or OfferLine.objects.filter(tenant=tenant, product=product).exists()
        or Sample.objects.filter(tenant=tenant, product=product).exists()
    )


def sellable_products(*, tenant, include=()):
    """Active, sellable products (and the ones in ``include``, already on a record)."""
    rule = Q(is_active=True, sellable=True)
    if include:
        rule |= Q(pk__in=list(include))
    return Product.objects.filter(tenant=tenant).filter(rule).select_related("unit")


def sample_products(*, tenant, include=None):
    """Products a sample may name: the active ones, and the one it already names."""
    rule = Q(is_active=True)
    if include:
        rule |= Q(pk=include)
    return Product.objects.filter(tenant=tenant).filter(rule).order_by("name", "id")


def unit_options(*, tenant, include=()):
    """The Settings list "unit" (active entries, and those in ``include``)."""
    qs = choices.options(tenant=tenant, key=UNIT_LIST, include_inactive=True)
    return qs.filter(Q(is_active=True) | Q(pk__in=list(include)))


def supplier_candidates(*, tenant, member, include=None):
    """Firms the supplier field accepts: visible firms (the picker searches those), plus the
    product's current supplier. The supplier role itself is checked by the form and service."""
    visible = visible_firms(tenant=tenant, member=member).values("pk")
    rule = Q(pk__in=visible)
    if include:
        rule |= Q(pk=include)
    return Firm.objects.filter(tenant=tenant).filter(rule)


def suppliers(*, tenant):
    """Firms with the supplier role (the list's supplier filter)."""
    return (
        Firm.objects.filter(tenant=tenant, roles__contains=[FirmRole.SUPPLIER])
        .only("pk", "name", "code")
        .order_by("name", "pk")
    )


def group_list(*, tenant):
    return ProductGroup.objects.filter(tenant=tenant).order_by("name", "pk")


def group_get(*, tenant, pk):
    return get_object_or_404(group_list(tenant=tenant), pk=pk)


def _tree(groups):
    """``[(depth, group)]`` in tree order (children under their parent, by name)."""
    children = {}
    for group in groups:
        children.setdefault(group.parent_id, []).append(group)
    ordered, stack = [], [(0, g) for g in reversed(children.get(None, []))]
    while stack:
        depth, group = stack.pop()
        ordered.append((depth, group))
        stack.extend((depth + 1, child) for child in reversed(children.get(group.pk, [])))
    return ordered


def group_tree(*, tenant, with_counts=False):
    """The groups in tree order as ``[(depth, group)]``; with counts of products and children."""
    qs = group_list(tenant=tenant)
    if with_counts:
        qs = qs.annotate(
            product_count=Count("products", distinct=True),
            child_count=Count("children", distinct=True),
        )
    return _tree(list(qs))


def group_choices(*, tenant, exclude=None):
    """``[(group, label)]`` for drop-downs: the path shown by indentation. ``exclude`` leaves
    out a group and its whole subtree (a group cannot move under itself)."""
    rows = group_tree(tenant=tenant)
    skipped = set()
    if exclude is not None:
        skipped = set(descendant_ids(rows, exclude.pk)) | {exclude.pk}
    return [(g, f"{'— ' * depth}{g.name}") for depth, g in rows if g.pk not in skipped]


def descendant_ids(rows, group_id):
    """The ids below ``group_id`` among ``rows`` (``[(depth, group)]``), at any depth."""
    below = {}
    for _depth, group in rows:
        below.setdefault(group.parent_id, []).append(group.pk)
    found, queue = [], list(below.get(group_id, []))
    while queue:
        pk = queue.pop()
        found.append(pk)
        queue.extend(below.get(pk, []))
    return found


def group_with_descendants(*, tenant, group_id):
    """The id of a group and of every group below it (one query over the tenant's groups)."""
    rows = [(0, g) for g in ProductGroup.objects.filter(tenant=tenant).only("pk", "parent_id")]
    return [group_id, *descendant_ids(rows, group_id)]
