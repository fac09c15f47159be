"""Personal agenda settings, the calendar feed's private address, and the feed itself.

The feed lives outside ``/o/`` (calendar applications cannot log in): the token in its
address is the key. It carries the tenant's id, so the view opens that tenant's scope before
it looks the secret up; an unknown or revoked token, or a former employee's, is a 404.
"""

import re

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scope

from agenda import ics
from agenda.forms.personal import PreferenceForm
from agenda.selectors import personal as selectors
from agenda.services import personal as services
from core.permissions import MEMBER, PUBLIC
from core.views import KervanView, TenantView

TOKEN = re.compile(r"^(?P<tenant_id>[1-9][0-9]{0,18})-[A-Za-z0-9_-]{20,60}$")


class PreferencesView(TenantView):
    """Time slots, date-alarm days, and the calendar feed's address with instructions."""

    permissions = {"GET": MEMBER, "POST": MEMBER}

    def show(self, form, status=200):
        token = services.calendar_token_ensure(tenant=self.tenant, member=self.member)
        path = reverse("ics-feed", kwargs={"token": token.token})
        feed_url = settings.SITE_URL + path
        context = {
            "form": form,
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[-1],
        }
        return render(self.request, "agenda/personal/preferences.html", context, status=status)

    def get(self, request, tenant_slug):
        preference = selectors.preference_for(tenant=self.tenant, member=self.member)
        initial = {
            "slot_minutes": preference.slot_minutes,
            "date_alarm_days": preference.date_alarm_days,
        }
        return self.show(PreferenceForm(initial=initial))

    def post(self, request, tenant_slug):
        form = PreferenceForm(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        services.preference_save(tenant=self.tenant, member=self.member, **form.cleaned_data)
        messages.success(request, _("Your agenda settings are saved."))
        return redirect("agenda:preferences", self.tenant.slug)


class CalendarResetView(TenantView):
    """A new feed address; the old one stops working at once."""

    permissions = {"POST": MEMBER}

    def post(self, request, tenant_slug):
        services.calendar_token_reset(tenant=self.tenant, member=self.member)
        messages.success(
            request,
            _(
                "Your calendar has a new address. Subscribe to it again; "
                "the old one no longer works."
            ),
        )
        return redirect("agenda:preferences", self.tenant.slug)


class CalendarFeedView(KervanView):
    """The member's activities as an iCalendar feed, opened by the secret in its address."""

    permissions = {"GET": PUBLIC}

    def get(self, request, token):
        match = TOKEN.match(token)
        if match is None:
            raise Http404
        tenant_id = int(match["tenant_id"])
        with scope(tenant=tenant_id):
            employee = selectors.token_owner(tenant_id=tenant_id, token=token)
            if employee is None:
                raise Http404
            body = ics.feed_for(tenant=employee.tenant, employee=employee)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="calendar.ics"'
        response["Cache-Control"] = "private, max-age=300"
        response["X-Robots-Tag"] = "noindex"
        return response
