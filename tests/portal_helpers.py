"""Helpers for tests of the customer portal.

``portal_firm(world, name)`` makes a customer firm represented by the world's employee, with an
e-mail address, a contact (with an e-mail) and an invoice, so access may be sent to it;
``make_portal_user(world, firm, contact=None)`` a login that works, with ``PASSWORD``;
``portal_login(client, portal_user)`` logs the test client in to the portal.
"""

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scope

from portal import auth
from portal.models import PortalUser
from tests.factories import make_firm
from tests.sales_helpers import invoice_directly

PASSWORD = "Portal-pass-2026!"


def portal_firm(world, name="Portal Firm", *, invoice=True, **data):
    slug = slugify(name)
    firm = make_firm(
        world.tenant,
        name,
        sales_rep=world.employee,
        channels={"emails": [{"address": f"info@{slug}.example"}]},
        first_contact={
            "data": {"first_name": "Ayşe", "last_name": "Demir", "languages": [{"language": "tr"}]},
            "channels": {"emails": [{"address": f"ayse@{slug}.example"}]},
        },
        **data,
    )
    if invoice:
        invoice_directly(world, firm, number=f"INV-{slug}"[:40])
    return firm


def make_portal_user(world, firm, contact=None, *, email="", password=PASSWORD, **fields):
    """A portal login that works now (sent, password set) unless ``fields`` say otherwise."""
    now = timezone.now()
    with scope(tenant=world.tenant.pk):
        if not email:
            owner = contact if contact is not None else firm
            found = owner.emails.order_by("id").first()
            email = found.address if found else f"portal-{firm.pk}@example.com"
        values = {
            "invited_at": now,
            "link_sent_at": now,
            "activated_at": now,
            "language": "en",
            **fields,
        }
        return PortalUser.objects.create(
            tenant=world.tenant,
            firm=firm,
            contact=contact,
            email=email.lower(),
            password=make_password(password),
            **values,
        )


def portal_login(client, portal_user):
    """Log ``client`` in to the portal as ``portal_user`` (a session like the login view's)."""
    client.logout()
    session = client.session
    session[auth.SESSION_USER] = portal_user.pk
    session[auth.SESSION_TENANT] = portal_user.tenant_id
    session[auth.SESSION_HASH] = auth.session_hash(portal_user)
    session.save()
    return client


def portal_url(world, name, *args):
    from django.urls import reverse

    return reverse(f"portal:{name}", args=[world.tenant.slug, *args])


def portal_world(world):
    """Give ``world`` (once) a portal firm with a working firm login (``world.portal_user``) and
    another firm with its own (``world.other_portal_user``), for the matrix and isolation."""
    if getattr(world, "portal_user", None) is None:
        world.portal_firm = portal_firm(world, f"{world.tenant.name} Portal Customer")
        world.portal_user = make_portal_user(world, world.portal_firm)
        world.other_portal_firm = portal_firm(world, f"{world.tenant.name} Other Customer")
        world.other_portal_user = make_portal_user(world, world.other_portal_firm)
    return world
