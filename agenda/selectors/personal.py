"""Reading the personal agenda settings and the calendar feed's token."""

from accounts.models import Employee
from agenda.models import AgendaPreference, CalendarToken


def preference_for(*, tenant, member):
    """``member``'s agenda settings (the defaults, unsaved, when they have chosen nothing)."""
    found = AgendaPreference.objects.filter(tenant=tenant, employee=member).first()
    return found or AgendaPreference(tenant=tenant, employee=member)


def token_for(*, tenant, member):
    """``member``'s calendar token, or None before the first visit."""
    return CalendarToken.objects.filter(tenant=tenant, employee=member).first()


def token_owner(*, tenant_id, token):
    """The working employee whose feed ``token`` opens, with user and tenant; else None.

    Call inside ``scope(tenant=tenant_id)``. A revoked token no longer exists; a former
    employee's token opens nothing; an inactive tenant's neither.
    """
    found = (
        CalendarToken.objects.filter(
            tenant_id=tenant_id,
            token=token,
            tenant__is_active=True,
            employee__status=Employee.Status.WORKING,
        )
        .select_related("employee__user", "employee__tenant")
        .first()
    )
    return found.employee if found else None
