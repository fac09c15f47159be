"""The isolation and permission matrix: every named URL, every role.

Roles: logged out, a member of another tenant, and the three kinds of member of the URL's
tenant (employee, manager, executive) with their default profiles. A meta-test fails when a
named URL is missing from the matrix.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope

from accounts import services
from accounts.models import EmployeeDocument
from tests.factories import make_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# name: (method, kwargs builder, {role: expected status})
# Roles absent from the dict follow the defaults: anonymous → login redirect, stranger → 404.
OK, FORM_ERROR, REDIRECT, FORBIDDEN = 200, 400, 302, 403
EVERYONE = {"employee": OK, "manager": OK, "executive": OK}


def target(w):
    return {"pk": w.employee.pk}


def document(w):
    return {"pk": w.employee.pk, "document_pk": w.document.pk}


def profile(w):
    return {"pk": w.custom_profile.pk}


def department(w):
    return {"list_key": "department"}


def department_entry(w):
    return {"list_key": "department", "pk": w.employee.department_id}


TENANT_MATRIX = {
    "accounts:home": ("GET", None, EVERYONE),
    "accounts:employee-list": ("GET", None, EVERYONE),
    "accounts:employee-create": (
        "GET",
        None,
        {"employee": FORBIDDEN, "manager": OK, "executive": OK},
    ),
    "accounts:employee-options": ("GET", None, EVERYONE),
    "accounts:employee-export": (
        "GET",
        None,
        {"employee": FORBIDDEN, "manager": OK, "executive": OK},
    ),
    "accounts:employee-detail": ("GET", target, EVERYONE),
    "accounts:employee-edit": (
        "GET",
        target,
        {"employee": FORBIDDEN, "manager": OK, "executive": OK},
    ),
    "accounts:employee-edit-options": ("GET", target, EVERYONE),
    "accounts:employee-status": (
        "GET",
        target,
        {"employee": FORBIDDEN, "manager": OK, "executive": OK},
    ),
    "accounts:employee-invite": (
        "POST",
        target,
        {"employee": FORBIDDEN, "manager": REDIRECT, "executive": REDIRECT},
    ),
    "accounts:employee-note": (
        "POST",
        target,
        {"employee": FORBIDDEN, "manager": FORM_ERROR, "executive": FORM_ERROR},
    ),
    "accounts:employee-history": (
        "GET",
        target,
        {"employee": FORBIDDEN, "manager": OK, "executive": OK},
    ),
    # The employee role is the target itself: a person reads their own documents.
    "accounts:employee-documents": ("GET", target, EVERYONE),
    "accounts:document-upload": (
        "POST",
        target,
        {"employee": FORBIDDEN, "manager": FORM_ERROR, "executive": FORM_ERROR},
    ),
    "accounts:document-download": ("GET", document, EVERYONE),
    "accounts:document-replace": (
        "POST",
        document,
        {"employee": FORBIDDEN, "manager": FORM_ERROR, "executive": FORM_ERROR},
    ),
    "accounts:document-remove": (
        "POST",
        document,
        {"employee": FORBIDDEN, "manager": REDIRECT, "executive": REDIRECT},
    ),
    "accounts:profile-list": (
        "GET",
        None,
        {"employee": FORBIDDEN, "manager": OK, "executive": OK},
    ),
    "accounts:profile-create": (
        "GET",
        None,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK},
    ),
    "accounts:profile-edit": (
        "GET",
        profile,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK},
    ),
    "accounts:profile-delete": (
        "POST",
        profile,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": REDIRECT},
    ),
    "accounts:settings": ("GET", None, {"employee": FORBIDDEN, "manager": OK, "executive": OK}),
    "accounts:outbox": (
        "GET",
        None,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK},
    ),
    "accounts:settings-list": (
        "GET",
        department,
        {"employee": FORBIDDEN, "manager": OK, "executive": OK},
    ),
    "accounts:choice-create": (
        "GET",
        department,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK},
    ),
    "accounts:choice-edit": (
        "GET",
        department_entry,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK},
    ),
}

# Pages outside a tenant: name → (method, kwargs, expected for anonymous, expected for a user).
GLOBAL_MATRIX = {
    "accounts:landing": ("GET", {}, OK, REDIRECT),
    "accounts:tenant-picker": ("GET", {}, "login", REDIRECT),
    "accounts:preferences": ("GET", {}, "login", OK),
    "accounts:language": ("POST", {}, REDIRECT, REDIRECT),
    "accounts:invitation": ("GET", {"uidb64": "MQ", "token": "bad-token"}, FORM_ERROR, FORM_ERROR),
}

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
        if name not in TENANT_MATRIX and name not in GLOBAL_MATRIX and not is_third_party(name)
    ]
    assert missing == [], f"URLs missing from the permission matrix: {missing}"


def build_world():
    w = make_world("Acme", "a")
    with scope(tenant=w.tenant.pk):
        w.document = services.document_upload(
            tenant=w.tenant,
            actor=w.executive.user,
            employee=w.employee,
            kind=EmployeeDocument.Kind.DIPLOMA,
            upload=ContentFile(PDF, name="diploma.pdf"),
            original_name="diploma.pdf",
            content_type="application/pdf",
        )
        w.custom_profile = services.profile_save(
            tenant=w.tenant, actor=None, name="Interns", description="", codes=["employees.view"]
        )
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
