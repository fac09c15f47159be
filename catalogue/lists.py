"""The Settings lists the catalogue owns."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.choices import ChoiceList, register

register(
    ChoiceList(
        key="unit",
        label=_("Units"),
        module=_("Products"),
        number=_("Pieces in one unit"),
        defaults=(
            ("piece", gettext_noop("Piece"), "", (), 1),
            ("dozen", gettext_noop("Dozen"), "", (), 12),
            ("box", gettext_noop("Box"), "", (), 10),
            ("package", gettext_noop("Package"), "", (), None),
            ("kg", gettext_noop("Kilogram"), "", (), None),
            ("litre", gettext_noop("Litre"), "", (), None),
            ("metre", gettext_noop("Metre"), "", (), None),
            ("hour", gettext_noop("Hour"), "", (), None),
        ),
    )
)
