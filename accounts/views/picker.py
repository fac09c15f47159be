"""The employee picker's suggestions (see ``core.forms.EmployeePicker``)."""

from django.shortcuts import render

from accounts import selectors
from core.permissions import MEMBER
from core.views import TenantView


class EmployeePickerView(TenantView):
    """``?q=``: an HTML fragment of at most 20 working employees the member may see.

    Any member may ask: every form with an employee field needs it, and the fragment shows
    no more than those forms' drop-downs used to (a name, a department, an e-mail address).
    """

    permissions = {"GET": MEMBER}

    def get(self, request, tenant_slug):
        query = request.GET.get("q", "")
        people = selectors.employee_picker_matches(
            tenant=self.tenant, member=self.member, query=query
        )
        context = {"people": people, "query": query.strip()}
        return render(request, "components/employee_picker_options.html", context)
