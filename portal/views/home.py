"""The portal's start page: what is new for the firm."""

from django.shortcuts import render

from core.permissions import PORTAL
from portal import selectors
from portal.views.base import PortalView

LATEST = 3


class HomeView(PortalView):
    permissions = {"GET": PORTAL}

    def get(self, request, tenant_slug):
        tenant, firm = self.tenant, self.firm
        appointments = selectors.upcoming_appointments(tenant=tenant, firm=firm)[:LATEST]
        context = self.get_context_data(
            nav="home",
            summary=selectors.home_summary(tenant=tenant, firm=firm),
            appointments=selectors.with_people(appointments),
            invoices=list(selectors.firm_invoices(tenant=tenant, firm=firm)[:LATEST]),
        )
        return render(request, "portal/home.html", context)
