"""Reminders: one's list, setting, changing and deleting them, and the banner's buttons.

Dismiss and snooze are plain POST forms (they work without JavaScript and redirect back to the
page they came from); under htmx they answer with the banner fragment instead.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.views.employees import form_error
from agenda.forms.reminders import ReminderForm, SnoozeForm
from agenda.selectors import reminders as selectors
from agenda.services import reminders as services
from agenda.templatetags.agenda_tags import banner_context
from core.permissions import MEMBER
from core.views import TenantView

PER_PAGE = 20


def _page(request, qs, param):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get(param))


class ReminderListView(TenantView):
    """The reminders one set or receives: upcoming first, then the past ones."""

    permissions = {"GET": MEMBER}

    def get(self, request, tenant_slug):
        upcoming, past = selectors.upcoming_and_past(tenant=self.tenant, member=self.member)
        context = {
            "upcoming": _page(request, upcoming, "page"),
            "past": _page(request, past, "past"),
            "can_add": self.member.has_perm("reminders.add"),
        }
        return render(request, "agenda/reminders/reminder_list.html", context)


class ReminderFormMixin:
    def show(self, form, status=200, reminder=None):
        context = {"form": form, "reminder": reminder}
        return render(self.request, "agenda/reminders/reminder_form.html", context, status=status)

    def form(self, data=None, initial=None):
        return ReminderForm(data, initial=initial, tenant=self.tenant, member=self.member)


class ReminderCreateView(ReminderFormMixin, TenantView):
    permissions = {"GET": "reminders.add", "POST": "reminders.add"}

    def get(self, request, tenant_slug):
        return self.show(self.form())

    def post(self, request, tenant_slug):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.reminder_create(
                    tenant=self.tenant, actor=self.member, text=form.cleaned_data["text"],
                    due_at=form.cleaned_data["due_at"], recipients=form.recipients(),
                )  # fmt: skip
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The reminder is set."))
                return redirect("agenda:reminder-list", self.tenant.slug)
        return self.show(form, status=400)


class OwnReminderMixin:
    """Loads the reminder (404 for another tenant's); only its creator may go on (403)."""

    def load(self, pk):
        self.reminder = selectors.reminder_get(tenant=self.tenant, pk=pk)
        if self.reminder.created_by_id != self.member.pk:
            raise PermissionDenied


class ReminderEditView(OwnReminderMixin, ReminderFormMixin, TenantView):
    permissions = {"GET": "reminders.add", "POST": "reminders.add"}

    def get(self, request, tenant_slug, pk):
        self.load(pk)
        initial = ReminderForm.initial_for(self.reminder, self.member)
        return self.show(self.form(initial=initial), reminder=self.reminder)

    def post(self, request, tenant_slug, pk):
        self.load(pk)
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.reminder_update(
                    tenant=self.tenant, actor=self.member, reminder=self.reminder,
                    text=form.cleaned_data["text"], due_at=form.cleaned_data["due_at"],
                    recipients=form.recipients(),
                )  # fmt: skip
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The reminder is saved."))
                return redirect("agenda:reminder-list", self.tenant.slug)
        return self.show(form, status=400, reminder=self.reminder)


class ReminderDeleteView(OwnReminderMixin, TenantView):
    permissions = {"POST": MEMBER}

    def post(self, request, tenant_slug, pk):
        self.load(pk)
        services.reminder_delete(tenant=self.tenant, actor=self.member, reminder=self.reminder)
        messages.success(request, _("The reminder is deleted."))
        return redirect("agenda:reminder-list", self.tenant.slug)


class DeliveryMixin:
    """The member's own copy of a reminder (404 when they do not receive it)."""

    def load(self, pk):
        self.delivery = selectors.delivery_get(
            tenant=self.tenant, member=self.member, reminder_pk=pk
        )

    def done(self, request):
        if request.htmx:
            return render(request, "agenda/_reminder_banner.html", banner_context(request))
        target = request.POST.get("next", "")
        if _safe_next(request, target):
            return redirect(target)
        return redirect("agenda:reminder-list", self.tenant.slug)


def _safe_next(request, target):
    """Only a path on this site: no other host, no scheme, no control characters."""
    if not target.startswith("/") or any(ord(char) < 32 for char in target):
        return False
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


class ReminderDismissView(DeliveryMixin, TenantView):
    permissions = {"POST": MEMBER}

    def post(self, request, tenant_slug, pk):
        self.load(pk)
        services.reminder_dismiss(tenant=self.tenant, member=self.member, delivery=self.delivery)
        return self.done(request)


class ReminderSnoozeView(DeliveryMixin, TenantView):
    permissions = {"POST": MEMBER}

    def post(self, request, tenant_slug, pk):
        self.load(pk)
        form = SnoozeForm(request.POST)
        if not form.is_valid():
            return render(
                request, "agenda/reminders/snooze_invalid.html", {"form": form}, status=400
            )
        until = services.snooze_until(form.cleaned_data["until"])
        services.reminder_snooze(
            tenant=self.tenant, member=self.member, delivery=self.delivery, until=until
        )
        return self.done(request)
