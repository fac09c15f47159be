"""The base view every Kervan view uses: permissions declared per HTTP method, deny by default."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.views import View

from core.permissions import ACCESS_LEVELS, LOGGED_IN, MEMBER, PUBLIC


class DeclaredPermissionsMixin:
    """Check ``permissions`` (``{"GET": code, "POST": code}``) before the handler runs.

    A method that is not listed answers 405; a view that lists nothing is a configuration
    error. HEAD follows GET.
    """

    permissions: dict[str, str] | None = None

    def dispatch(self, request, *args, **kwargs):
        if not self.permissions:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no permissions.")
        method = "GET" if request.method == "HEAD" else request.method
        needed = self.permissions.get(method)
        if needed is None:
            return HttpResponseNotAllowed(sorted(self.permissions))
        if needed != PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        check_access(request, needed)
        return super().dispatch(request, *args, **kwargs)


def check_access(request, needed):
    """Raise PermissionDenied unless the request may use ``needed``."""
    if needed == PUBLIC:
        return
    if not request.user.is_authenticated:
        raise PermissionDenied
    if needed == LOGGED_IN:
        return
    member = getattr(request, "member", None)
    if member is None:
        raise PermissionDenied
    if needed == MEMBER:
        return
    if needed in ACCESS_LEVELS or not member.has_perm(needed):
        raise PermissionDenied


class KervanView(DeclaredPermissionsMixin, View):
    """A plain view with declared permissions."""


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


class TenantView(KervanView):
    """A view under ``/o/<tenant-slug>/``: ``self.tenant`` and ``self.member`` are set."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.tenant = request.tenant
        self.member = request.member


def paginate(request, queryset, per_page=25):
    """The requested page of ``queryset`` (a bad page number gives the first or last page)."""
    from django.core.paginator import Paginator

    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))
