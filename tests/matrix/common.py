"""Shared vocabulary of the matrix modules.

Each module in this package defines ``MATRIX`` — ``{url name: (method, kwargs builder or None,
{role: expected status})}`` for the roles employee, manager and executive — and may define
``prepare(world)`` to create the objects its URLs need. Logged out is always a login redirect
and a member of another tenant always a 404.
"""

OK, FORM_ERROR, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 400, 302, 403, 404
EVERYONE = {"employee": OK, "manager": OK, "executive": OK}
