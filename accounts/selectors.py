"""Reads for the accounts module: memberships, employees, profiles."""

from django.db.models import Q, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.shortcuts import get_object_or_404
from django_scopes import scopes_disabled

from accounts.models import (
    Employee,
    EmployeeDocument,
    EmployeeNote,
    PermissionProfile,
    Tenant,
    User,
)
from accounts.permissions import subordinate_ids
from core import audit, badges, choices


def membership_for(user, slug):
    """``(tenant, employee)`` for a user in tenant ``slug``, in one query.

    ``(None, None)`` when the user is not a working employee of an active tenant ``slug``.
    The query names the user and the slug itself, so it runs outside a tenant scope. The
    employee carries the page frame's flags (``core.badges``) and ``user`` itself as its user.
    """
    with scopes_disabled():
        rows = list(
            Employee.objects.filter(
                tenant__slug=slug,
                tenant__is_active=True,
                user=user,
                status=Employee.Status.WORKING,
            )
            .select_related("profile", "tenant", "firm")
            .annotate(**badges.annotations())
            .order_by()[:1]
        )
    if not rows:
        return None, None
    employee = rows[0]
    employee.user = user
    return employee.tenant, employee


def tenants_for_user(user):
    """The active tenants where ``user`` is a working employee."""
    return (
        Tenant.objects.filter(
            is_active=True, employee__user=user, employee__status=Employee.Status.WORKING
        )
        .distinct()
        .order_by("name")
    )


def visible_employees(*, tenant, member):
    """Everyone in the tenant; for a dealer firm's staff, only the staff of that firm's subtree."""
    qs = Employee.objects.filter(tenant=tenant)
    if member.firm_id is not None:
        qs = qs.filter(
            Q(firm_id=member.firm_id) | Q(firm__path__startswith=member.firm.subtree_prefix)
        )
    return qs


PICKER_LIMIT = 20
PICKER_WORDS = 5


def working_employees(*, tenant, member):
    """Working employees ``member`` may see, by name: what an employee field accepts."""
    return (
        visible_employees(tenant=tenant, member=member)
        .filter(status=Employee.Status.WORKING)
        .order_by("first_name", "last_name", "id")
    )


def employee_picker_matches(*, tenant, member, query, limit=PICKER_LIMIT):
    """At most ``limit`` of the member's visible working employees matching ``query``.

    Every typed word must occur in the employee's first or last name, e-mail address or
    department, compared through ``kervan_unaccent()`` so that "cagri" finds "Çağrı" and
    "isik" finds "Işık". One query, whatever the number of employees.
    """
    from companies.selectors.search import Fold, Like, escape_like, parse_query

    words = parse_query(query).text.split()[:PICKER_WORDS]
    if not any(ch.isalnum() for word in words for ch in word):
        return []
    blank = Value(" ")
    haystack = Fold(
        Concat(
            "first_name", blank, "last_name", blank, "user__email", blank,
            Coalesce("department__label", Value("")), output_field=TextField(),
        )
    )  # fmt: skip
    people = working_employees(tenant=tenant, member=member).select_related("department", "user")
    for word in words:
        people = people.filter(Like(haystack, Fold(Value(f"%{escape_like(word)}%"))))
    return list(people[:limit])


def employee_list(*, tenant, member, search="", department=None, position="", status=""):
    qs = (
        visible_employees(tenant=tenant, member=member)
        .select_related("department", "reports_to", "user")
        .order_by("first_name", "last_name", "id")
    )
    if search:
        qs = qs.filter(
            Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(user__email__icontains=search)
            | Q(work_phone__icontains=search)
            | Q(mobile_phone__icontains=search)
        )
    if department:
        qs = qs.filter(department=department)
    if position:
        qs = qs.filter(position=position)
    if status:
        qs = qs.filter(status=status)
    return qs


def employee_get(*, tenant, member, pk):
    return get_object_or_404(
        visible_employees(tenant=tenant, member=member).select_related(
            "department", "reports_to", "user", "profile", "created_by", "firm"
        ),
        pk=pk,
    )


def subordinates_of(*, tenant, member):
    """Ids of the employees below ``member`` in the hierarchy."""
    if not member.is_manager:
        return set()
    rows = Employee.objects.filter(tenant=tenant).only("id", "reports_to_id")
    return subordinate_ids(member, rows)


# Who a person of each position may report to (seed 000: managers and executive-managers of
# the department; managers report to executive-managers, who report to executives).
SUPERIOR_POSITIONS = {
    "employee": ("manager", "executive_manager", "executive"),
    "manager": ("executive_manager", "executive"),
    "executive_manager": ("executive",),
    "executive": ("executive",),
}


def manager_candidates(*, tenant, department=None, position=""):
    """Working people an employee may report to: of the department and above the position."""
    positions = SUPERIOR_POSITIONS.get(position, SUPERIOR_POSITIONS["employee"])
    qs = Employee.objects.filter(
        tenant=tenant, status=Employee.Status.WORKING, position__in=positions
    ).select_related("department")
    if department is not None:
        qs = qs.filter(Q(department=department) | Q(position="executive"))
    return qs.order_by("department__order", "department__label", "first_name")


def grouped_manager_choices(*, tenant, department=None, position=""):
    """Reports-to choices grouped per department: ``[(group label, [(id, name)])]``."""
    groups = {}
    position_labels = choices.labels(tenant=tenant, key="position")
    candidates = manager_candidates(tenant=tenant, department=department, position=position)
    for manager in candidates:
        if manager.position == "executive":
            group = position_labels.get("executive", "Executive")
        else:
            group = manager.department.label if manager.department else "—"
        label = f"{manager.full_name} ({position_labels.get(manager.position, manager.position)})"
        groups.setdefault(group, []).append((manager.pk, label))
    return list(groups.items())


def employee_notes(*, tenant, employee):
    return EmployeeNote.objects.filter(tenant=tenant, employee=employee).select_related("author")


def employee_documents(*, tenant, employee, include_history=False):
    qs = EmployeeDocument.objects.filter(tenant=tenant, employee=employee).select_related(
        "uploaded_by", "removed_by"
    )
    if not include_history:
        qs = qs.filter(removed_at__isnull=True, replaced_by__isnull=True)
    return qs


def document_get(*, tenant, employee, pk):
    return get_object_or_404(
        EmployeeDocument.objects.filter(tenant=tenant, employee=employee), pk=pk
    )


def employee_history(*, tenant, employee):
    entries = list(audit.entries_for(tenant=tenant, instance=employee)[:200])
    return audit.with_field_labels(entries, Employee)


def profile_list(*, tenant):
    return PermissionProfile.objects.filter(tenant=tenant).order_by("name")


def profile_get(*, tenant, pk):
    return get_object_or_404(PermissionProfile.objects.filter(tenant=tenant), pk=pk)


def direct_report_count(*, tenant, member):
    return Employee.objects.filter(
        tenant=tenant, reports_to=member, status=Employee.Status.WORKING
    ).count()


def employer_firms(*, tenant, member=None):
    """The firms an employee may work for: distributors and dealers the member can see."""
    from companies.models import Firm
    from companies.models.firms import FirmType

    qs = Firm.objects.filter(tenant=tenant).exclude(type=FirmType.CUSTOMER)
    if member is not None and member.firm_id is not None:
        qs = qs.filter(Q(pk=member.firm_id) | Q(path__startswith=member.firm.subtree_prefix))
    return qs.order_by("name")


def user_get(*, pk):
    """A user by id, or None (the invitation link names its user)."""
    return User.objects.filter(pk=pk).first()
