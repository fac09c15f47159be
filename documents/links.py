"""Signed download links for dispatched files too large to attach.

A link carries ``{"t": tenant id, "i": item id, "r": recipient id}`` signed with the project's
secret key under a salt of its own (``django.core.signing``, which also stamps the time). The
public view trusts nothing but that payload: it opens the tenant's scope named by the
signature and looks the item up there, so a link can never be turned into another tenant's or
another dispatch's file without breaking the signature. Links expire after
``settings.DOCUMENT_LINK_DAYS`` days.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

SALT = "kervan.documents.dispatch-link.v1"
MAX_TOKEN = 500  # characters; a real token is about 80


@dataclass(frozen=True)
class LinkPayload:
    tenant_id: int
    item_id: int
    recipient_id: int


class LinkExpired(Exception):
    """A genuine link whose time is up."""


def lifetime():
    return timedelta(days=settings.DOCUMENT_LINK_DAYS)


def expires_at(signed_at=None):
    """When a link signed at ``signed_at`` (now) stops working."""
    return (signed_at or timezone.now()) + lifetime()


def make_token(*, tenant_id, item_id, recipient_id):
    return signing.dumps({"t": tenant_id, "i": item_id, "r": recipient_id}, salt=SALT)


def read_token(token):
    """The payload of a genuine, unexpired token; None for anything forged or malformed.

    Raises :class:`LinkExpired` for a genuine token that is too old.
    """
    if not token or len(token) > MAX_TOKEN or not token.isascii():
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=lifetime())
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    values = [data.get(key) for key in ("t", "i", "r")]
    if not all(type(value) is int and value > 0 for value in values):
        return None
    return LinkPayload(*values)


def link_url(*, tenant_id, item_id, recipient_id):
    """The absolute address of a new link (the site's address from ``SITE_URL``)."""
    token = make_token(tenant_id=tenant_id, item_id=item_id, recipient_id=recipient_id)
    return settings.SITE_URL + reverse("document-link", args=[token])
