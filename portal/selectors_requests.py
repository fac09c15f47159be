"""Reads of order requests: staff see the requests of the firms they may read; a portal user
sees only their own firm's (every portal read starts from the firm)."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from catalogue.selectors import sellable_products
from companies.selectors.firms import visible_firms
from portal.models import OrderRequest, OrderRequestForm

LIST_RELATED = ("form", "firm", "portal_user__contact", "portal_user__firm", "activity")


def request_forms(*, tenant):
    """Every form with how many requests it has had, by name."""
    return OrderRequestForm.objects.filter(tenant=tenant).annotate(request_count=Count("requests"))


def request_form_get(*, tenant, pk, active_only=False):
    qs = OrderRequestForm.objects.filter(tenant=tenant)
    if active_only:
        qs = qs.filter(is_active=True)
    return get_object_or_404(qs, pk=pk)


def visible_requests(*, tenant, member):
    """Every request of a firm ``member`` may read, newest first."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    return (
        OrderRequest.objects.filter(tenant=tenant, firm_id__in=firms)
        .select_related(*LIST_RELATED, "activity__assigned_to")
        .order_by("-created_at", "-id")
    )


def request_get(*, tenant, member, pk):
    """One request of a firm ``member`` may read; 404 otherwise."""
    return get_object_or_404(visible_requests(tenant=tenant, member=member), pk=pk)


def firm_requests(*, tenant, firm):
    """One firm's requests, newest first (the caller has checked the firm)."""
    return (
        OrderRequest.objects.filter(tenant=tenant, firm=firm)
        .select_related(*LIST_RELATED, "activity__assigned_to")
        .order_by("-created_at", "-id")
    )


def portal_forms(*, tenant):
    """The forms offered in the portal."""
    return OrderRequestForm.objects.filter(tenant=tenant, is_active=True).order_by("name", "id")


def portal_request_get(*, tenant, firm, pk):
    """One request of the portal user's firm; another firm's is a 404."""
    return get_object_or_404(
        OrderRequest.objects.filter(tenant=tenant, firm=firm).select_related(
            "form", "portal_user__contact", "portal_user__firm"
        ),
        pk=pk,
    )


def product_choices(*, tenant, search="", limit=200):
    """``(every offered product, the first ``limit`` matching ``search`` by name, more?)``."""
    offered = sellable_products(tenant=tenant)
    listed = offered.order_by("name", "id")
    if search:
        listed = listed.filter(Q(name__icontains=search) | Q(code__icontains=search))
    rows = list(listed[: limit + 1])
    return offered, rows[:limit], len(rows) > limit
