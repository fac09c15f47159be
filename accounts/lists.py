"""The Settings lists this app owns."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import Position
from core.choices import ChoiceList, register

DEPARTMENTS = register(
    ChoiceList(
        key="department",
        label=_("Departments"),
        module=_("Employees"),
        defaults=(
            ("management", gettext_noop("Management"), "#6f42c1"),
            ("sales", gettext_noop("Sales"), "#0d6efd"),
            ("marketing", gettext_noop("Marketing"), "#d63384"),
            ("support", gettext_noop("Customer support"), "#20c997"),
            ("accounting", gettext_noop("Accounting"), "#fd7e14"),
        ),
    )
)

POSITIONS = register(
    ChoiceList(
        key="position",
        label=_("Positions"),
        module=_("Employees"),
        fixed=True,
        defaults=tuple((p.value, gettext_noop(str(p.label)), "") for p in Position),
    )
)
