"""The Settings lists opportunities own: the sales stages and the sales channels."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.choices import ChoiceList, register

MODULE = _("Opportunities")

# Switches of a stage: an opportunity in it is closed, won or lost.
WON = "won"
LOST = "lost"

register(
    ChoiceList(
        key="opportunity_stage",
        label=_("Sales stages"),
        module=MODULE,
        number=_("Default probability (%)"),
        flags=((WON, _("Won")), (LOST, _("Lost"))),
        defaults=(
            ("prospecting", gettext_noop("Prospecting"), "#6c757d", (), 10),
            ("qualification", gettext_noop("Qualification"), "#0dcaf0", (), 25),
            ("proposal", gettext_noop("Proposal"), "#0d6efd", (), 50),
            ("negotiation", gettext_noop("Negotiation"), "#fd7e14", (), 75),
            ("won", gettext_noop("Won"), "#198754", (WON,), 100),
            ("lost", gettext_noop("Lost"), "#dc3545", (LOST,), 0),
        ),
    )
)
register(
    ChoiceList(
        key="sales_channel",
        label=_("Sales channels"),
        module=MODULE,
        defaults=(
            ("direct", gettext_noop("Direct sale"), ""),
            ("dealer", gettext_noop("Through a dealer"), ""),
            ("distributor", gettext_noop("Through a distributor"), ""),
            ("online", gettext_noop("Online"), ""),
            ("fair", gettext_noop("Fair or event"), ""),
        ),
    )
)
