"""The firm list's table: its columns and the HTML of each row's cells.

A page shows 25 firms in up to ten built-in columns and the tenant's custom fields. The cells
are built here with ``format_html`` instead of a template loop that compares each column's key
with every kind of cell in turn: that loop was the largest part of the page's rendering
(docs/performance.md). The name column, with its link, stays in the template.
"""

from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.custom_fields import display_value

# The optional columns (the name is always shown), in their default order.
FIRM_COLUMNS = [
    ("code", gettext_lazy("Code")),
    ("type", gettext_lazy("Type")),
    ("status", gettext_lazy("Status")),
    ("city", gettext_lazy("City")),
    ("sales_rep", gettext_lazy("Representative")),
    ("tags", gettext_lazy("Tags")),
    ("parent", gettext_lazy("Parent firm")),
    ("priority", gettext_lazy("Priority")),
    ("rating", gettext_lazy("Rating")),
    ("created", gettext_lazy("Created")),
]
DEFAULT_COLUMNS = ["code", "type", "status", "city", "sales_rep", "tags"]
SORTABLE = ("code", "status", "city", "created")
ALWAYS_SHOWN = ("type", "status")  # the other columns hide on small screens


def firm_columns(custom_fields):
    """``[(key, label)]`` of every column the firm list can show, custom fields included."""
    return [*FIRM_COLUMNS, *((f.form_name, f.label) for f in custom_fields)]


def _status(firm, labels):
    return format_html(
        '<span class="badge kv-status" data-colour="{}">{}</span>',
        labels["status_colours"].get(firm.status, ""),
        labels["status_labels"].get(firm.status) or firm.get_status_display(),
    )


def _sales_rep(firm, labels):
    if firm.sales_rep is None:
        return format_html('<span class="text-body-secondary">{}</span>', _("Pool"))
    return conditional_escape(firm.sales_rep.full_name)


def _tags(firm, labels):
    return format_html_join(
        "",
        '<span class="badge text-bg-light border kv-tag" data-colour="{}">{}</span> ',
        ((tag.colour, tag.name) for tag in firm.tag_list),
    )


CELLS = {
    "code": lambda firm, labels: format_html("<code>{}</code>", firm.code),
    "type": lambda firm, labels: conditional_escape(
        labels["type_labels"].get(firm.type) or firm.get_type_display()
    ),
    "status": _status,
    "city": lambda firm, labels: conditional_escape(firm.city or ""),
    "sales_rep": _sales_rep,
    "tags": _tags,
    "parent": lambda firm, labels: conditional_escape(firm.parent.name if firm.parent else ""),
    "priority": lambda firm, labels: conditional_escape(firm.get_priority_display()),
    "rating": lambda firm, labels: conditional_escape(firm.rating.label if firm.rating else ""),
    "created": lambda firm, labels: date_format(
        timezone.localtime(firm.created_at), "SHORT_DATE_FORMAT"
    ),
}


def add_cells(firms, columns, *, labels, custom_by_name):
    """Give each firm ``cells``: ``[(shown on small screens, html)]`` in the order of ``columns``.

    ``labels`` are the tenant's type and status labels and status colours (``firm_labels``);
    ``custom_by_name`` maps a custom column's key to its field.
    """
    for firm in firms:
        cells = []
        for column in columns:
            render = CELLS.get(column)
            if render is not None:
                html = render(firm, labels)
            else:
                field = custom_by_name.get(column)
                value = display_value(field, firm.custom.get(field.key)) if field else None
                html = "" if value is None else conditional_escape(localize(value))
            cells.append((column in ALWAYS_SHOWN, html))
        firm.cells = cells
