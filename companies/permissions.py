"""Permission codes of firms and contacts, and the row rules that narrow them (DESIGN §4).

- executives and executive-managers reach every firm;
- staff of a dealer firm reach only that firm's subtree, whatever else applies;
- a manager reaches the firms of their team (represented or supported by them or anyone
  below them) and the unassigned pool;
- an employee changes the firms they represent or support and sees the pool; the tenant
  setting ``employees_read_all_firms`` lets employees read every other firm too.
Contacts are visible to everyone who can see the firm.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.permissions import register_module

register_module(
    "firms",
    _("Firms"),
    [
        ("view", _("View firms and their contacts")),
        ("add", _("Add firms")),
        ("change", _("Change firms and their contacts")),
        ("export", _("Export firm lists")),
        ("import", _("Import firms and contacts")),
        ("assign", _("Assign representatives")),
    ],
    defaults={
        "manager": ["view", "add", "change", "export", "import", "assign"],
        "employee": ["view", "add", "change"],
    },
)
register_module(
    "claims",
    _("Firm claims"),
    [
        ("add", _("Claim a firm from the pool")),
        ("approve", _("Approve or reject claims")),
    ],
    defaults={"manager": ["add", "approve"], "employee": ["add"]},
)


def team_ids(member, subordinates):
    return {member.pk, *subordinates}


def firm_scope(member, subordinates, *, write=False):
    """A Q narrowing ``Firm`` rows to those ``member`` may read (or change, with ``write``)."""
    rule = Q()
    if member.firm_id is not None:  # dealer staff: only inside their own firm's subtree
        rule &= Q(pk=member.firm_id) | Q(path__startswith=member.firm.subtree_prefix)
    if member.reaches_everything:
        return rule
    team = team_ids(member, subordinates) if member.is_manager else {member.pk}
    own = Q(sales_rep__in=team) | Q(support_rep__in=team)
    if write and not member.is_manager:
        return rule & own
    if write:
        return rule & (own | Q(sales_rep__isnull=True))
    if member.tenant.employees_read_all_firms:
        return rule
    return rule & (own | Q(sales_rep__isnull=True))
