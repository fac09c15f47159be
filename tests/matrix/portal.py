"""Matrix entries of the customer portal's own pages (see tests/test_permission_matrix.py).

``PORTAL_MATRIX``: ``{url name: (method, kwargs builder or None, {role: expected})}`` for the
roles ``anonymous`` (staff count as anonymous), ``portal`` (the portal user of the firm the
URL's objects belong to, ``w.portal_user``) and ``other_firm`` (``w.other_portal_user``);
``"login"`` means a redirect to the portal's login. The portal world comes from
``tests.portal_helpers.portal_world``.
"""

from tests.matrix.common import FORM_ERROR, OK, REDIRECT

LOGIN = "login"
PORTAL_ONLY = {"anonymous": LOGIN, "portal": OK, "other_firm": OK}


def token(w):
    return {"token": "not-a-valid-token"}


PORTAL_MATRIX = {
    "portal:home": ("GET", None, PORTAL_ONLY),
    "portal:login": ("GET", None, {"anonymous": OK, "portal": REDIRECT, "other_firm": REDIRECT}),
    "portal:logout": ("POST", None, dict.fromkeys(PORTAL_ONLY, REDIRECT)),
    "portal:forgot-password": ("GET", None, dict.fromkeys(PORTAL_ONLY, OK)),
    "portal:set-password": ("GET", token, dict.fromkeys(PORTAL_ONLY, FORM_ERROR)),
    "portal:language": ("POST", None, dict.fromkeys(PORTAL_ONLY, REDIRECT)),
}
