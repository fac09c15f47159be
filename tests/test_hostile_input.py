"""Every form gets hostile input: never a server error, nothing half-saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import Employee, EmployeeDocument, EmployeeNote, PermissionProfile, User
from core.models import AuditEntry, Choice, OutboxEmail
from tests.factories import department

HOSTILE = [
    "x" * 20000,
    "nul\x00byte",
    "line\r\nBcc: victim@example.com",
    '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "../../etc/passwd",
    "٣٤٥ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e",
    "",
    "-1",
    "99999999999999999999999",
]
ALLOWED = {200, 302, 400, 403, 404, 405}
MODELS = [
    User,
    Employee,
    EmployeeDocument,
    EmployeeNote,
    PermissionProfile,
    AuditEntry,
    Choice,
    OutboxEmail,
]


def snapshot():
    with scopes_disabled():
        return {model.__name__: model.objects.count() for model in MODELS}


def employee_form(w):
    return {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "work_phone": "+90 212 000 00 00",
        "mobile_phone": "",
        "department": department(w.tenant).pk,
        "position": "employee",
        "reports_to": w.manager.pk,
        "profile": "",
        "start_date": "2026-01-05",
        "description": "ok",
    }


def edit_form(w):
    return {**employee_form(w), "email": w.employee.user.email}


FORMS = {
    "employee-create": (lambda w: [], employee_form),
    "employee-edit": (lambda w: [w.employee.pk], edit_form),
    "employee-status": (
        lambda w: [w.employee.pk],
        lambda w: {"status": "resigned", "exit_date": "2026-10-01", "reason": "Left"},
    ),
    "employee-note": (lambda w: [w.employee.pk], lambda w: {"text": "Fine work"}),
    "profile-create": (
        lambda w: [],
        lambda w: {"name": "Auditors", "description": "", "codes": ["employees.view"]},
    ),
    "choice-create": (
        lambda w: ["department"],
        lambda w: {"label": "Logistics", "order": "50", "colour": "#112233", "is_active": "on"},
    ),
    "choice-edit": (
        lambda w: ["department", department(w.tenant).pk],
        lambda w: {"label": "Sales", "order": "5", "colour": "#112233", "is_active": "on"},
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORMS))
def test_hostile_values_in_every_field(name, client, world):
    args_for, data_for = FORMS[name]
    url = reverse(f"accounts:{name}", args=[world.tenant.slug, *args_for(world)])
    client.force_login(world.executive.user)
    fields = list(data_for(world))
    for field in fields:
        for value in HOSTILE:
            data = {**data_for(world), field: value}
            before = snapshot()
            response = client.post(url, data)
            assert response.status_code in ALLOWED, (field, value[:30], response.status_code)
            if response.status_code != 302:
                assert snapshot() == before, (field, value[:30])
            with scopes_disabled():
                for model in (Employee, EmployeeNote, Choice, PermissionProfile):
                    for row in model.objects.all():
                        for f in model._meta.concrete_fields:
                            assert "\x00" not in str(getattr(row, f.attname) or "")


@pytest.mark.django_db
def test_ids_from_another_tenant_are_refused(client, world, other_world):
    client.force_login(world.executive.user)
    url = reverse("accounts:employee-create", args=[world.tenant.slug])
    with scopes_disabled():
        foreign_profile = PermissionProfile.objects.filter(tenant=other_world.tenant).first()
    for field, value in [
        ("department", department(other_world.tenant).pk),
        ("reports_to", other_world.manager.pk),
        ("profile", foreign_profile.pk),
    ]:
        before = snapshot()
        response = client.post(url, {**employee_form(world), field: value})
        assert response.status_code == 400, field
        assert "Select a valid choice" in response.text
        assert snapshot() == before
    # A foreign list entry cannot be edited through this tenant's URL.
    foreign_entry = department(other_world.tenant)
    response = client.post(
        reverse("accounts:choice-edit", args=[world.tenant.slug, "department", foreign_entry.pk]),
        {"label": "Hijacked", "order": "1", "colour": "", "is_active": "on"},
    )
    assert response.status_code == 404
    with scopes_disabled():
        assert Choice.objects.get(pk=foreign_entry.pk).label == "Sales"


@pytest.mark.django_db
def test_hostile_uploads_and_kinds(client, world):
    client.force_login(world.executive.user)
    url = reverse("accounts:document-upload", args=[world.tenant.slug, world.employee.pk])
    for kind in [*HOSTILE, "photo"]:
        for name in ["a.pdf", "x" * 300 + ".pdf", "\x00.pdf", "<b>.pdf"]:
            before = snapshot()
            upload = SimpleUploadedFile(name, b"%PDF-1.4 hostile")
            response = client.post(url, {"kind": kind, "file": upload, "note": "n"})
            assert response.status_code in ALLOWED
            if response.status_code != 302:
                assert snapshot() == before


@pytest.mark.django_db
def test_hostile_preferences_and_unknown_lists(client, world):
    client.force_login(world.employee.user)
    for value in HOSTILE:
        response = client.post(
            reverse("accounts:preferences"), {"language": value, "time_zone": value}
        )
        assert response.status_code == 400
        response = client.post(reverse("accounts:language"), {"language": value, "next": value})
        assert response.status_code == 302
    client.force_login(world.executive.user)
    response = client.get(reverse("accounts:settings-list", args=[world.tenant.slug, "no-such"]))
    assert response.status_code == 404
    response = client.post(
        reverse("accounts:choice-create", args=[world.tenant.slug, "position"]),
        {"label": "Intern", "order": "1", "colour": "", "is_active": "on"},
    )
    assert response.status_code == 400  # a fixed list takes no new entries
