"""Temporary placeholder while the agenda's pages are built (removed before release)."""

from django.http import HttpResponse

from core.views import TenantView


class Placeholder(TenantView):
    permissions = {"GET": "agenda.view"}

    def get(self, request, *args, **kwargs):
        return HttpResponse("")
