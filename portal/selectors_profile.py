"""Reads of the firm's profile in the portal and of the changes it proposes (for the portal's
profile page and the staff pages that decide them)."""

from django.shortcuts import get_object_or_404

from companies.selectors.firms import visible_firms
from portal.models import ChangeStatus, ProfileChange
from portal.services.profile import CHANNELS, FIELDS, TARGETS, label_of


def first_values(*, tenant, owner_field, owner):
    """The first phone, e-mail, website and address of a firm or contact, as one line each."""
    found = {}
    for field, (_key, model) in CHANNELS.items():
        row = model.objects.filter(tenant=tenant, **{owner_field: owner}).order_by("id").first()
        found[field] = str(row) if row is not None else ""
    return found


def profile_values(*, tenant, portal_user):
    """``{(target, field): the value on record}`` for the proposal form."""
    values = {
        ("firm", field): value
        for field, value in first_values(
            tenant=tenant, owner_field="firm", owner=portal_user.firm
        ).items()
    }
    contact = portal_user.contact
    if contact is not None:
        for field, value in first_values(
            tenant=tenant, owner_field="contact", owner=contact
        ).items():
            if field in ("phone", "email"):
                values[("contact", field)] = value
        for field in ("first_name", "last_name", "job_title"):
            values[("contact", field)] = getattr(contact, field)
    return {key: values[key] for key in FIELDS if key in values}


def own_proposals(*, tenant, portal_user, limit=20):
    """The newest proposals ``portal_user`` sent, for the profile page."""
    return list(
        ProfileChange.objects.filter(tenant=tenant, firm=portal_user.firm, portal_user=portal_user)
        .select_related("decided_by")
        .order_by("-created_at", "-id")[:limit]
    )


def pending_proposal(*, tenant, portal_user):
    return ProfileChange.objects.filter(
        tenant=tenant, firm=portal_user.firm, portal_user=portal_user, status=ChangeStatus.PENDING
    ).first()


def _staff_rows(qs):
    return qs.select_related("firm", "portal_user__contact", "portal_user__firm", "decided_by")


def pending_changes(*, tenant, member):
    """Pending proposals of the firms ``member`` may read, oldest first."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    return _staff_rows(
        ProfileChange.objects.filter(
            tenant=tenant, status=ChangeStatus.PENDING, firm_id__in=firms
        ).order_by("created_at", "id")
    )


def firm_changes(*, tenant, firm):
    """Every proposal of ``firm`` (already checked as visible), newest first."""
    return _staff_rows(
        ProfileChange.objects.filter(tenant=tenant, firm=firm).order_by("-created_at", "-id")
    )


def change_get(*, tenant, member, pk):
    """One proposal of a firm ``member`` may read; 404 otherwise."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    qs = _staff_rows(ProfileChange.objects.filter(tenant=tenant, firm_id__in=firms)).select_related(
        "contact"
    )
    return get_object_or_404(qs, pk=pk)


def change_rows(*, tenant, change):
    """``[{label, target, old, new, now}]`` of a proposal, with today's value on record."""
    now = {("firm", f): v for f, v in first_values(
        tenant=tenant, owner_field="firm", owner=change.firm).items()}  # fmt: skip
    if change.contact is not None:
        now.update({("contact", f): v for f, v in first_values(
            tenant=tenant, owner_field="contact", owner=change.contact).items()})  # fmt: skip
        now.update({("contact", f): getattr(change.contact, f)
                    for f in ("first_name", "last_name", "job_title")})  # fmt: skip
    return [
        {
            "label": label_of(item),
            "target": TARGETS.get(item.get("target"), ""),
            "old": item.get("old", ""),
            "new": item.get("new", ""),
            "now": now.get((item.get("target"), item.get("field")), ""),
        }
        for item in change.changes
    ]
