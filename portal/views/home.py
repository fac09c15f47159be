"""The portal's start page: what is new for the firm."""

from django.shortcuts import render

from core.permissions import PORTAL
from portal import selectors
from portal.views.base import PortalView


class HomeView(PortalView):
    permissions = {"GET": PORTAL}

    def get(self, request, tenant_slug):
        context = self.get_context_data(
            summary=selectors.home_summary(tenant=self.tenant, firm=self.firm)
        )
        return render(request, "portal/home.html", context)
