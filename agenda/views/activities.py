"""Activity pages: the list, booking and editing (with the clash warning), the detail page,
closing, cancelling and attachments."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.views.employees import form_error
from agenda import lists
from agenda.forms.activities import (
    LIST_STATUSES,
    WEEKDAYS,
    ActivityForm,
    AttachmentForm,
    CloseForm,
    initial_for,
    initial_from_query,
    list_filters,
)
from agenda.models import Priority, Status
from agenda.selectors import activities as selectors
from agenda.services import activities as services
from agenda.services import activity_files
from companies.selectors.firms import visible_firms
from core.files import serve
from core.views import TenantView, paginate


def safe_next(request):
    """The ``next`` address if it stays on this site, else None."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


class ActivityMixin:
    """Loads ``self.activity`` (404 when the member may not see it) and its rights."""

    def load(self, pk, *, detail=False):
        get = selectors.activity_detail if detail else selectors.activity_get
        self.activity = get(tenant=self.tenant, member=self.member, pk=pk)
        return self.activity

    def require_change(self):
        if not selectors.can_change(member=self.member, activity=self.activity):
            raise PermissionDenied

    def require_close(self):
        if not selectors.can_close(member=self.member, activity=self.activity):
            raise PermissionDenied

    def to_detail(self):
        return redirect("agenda:activity-detail", self.tenant.slug, self.activity.pk)


class ActivityListView(TenantView):
    permissions = {"GET": "agenda.view"}

    def get(self, request, tenant_slug):
        filters = list_filters(request.GET, tenant=self.tenant)
        now = timezone.now()
        rows = selectors.activity_list(
            tenant=self.tenant, member=self.member, filters=filters, now=now
        )
        firm = None
        if "firm" in filters:
            firm = visible_firms(tenant=self.tenant, member=self.member).filter(pk=filters["firm"])
            firm = firm.only("pk", "name").first()
        context = {
            "page": paginate(request, rows),
            "filters": filters,
            "now": now,
            "firm": firm,
            "types": selectors.type_options(tenant=self.tenant),
            "statuses": LIST_STATUSES,
            "priorities": Priority.choices,
        }
        template = (
            "agenda/activities/_activity_rows.html"
            if request.htmx
            else "agenda/activities/activity_list.html"
        )
        return render(request, template, context)


class ActivityFormMixin:
    """Saving the booking form; a clash re-renders it with the warning and "Book anyway"."""

    template = "agenda/activities/activity_form.html"

    def render_form(self, request, form, status=200, clashes=None):
        context = {
            "form": form,
            "activity": getattr(self, "activity", None),
            "clashes": clashes,
            "next": safe_next(request) or "",
        }
        return render(request, self.template, context, status=status)

    def attempt(self, request, form, save):
        """Run ``save()`` and answer: the detail page, the clash warning, or the errors."""
        try:
            activity = save()
        except services.ClashWarning as warning:
            return self.render_form(request, form, status=200, clashes=warning.clashes)
        except ValidationError as error:
            form_error(form, error)
            return self.render_form(request, form, status=400)
        return redirect(
            safe_next(request)
            or reverse("agenda:activity-detail", args=[self.tenant.slug, activity.pk])
        )


class ActivityCreateView(ActivityFormMixin, TenantView):
    permissions = {"GET": "agenda.add", "POST": "agenda.add"}

    def get(self, request, tenant_slug):
        initial = initial_from_query(request.GET, member=self.member)
        form = ActivityForm(tenant=self.tenant, member=self.member, initial=initial)
        return self.render_form(request, form)

    def post(self, request, tenant_slug):
        form = ActivityForm(request.POST, tenant=self.tenant, member=self.member)
        if not form.is_valid():
            return self.render_form(request, form, status=400)

        def save():
            activity = services.activity_create(
                tenant=self.tenant,
                actor=self.member,
                data=form.service_data(),
                participants=form.cleaned_data["participants"],
                contacts=form.cleaned_data["contacts"],
                repeat=form.repeat_rule(),
                confirm_clash=form.cleaned_data["confirm_clash"],
                closing=form.closing(),
            )
            messages.success(request, _("The activity is saved."))
            return activity

        return self.attempt(request, form, save)


class ActivityEditView(ActivityMixin, ActivityFormMixin, TenantView):
    permissions = {"GET": "agenda.add", "POST": "agenda.add"}

    def get(self, request, tenant_slug, pk):
        self.load(pk)
        self.require_change()
        form = ActivityForm(
            tenant=self.tenant,
            member=self.member,
            activity=self.activity,
            initial=initial_for(self.activity),
        )
        return self.render_form(request, form)

    def post(self, request, tenant_slug, pk):
        self.load(pk)
        self.require_change()
        form = ActivityForm(
            request.POST, tenant=self.tenant, member=self.member, activity=self.activity
        )
        if not form.is_valid():
            return self.render_form(request, form, status=400)

        def save():
            activity = services.activity_update(
                tenant=self.tenant,
                actor=self.member,
                activity=self.activity,
                data=form.service_data(),
                participants=form.cleaned_data["participants"],
                contacts=form.cleaned_data["contacts"],
                whole_series=form.cleaned_data.get("scope") == "series",
                confirm_clash=form.cleaned_data["confirm_clash"],
            )
            messages.success(request, _("The changes are saved."))
            return activity

        return self.attempt(request, form, save)


class ActivityContactsView(TenantView):
    """The contacts check boxes for the firm chosen in the booking form (htmx)."""

    permissions = {"GET": "agenda.view"}

    def get(self, request, tenant_slug):
        firm = request.GET.get("firm", "")
        form = ActivityForm(tenant=self.tenant, member=self.member, initial={"firm": firm})
        return render(request, "agenda/activities/_contacts_field.html", {"form": form})


class ActivityDetailView(ActivityMixin, TenantView):
    permissions = {"GET": "agenda.view"}

    def get(self, request, tenant_slug, pk):
        self.load(pk, detail=True)
        return render(request, "agenda/activities/activity_detail.html", self.context())

    def context(self, attachment_form=None):
        activity = self.activity
        series = activity.series
        return {
            "activity": activity,
            "can_change": selectors.can_change(member=self.member, activity=activity),
            "can_close": selectors.can_close(member=self.member, activity=activity),
            "series": series,
            "series_weekdays": [
                label for day, label in WEEKDAYS if series and day in series.weekdays
            ],
            "series_summary": selectors.series_summary(tenant=self.tenant, activity=activity),
            "history": selectors.activity_history(tenant=self.tenant, activity=activity),
            "attachment_form": attachment_form or AttachmentForm(),
            "is_overdue": activity.status == Status.PLANNED and activity.end < timezone.now(),
        }


class ActivityCloseView(ActivityMixin, TenantView):
    permissions = {"GET": "agenda.view", "POST": "agenda.view"}

    def setup_close(self, pk):
        self.load(pk)
        self.require_close()
        if self.activity.status != Status.PLANNED:
            messages.info(self.request, _("This activity is already closed."))
            return self.to_detail()
        return None

    def render_close(self, request, form, status=200):
        context = {
            "activity": self.activity,
            "form": form,
            "is_meeting": lists.MEETING in (self.activity.type.flags or []),
        }
        return render(request, "agenda/activities/activity_close.html", context, status=status)

    def get(self, request, tenant_slug, pk):
        done = self.setup_close(pk)
        return done or self.render_close(request, CloseForm(activity=self.activity))

    def post(self, request, tenant_slug, pk):
        done = self.setup_close(pk)
        if done:
            return done
        form = CloseForm(request.POST, activity=self.activity)
        if form.is_valid():
            try:
                services.activity_close(
                    tenant=self.tenant,
                    actor=self.member,
                    activity=self.activity,
                    work_minutes=form.cleaned_data["work_minutes"],
                    distance_km=form.cleaned_data.get("distance_km"),
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The activity is closed."))
                return self.to_detail()
        return self.render_close(request, form, status=400)


class ActivityCancelView(ActivityMixin, TenantView):
    permissions = {"POST": "agenda.add"}

    def post(self, request, tenant_slug, pk):
        self.load(pk)
        self.require_change()
        try:
            count = services.activity_cancel(
                tenant=self.tenant,
                actor=self.member,
                activity=self.activity,
                whole_series=request.POST.get("whole_series") == "1",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(count)d activities cancelled.") % {"count": count}
                if count > 1
                else _("The activity is cancelled."),
            )
        detail = reverse("agenda:activity-detail", args=[self.tenant.slug, self.activity.pk])
        return redirect(safe_next(request) or detail)


class AttachmentAddView(ActivityMixin, TenantView):
    permissions = {"POST": "agenda.view"}

    def post(self, request, tenant_slug, pk):
        self.load(pk, detail=True)
        self.require_close()
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            activity_files.attachment_add(
                tenant=self.tenant,
                actor=self.member,
                activity=self.activity,
                upload=form.cleaned_data["file"],
                content_type=form.content_type,
                original_name=form.original_name,
            )
            messages.success(request, _("The file is added."))
            return self.to_detail()
        detail = ActivityDetailView()
        detail.setup(request, tenant_slug=tenant_slug, pk=pk)
        detail.activity = self.activity
        context = detail.context(attachment_form=form)
        return render(request, "agenda/activities/activity_detail.html", context, status=400)


class AttachmentDownloadView(TenantView):
    permissions = {"GET": "agenda.view"}

    def get(self, request, tenant_slug, pk, attachment_pk):
        attachment = selectors.attachment_get(
            tenant=self.tenant, member=self.member, activity_pk=pk, pk=attachment_pk
        )
        return serve(
            attachment.file,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


class AttachmentRemoveView(ActivityMixin, TenantView):
    permissions = {"POST": "agenda.view"}

    def post(self, request, tenant_slug, pk, attachment_pk):
        attachment = selectors.attachment_get(
            tenant=self.tenant, member=self.member, activity_pk=pk, pk=attachment_pk
        )
        self.activity = attachment.activity
        self.require_close()
        activity_files.attachment_remove(
            tenant=self.tenant, actor=self.member, attachment=attachment
        )
        messages.success(request, _("The file is removed."))
        return self.to_detail()
