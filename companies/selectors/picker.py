"""The firm picker's suggestions: the quick search's firm matching, narrowed and capped."""

from companies.models.firms import ALLOWED_CHILDREN, FirmType
from companies.selectors.firms import visible_firms
from companies.selectors.search import firm_matches, parse_query
from core.views import is_pk

PICKER_LIMIT = 20


def parent_types(child_type):
    """The firm types that may have a firm of ``child_type`` under them."""
    return [t for t, children in ALLOWED_CHILDREN.items() if t and child_type in children]


def picker_firms(*, tenant, member, query, types=(), child="", exclude=""):
    """At most ``PICKER_LIMIT`` visible firms matching ``query``, best first.

    ``types`` limits the firm types (unknown ones are ignored); ``child`` (a firm type) keeps
    the firms a firm of that type may stand under; ``exclude`` (a firm's pk) leaves out that
    firm and its whole subtree (a firm cannot move under itself).
    """
    terms = parse_query(query)
    if not terms.usable:
        return []
    firms = visible_firms(tenant=tenant, member=member)
    wanted = {t for t in types if t in FirmType.values}
    if child in FirmType.values:
        allowed = set(parent_types(child))
        wanted = wanted & allowed if wanted else allowed
        if not wanted:
            return []
    if wanted:
        firms = firms.filter(type__in=sorted(wanted))
    if is_pk(exclude):
        itself = visible_firms(tenant=tenant, member=member).filter(pk=int(exclude)).first()
        if itself is not None:
            firms = firms.exclude(path__startswith=itself.subtree_prefix).exclude(pk=itself.pk)
    matches = firm_matches(tenant=tenant, member=member, query=terms, firms=firms)
    return list(matches[:PICKER_LIMIT])
