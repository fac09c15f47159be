"""Demo agenda: a week of activities around today and a reminder, for the demo tenant."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_scopes import scope

from accounts.models import Employee
from agenda.models import Activity
from agenda.services.activities import activity_create
from agenda.services.reminders import reminder_create
from companies.models import Firm
from core import choices

ZONE = ZoneInfo("Europe/Istanbul")
# (working days from today, hour, minutes, type, subject, firm name, assigned employee)
ACTIVITIES = [
    (-2, 10, 60, "visit", "Showroom visit", "Bursa Bayi", "can"),
    (-1, 14, 30, "call", "Follow up the price list", "Çağrı Yapı Market", "can"),
    (0, 9, 30, "meeting", "Weekly sales meeting", None, "zeynep"),
    (0, 15, 60, "appointment", "Presentation of the new range", "Ege Ana Bayi Ltd.", "zeynep"),
    (1, 11, 45, "appointment", "Contract talk", "Marmara Dağıtım A.Ş.", "zeynep"),
    (2, 10, 30, "call", "Ask about the sample", "Çağrı Yapı Market", "can"),
    (3, 13, 120, "visit", "Visit the dealer", "Bursa Bayi", "can"),
    (4, 16, 30, "todo", "Prepare the monthly report", None, "mehmet"),
]


def working_day(day, offset):
    """The day ``offset`` working days (Monday to Friday) from ``day``.

    0 is ``day`` itself, or the next Monday when ``day`` falls on a weekend.
    """
    step = 1 if offset >= 0 else -1
    while offset == 0 and day.weekday() >= 5:
        day += timedelta(days=1)
    remaining = abs(offset)
    while remaining:
        day += timedelta(days=step)
        if day.weekday() < 5:
            remaining -= 1
    return day


def load_demo_agenda(tenant):
    with scope(tenant=tenant.pk):
        if Activity.objects.filter(tenant=tenant).exists():
            return
        people = {
            e.user.email.split("@")[0]: e
            for e in Employee.objects.filter(tenant=tenant).select_related("user", "profile")
        }
        types = {c.code: c for c in choices.options(tenant=tenant, key="activity_type")}
        firms = {f.name: f for f in Firm.objects.filter(tenant=tenant)}
        today = timezone.localdate(timezone=ZONE)
        for days, hour, minutes, kind, subject, firm, who in ACTIVITIES:
            start = datetime.combine(working_day(today, days), time(hour), tzinfo=ZONE)
            employee = people[who]
            activity_create(
                tenant=tenant,
                actor=employee,
                data={
                    "type": types[kind],
                    "subject": subject,
                    "firm": firms.get(firm) if firm else None,
                    "assigned_to": employee,
                    "start": start,
                    "end": start + timedelta(minutes=minutes),
                    "alarm_minutes": 15 if kind == "appointment" else None,
                },
                confirm_clash=True,
            )
        reminder_create(
            tenant=tenant,
            actor=people["zeynep"],
            text="Send the new price list to the dealers",
            due_at=timezone.now() + timedelta(hours=2),
            recipients=[people["zeynep"], people["can"]],
        )
