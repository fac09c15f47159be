"""Reads of the portal. Every portal read starts from the portal user's firm."""

from django.db.models import Count, Q
from django.utils import timezone

from sales.models import Contract, ContractStatus, Invoice, Offer, OfferStatus


def home_summary(*, tenant, firm):
    """Counts for the start page: a fixed number of queries."""
    invoices = Invoice.objects.filter(tenant=tenant, firm=firm).count()
    contracts = Contract.objects.filter(tenant=tenant, firm=firm).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(status=ContractStatus.ACTIVE))
    )
    open_offers = Offer.objects.filter(tenant=tenant, firm=firm, status=OfferStatus.SENT).count()
    return {
        "invoices": invoices,
        "contracts": contracts["total"],
        "active_contracts": contracts["active"],
        "open_offers": open_offers,
        "today": timezone.localdate(),
    }
