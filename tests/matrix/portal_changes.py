"""Matrix entries of the staff pages of proposed contact details (see
tests/test_permission_matrix.py).

``w.portal_user`` proposed a new phone for ``w.portal_firm``, which the world's employee
represents: every role reads the proposal and may decide it. The empty POSTs to accept and
decline lack the version of the proposal the member saw and answer with the form again (400).
"""

from django_scopes import scope

from portal.services.profile import profile_change_propose
from tests.matrix.common import EVERYONE, FORM_ERROR
from tests.portal_helpers import portal_world

REFUSED_FORM = dict.fromkeys(EVERYONE, FORM_ERROR)


def prepare(w):
    portal_world(w)
    with scope(tenant=w.tenant.pk):
        w.profile_change = profile_change_propose(
            tenant=w.tenant,
            portal_user=w.portal_user,
            changes=[{"target": "firm", "field": "phone", "old": "", "new": "+90 212 555 00 00"}],
            message="Our new switchboard.",
        )


def change(w):
    return {"pk": w.profile_change.pk}


def firm(w):
    return {"pk": w.portal_firm.pk}


MATRIX = {
    "portal-changes:list": ("GET", None, EVERYONE),
    "portal-changes:firm-changes": ("GET", firm, EVERYONE),
    "portal-changes:detail": ("GET", change, EVERYONE),
    "portal-changes:accept": ("POST", change, REFUSED_FORM),
    "portal-changes:decline": ("POST", change, REFUSED_FORM),
}
