import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.urls import reverse
from django_scopes import scope

from accounts.models import Employee, EmployeeNote, User
from core.models import AuditEntry, OutboxEmail
from tests.factories import department


def url(world, name, *args):
    return reverse(f"accounts:{name}", args=[world.tenant.slug, *args])


def employee_data(world, **overrides):
    data = {
        "first_name": "Deniz",
        "last_name": "Arslan",
        "email": "deniz@example.com",
        "work_phone": "+90 212 555 00 00",
        "mobile_phone": "",
        "department": department(world.tenant, "sales").pk,
        "position": "employee",
        "reports_to": world.manager.pk,
        "profile": "",
        "start_date": "2026-11-02",
        "description": "Joins the Istanbul sales team.",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_executive_adds_employee_and_invitation_is_queued(client, world):
    client.force_login(world.executive.user)
    response = client.post(url(world, "employee-create"), employee_data(world))
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        employee = Employee.objects.get(user__email="deniz@example.com")
        assert employee.reports_to == world.manager
        assert employee.profile.default_for == "employee"
        assert AuditEntry.objects.filter(subject_id=employee.pk, action="create").exists()
    assert not employee.user.has_usable_password()
    mail = OutboxEmail.objects.get(to=["deniz@example.com"])
    assert "Acme" in mail.subject
    assert "/invitation/" in mail.body_text
    # No password travels in an e-mail: the only secret is the one-time link.
    assert "password:" not in mail.body_text.lower()
    page = client.get(response["Location"])
    assert "Deniz Arslan" in page.text and "was added and invited" in page.text


@pytest.mark.django_db
def test_invitation_link_sets_password_once(client, world):
    client.force_login(world.executive.user)
    client.post(url(world, "employee-create"), employee_data(world))
    client.logout()
    body = OutboxEmail.objects.get(to=["deniz@example.com"]).body_text
    link = next(line for line in body.splitlines() if "/invitation/" in line)
    path = link.replace("http://testserver", "").strip()
    assert client.get(path).status_code == 200
    response = client.post(
        path, {"new_password1": "Str0ng-pass-phrase", "new_password2": "Str0ng-pass-phrase"}
    )
    assert response.status_code == 302
    home = client.get(response["Location"], follow=True)
    assert "Good day, Deniz" in home.text
    client.logout()
    assert client.get(path).status_code == 400  # used once
    assert client.login(email="deniz@example.com", password="Str0ng-pass-phrase")


@pytest.mark.django_db
def test_reports_to_options_follow_the_department(client, world):
    client.force_login(world.executive.user)
    support = department(world.tenant, "support")
    response = client.get(
        url(world, "employee-options"), {"department": support.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    # Sales' manager is not offered for Support; the executive is (own group).
    assert world.manager.full_name not in response.text
    assert world.executive.full_name in response.text
    sales = client.get(url(world, "employee-options"), {"department": department(world.tenant).pk})
    assert world.manager.full_name in sales.text
    assert "<optgroup" in sales.text


@pytest.mark.django_db
def test_edit_records_history_with_old_and_new_values(client, world):
    client.force_login(world.executive.user)
    data = employee_data(
        world,
        email=world.employee.user.email,
        first_name=world.employee.first_name,
        last_name="Newname",
        department=department(world.tenant, "support").pk,
        reports_to="",
    )
    response = client.post(url(world, "employee-edit", world.employee.pk), data)
    assert response.status_code == 302
    history = client.get(url(world, "employee-history", world.employee.pk))
    assert "Tester" in history.text and "Newname" in history.text
    assert "Sales" in history.text and "Customer support" in history.text
    assert world.executive.full_name in history.text


@pytest.mark.django_db
def test_reports_to_loop_is_refused(client, world):
    from tests.factories import make_employee

    deputy = make_employee(
        world.tenant, "deputy@example.com", "executive", "management", reports_to=world.executive
    )
    client.force_login(world.executive.user)
    data = employee_data(
        world,
        email=world.executive.user.email,
        first_name=world.executive.first_name,
        last_name=world.executive.last_name,
        department=department(world.tenant, "management").pk,
        position="executive",
        reports_to=deputy.pk,  # who reports to the executive already
    )
    response = client.post(url(world, "employee-edit", world.executive.pk), data)
    assert response.status_code == 400
    assert "cannot report to themselves" in response.text
    with scope(tenant=world.tenant.pk):
        world.executive.refresh_from_db()
    assert world.executive.reports_to is None


@pytest.mark.django_db
def test_reports_to_candidates_follow_the_position(client, world):
    client.force_login(world.executive.user)
    sales = department(world.tenant).pk
    for_employee = client.get(
        url(world, "employee-options"), {"department": sales, "position": "employee"}
    )
    for_manager = client.get(
        url(world, "employee-options"), {"department": sales, "position": "manager"}
    )
    assert world.manager.full_name in for_employee.text
    assert world.manager.full_name not in for_manager.text
    assert world.executive.full_name in for_manager.text
    assert "This field is required" not in for_employee.text


@pytest.mark.django_db
def test_dismissal_disables_login_and_ends_sessions(client, world):
    from django.test import Client

    victim = Client()
    victim.force_login(world.employee.user)
    victim.get(url(world, "home"))
    assert UserSession.objects.filter(user=world.employee.user).exists()

    client.force_login(world.executive.user)
    response = client.post(
        url(world, "employee-status", world.employee.pk),
        {"status": "dismissed", "exit_date": "2026-11-20", "reason": "Breach of policy"},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=world.employee.user_id)
    assert not user.is_active
    assert not UserSession.objects.filter(user=user).exists()
    assert not Session.objects.filter(session_key=victim.session.session_key).exists()
    assert victim.get(url(world, "home")).status_code == 302  # logged out
    with scope(tenant=world.tenant.pk):
        note = EmployeeNote.objects.get(employee=world.employee)
        assert "Breach of policy" in note.text
        assert Employee.objects.filter(pk=world.employee.pk).exists()  # nothing deleted
    detail = client.get(url(world, "employee-detail", world.employee.pk))
    assert "Breach of policy" in detail.text and "Dismissed" in detail.text


@pytest.mark.django_db
def test_status_change_needs_reason_and_exit_date(client, world):
    client.force_login(world.executive.user)
    response = client.post(
        url(world, "employee-status", world.employee.pk), {"status": "resigned", "reason": ""}
    )
    assert response.status_code == 400
    assert "This field is required" in response.text and "Give the exit date" in response.text
    with scope(tenant=world.tenant.pk):
        assert Employee.objects.get(pk=world.employee.pk).status == "working"


@pytest.mark.django_db
def test_executive_cannot_dismiss_themselves(client, world):
    client.force_login(world.executive.user)
    response = client.post(
        url(world, "employee-status", world.executive.pk),
        {"status": "resigned", "exit_date": "2026-11-20", "reason": "x"},
    )
    assert response.status_code == 400
    assert "own employment" in response.text


@pytest.mark.django_db
def test_manager_cannot_create_an_executive(client, world):
    client.force_login(world.manager.user)
    response = client.post(
        url(world, "employee-create"), employee_data(world, position="executive")
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="deniz@example.com").exists()


@pytest.mark.django_db
def test_existing_user_is_added_without_a_new_password(client, world, other_world):
    client.force_login(world.executive.user)
    email = other_world.employee.user.email
    response = client.post(url(world, "employee-create"), employee_data(world, email=email))
    assert response.status_code == 302
    body = OutboxEmail.objects.get(to=[email]).body_text
    assert "/invitation/" not in body and "existing password" in body


@pytest.mark.django_db
def test_duplicate_employee_is_a_form_error(client, world):
    client.force_login(world.executive.user)
    response = client.post(
        url(world, "employee-create"), employee_data(world, email=world.employee.user.email)
    )
    assert response.status_code == 400
    assert "already an employee here" in response.text


@pytest.mark.django_db
def test_employee_list_filters_and_search(client, world):
    client.force_login(world.executive.user)
    response = client.get(url(world, "employee-list"), {"q": "outsider"})
    assert "Outsider" in response.text and "a-manager@" not in response.text
    response = client.get(url(world, "employee-list"), {"position": "manager"})
    assert "a-manager@" in response.text and "a-outsider@" not in response.text
    response = client.get(url(world, "employee-list"), {"page": "999", "status": "bogus"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_export_is_filtered_and_spreadsheet_safe(client, world):
    from core.exports import safe_cell

    client.force_login(world.executive.user)
    response = client.get(url(world, "employee-export"), {"position": "manager"})
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert "a-manager@example.com" in body and "a-outsider@example.com" not in body
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and safe_cell("Ada") == "Ada"
