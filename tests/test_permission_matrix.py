"""The isolation and permission matrix: every named URL, every role.

Roles: logged out, a member of another tenant, the three kinds of member of the URL's tenant
(employee, manager, executive) with their default profiles, and portal users. The tenant URLs'
entries live in ``tests/matrix/<module>.py`` (``MATRIX`` for staff pages, ``PORTAL_MATRIX``
for the customer portal's); a meta-test fails when a named URL is missing.

A portal user gets a 404 on every staff page and every page outside the tenant. On the portal's
pages, roles are: logged out and staff (both sent to the portal's login), the portal user of
the firm the URL's objects belong to, a portal user of another firm of the same tenant, and a
portal user of another tenant (always a 404).
"""

import importlib
import pkgutil

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope

import tests.matrix
from accounts import services
from tests.factories import make_world
from tests.matrix.common import FORM_ERROR, OK, REDIRECT
from tests.portal_helpers import portal_login, portal_world

MODULES = [
    importlib.import_module(f"tests.matrix.{info.name}")
    for info in pkgutil.iter_modules(tests.matrix.__path__)
    if info.name != "common"
]
TENANT_MATRIX = {
    name: entry for module in MODULES for name, entry in getattr(module, "MATRIX", {}).items()
}
PORTAL_MATRIX = {
    name: entry
    for module in MODULES
    for name, entry in getattr(module, "PORTAL_MATRIX", {}).items()
}

# Pages outside a tenant: name → (method, kwargs, expected for anonymous, expected for a user).
GLOBAL_MATRIX = {
    "accounts:landing": ("GET", {}, OK, REDIRECT),
    "accounts:tenant-picker": ("GET", {}, "login", REDIRECT),
    "accounts:preferences": ("GET", {}, "login", OK),
    "accounts:language": ("POST", {}, REDIRECT, REDIRECT),
    "accounts:invitation": ("GET", {"uidb64": "MQ", "token": "bad-token"}, FORM_ERROR, FORM_ERROR),
}
# Matrix modules may add pages outside a tenant (e.g. the public calendar feed).
for _module in MODULES:
    GLOBAL_MATRIX.update(getattr(_module, "GLOBAL_MATRIX", {}))

# Third-party pages (allauth, the Django admin) are covered by their own projects' tests; here
# they only have to answer without a server error for a logged-out visitor.
THIRD_PARTY_NAMESPACES = {"admin"}
THIRD_PARTY_PREFIXES = ("account_", "mfa_", "usersessions_")


def named_urls():
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}{pattern.namespace}:"
                yield from walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}", pattern

    return dict(walk(get_resolver().url_patterns))


def is_third_party(name):
    return name.split(":")[0] in THIRD_PARTY_NAMESPACES or name.startswith(THIRD_PARTY_PREFIXES)


def test_every_named_url_is_in_the_matrix():
    missing = [
        name
        for name in named_urls()
        if name not in TENANT_MATRIX
        and name not in GLOBAL_MATRIX
        and name not in PORTAL_MATRIX
        and not is_third_party(name)
    ]
    assert missing == [], f"URLs missing from the permission matrix: {missing}"


def build_world():
    w = make_world("Acme", "a")
    portal_world(w)
    for module in MODULES:
        if hasattr(module, "prepare"):
            module.prepare(w)
    return w


def request(client, method, url):
    response = client.get(url) if method == "GET" else client.post(url, {})
    if response.streaming:
        # Consuming the stream closes the file (the test client closes the response at its end).
        b"".join(response.streaming_content)
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(TENANT_MATRIX))
def test_tenant_url(name, client):
    method, kwargs_for, expected = TENANT_MATRIX[name]
    w = build_world()
    stranger = make_world("Globex", "b").executive
    url = reverse(
        name, kwargs={"tenant_slug": w.tenant.slug, **(kwargs_for(w) if kwargs_for else {})}
    )

    response = request(client, method, url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"], "anonymous"

    client.force_login(stranger.user)
    assert request(client, method, url).status_code == 404, "member of another tenant"

    for role in ("employee", "manager", "executive"):
        client.force_login(getattr(w, role).user)
        status = request(client, method, url).status_code
        assert status == expected[role], f"{role}: {status}, expected {expected[role]}"

    # A method the view does not declare is refused.
    other = "PUT"
    assert client.generic(other, url).status_code == 405

    portal_login(client, w.portal_user)
    assert request(client, method, url).status_code == 404, "portal user"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PORTAL_MATRIX))
def test_portal_url(name, client):
    method, kwargs_for, expected = PORTAL_MATRIX[name]
    w = build_world()
    stranger = make_world("Globex", "b")
    strangers_portal = portal_world(stranger).portal_user
    url = reverse(
        name, kwargs={"tenant_slug": w.tenant.slug, **(kwargs_for(w) if kwargs_for else {})}
    )
    login_url = reverse("portal:login", args=[w.tenant.slug])

    def check(role, response):
        want = expected[role]
        if want == "login":
            assert response.status_code == 302, f"{role}: {response.status_code}"
            assert response["Location"].startswith(login_url), f"{role}: {response['Location']}"
        else:
            assert response.status_code == want, f"{role}: {response.status_code}, expected {want}"

    check("anonymous", request(client, method, url))
    client.force_login(w.executive.user)  # staff are not portal users
    check("anonymous", request(client, method, url))
    client.logout()

    portal_login(client, strangers_portal)
    assert request(client, method, url).status_code == 404, "portal user of another tenant"

    portal_login(client, w.other_portal_user)
    check("other_firm", request(client, method, url))

    portal_login(client, w.portal_user)
    check("portal", request(client, method, url))
    assert client.generic("PUT", url).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(GLOBAL_MATRIX))
def test_global_url(name, client, world):
    method, kwargs, anonymous, member = GLOBAL_MATRIX[name]
    url = reverse(name, kwargs=kwargs)
    response = request(client, method, url)
    if anonymous == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == anonymous
    client.force_login(world.employee.user)
    assert request(client, method, url).status_code == member

    client.logout()
    portal_login(client, portal_world(world).portal_user)
    status = request(client, method, url).status_code
    public = name in ("document-link", "ics-feed")  # open to anyone: a token opens them
    assert status == (anonymous if public and anonymous != "login" else 404), "portal user"


@pytest.mark.django_db
def test_third_party_pages_answer_without_server_error(client):
    checked = 0
    for name in named_urls():
        if not is_third_party(name):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # needs arguments (a key or an id): not a page to walk blind
            continue
        assert client.get(url).status_code < 500, name
        checked += 1
    assert checked > 10


@pytest.mark.django_db
def test_employee_cannot_reach_a_colleague_they_do_not_manage(client, world):
    """Row rules: a manager manages the people below them, not a colleague elsewhere."""
    client.force_login(world.manager.user)
    slug = world.tenant.slug
    assert (
        client.get(reverse("accounts:employee-edit", args=[slug, world.employee.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("accounts:employee-edit", args=[slug, world.outsider.pk])).status_code
        == 403
    )
    assert (
        client.get(
            reverse("accounts:employee-documents", args=[slug, world.outsider.pk])
        ).status_code
        == 403
    )
    client.force_login(world.outsider.user)
    assert (
        client.get(
            reverse("accounts:employee-documents", args=[slug, world.employee.pk])
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_former_employee_is_not_a_member(client, world):
    with scope(tenant=world.tenant.pk):
        services.employee_set_status(
            tenant=world.tenant,
            actor=world.executive.user,
            employee=world.employee,
            status="resigned",
            exit_date="2026-11-01",
            reason="Moved abroad",
        )
    client.force_login(world.employee.user)
    assert client.get(reverse("accounts:home", args=[world.tenant.slug])).status_code in (302, 404)
