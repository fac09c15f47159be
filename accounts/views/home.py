"""The tenant home page: the user's day."""

from django.shortcuts import render

from accounts import selectors
from core.permissions import MEMBER
from core.views import TenantView


class HomeView(TenantView):
    permissions = {"GET": MEMBER}

    def get(self, request, tenant_slug):
        reports = selectors.direct_report_count(tenant=self.tenant, member=self.member)
        return render(request, "accounts/home.html", {"report_count": reports})
