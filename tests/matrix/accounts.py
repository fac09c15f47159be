"""Matrix entries for the accounts module's tenant URLs (see tests/test_permission_matrix.py)."""

from django.core.files.base import ContentFile
from django_scopes import scope

from accounts import services
from accounts.models import EmployeeDocument
from tests.matrix.common import EVERYONE, FORBIDDEN, FORM_ERROR, OK, REDIRECT

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def prepare(w):
    """Objects the URLs below need, added to the world ``w``."""
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


MATRIX = {
    "accounts:home": ("GET", None, EVERYONE),
    "accounts:employee-list": ("GET", None, EVERYONE),
    "accounts:employee-create": (
        "GET",
        None,
        {"employee": FORBIDDEN, "manager": OK, "executive": OK},
    ),
    "accounts:employee-options": ("GET", None, EVERYONE),
    "accounts:employee-picker": ("GET", None, EVERYONE),
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
    "accounts:company-settings": (
        "GET",
        None,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK},
    ),
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
    "accounts:choice-quick-add": (
        "POST",
        department,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": FORM_ERROR},
    ),
    "accounts:choice-edit": (
        "GET",
        department_entry,
        {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK},
    ),
}
