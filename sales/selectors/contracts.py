"""Reading contracts: a contract is read by whoever reads its firm and changed by whoever may
change the firm (``companies.selectors.firms.visible_firms``)."""

from datetime import timedelta

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from companies.selectors.firms import can_change_firm, visible_firms
from companies.selectors.lists import colleagues
from sales.models import Contract, Service

SORTS = {
    "start": ("-starts_on", "-id"),
    "-start": ("starts_on", "id"),
    "end": ("ends_on", "id"),
    "-end": ("-ends_on", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "firm": ("firm__name", "-starts_on", "id"),
    "-firm": ("-firm__name", "-starts_on", "id"),
}


def visible_contracts(*, tenant, member):
    """Every contract on a firm ``member`` may read."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    return Contract.objects.filter(tenant=tenant, firm_id__in=firms)


def can_change_contract(*, tenant, member, contract):
    return can_change_firm(tenant=tenant, member=member, firm=contract.firm)


def contract_list(*, tenant, member, filters=None, sort="start"):
    """The contracts list narrowed by ``filters`` (already cleaned values)."""
    f = filters or {}
    qs = visible_contracts(tenant=tenant, member=member)
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("firm"):
        qs = qs.filter(firm_id=f["firm"])
    if f.get("ending_within") is not None:
        today = timezone.localdate()
        qs = qs.filter(ends_on__gte=today, ends_on__lte=today + timedelta(days=f["ending_within"]))
    if f.get("q"):
        qs = qs.filter(Q(title__icontains=f["q"]) | Q(firm__name__icontains=f["q"]))
    return qs.select_related("firm", "responsible", "service").order_by(
        *SORTS.get(sort, SORTS["start"])
    )


def firm_contracts(*, tenant, firm):
    """The contracts of one firm (the caller has checked the firm is visible)."""
    return (
        Contract.objects.filter(tenant=tenant, firm=firm)
        .select_related("responsible", "service")
        .order_by("-starts_on", "-id")
    )


def contract_get(*, tenant, member, pk):
    """One visible contract (404 when its firm is out of reach or it is another tenant's)."""
    qs = visible_contracts(tenant=tenant, member=member).select_related(
        "firm", "responsible", "service", "created_by"
    )
    return get_object_or_404(qs, pk=pk)


def contract_firms(*, tenant, member):
    """Firms a contract can be added to: those the member may change."""
    return visible_firms(tenant=tenant, member=member, write=True).order_by("name", "pk")


def service_options(*, tenant, firm, contract=None):
    """The firm's services without a contract (and the one ``contract`` already covers)."""
    if firm is None:
        return Service.objects.none()
    free = Q(contract__isnull=True)
    if contract is not None and contract.service_id:
        free |= Q(pk=contract.service_id)
    return (
        Service.objects.filter(tenant=tenant, firm=firm)
        .filter(free)
        .order_by("-performed_on", "-id")
    )


def responsible_options(*, tenant):
    return colleagues(tenant=tenant)
