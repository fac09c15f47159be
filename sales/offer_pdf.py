"""The PDF of an offer, from the tenant's offer template (an HTML template with merge fields).

The template is the offer's own (``Offer.template``) when it is still an active HTML offer
template, else the first active one in the requested language (the tenant's by default), else
any active one. Its current version's HTML is rendered by ``documents.rendering`` over
``documents.merge.build`` (the firm, the contact, the owner as the sender, and the offer's
fields, lines and totals). A template that cannot be rendered raises
:class:`documents.rendering.RenderError` with a message a person can act on.
"""

import re
import time

from celery import shared_task
from django.utils.translation import gettext as _

from core import money
from core.tasks import TenantTask
from documents import merge
from documents.rendering import RenderError, render_pdf
from sales.selectors import offers as selectors

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def offer_template(tenant, offer, language=None):
    """The template to render ``offer`` with, or None when the tenant has none."""
    chosen = offer.template if offer.template_id else None
    if chosen is not None and (
        selectors.template_options(tenant=tenant).filter(pk=chosen.pk).exists()
    ):
        return chosen
    return selectors.default_template(tenant=tenant, language=language)


def offer_filename(offer):
    """A file name safe in any header or file system: the offer number's plain characters."""
    number = SAFE_NAME.sub("-", offer.number).strip("-.")[:60]
    return f"offer-{number or offer.pk}.pdf"


def offer_document(offer, lines):
    """The offer's part of the merge fields (``documents.merge.document_values``' arguments)."""
    return {
        "lines": lines,
        "totals": money.totals(lines),
        "number": offer.number,
        "title": offer.title,
        "issued_on": offer.issued_on,
        "valid_until": offer.valid_until,
        "currency": offer.currency,
        "terms": offer.terms,
    }


def offer_pdf(tenant, offer, language=None):
    """``(filename, PDF bytes)`` of ``offer``; raises RenderError when it cannot be made."""
    template = offer_template(tenant, offer, language)
    if template is None:
        raise RenderError(
            _(
                "There is no active offer template. An executive can add one in "
                "the document library (kind “Offer”, HTML)."
            )
        )
    version = template.current_version
    if version is None or not version.html:
        raise RenderError(
            _("The offer template “%(name)s” has no HTML version.") % {"name": template.name}
        )
    lines = selectors.offer_lines(tenant=tenant, offer=offer)
    values = merge.build(
        tenant=tenant,
        language=template.language,
        firm=offer.firm,
        contact=offer.contact,
        employee=offer.owner,
        document=offer_document(offer, lines),
    )
    return offer_filename(offer), render_pdf(version.html, values)


@shared_task(name="sales.offer_pdf.render_offer_pdf", base=TenantTask, ignore_result=True)
def render_offer_pdf(offer_id, *, tenant_id, language=None):
    """Render one offer's PDF in the worker and keep nothing (the benchmark's unit of work).

    Returns the file name, its size, the seconds spent and the CPU seconds this process spent
    (the part a busy machine does not inflate), which the worker logs.
    """
    from accounts.models import Tenant
    from sales.models import Offer

    started, cpu = time.perf_counter(), time.process_time()
    tenant = Tenant.objects.get(pk=tenant_id)
    offer = (
        Offer.objects.filter(tenant=tenant, pk=offer_id)
        .select_related("firm", "contact", "owner", "owner__user", "template")
        .first()
    )
    if offer is None:
        return {"offer": offer_id, "missing": True}
    try:
        filename, pdf = offer_pdf(tenant, offer, language)
    except RenderError as error:
        return {"offer": offer_id, "error": str(error)}
    return {
        "offer": offer_id,
        "file": filename,
        "bytes": len(pdf),
        "seconds": round(time.perf_counter() - started, 4),
        "cpu": round(time.process_time() - cpu, 4),
    }
