"""The base view every Kervan view uses: permissions declared per HTTP method, deny by default."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.functional import cached_property
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


def is_pk(text, max_length=18):
    """Whether ``text`` is a plain ASCII number of at most ``max_length`` digits.

    ``str.isdigit`` alone also accepts "²" and "٣", which ``int()`` or the database refuse.
    """
    return bool(text) and len(text) <= max_length and text.isascii() and text.isdigit()


class CappedPaginator(Paginator):
    """A paginator that counts only as far as the requested page needs.

    An exact ``COUNT(*)`` over a large table costs more than the page itself. This one counts
    at most ``max(cap, page × per_page) + 1`` rows: when there are more, ``capped`` is true and
    the page says "more than N". Paging further still works: the count reaches as far as asked.
    """

    MAX_LIMIT = 10_000_000

    def __init__(self, object_list, per_page, *, cap=10_000, wanted_page=1, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.limit = min(max(cap, wanted_page * per_page), self.MAX_LIMIT) + 1
        self.capped = False

    @cached_property
    def count(self):
        # Which rows are counted does not matter, so no ORDER BY: the LIMIT stops the scan early.
        counted = self.object_list.order_by()[: self.limit].count()
        self.capped = counted >= self.limit
        return counted

    @property
    def shown_count(self):
        """The number to show: exact, or the lower bound when ``capped``."""
        return self.count - 1 if self.capped else self.count


def paginate(request, queryset, per_page=25, *, capped=False):
    """The requested page of ``queryset`` (a bad page number gives the first or last page).

    With ``capped``, the total is counted only as far as needed (see CappedPaginator).
    """
    if not capped:
        return Paginator(queryset, per_page).get_page(request.GET.get("page"))
    try:
        wanted = max(int(request.GET.get("page", 1)), 1)
    except (TypeError, ValueError):
        wanted = 1
    return CappedPaginator(queryset, per_page, wanted_page=wanted).get_page(wanted)
