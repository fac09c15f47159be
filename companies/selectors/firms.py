"""Firm and contact reads, always narrowed by the member's row rules."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404

from accounts.selectors import subordinates_of
from companies import custom_fields as custom
from companies.models import (
    Address,
    Contact,
    CustomField,
    Email,
    Firm,
    FirmContact,
    Phone,
    Website,
)
from companies.permissions import firm_scope
from core import audit
from core.models import AuditEntry, Choice

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "code": ("code",),
    "-code": ("-code",),
    "status": ("status", "name"),
    "-status": ("-status", "name"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "city": ("city", "name"),
    "-city": ("-city", "name"),
}


def visible_firms(*, tenant, member, write=False):
    """Every firm ``member`` may read (or change, with ``write``)."""
    subordinates = subordinates_of(tenant=tenant, member=member)
    return Firm.objects.filter(tenant=tenant).filter(firm_scope(member, subordinates, write=write))


def can_change_firm(*, tenant, member, firm):
    return visible_firms(tenant=tenant, member=member, write=True).filter(pk=firm.pk).exists()


def firm_list(*, tenant, member, filters=None, sort="name", custom_fields=(), params=None):
    """The firm list: the member's visible firms with the columns the list shows."""
    f = filters or {}
    qs = visible_firms(tenant=tenant, member=member)
    if f.get("q"):
        qs = qs.filter(Q(name__icontains=f["q"]) | Q(code__icontains=f["q"]))
    for field in ("type", "status", "priority"):
        if f.get(field):
            qs = qs.filter(**{field: f[field]})
    if f.get("role"):
        qs = qs.filter(roles__contains=[f["role"]])
    if f.get("sales_rep") == "none":
        qs = qs.filter(sales_rep__isnull=True)
    elif f.get("sales_rep"):
        qs = qs.filter(sales_rep_id=f["sales_rep"])
    if f.get("city"):
        qs = qs.filter(Exists(Address.objects.filter(firm=OuterRef("pk"), city__iexact=f["city"])))
    if f.get("group"):
        qs = qs.filter(groups=f["group"])
    if f.get("tag"):
        qs = qs.filter(tags=f["tag"])
    if f.get("active") in ("yes", "no"):
        qs = qs.filter(is_active=f["active"] == "yes")
    if f.get("parent"):
        qs = qs.filter(parent_id=f["parent"])
    if f.get("customer_list"):
        from companies.selectors.lists import firms_in_list

        qs = qs.filter(pk__in=firms_in_list(tenant, member, f["customer_list"]))
    if custom_fields:
        qs = custom.apply_filters(qs, fields=custom_fields, params=params or {})
    if sort in ("city", "-city"):
        qs = qs.annotate(city=first_city())
    return qs.order_by(*SORTS.get(sort, SORTS["name"]))


def first_city():
    return Subquery(Address.objects.filter(firm=OuterRef("pk")).order_by("id").values("city")[:1])


ROW_FIELDS = (
    "id", "tenant_id", "code", "name", "type", "status", "priority", "is_active", "custom",
    "created_at", "parent", "parent__name", "rating", "rating__label", "rating__colour",
    "sales_rep", "sales_rep__first_name", "sales_rep__last_name",
)  # fmt: skip


def firm_rows(*, page_ids, tags=()):
    """The columns of one page of the list, for the ids a paginated ``firm_list`` chose.

    One query: the joins and the city subquery run for the page's rows only, not for every row
    an OFFSET skips, and each firm's tag ids come as an array. ``tags`` are the tenant's tags
    (the page loads them for its filter anyway); each firm gets ``tag_list``, its own in that
    order.
    """
    tag_ids = ArraySubquery(Firm.tags.through.objects.filter(firm_id=OuterRef("pk")).values("tag"))
    rows = (
        Firm.objects.filter(pk__in=page_ids)
        .select_related("sales_rep", "rating", "parent")
        .only(*ROW_FIELDS)
        .annotate(city=first_city(), tag_ids=tag_ids)
        .order_by()
    )
    by_id = {firm.pk: firm for firm in rows}
    for firm in by_id.values():
        mine = set(firm.tag_ids)
        firm.tag_list = [tag for tag in tags if tag.pk in mine]
    return [by_id[pk] for pk in page_ids if pk in by_id]


# The firm's drop-down values from Settings lists, read apart from the firm's own query: ten
# joins in one query cost PostgreSQL more to plan (3–4 ms) than a second query costs to run.
CHOICE_FIELDS = ("rating", "legal_form", "sector", "lead_source", "ownership_status")


def firm_get(*, tenant, member, pk):
    """One visible firm with what its page shows; 404 if the member may not see it."""
    firm = get_object_or_404(
        visible_firms(tenant=tenant, member=member).select_related(
            "sales_rep", "support_rep", "parent", "primary_contact", "created_by"
        ),
        pk=pk,
    )
    ids = {getattr(firm, f"{name}_id") for name in CHOICE_FIELDS} - {None}
    found = Choice.objects.filter(tenant=tenant).in_bulk(ids) if ids else {}
    for name in CHOICE_FIELDS:
        choice = found.get(getattr(firm, f"{name}_id"))
        if choice is not None:
            setattr(firm, name, choice)
    return firm


def firm_channels(*, tenant, firm):
    return {
        "phones": list(Phone.objects.filter(tenant=tenant, firm=firm).select_related("kind")),
        "emails": list(Email.objects.filter(tenant=tenant, firm=firm).select_related("kind")),
        "websites": list(Website.objects.filter(tenant=tenant, firm=firm)),
        "addresses": list(Address.objects.filter(tenant=tenant, firm=firm).select_related("kind")),
    }


def firm_contacts(*, tenant, firm):
    """The firm's contacts with their phones and e-mails loaded (a fixed number of queries)."""
    return (
        Contact.objects.filter(
            tenant=tenant,
            pk__in=FirmContact.objects.filter(tenant=tenant, firm=firm).values("contact"),
        )
        .select_related("prefix")
        .prefetch_related(
            Prefetch("phones", queryset=Phone.objects.select_related("kind")),
            "emails",
        )
    )


def contact_get(*, tenant, firm, pk):
    return get_object_or_404(firm_contacts(tenant=tenant, firm=firm), pk=pk)


def firm_ancestors(*, tenant, firm):
    ids = firm.ancestor_ids
    by_id = Firm.objects.filter(tenant=tenant, pk__in=ids).in_bulk()
    return [by_id[pk] for pk in ids if pk in by_id]


def firm_children(*, tenant, member, firm):
    """The firms directly under ``firm``, each with the size of its own subtree."""
    children = list(
        visible_firms(tenant=tenant, member=member).filter(parent=firm).order_by("type", "name")
    )
    counts = subtree_counts(tenant=tenant, firms=children)
    for child in children:
        child.subtree_count = counts.get(child.pk, 0)
    return children


def subtree_counts(*, tenant, firms):
    """``{firm id: number of firms below it}`` in one query (a prefix match per firm)."""
    if not firms:
        return {}
    counts = Firm.objects.filter(tenant=tenant).aggregate(
        **{f"n{f.pk}": Count("id", filter=Q(path__startswith=f.subtree_prefix)) for f in firms}
    )
    return {firm.pk: counts[f"n{firm.pk}"] for firm in firms}


def type_counts(*, tenant, member):
    return dict(
        visible_firms(tenant=tenant, member=member)
        .values_list("type")
        .annotate(n=Count("id"))
        .values_list("type", "n")
    )


def firm_history(*, tenant, firm, changes_only=False):
    """The firm's audit entries, newest first: all of them (the timeline) or field changes."""
    entries = audit.entries_for(tenant=tenant, instance=firm)
    if changes_only:
        entries = entries.exclude(action=AuditEntry.Action.EVENT)
    entries = list(entries[:300])
    labels = {
        f"custom:{f.key}": f.label for f in CustomField.objects.filter(tenant=tenant, entity="firm")
    }
    return audit.with_field_labels(entries, Firm, labels)


def contact_channels(*, tenant, contact):
    return {
        "phones": list(Phone.objects.filter(tenant=tenant, contact=contact)),
        "emails": list(Email.objects.filter(tenant=tenant, contact=contact)),
        "websites": list(Website.objects.filter(tenant=tenant, contact=contact)),
        "addresses": list(Address.objects.filter(tenant=tenant, contact=contact)),
    }
