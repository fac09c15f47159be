"""Permission codes of the accounts module and the row rules for employees."""

from django.utils.translation import gettext_lazy as _

from core.permissions import register_module

register_module(
    "employees",
    _("Employees"),
    [
        ("view", _("View employees")),
        ("add", _("Add employees")),
        ("change", _("Change employees and their status")),
        ("documents", _("View and manage employee documents")),
        ("export", _("Export the employee list")),
    ],
    defaults={
        "manager": ["view", "add", "change", "documents", "export"],
        "employee": ["view"],
    },
)
register_module(
    "profiles",
    _("Permission profiles"),
    [("view", _("View permission profiles")), ("manage", _("Create, change and assign profiles"))],
    defaults={"manager": ["view"]},
)
register_module(
    "settings",
    _("Settings"),
    [
        ("view", _("View the lists behind drop-downs")),
        ("change", _("Edit those lists and the company settings")),
    ],
    defaults={"manager": ["view"]},
)
register_module(
    "history",
    _("History"),
    [("view", _("View the change history of records"))],
    defaults={"manager": ["view"]},
)
register_module(
    "mail",
    _("E-mail"),
    [("view", _("View outgoing e-mail and its delivery state"))],
)


def subordinate_ids(employee, all_employees):
    """Ids of everyone below ``employee`` in the reports-to tree (not including them)."""
    children = {}
    for other in all_employees:
        children.setdefault(other.reports_to_id, []).append(other.pk)
    found, stack = set(), list(children.get(employee.pk, []))
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


def can_manage_employee(member, employee, subordinates):
    """Row rule: executives reach everyone; a manager reaches the people below them."""
    if member.reaches_everything:
        return True
    return member.is_manager and employee.pk in subordinates


def can_see_documents(member, employee, subordinates):
    """Row rule for reading an employee's documents: the person, their managers, executives."""
    if member.pk == employee.pk:
        return True
    return can_manage_documents(member, employee, subordinates)


def can_manage_documents(member, employee, subordinates):
    """Row rule for uploading, replacing and removing an employee's documents."""
    return member.has_perm("employees.documents") and can_manage_employee(
        member, employee, subordinates
    )
