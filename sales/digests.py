"""Contract renewals in the date-alarm digest (``agenda.services.digests``).

A contract with a renewal reminder of N days joins the digest of the employee who represents
or supports its firm on the day N days before its end: the digest lists it while that day
falls within the days ahead the employee chose. Only active contracts are reminded of.
"""

from datetime import timedelta

from django.db.models import DateField, ExpressionWrapper, F
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext

from agenda.services import digests
from sales.models import Contract, ContractStatus

CONTRACT_RENEWAL = "contract_renewal"


def _label(ends_on):
    return gettext("Contract renewal (ends %(date)s)") % {
        "date": formats.date_format(ends_on, "SHORT_DATE_FORMAT")
    }


# Worked out when the digest is written, in the recipient's language.
renewal_label = lazy(_label, str)


def contract_renewals(*, tenant, employee, firm_ids, start, end):
    """Active contracts of ``firm_ids`` whose reminder day (end − renewal days) is in
    ``[start, end]``, as digest items dated on that day."""
    remind_on = ExpressionWrapper(F("ends_on") - F("renewal_days"), output_field=DateField())
    contracts = (
        Contract.objects.filter(
            tenant=tenant,
            firm_id__in=firm_ids,
            status=ContractStatus.ACTIVE,
            ends_on__isnull=False,
            renewal_days__isnull=False,
        )
        .alias(remind_on=remind_on)
        .filter(remind_on__gte=start, remind_on__lte=end)
        .select_related("firm")
        .order_by("ends_on", "id")
    )
    return [
        digests.DateItem(
            on=contract.ends_on - timedelta(days=contract.renewal_days),
            kind=CONTRACT_RENEWAL,
            name=contract.title,
            firm_id=contract.firm_id,
            firm_name=contract.firm.name,
            label=renewal_label(contract.ends_on),
        )
        for contract in contracts
    ]


digests.register_source(contract_renewals)
