"""The portal's half of tenancy: ``/o/<tenant-slug>/portal/`` and portal sessions.

Fails closed like ``core.tenancy``: the view runs inside ``scope(tenant=...)``; a portal session
reaches only its own tenant's portal (anything else, staff pages included, is a 404) and is
checked again on every request, so revoking a login or letting it expire ends it at once.
"""

import re

from django.http import Http404
from django.utils import translation
from django_scopes import scope, scopes_disabled

from accounts.models import Tenant
from portal import auth

PORTAL_PATH = re.compile(r"^/o/(?P<slug>[-a-z0-9]+)/portal/")
# What a portal session may still open outside its portal: static files and the public links.
OPEN_PREFIXES = ("/static/", "/d/", "/calendar/")


class PortalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.portal_user = None
        match = PORTAL_PATH.match(request.path_info)
        if auth.has_portal_session(request):
            request.portal_user = auth.session_user(request)
            if (
                request.portal_user is not None
                and match is None
                and not request.path_info.startswith(OPEN_PREFIXES)
            ):
                raise Http404
        if match is None:
            return self.get_response(request)
        with scopes_disabled():
            tenant = Tenant.objects.filter(slug=match["slug"], is_active=True).first()
        if tenant is None:
            raise Http404
        if request.portal_user is not None and request.portal_user.tenant_id != tenant.pk:
            raise Http404
        request.tenant = tenant
        request.member = None
        if request.portal_user is not None:
            translation.activate(request.portal_user.language)
            request.LANGUAGE_CODE = request.portal_user.language
        with scope(tenant=tenant.pk):
            return self.get_response(request)
