"""Giving firms and their contacts portal logins, sending the set-password link, revoking.

Only managers and executives holding ``portal.send_access`` send access, and only for a firm
they may read that has an invoice or a contract (seed 000). The e-mail carries a one-time link
to set a password (see ``portal.auth``); no password is ever sent.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import subordinates_of
from companies.models import Email, Firm
from companies.permissions import firm_scope
from core import audit, mail
from core.models import AuditEntry
from portal import auth
from portal.models import PortalUser
from sales.models import Contract, Invoice

SUPPORTED = {code for code, _label in settings.LANGUAGES}


def may_send_access(member):
    """Whether ``member`` is offered "Send portal access" at all."""
    return (member.is_manager or member.reaches_everything) and member.has_perm(
        "portal.send_access"
    )


def firm_is_eligible(*, tenant, firm):
    """A firm gets portal access once it has an invoice or a contract."""
    return (
        Invoice.objects.filter(tenant=tenant, firm=firm).exists()
        or Contract.objects.filter(tenant=tenant, firm=firm).exists()
    )


def _require_manager_of(*, tenant, actor, firm_id):
    """``actor`` may send access, and reads the firm ``firm_id``."""
    if not may_send_access(actor):
        raise PermissionDenied
    readable = Firm.objects.filter(
        firm_scope(actor, subordinates_of(tenant=tenant, member=actor)), tenant=tenant, pk=firm_id
    )
    if not readable.exists():
        raise PermissionDenied


def _require(*, tenant, actor, firm):
    _require_manager_of(tenant=tenant, actor=actor, firm_id=firm.pk)
    if not firm_is_eligible(tenant=tenant, firm=firm):
        raise ValidationError(
            _("Portal access can be sent once the firm has an invoice or a contract.")
        )


def default_language(*, tenant, contact=None):
    """The contact's first language the portal speaks, else the company's language."""
    for entry in (contact.languages if contact is not None else None) or []:
        code = str(entry.get("language", "") if isinstance(entry, dict) else "")[:2].lower()
        if code in SUPPORTED:
            return code
    return tenant.language if tenant.language in SUPPORTED else "en"


def addresses_for(*, tenant, firm, contact=None):
    """The e-mail addresses a login may use: the firm's own, or the contact's."""
    owner = {"contact": contact} if contact is not None else {"firm": firm}
    return list(
        Email.objects.filter(tenant=tenant, **owner)
        .order_by("id")
        .values_list("address", flat=True)
    )


def _check_email(*, tenant, email, firm, contact):
    email = (email or "").strip().lower()
    allowed = [a.lower() for a in addresses_for(tenant=tenant, firm=firm, contact=contact)]
    if not allowed:
        if contact is None:
            raise ValidationError(
                {"email": _("The firm has no e-mail address: add one on its page first.")}
            )
        raise ValidationError({"email": _("This contact has no e-mail address.")})
    if not email:
        email = allowed[0]
    if email not in allowed:
        raise ValidationError({"email": _("Choose one of the addresses on record.")})
    taken = (
        PortalUser.objects.filter(tenant=tenant, email=email)
        .exclude(firm=firm, contact=contact)
        .select_related("firm")
        .first()
    )
    if taken is not None:
        raise ValidationError(
            {"email": _("This address already logs in to the portal for %(firm)s.")
             % {"firm": taken.firm.name}}
        )  # fmt: skip
    return email


def send_link(*, tenant, portal_user, reason="access"):
    """E-mail ``portal_user`` a new one-time link to set a password (older links stop working)."""
    portal_user.link_sent_at = timezone.now()
    portal_user.save(update_fields=["link_sent_at", "updated_at"])
    token = auth.make_link_token(portal_user)
    url = settings.SITE_URL + reverse("portal:set-password", args=[tenant.slug, token])
    mail.enqueue_template(
        key=f"portal-{reason}:{portal_user.pk}:{portal_user.link_sent_at.timestamp()}",
        to=[portal_user.email],
        template="portal_access" if reason == "access" else "portal_password",
        context={
            "name": portal_user.display_name,
            "tenant_name": tenant.name,
            "firm_name": portal_user.firm.name,
            "link": url,
            "login_url": settings.SITE_URL + reverse("portal:login", args=[tenant.slug]),
            "hours": settings.PORTAL_ACCESS_LINK_HOURS,
            "email": portal_user.email,
        },
        tenant=tenant,
        language=portal_user.language,
    )


@transaction.atomic
def send_access(*, tenant, actor, firm, contact=None, email="", expires_on=None, language=""):
    """Create or renew the portal login of ``firm`` (or of its ``contact``) and e-mail it a
    link to set a password. A revoked login is given back; its old sessions stay ended."""
    _require(tenant=tenant, actor=actor, firm=firm)
    if contact is not None and not firm.contacts.filter(pk=contact.pk).exists():
        raise ValidationError({"contact": _("This person is not a contact of the firm.")})
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("The date lies in the past.")})
    if contact is None and expires_on is not None:
        raise ValidationError({"expires_on": _("The firm's own login has no time limit.")})
    email = _check_email(tenant=tenant, email=email, firm=firm, contact=contact)
    portal_user = (
        PortalUser.objects.select_for_update()
        .filter(tenant=tenant, firm=firm, contact=contact)
        .first()
    )
    created = portal_user is None
    if created:
        portal_user = PortalUser(tenant=tenant, firm=firm, contact=contact, created_by=actor.user)
    if portal_user.email and portal_user.email != email:
        portal_user.session_epoch += 1  # a new address: the old one's sessions end
    portal_user.email = email
    portal_user.expires_on = expires_on
    portal_user.language = (
        language if language in SUPPORTED else default_language(tenant=tenant, contact=contact)
    )
    if portal_user.revoked_at is not None:
        portal_user.revoked_at = None
        portal_user.revoked_by = None
        portal_user.session_epoch += 1
    portal_user.invited_at = timezone.now()
    portal_user.invited_by = actor
    portal_user.save()
    send_link(tenant=tenant, portal_user=portal_user)
    audit.record(
        tenant=tenant,
        actor=actor.user,
        instance=firm,
        action=AuditEntry.Action.EVENT,
        summary=_("Portal access sent to %(who)s (%(email)s)")
        % {"who": portal_user.display_name, "email": email},
    )
    return portal_user


@transaction.atomic
def revoke_access(*, tenant, actor, portal_user):
    """End ``portal_user``'s access now: the login stops working and open sessions end."""
    _require_revoke(tenant=tenant, actor=actor, portal_user=portal_user)
    portal_user = PortalUser.objects.select_for_update().get(tenant=tenant, pk=portal_user.pk)
    if portal_user.revoked_at is not None:
        return portal_user
    portal_user.revoked_at = timezone.now()
    portal_user.revoked_by = actor
    portal_user.session_epoch += 1
    portal_user.save(update_fields=["revoked_at", "revoked_by", "session_epoch", "updated_at"])
    audit.record(
        tenant=tenant,
        actor=actor.user,
        instance=portal_user.firm,
        action=AuditEntry.Action.EVENT,
        summary=_("Portal access revoked for %(who)s (%(email)s)")
        % {"who": portal_user.display_name, "email": portal_user.email},
    )
    return portal_user


def _require_revoke(*, tenant, actor, portal_user):
    _require_manager_of(tenant=tenant, actor=actor, firm_id=portal_user.firm_id)


@transaction.atomic
def resend_link(*, tenant, actor, portal_user):
    """E-mail ``portal_user`` a new one-time link to set a password; older links stop working.

    Refused for a login that is revoked, expired, never sent or whose firm is inactive: the
    link would not work. A revoked or expired login is given back with ``send_access``.
    """
    _require_revoke(tenant=tenant, actor=actor, portal_user=portal_user)
    portal_user = (
        PortalUser.objects.select_for_update(of=("self",))
        .select_related("firm", "contact")
        .get(tenant=tenant, pk=portal_user.pk)
    )
    if portal_user.revoked_at is not None:
        raise ValidationError(
            _("The access of %(email)s is revoked: send portal access again to give it back.")
            % {"email": portal_user.email}
        )
    if portal_user.is_expired():
        raise ValidationError(
            _("The access of %(email)s has expired: give it access again with a new date.")
            % {"email": portal_user.email}
        )
    if portal_user.invited_at is None:
        raise ValidationError(_("Portal access has not been sent to this login yet."))
    if not portal_user.firm.is_active:
        raise ValidationError(_("The firm is inactive: its portal logins do not work."))
    reason = "password" if portal_user.activated_at is not None else "access"
    send_link(tenant=tenant, portal_user=portal_user, reason=reason)
    audit.record(
        tenant=tenant,
        actor=actor.user,
        instance=portal_user.firm,
        action=AuditEntry.Action.EVENT,
        summary=_("A new portal link sent to %(who)s (%(email)s)")
        % {"who": portal_user.display_name, "email": portal_user.email},
    )
    return portal_user


def request_new_link(*, tenant, email):
    """ "Forgot your password": e-mail a new link if ``email`` has a login that works. Says
    nothing either way (the page answers the same), and sends at most one link per 5 minutes."""
    portal_user = (
        PortalUser.objects.select_related("firm", "contact")
        .filter(tenant=tenant, email__iexact=(email or "").strip())
        .first()
    )
    if portal_user is None or not portal_user.may_log_in():
        return None
    recent = (
        portal_user.link_sent_at
        and (timezone.now() - portal_user.link_sent_at).total_seconds() < 300
    )
    if recent:
        return None
    with transaction.atomic():
        send_link(tenant=tenant, portal_user=portal_user, reason="password")
    return portal_user
