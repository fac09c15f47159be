"""Customer list reads. Lists belong to the whole tenant; the firms in them are always
narrowed by the reader's firm row rules, so a list never reveals a firm its reader may not see.
"""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from accounts.models import Employee
from companies.models import CustomerList, CustomerListEntry
from companies.selectors.firms import visible_firms


def colleagues(*, tenant):
    """Working employees of the tenant, for the "responsible", "sent by" and mention fields."""
    return (
        Employee.objects.filter(tenant=tenant, status=Employee.Status.WORKING)
        .select_related("user")
        .order_by("first_name", "last_name", "id")
    )


def customer_lists(*, tenant, member):
    """Every list of the tenant with the number of its firms ``member`` may see."""
    visible = visible_firms(tenant=tenant, member=member).values("pk")
    return (
        CustomerList.objects.filter(tenant=tenant)
        .select_related("created_by")
        .annotate(firm_count=Count("entries", filter=Q(entries__firm__in=visible)))
        .order_by("name", "id")
    )


def customer_list_choices(*, tenant):
    """The tenant's lists by name, for a drop-down (the firm list's bulk action and filter)."""
    return CustomerList.objects.filter(tenant=tenant).order_by("name", "id")


def customer_list_get(*, tenant, member, pk):
    """One list of the tenant (404 for another tenant's)."""
    return get_object_or_404(
        CustomerList.objects.filter(tenant=tenant).select_related("created_by"), pk=pk
    )


def firms_in_list(tenant, member, customer_list):
    """Ids of the list's firms that ``member`` may see (a subquery for the firm list filter)."""
    return (
        CustomerListEntry.objects.filter(tenant=tenant, customer_list=customer_list)
        .filter(firm__in=visible_firms(tenant=tenant, member=member).values("pk"))
        .values_list("firm_id", flat=True)
    )


def list_entries(*, tenant, member, customer_list, q=""):
    """The list's entries whose firm ``member`` may see, by firm name, with what the page shows."""
    entries = (
        CustomerListEntry.objects.filter(tenant=tenant, customer_list=customer_list)
        .filter(firm__in=visible_firms(tenant=tenant, member=member).values("pk"))
        .select_related("firm", "firm__sales_rep", "responsible")
    )
    if q:
        entries = entries.filter(Q(firm__name__icontains=q) | Q(firm__code__icontains=q))
    return entries.order_by("firm__name", "firm_id")


def list_entry_get(*, tenant, member, customer_list, pk):
    """One entry of the list; 404 unless ``member`` may see its firm."""
    return get_object_or_404(
        list_entries(tenant=tenant, member=member, customer_list=customer_list), pk=pk
    )


def addable_firms(*, tenant, member, customer_list, q=""):
    """Firms ``member`` may see that are not in the list yet, by name."""
    firms = visible_firms(tenant=tenant, member=member).exclude(
        pk__in=CustomerListEntry.objects.filter(tenant=tenant, customer_list=customer_list).values(
            "firm_id"
        )
    )
    if q:
        firms = firms.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return firms.select_related("sales_rep").order_by("name", "id")


def firm_list_entries(*, tenant, firm):
    """The lists ``firm`` is in, with the responsible employee of each."""
    return (
        CustomerListEntry.objects.filter(tenant=tenant, firm=firm)
        .select_related("customer_list", "responsible")
        .order_by("customer_list__name", "id")
    )


def lists_without_firm(*, tenant, firm):
    """The lists ``firm`` could still be added to."""
    return (
        CustomerList.objects.filter(tenant=tenant)
        .exclude(
            pk__in=CustomerListEntry.objects.filter(tenant=tenant, firm=firm).values(
                "customer_list_id"
            )
        )
        .order_by("name", "id")
    )
