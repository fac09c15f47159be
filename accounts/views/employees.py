"""Employees: list, detail tabs, create, edit, status, remarks, history."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.forms import EmployeeForm, EmployeeStatusForm, NoteForm
from accounts.models import EMPLOYEE_EDITABLE_FIELDS, Employee, Position
from accounts.permissions import can_manage_employee, can_see_documents
from core import choices
from core.exports import csv_response
from core.views import TenantView, paginate


def form_error(form, error):
    """Attach a service's ValidationError to the form it came from."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class EmployeeMixin:
    """Loads ``self.employee`` (404 for another tenant's) and the member's row rights on it."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.employee = None

    def load(self, pk):
        self.employee = selectors.employee_get(tenant=self.tenant, member=self.member, pk=pk)
        self.subordinates = selectors.subordinates_of(tenant=self.tenant, member=self.member)
        return self.employee

    def require_manage(self):
        if not can_manage_employee(self.member, self.employee, self.subordinates):
            raise PermissionDenied

    def detail_context(self, tab):
        employee = self.employee
        return {
            "employee": employee,
            "tab": tab,
            "can_manage": can_manage_employee(self.member, employee, self.subordinates),
            "can_see_documents": can_see_documents(self.member, employee, self.subordinates),
            "position_labels": choices.labels(tenant=self.tenant, key="position"),
        }


def filtered_employees(request, tenant, member):
    """The employee list narrowed by the filter form's parameters (bad values are ignored)."""
    params = request.GET
    department = params.get("department", "")
    position = params.get("position", "")
    status = params.get("status", "")
    return selectors.employee_list(
        tenant=tenant,
        member=member,
        search=params.get("q", "").strip()[:100],
        department=department if department.isdigit() else None,
        position=position if position in Position else "",
        status=status if status in Employee.Status else "",
    )


class EmployeeListView(TenantView):
    permissions = {"GET": "employees.view"}

    def get(self, request, tenant_slug):
        params = request.GET
        page = paginate(request, filtered_employees(request, self.tenant, self.member))
        context = {
            "page": page,
            "departments": choices.options(tenant=self.tenant, key="department"),
            "position_labels": choices.labels(tenant=self.tenant, key="position"),
            "positions": Position.choices,
            "statuses": Employee.Status.choices,
            "params": params,
        }
        template = "accounts/_employee_rows.html" if request.htmx else "accounts/employee_list.html"
        return render(request, template, context)


class EmployeeCreateView(TenantView):
    permissions = {"GET": "employees.add", "POST": "employees.add"}

    def get(self, request, tenant_slug):
        form = EmployeeForm(
            tenant=self.tenant, member=self.member, initial={"position": Position.EMPLOYEE}
        )
        return render(request, "accounts/employee_form.html", {"form": form})

    def post(self, request, tenant_slug):
        form = EmployeeForm(request.POST, tenant=self.tenant, member=self.member)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in EMPLOYEE_EDITABLE_FIELDS}
            if not self.member.reaches_everything and data["position"] in (
                Position.EXECUTIVE,
                Position.EXECUTIVE_MANAGER,
            ):
                form.add_error("position", _("Only executives can add this position."))
            else:
                try:
                    employee = services.employee_create(
                        tenant=self.tenant,
                        actor=request.user,
                        email=form.cleaned_data["email"],
                        **data,
                    )
                except ValidationError as error:
                    form_error(form, error)
                else:
                    messages.success(
                        request,
                        _("%(name)s was added and invited by e-mail.") % {"name": employee},
                    )
                    return redirect("accounts:employee-detail", self.tenant.slug, employee.pk)
        return render(request, "accounts/employee_form.html", {"form": form}, status=400)


class EmployeeOptionsView(TenantView):
    """The dependent drop-downs: the reports-to list for the chosen department."""

    permissions = {"GET": "employees.view"}

    def get(self, request, tenant_slug, pk=None):
        instance = None
        if pk is not None:
            instance = selectors.employee_get(tenant=self.tenant, member=self.member, pk=pk)
        # Unbound, so that the refreshed fields show no "required" errors before submitting.
        initial = {name: request.GET.get(name, "") for name in ("department", "position")}
        initial["reports_to"] = request.GET.get("reports_to", "")
        form = EmployeeForm(
            tenant=self.tenant, member=self.member, instance=instance, initial=initial
        )
        return render(request, "accounts/_hierarchy_fields.html", {"form": form})


class EmployeeDetailView(EmployeeMixin, TenantView):
    permissions = {"GET": "employees.view"}

    def get(self, request, tenant_slug, pk):
        self.load(pk)
        context = self.detail_context("overview")
        context["notes"] = selectors.employee_notes(tenant=self.tenant, employee=self.employee)
        context["note_form"] = NoteForm()
        return render(request, "accounts/employee_detail.html", context)


class EmployeeEditView(EmployeeMixin, TenantView):
    permissions = {"GET": "employees.change", "POST": "employees.change"}

    def get(self, request, tenant_slug, pk):
        self.load(pk)
        self.require_manage()
        form = EmployeeForm(tenant=self.tenant, member=self.member, instance=self.employee)
        return render(
            request, "accounts/employee_form.html", {"form": form, "employee": self.employee}
        )

    def post(self, request, tenant_slug, pk):
        self.load(pk)
        self.require_manage()
        form = EmployeeForm(
            request.POST, tenant=self.tenant, member=self.member, instance=self.employee
        )
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in EMPLOYEE_EDITABLE_FIELDS}
            if data["profile"] is None:
                data["profile"] = self.employee.profile
            try:
                services.employee_update(
                    tenant=self.tenant,
                    actor=request.user,
                    employee=self.employee,
                    email=form.cleaned_data["email"],
                    **data,
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect("accounts:employee-detail", self.tenant.slug, self.employee.pk)
        context = {"form": form, "employee": self.employee}
        return render(request, "accounts/employee_form.html", context, status=400)


class EmployeeStatusView(EmployeeMixin, TenantView):
    permissions = {"GET": "employees.change", "POST": "employees.change"}

    def get(self, request, tenant_slug, pk):
        self.load(pk)
        self.require_manage()
        form = EmployeeStatusForm(
            initial={"status": self.employee.status, "exit_date": self.employee.exit_date}
        )
        return render(
            request, "accounts/employee_status.html", {"form": form, "employee": self.employee}
        )

    def post(self, request, tenant_slug, pk):
        self.load(pk)
        self.require_manage()
        form = EmployeeStatusForm(request.POST)
        if form.is_valid():
            try:
                services.employee_set_status(
                    tenant=self.tenant,
                    actor=request.user,
                    employee=self.employee,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The status is changed."))
                return redirect("accounts:employee-detail", self.tenant.slug, self.employee.pk)
        context = {"form": form, "employee": self.employee}
        return render(request, "accounts/employee_status.html", context, status=400)


class EmployeeInviteView(EmployeeMixin, TenantView):
    permissions = {"POST": "employees.change"}

    def post(self, request, tenant_slug, pk):
        self.load(pk)
        self.require_manage()
        if self.employee.is_working:
            services.employee_invite(tenant=self.tenant, actor=request.user, employee=self.employee)
            messages.success(request, _("The invitation is sent again."))
        return redirect("accounts:employee-detail", self.tenant.slug, self.employee.pk)


class EmployeeNoteView(EmployeeMixin, TenantView):
    permissions = {"POST": "employees.change"}

    def post(self, request, tenant_slug, pk):
        self.load(pk)
        self.require_manage()
        form = NoteForm(request.POST)
        if form.is_valid():
            services.employee_note_add(
                tenant=self.tenant,
                actor=request.user,
                employee=self.employee,
                text=form.cleaned_data["text"],
            )
            messages.success(request, _("The remark is added."))
            return redirect("accounts:employee-detail", self.tenant.slug, self.employee.pk)
        context = self.detail_context("overview")
        context["notes"] = selectors.employee_notes(tenant=self.tenant, employee=self.employee)
        context["note_form"] = form
        return render(request, "accounts/employee_detail.html", context, status=400)


class EmployeeHistoryView(EmployeeMixin, TenantView):
    permissions = {"GET": "history.view"}

    def get(self, request, tenant_slug, pk):
        self.load(pk)
        context = self.detail_context("history")
        context["entries"] = selectors.employee_history(tenant=self.tenant, employee=self.employee)
        return render(request, "accounts/employee_history.html", context)


class EmployeeExportView(TenantView):
    """The filtered employee list as CSV, streamed."""

    permissions = {"GET": "employees.export"}

    def get(self, request, tenant_slug):
        employees = filtered_employees(request, self.tenant, self.member)
        position_labels = choices.labels(tenant=self.tenant, key="position")
        header = [
            _("First name"),
            _("Last name"),
            _("E-mail"),
            _("Work phone"),
            _("Mobile phone"),
            _("Department"),
            _("Position"),
            _("Reports to"),
            _("Start date"),
            _("Status"),
            _("Exit date"),
        ]
        rows = (
            [
                e.first_name,
                e.last_name,
                e.user.email,
                e.work_phone,
                e.mobile_phone,
                e.department.label if e.department else "",
                position_labels.get(e.position, e.get_position_display()),
                e.reports_to.full_name if e.reports_to else "",
                e.start_date.isoformat() if e.start_date else "",
                e.get_status_display(),
                e.exit_date.isoformat() if e.exit_date else "",
            ]
            for e in employees.iterator(chunk_size=500)
        )
        return csv_response(f"employees-{self.tenant.slug}.csv", header, rows)
