"""Sales' periodic work (beat) and background rendering."""

from celery import shared_task

from sales.offer_pdf import render_offer_pdf  # noqa: F401
from sales.pdf import render_invoice  # noqa: F401


@shared_task(name="sales.tasks.expire_lapsed", ignore_result=True)
def expire_lapsed():
    """Daily: offers past their validity and contracts past their end date become "expired"."""
    from sales.services.contracts import contracts_expire
    from sales.services.offers import offers_expire

    return {"offers": offers_expire(), "contracts": contracts_expire()}
