"""The Settings lists this app owns."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from accounts.models import Position
from core.choices import ChoiceList, register

DEPARTMENTS = register(
    ChoiceList(
        key="department",
        label=_("Departments"),
        module=_("Employees"),
        defaults=(
            ("management", N_("Management"), "#6f42c1"),
            ("sales", N_("Sales"), "#0d6efd"),
            ("marketing", N_("Marketing"), "#d63384"),
            ("support", N_("Customer support"), "#20c997"),
            ("accounting", N_("Accounting"), "#fd7e14"),
        ),
    )
)

POSITIONS = register(
    ChoiceList(
        key="position",
        label=_("Positions"),
        module=_("Employees"),
        fixed=True,
        defaults=tuple((p.value, N_(str(p.label)), "") for p in Position),
    )
)
