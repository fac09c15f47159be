"""Reads for the pool of unassigned firms and the claims on them.

Who decides a claim: a member with ``claims.approve`` who stands above the requester in the
reports-to chain (the direct manager or anyone above), or an executive / executive-manager; never
the requester, and only on a firm the member can see.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.models import ALL_REACHING_POSITIONS, Employee
from accounts.selectors import subordinates_of
from companies.models import Claim, ClaimStatus
from companies.selectors.firms import visible_firms

APPROVE = "claims.approve"


def pool_firms(*, tenant, member, search=""):
    """The active firms without a sales representative that ``member`` can see."""
    qs = (
        visible_firms(tenant=tenant, member=member)
        .filter(sales_rep__isnull=True, is_active=True)
        .select_related("parent")
        .order_by("name", "id")
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return qs


def pool_firm_get(*, tenant, member, pk):
    """A firm ``member`` can see (in the pool or not: the caller says why it cannot be claimed)."""
    return get_object_or_404(
        visible_firms(tenant=tenant, member=member).select_related("sales_rep"), pk=pk
    )


def open_claim_firm_ids(*, tenant, member, firm_ids):
    """Of ``firm_ids``, those ``member`` has a claim waiting on."""
    return set(
        Claim.objects.filter(
            tenant=tenant, requester=member, status=ClaimStatus.PENDING, firm_id__in=firm_ids
        ).values_list("firm_id", flat=True)
    )


def manager_chain_ids(*, tenant, employee):
    """Ids of everyone above ``employee`` in the reports-to chain, nearest first."""
    parents = dict(Employee.objects.filter(tenant=tenant).values_list("id", "reports_to_id"))
    chain, current = [], parents.get(employee.pk)
    while current is not None and current not in chain and current != employee.pk:
        chain.append(current)
        current = parents.get(current)
    return chain


def claims_to_decide(*, tenant, member):
    """Pending claims waiting for ``member``'s decision, oldest first."""
    if not member.has_perm(APPROVE):
        return Claim.objects.none()
    qs = Claim.objects.filter(
        tenant=tenant,
        status=ClaimStatus.PENDING,
        firm__in=visible_firms(tenant=tenant, member=member),
    ).exclude(requester=member)
    if not member.reaches_everything:
        qs = qs.filter(requester_id__in=subordinates_of(tenant=tenant, member=member))
    return qs.select_related("firm", "requester").order_by("created_at", "id")


def claims_of(*, tenant, member):
    """The claims ``member`` made, newest first, with who decided them."""
    return (
        Claim.objects.filter(tenant=tenant, requester=member)
        .select_related("firm", "approver")
        .order_by("-created_at", "-id")
    )


def claim_get(*, tenant, pk):
    """One claim of the tenant (404 otherwise); whether the member may decide it is separate."""
    return get_object_or_404(
        Claim.objects.filter(tenant=tenant).select_related("firm", "requester", "approver"), pk=pk
    )


def can_decide_claim(*, tenant, member, claim):
    """Row rule: may ``member`` approve or reject ``claim`` (whatever its status)?"""
    if not member.has_perm(APPROVE) or member.pk == claim.requester_id:
        return False
    if not visible_firms(tenant=tenant, member=member).filter(pk=claim.firm_id).exists():
        return False
    if member.reaches_everything:
        return True
    return member.pk in manager_chain_ids(tenant=tenant, employee=claim.requester)


def claim_approvers(*, tenant, requester):
    """Who is told about a new claim: the nearest manager above the requester who may approve.

    With nobody in the chain who may, every working executive and executive-manager is told.
    """
    chain = manager_chain_ids(tenant=tenant, employee=requester)
    working = Employee.objects.filter(tenant=tenant, status=Employee.Status.WORKING)
    people = working.filter(pk__in=chain).select_related("user", "profile")
    by_id = {person.pk: person for person in people}
    for pk in chain:
        person = by_id.get(pk)
        if person is not None and person.has_perm(APPROVE):
            return [person]
    top = (
        working.filter(position__in=ALL_REACHING_POSITIONS)
        .exclude(pk=requester.pk)
        .select_related("user", "profile")
        .order_by("pk")
    )
    return [person for person in top if person.has_perm(APPROVE)]
