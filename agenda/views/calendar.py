"""The calendars: everyone's agenda, my appointments, their event feed, pop-up and moves.

The pages only hold the filters and the calendar's configuration (``static/js/agenda.js``
draws it with FullCalendar); events come from :class:`CalendarFeedView` as JSON. A drag or a
resize posts to :class:`ActivityMoveView`, which answers 409 with the clash so that the page
can ask "book anyway?" and post again with ``confirm=1``.
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agenda.models import AgendaPreference, Status
from agenda.selectors import activities as selectors
from agenda.services.activities import ClashWarning, activity_move
from companies.forms.widgets import FirmPicker
from companies.selectors.firms import visible_firms
from core.forms import EmployeeMultiPicker
from core.views import TenantView, is_pk

SLOTS = [choice.value for choice in AgendaPreference.Slot]
DEFAULT_SLOT = AgendaPreference.Slot.THIRTY.value
# A month view shows six weeks; anything much longer is not a calendar's request.
MAX_RANGE = timedelta(days=62)
# More events than this in one view are unreadable; the page asks to narrow the filters.
MAX_EVENTS = 5000


def is_id(value):
    """A plain ASCII number of at most 12 digits (ids and slot lengths in the query string)."""
    return is_pk(value, max_length=12)


class BadParameter(ValueError):
    """A query or form parameter the calendar cannot use (answered with 400)."""


def parse_moment(value, *, name):
    """An aware datetime from FullCalendar's ISO string (a date alone is local midnight)."""
    value = (value or "").strip()
    if not value or len(value) > 40 or "\x00" in value:
        raise BadParameter(_("Missing or invalid %(name)s.") % {"name": name})
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                raise ValueError(value)
            moment = datetime.combine(day, time.min)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment.astimezone(timezone.get_current_timezone())  # out of range raises here
    except (ValueError, OverflowError) as error:
        raise BadParameter(_("Missing or invalid %(name)s.") % {"name": name}) from error
    return moment


def parse_ids(values, *, name):
    ids = []
    for value in values[:50]:
        if not value:
            continue
        if not is_id(value):
            raise BadParameter(_("Invalid %(name)s.") % {"name": name})
        ids.append(int(value))
    return ids


def feed_filters(*, tenant, member, params):
    """The feed's filters from the query string; raises BadParameter on nonsense."""
    statuses = [s for s in params.getlist("status") if s]
    if any(s not in Status.values for s in statuses):
        raise BadParameter(_("Invalid status."))
    filters = {
        "employees": parse_ids(params.getlist("employee"), name="employee"),
        "types": parse_ids(params.getlist("type"), name="type"),
        "statuses": statuses,
        "firm": None,
    }
    firm_ids = parse_ids(params.getlist("firm")[:1], name="firm")
    if firm_ids:
        firm = visible_firms(tenant=tenant, member=member).filter(pk=firm_ids[0]).first()
        if firm is None:
            raise BadParameter(_("Invalid firm."))
        filters["firm"] = firm
    if params.get("mine") == "1":
        filters["employees"] = [member.pk]
    return filters


def slot_minutes(*, member, requested=None):
    """The time slot: ``?slot=`` when valid, else the member's preference, else 30 minutes."""
    if is_id(requested) and int(requested) in SLOTS:
        return int(requested)
    preference = AgendaPreference.objects.filter(tenant=member.tenant_id, employee=member).first()
    return preference.slot_minutes if preference else DEFAULT_SLOT


def optional_url(name, *args):
    """``reverse(name)`` or None while the page does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def all_day_bounds(activity):
    """FullCalendar's all-day dates: the first day and the day after the last (exclusive)."""
    first = timezone.localdate(activity.start)
    local_end = timezone.localtime(activity.end)
    last = local_end.date()
    if local_end.time() != time.min or last <= first:
        last += timedelta(days=1)
    return first.isoformat(), last.isoformat()


def event_json(*, activity, member, urls, with_person):
    """One activity as a FullCalendar event (``urls`` from :func:`event_urls`)."""
    classes = ["kv-event", f"kv-event-{activity.status}"]
    if activity.priority != "normal":
        classes.append(f"kv-priority-{activity.priority}")
    title = activity.subject
    if with_person:
        title = f"{activity.subject} · {activity.person}"
    if activity.all_day:
        start, end = all_day_bounds(activity)
    else:
        start = timezone.localtime(activity.start).isoformat()
        end = timezone.localtime(activity.end).isoformat()
    editable = activity.status == Status.PLANNED and selectors.can_change(
        member=member, activity=activity
    )
    return {
        "id": str(activity.pk),
        "title": title,
        "start": start,
        "end": end,
        "allDay": activity.all_day,
        "color": activity.colour or "#6c757d",
        "className": " ".join(classes),
        "editable": editable,
        "extendedProps": {
            "status": activity.status,
            "popup": urls["popup"].replace(PK_MARK, str(activity.pk)),
            "move": urls["move"].replace(PK_MARK, str(activity.pk)),
        },
    }


PK_MARK = "2147483647"  # reversed once per feed, replaced by each event's id


def event_urls(tenant_slug):
    """The pop-up and move URLs with a placeholder id: one ``reverse`` per feed, not per event."""
    return {
        name: reverse(f"agenda:activity-{name}", args=[tenant_slug, int(PK_MARK)])
        for name in ("popup", "move")
    }


def firm_filter(*, tenant, member, firm_id=None):
    """The firm filter: the searchable picker (any of 100,000 firms), showing the chosen one."""
    picker = FirmPicker(
        queryset=visible_firms(tenant=tenant, member=member),
        empty_label=gettext_lazy("All firms"),
        small=True,
    ).configure(tenant=tenant)
    return picker.render("firm", firm_id, attrs={"id": "filter-firm"})


def employee_filter(*, tenant, member, chosen=()):
    """The employees filter: a search box, showing the chosen employees as boxes to untick."""
    people = selectors.assignable_employees(tenant=tenant, member=member)
    picker = EmployeeMultiPicker(empty_label=gettext_lazy("All employees"), small=True)
    picker.configure(tenant=tenant, queryset=people)
    return picker.render("employee", list(chosen), attrs={"id": "filter-employee"})


def filter_choices(*, tenant, member, firm_id=None, employee_ids=()):
    return {
        "employee_picker": employee_filter(tenant=tenant, member=member, chosen=employee_ids),
        "types": selectors.type_options(tenant=tenant),
        "statuses": Status.choices,
        "firm_picker": firm_filter(tenant=tenant, member=member, firm_id=firm_id),
    }


class CalendarView(TenantView):
    """Everyone's agenda (seed 000) with month, week, day and list views and filters."""

    permissions = {"GET": "agenda.view"}
    mine = False
    title = gettext_lazy("Agenda")

    def get(self, request, tenant_slug):
        params = request.GET
        chosen = {
            "employee": [v for v in params.getlist("employee") if is_id(v)],
            "type": [v for v in params.getlist("type") if is_id(v)],
            "status": [v for v in params.getlist("status") if v in Status.values],
            "firm": params.get("firm", "") if is_id(params.get("firm", "")) else "",
        }
        create_url = None
        if self.member.has_perm("agenda.add"):
            create_url = optional_url("agenda:activity-create", tenant_slug)
        config = {
            "feed": reverse("agenda:calendar-feed", args=[tenant_slug]),
            "createUrl": create_url,
            "next": request.get_full_path(),
            "mine": self.mine,
            "slotMinutes": slot_minutes(member=self.member, requested=params.get("slot")),
            "slots": SLOTS,
            "locale": request.LANGUAGE_CODE,
            "timeZone": timezone.get_current_timezone_name(),
            "initialView": params.get("view", "")[:30],
            "initialDate": initial_date(params.get("date")),
            "text": {
                "clash": _("This overlaps with another activity:"),
                "bookAnyway": _("Book anyway?"),
                "failed": _("The activity could not be moved."),
                "loadFailed": _("The calendar could not load the activities."),
                "truncated": _(
                    "Only the first %(n)s activities of this view are shown: choose employees, "
                    "a type or a firm to see the others."
                )
                % {"n": MAX_EVENTS},
            },
        }
        firm_id = int(chosen["firm"]) if chosen["firm"] else None
        context = {
            "title": self.title,
            "mine": self.mine,
            "config": config,
            "chosen": chosen,
            **filter_choices(
                tenant=self.tenant,
                member=self.member,
                firm_id=firm_id,
                employee_ids=[] if self.mine else chosen["employee"],
            ),
        }
        return render(request, "agenda/calendar/calendar.html", context)


def initial_date(value):
    """``?date=`` when it is a date (FullCalendar opens there), else empty."""
    try:
        day = parse_date((value or "")[:10])
    except ValueError:
        day = None
    return day.isoformat() if day else ""


class MyCalendarView(CalendarView):
    """My appointments (seed 000): the same views over the member's own activities."""

    mine = True
    title = gettext_lazy("My appointments")


def bad_request(message):
    return JsonResponse({"error": str(message)}, status=400)


class CalendarFeedView(TenantView):
    """The events FullCalendar asks for: ``?start=&end=`` plus the filters, as JSON."""

    permissions = {"GET": "agenda.view"}

    def get(self, request, tenant_slug):
        try:
            start = parse_moment(request.GET.get("start"), name="start")
            end = parse_moment(request.GET.get("end"), name="end")
            if end <= start:
                raise BadParameter(_("The end must be after the start."))
            if end - start > MAX_RANGE:
                raise BadParameter(_("The range is too long."))
            filters = feed_filters(tenant=self.tenant, member=self.member, params=request.GET)
        except BadParameter as error:
            return bad_request(error)
        activities = selectors.in_range(
            tenant=self.tenant, member=self.member, start=start, end=end, limit=MAX_EVENTS,
            **filters,
        )  # fmt: skip
        with_person = request.GET.get("mine") != "1"
        urls = event_urls(tenant_slug)
        events = [
            event_json(activity=activity, member=self.member, urls=urls, with_person=with_person)
            for activity in activities
        ]
        response = JsonResponse(events, safe=False)
        if len(events) >= MAX_EVENTS:
            response["X-Kervan-Truncated"] = str(MAX_EVENTS)
        return response


class ActivityPopupView(TenantView):
    """The detail pop-up of one event (an HTML fragment)."""

    permissions = {"GET": "agenda.view"}

    def get(self, request, tenant_slug, pk):
        activity = selectors.activity_get(tenant=self.tenant, member=self.member, pk=pk)
        firm_visible = (
            activity.firm_id is not None
            and self.member.has_perm("firms.view")
            and visible_firms(tenant=self.tenant, member=self.member)
            .filter(pk=activity.firm_id)
            .exists()
        )
        context = {
            "activity": activity,
            "firm_link": firm_visible,
            "employee_link": self.member.has_perm("employees.view"),
            "can_change": selectors.can_change(member=self.member, activity=activity),
        }
        return render(request, "agenda/calendar/_popup.html", context)


class ActivityMoveView(TenantView):
    """Drag to move or resize: a new time for one activity, checked by the service."""

    permissions = {"POST": "agenda.add"}

    def post(self, request, tenant_slug, pk):
        activity = selectors.activity_get(tenant=self.tenant, member=self.member, pk=pk)
        if not selectors.can_change(member=self.member, activity=activity):
            return JsonResponse(
                {"error": _("Only the person who created this activity can change it.")},
                status=403,
            )
        try:
            start, end, all_day = self.new_times(request.POST, activity)
        except BadParameter as error:
            return bad_request(error)
        try:
            moved = activity_move(
                tenant=self.tenant,
                actor=self.member,
                activity=activity,
                start=start,
                end=end,
                all_day=all_day,
                confirm_clash=request.POST.get("confirm") == "1",
            )
        except ClashWarning as warning:
            return JsonResponse(
                {"error": str(warning.message), "clashes": clash_lines(warning.clashes)},
                status=409,
            )
        except PermissionDenied as error:
            return JsonResponse({"error": str(error)}, status=403)
        except ValidationError as error:
            return bad_request(" ".join(error.messages))
        return JsonResponse(
            {"ok": True, "start": moved.start.isoformat(), "end": moved.end.isoformat()}
        )

    @staticmethod
    def new_times(data, activity):
        all_day = data.get("allDay", "").lower() in ("1", "true")
        start = parse_moment(data.get("start"), name="start")
        if data.get("end"):
            end = parse_moment(data.get("end"), name="end")
        elif all_day:
            end = start + timedelta(days=1)
        else:
            end = start + (activity.end - activity.start)
        return start, end, all_day


def clash_lines(found):
    """What each clash shows in the "book anyway?" question."""
    lines = []
    for other in found:
        when = timezone.localtime(other.start)
        lines.append(f"{other.subject} · {other.assigned_to.full_name} · {when:%Y-%m-%d %H:%M}")
    return lines
