"""The base of every portal page: ``/o/<tenant-slug>/portal/...``.

A portal view declares ``PORTAL`` (a logged-in portal user of this tenant) or ``PUBLIC`` per
HTTP method. ``self.firm`` is the portal user's firm: every query of a portal page starts from
it, so another firm's records are never found (404).
"""

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View

from core.permissions import PORTAL, PUBLIC


class PortalView(View):
    permissions: dict[str, str] | None = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.tenant = request.tenant
        self.portal_user = request.portal_user
        self.firm = self.portal_user.firm if self.portal_user else None

    def dispatch(self, request, *args, **kwargs):
        if not self.permissions:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no permissions.")
        method = "GET" if request.method == "HEAD" else request.method
        needed = self.permissions.get(method)
        if needed is None:
            return HttpResponseNotAllowed(sorted(self.permissions))
        if needed not in (PORTAL, PUBLIC):
            raise ImproperlyConfigured(f"{type(self).__name__}: portal views are PORTAL or PUBLIC.")
        if needed == PORTAL and self.portal_user is None:
            return redirect_to_portal_login(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {"portal_user": self.portal_user, "firm": self.firm, "tenant": self.tenant, **kwargs}


def redirect_to_portal_login(request):
    url = reverse("portal:login", args=[request.tenant.slug])
    return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
