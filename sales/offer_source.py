"""Offers as a source of the document dispatch (``documents.sources``): the dispatch form
opened with ``?source=sales.offer:<pk>`` sends the offer's PDF, and sending it marks the offer
"sent" (and its firm "in talks") inside the dispatch's transaction."""

from documents import sources
from documents.models import DocumentKind

LABEL = "sales.offer"


def _get(tenant, member, pk):
    from sales.selectors.offers import offer_for_source

    return offer_for_source(tenant=tenant, member=member, pk=pk)


def _title(offer):
    return f"{offer.number} {offer.title}".strip()


def _render(tenant, offer, language):
    from sales.offer_pdf import offer_pdf

    return offer_pdf(tenant, offer, language)


def _on_sent(tenant, actor, offer):
    from sales.services.offers import offer_mark_sent

    offer_mark_sent(tenant=tenant, actor=actor, offer=offer)


OFFER_SOURCE = sources.register(
    sources.Source(
        LABEL,
        kind=DocumentKind.OFFER.value,
        get=_get,
        title=_title,
        render=_render,
        on_sent=_on_sent,
    )
)
