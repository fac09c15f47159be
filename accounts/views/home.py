"""The tenant home page: the user's day, with the start page's tasks (seed 004)."""

from django.shortcuts import render

from accounts import selectors
from agenda.selectors.activities import start_page
from core.permissions import MEMBER
from core.views import TenantView


class HomeView(TenantView):
    permissions = {"GET": MEMBER}

    def get(self, request, tenant_slug):
        reports = selectors.direct_report_count(tenant=self.tenant, member=self.member)
        current, overdue = [], []
        show_tasks = self.member.has_perm("agenda.view")
        if show_tasks:
            current, overdue = start_page(tenant=self.tenant, member=self.member)
        context = {
            "report_count": reports,
            "show_tasks": show_tasks,
            "current_tasks": current,
            "overdue_tasks": overdue,
        }
        return render(request, "accounts/home.html", context)
