"""Reading offers: an offer is read with its firm and changed with write access to the firm."""

from datetime import timedelta

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Employee
from catalogue.models import Product
from companies.models import Contact, FirmContact
from companies.selectors.firms import can_change_firm, visible_firms
from core import choices
from documents.models import DocumentKind, DocumentTemplate, TemplateForm
from opportunities.models import Opportunity
from sales.models import Offer, OfferLine, OfferStatus, Order

# An offer "expires soon" when its validity ends within this many days.
EXPIRING_DAYS = 14
SORTS = {
    "issued": ("issued_on", "id"),
    "-issued": ("-issued_on", "-id"),
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
    "valid": ("valid_until", "id"),
    "-valid": ("-valid_until", "-id"),
    "total": ("total", "id"),
    "-total": ("-total", "-id"),
    "firm": ("firm__name", "-issued_on", "-id"),
    "-firm": ("-firm__name", "-issued_on", "-id"),
}
DEFAULT_SORT = "-issued"
# Only a draft changes; the others go back to draft first (a sent offer is what the firm has).
EDITABLE = {OfferStatus.DRAFT}
# Sent through the dispatch: a draft, or a sent offer again (to another contact).
SENDABLE = {OfferStatus.DRAFT, OfferStatus.SENT}
# The firm's answer is recorded on an offer it has (or had, before it expired).
DECIDABLE = {OfferStatus.SENT, OfferStatus.EXPIRED}


def visible_offers(*, tenant, member):
    """Every offer on a firm ``member`` may read (the firm's row rules decide)."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    return Offer.objects.filter(tenant=tenant, firm_id__in=firms)


def can_change_offer(*, tenant, member, offer):
    """Whether ``member`` may change ``offer`` (write access to its firm)."""
    return can_change_firm(tenant=tenant, member=member, firm=offer.firm)


def is_editable(offer):
    return offer.status in EDITABLE


def expiring_before(today=None):
    return (today or timezone.localdate()) + timedelta(days=EXPIRING_DAYS)


def offer_list(*, tenant, member, filters=None, sort=DEFAULT_SORT):
    """The offers list narrowed by ``filters`` (already cleaned values), sorted by ``sort``."""
    f = filters or {}
    qs = visible_offers(tenant=tenant, member=member)
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("firm"):
        qs = qs.filter(firm_id=f["firm"])
    if f.get("owner"):
        qs = qs.filter(owner_id=f["owner"])
    if f.get("date_from"):
        qs = qs.filter(issued_on__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(issued_on__lte=f["date_to"])
    if f.get("expiring"):
        today = timezone.localdate()
        qs = qs.filter(
            status=OfferStatus.SENT, valid_until__gte=today, valid_until__lte=expiring_before(today)
        )
    if f.get("q"):
        qs = qs.filter(Q(number__icontains=f["q"]) | Q(title__icontains=f["q"]))
    return qs.select_related("firm", "owner", "contact").order_by(
        *SORTS.get(sort, SORTS[DEFAULT_SORT])
    )


def firm_offers(*, tenant, member, firm):
    """The offers of one firm (already checked as visible), newest first."""
    return (
        Offer.objects.filter(tenant=tenant, firm=firm)
        .select_related("owner", "contact")
        .order_by("-issued_on", "-id")
    )


def offer_get(*, tenant, member, pk):
    """One visible offer (404 when its firm is out of the member's reach)."""
    qs = visible_offers(tenant=tenant, member=member).select_related(
        "firm", "contact", "owner", "owner__user", "opportunity", "template"
    )
    return get_object_or_404(qs, pk=pk)


def offer_lines(*, tenant, offer):
    return list(
        OfferLine.objects.filter(tenant=tenant, offer=offer)
        .select_related("product", "unit")
        .order_by("position", "id")
    )


def offer_order(*, tenant, offer):
    """The order made from ``offer``, or None."""
    return Order.objects.filter(tenant=tenant, offer=offer).only("id", "number").first()


def offer_detail(*, tenant, member, pk):
    """One offer with its lines, its order and whether ``member`` may change it."""
    offer = offer_get(tenant=tenant, member=member, pk=pk)
    offer.line_list = offer_lines(tenant=tenant, offer=offer)
    offer.made_order = offer_order(tenant=tenant, offer=offer)
    offer.can_change = can_change_offer(tenant=tenant, member=member, offer=offer)
    return offer


def offer_for_source(*, tenant, member, pk):
    """The dispatch's ``get``: the offer if ``member`` reaches it, else None."""
    return (
        visible_offers(tenant=tenant, member=member)
        .select_related("firm", "contact", "owner")
        .filter(pk=pk)
        .first()
    )


# Choices of the offer form ----------------------------------------------------------------


def offer_firms(*, tenant, member):
    """Firms an offer can be made for: those the member may change."""
    return visible_firms(tenant=tenant, member=member, write=True).order_by("name", "pk")


def filter_firms(*, tenant, member):
    """Firms the list can be narrowed to: the visible ones."""
    return visible_firms(tenant=tenant, member=member).order_by("name", "pk")


def firm_contact_options(*, tenant, firm):
    if firm is None:
        return Contact.objects.none()
    linked = FirmContact.objects.filter(tenant=tenant, firm=firm).values("contact")
    return Contact.objects.filter(tenant=tenant, pk__in=linked).order_by(
        "first_name", "last_name", "pk"
    )


def opportunity_options(*, tenant, firm):
    """The opportunities of ``firm`` (visible with it)."""
    if firm is None:
        return Opportunity.objects.none()
    return Opportunity.objects.filter(tenant=tenant, firm=firm).order_by("-created_at", "-id")


def opportunity_for_offer(*, tenant, member, pk):
    """An opportunity an offer may be made for (on a firm the member sees), or None."""
    firms = visible_firms(tenant=tenant, member=member).values("pk")
    return Opportunity.objects.filter(tenant=tenant, firm_id__in=firms, pk=pk).first()


def product_options(*, tenant, include=()):
    """Products that can be offered (active and sellable), plus ``include`` (already on the
    offer, so an edit still shows them; the service refuses them if they are no longer sold)."""
    return Product.objects.filter(
        Q(is_active=True, sellable=True) | Q(pk__in=list(include)), tenant=tenant
    ).select_related("unit")


def unit_options(*, tenant):
    return choices.options(tenant=tenant, key="unit")


def template_options(*, tenant):
    """The offer templates a PDF can be made from: active HTML templates of kind "offer"."""
    return DocumentTemplate.objects.filter(
        tenant=tenant, kind=DocumentKind.OFFER, form=TemplateForm.HTML, is_active=True
    ).order_by("name", "pk")


def default_template(*, tenant, language=None):
    """The first active offer template in ``language`` (the tenant's by default), else any."""
    options = template_options(tenant=tenant).select_related("current_version")
    language = language or tenant.language
    return options.filter(language=language).first() or options.first()


def owner_options(*, tenant):
    return Employee.objects.filter(tenant=tenant).order_by("first_name", "last_name", "pk")
