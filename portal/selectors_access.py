"""Reads behind the staff side of portal access: a firm's logins, every login a member sees."""

from django.db.models import F, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from companies.models import Contact, FirmContact
from companies.selectors.firms import visible_firms
from portal.models import PortalUser

State = PortalUser.State


def _logins(tenant):
    return PortalUser.objects.filter(tenant=tenant).select_related(
        "firm", "contact", "invited_by", "revoked_by"
    )


def firm_logins(*, tenant, firm):
    """The firm's own login first, then its contacts' logins."""
    return list(
        _logins(tenant).filter(firm=firm).order_by(F("contact_id").asc(nulls_first=True), "id")
    )


def grantable_contacts(*, tenant, firm):
    """The firm's contacts with their e-mail addresses loaded (two queries, however many)."""
    return list(
        Contact.objects.filter(
            tenant=tenant,
            pk__in=FirmContact.objects.filter(tenant=tenant, firm=firm).values("contact"),
        )
        .prefetch_related("emails")
        .order_by("first_name", "last_name", "id")
    )


def login_get(*, tenant, member, pk):
    """One portal login of a firm ``member`` may read; 404 otherwise."""
    return get_object_or_404(
        _logins(tenant).filter(firm__in=visible_firms(tenant=tenant, member=member)), pk=pk
    )


def state_filter(state, today=None):
    """A Q selecting the logins in ``state`` (see ``PortalUser.state``)."""
    today = today or timezone.localdate()
    live = Q(revoked_at__isnull=True) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    rules = {
        State.REVOKED: Q(revoked_at__isnull=False),
        State.EXPIRED: Q(revoked_at__isnull=True, expires_on__lt=today),
        State.ACTIVE: live & Q(activated_at__isnull=False),
        State.INVITED: live & Q(activated_at__isnull=True, invited_at__isnull=False),
        State.NOT_SENT: live & Q(activated_at__isnull=True, invited_at__isnull=True),
    }
    return rules.get(state, Q())


def login_list(*, tenant, member, state="", q=""):
    """Every portal login of the firms ``member`` may read, by firm, the firm's login first."""
    logins = _logins(tenant).filter(firm__in=visible_firms(tenant=tenant, member=member))
    if state:
        logins = logins.filter(state_filter(state))
    if q:
        logins = logins.filter(
            Q(firm__name__icontains=q)
            | Q(firm__code__icontains=q)
            | Q(email__icontains=q)
            | Q(contact__first_name__icontains=q)
            | Q(contact__last_name__icontains=q)
        )
    return logins.order_by("firm__name", "firm_id", F("contact_id").asc(nulls_first=True), "id")
