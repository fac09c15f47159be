"""Tenant resolution from the URL: every tenant page lives under ``/o/<tenant-slug>/``.

The middleware fails closed: anonymous users are sent to the login page, users who are not
members of the tenant get a 404, and the view (and its template rendering) runs inside
``scope(tenant=...)`` so that a query on a tenant model without the scope raises.
"""

import re

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils.module_loading import import_string
from django_scopes import scope

TENANT_PATH = re.compile(r"^/o/(?P<slug>[-a-z0-9]+)/")

MEMBERSHIP_RESOLVER = "accounts.selectors.membership_for"


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.resolve_membership = import_string(MEMBERSHIP_RESOLVER)

    def __call__(self, request):
        match = TENANT_PATH.match(request.path_info)
        if match is not None and request.path_info[match.end() :].startswith("portal/"):
            return self.get_response(request)  # the customer portal: see portal.middleware
        request.tenant = None
        request.member = None
        if match is None:
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        tenant, member = self.resolve_membership(request.user, match["slug"])
        if member is None:
            raise Http404
        request.tenant = tenant
        request.member = member
        with scope(tenant=tenant.pk):
            return self.get_response(request)
