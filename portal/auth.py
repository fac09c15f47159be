"""Portal sessions, one-time password links and login throttling.

A portal session holds the portal user's id, its tenant and a hash of the user's password and
``session_epoch``: a new password, a revocation or a raised epoch makes every open session fail
its next request. A portal session never carries a staff login and the other way round.
"""

from django.conf import settings
from django.contrib.auth import logout as staff_logout
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_scopes import scopes_disabled

from portal.models import PortalUser

SESSION_USER = "portal_user"
SESSION_TENANT = "portal_tenant"
SESSION_HASH = "portal_hash"
SESSION_KEYS = (SESSION_USER, SESSION_TENANT, SESSION_HASH)

LINK_SALT = "portal.set-password"
# Stands in for a password check when the address is unknown, so both take as long.
_DUMMY_HASH = make_password("portal-timing-equaliser")


def session_hash(portal_user):
    value = f"{portal_user.pk}:{portal_user.password}:{portal_user.session_epoch}"
    return salted_hmac("portal.session", value, algorithm="sha256").hexdigest()


def log_in(request, portal_user):
    """Start a portal session for ``portal_user`` (ending any staff or portal session first)."""
    staff_logout(request)  # flushes the session: a new key, nothing of the old one kept
    request.session[SESSION_USER] = portal_user.pk
    request.session[SESSION_TENANT] = portal_user.tenant_id
    request.session[SESSION_HASH] = session_hash(portal_user)
    portal_user.last_login = timezone.now()
    portal_user.save(update_fields=["last_login", "updated_at"])
    request.portal_user = portal_user


def log_out(request):
    request.session.flush()
    request.portal_user = None


def has_portal_session(request):
    return SESSION_USER in request.session


def session_user(request):
    """The portal user of the request's session, or None when there is none or it no longer
    works (revoked, expired, a new password, another epoch): such a session is flushed."""
    session = request.session
    user_id = session.get(SESSION_USER)
    if user_id is None:
        return None
    with scopes_disabled():
        portal_user = (
            PortalUser.objects.select_related("firm", "contact", "tenant")
            .filter(pk=user_id, tenant_id=session.get(SESSION_TENANT))
            .first()
        )
    if (
        portal_user is None
        or not portal_user.tenant.is_active
        or not portal_user.may_log_in()
        or not constant_time_compare(session.get(SESSION_HASH, ""), session_hash(portal_user))
    ):
        session.flush()
        return None
    return portal_user


def authenticate(tenant, email, password):
    """The portal user of ``tenant`` with this e-mail and password who may log in, or None."""
    with scopes_disabled():
        portal_user = (
            PortalUser.objects.select_related("firm", "contact")
            .filter(tenant=tenant, email__iexact=(email or "").strip())
            .first()
        )
    if portal_user is None or not portal_user.password:
        check_password(password, _DUMMY_HASH)
        return None
    if not check_password(password, portal_user.password) or not portal_user.may_log_in():
        return None
    return portal_user


def set_password(portal_user, raw_password):
    """Set the password; the link that allowed it and every open session stop working."""
    portal_user.password = make_password(raw_password)
    portal_user.session_epoch += 1
    fields = ["password", "session_epoch", "updated_at"]
    if portal_user.activated_at is None:
        portal_user.activated_at = timezone.now()
        fields.append("activated_at")
    portal_user.save(update_fields=fields)


# --- One-time links ------------------------------------------------------------------------


def _state(portal_user):
    """Changes when the password is set or a newer link is sent: older links stop working."""
    value = f"{portal_user.password}:{portal_user.link_sent_at}:{portal_user.session_epoch}"
    return salted_hmac(LINK_SALT, value, algorithm="sha256").hexdigest()[:24]


def make_link_token(portal_user):
    return signing.dumps(
        {"u": portal_user.pk, "t": portal_user.tenant_id, "s": _state(portal_user)},
        salt=LINK_SALT,
        compress=True,
    )


def user_for_token(tenant, token):
    """The portal user a set-password ``token`` is for, or None when it is tampered with, of
    another tenant, expired, already used or superseded, or the login no longer works."""
    try:
        data = signing.loads(
            token, salt=LINK_SALT, max_age=settings.PORTAL_ACCESS_LINK_HOURS * 3600
        )
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("t") != tenant.pk:
        return None
    with scopes_disabled():
        portal_user = (
            PortalUser.objects.select_related("firm", "contact")
            .filter(pk=data.get("u"), tenant=tenant)
            .first()
        )
    if portal_user is None or not portal_user.may_log_in():
        return None
    if not constant_time_compare(str(data.get("s", "")), _state(portal_user)):
        return None
    return portal_user


# --- Throttling -----------------------------------------------------------------------------


def _keys(tenant, email, ip):
    return [f"portal-login:{tenant.pk}:{(email or '').strip().lower()}", f"portal-login-ip:{ip}"]


def login_blocked(tenant, email, ip):
    return any(
        (cache.get(key) or 0) >= settings.PORTAL_LOGIN_ATTEMPTS for key in _keys(tenant, email, ip)
    )


def login_failed(tenant, email, ip):
    for key in _keys(tenant, email, ip):
        if cache.add(key, 1, settings.PORTAL_LOGIN_WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, settings.PORTAL_LOGIN_WINDOW_SECONDS)


def login_succeeded(tenant, email):
    cache.delete(_keys(tenant, email, "")[0])
