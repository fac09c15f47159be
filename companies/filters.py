"""The firm list's filters, read from a query string: the list, its exports and its bulk actions
use the same ones."""

from companies.models.firms import FirmRole, FirmStatus, FirmType
from core.views import is_pk

FILTERS = (
    "customer_list",
    "q",
    "type",
    "role",
    "status",
    "priority",
    "sales_rep",
    "city",
    "group",
    "tag",
    "active",
    "parent",
)


def list_filters(params):
    """The firm list's filters from the query string; unknown values are dropped."""
    valid = {
        "type": set(FirmType.values),
        "role": set(FirmRole.values),
        "status": set(FirmStatus.values),
        "priority": {"low", "normal", "high"},
        "active": {"yes", "no"},
    }
    filters = {}
    for name in FILTERS:
        value = params.get(name, "").strip()[:100]
        if not value or "\x00" in value:
            continue
        if name in valid and value not in valid[name]:
            continue
        if name in ("group", "tag", "parent", "customer_list") and not value.isdecimal():
            continue
        if name == "sales_rep" and not (is_pk(value) or value == "none"):
            continue
        filters[name] = value
    return filters
