"""Seed the benchmark tenant's agenda: 200 employees and 1,000,000 activities by default.

    ./manage.py seed_large_tenant                  # first: the tenant "bench" with its firms
    ./manage.py seed_large_agenda                  # then: employees and activities
    ./manage.py seed_large_agenda --activities 50000 --employees 40 --slug bench-small

Employees (with logins, one in twenty a manager, one of them ``busy@<slug>.bench.test`` who
takes part in a further 3 % of all activities) are bulk-created; activities are written by
PostgreSQL itself with ``INSERT ... SELECT FROM generate_series`` in batches: spread over
52 weeks either side of this one, on working days and hours in Europe/Istanbul (5 % all
day), types from the activity_type Settings list, 30 % on a firm (half of those with the
firm's primary contact), 10 % with one to three participants, past ones mostly done (closed,
with work time) and some cancelled or overdue, future ones planned. What the due-work job
would already have done for past activities is marked done, so the seed does not make a
year of e-mails due.

Idempotent: the command tops the tenant up to ``--employees`` working employees and
``--activities`` activities; a second run adds nothing. Each batch (activities with their
participants and contacts) is one transaction. Deterministic for a given --random-seed.
Reminders are not seeded: tests/perf/bench_agenda.py makes its own in a tenant of its own.
"""

import random
import time
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope

from accounts import services as account_services
from accounts.models import Employee, Position, Tenant, User
from agenda.models import Activity
from companies.management.commands import seed_large_tenant
from companies.management.commands.seed_large_tenant import CITIES, FIRST_NAMES, LAST_NAMES
from core import choices
from core.models import Choice

ZONE = "Europe/Istanbul"
BUSY = "busy"
SUBJECTS = (
    "Teklif görüşmesi", "Numune teslimi", "Ödeme takibi", "Fuar hazırlığı", "Sözleşme yenileme",
    "Şikâyet ziyareti", "Ürün tanıtımı", "Sipariş kontrolü", "Bayi toplantısı", "Fiyat listesi",
    "Tahsilat araması", "Yıllık değerlendirme",
)  # fmt: skip

# One batch of activities, written by PostgreSQL. %(...)s are parameters; {activity} etc. are
# table names filled in once. Random numbers come from the session's seed (setseed first).
INSERT_ACTIVITIES = """
WITH emp AS (
    SELECT array_agg(id ORDER BY id) AS ids, count(*)::int AS cnt
      FROM accounts_employee WHERE tenant_id = %(tenant)s AND status = 'working'
), typ AS (
    SELECT array_agg(id ORDER BY "order", id) AS ids, count(*)::int AS cnt
      FROM core_choice WHERE tenant_id = %(tenant)s AND list_key = 'activity_type'
), firms AS (
    SELECT id, row_number() OVER (ORDER BY id)::int AS rn
      FROM companies_firm WHERE tenant_id = %(tenant)s
), raw AS (
    SELECT n,
           emp.ids[1 + floor(random() * emp.cnt)::int] AS assignee,
           emp.ids[1 + floor(random() * emp.cnt)::int] AS other,
           typ.ids[1 + floor(random() * typ.cnt)::int] AS type_id,
           CASE WHEN random() < %(on_firms)s
                THEN 1 + floor(random() * (SELECT count(*) FROM firms))::int END AS firm_rn,
           date_trunc('week', %(today)s::date)::date
               + 7 * (floor(random() * (2 * %(weeks)s + 1))::int - %(weeks)s)
               + floor(random() * 5)::int AS wday,
           8 + floor(random() * 10)::int AS hour,
           floor(random() * 4)::int * 15 AS minute,
           (1 + floor(random() * 8)::int) * 15 AS minutes,
           random() AS r_status, random() AS r_priority, random() AS r_all_day,
           random() AS r_alarm, random() AS r_creator, random() AS r_agenda,
           1 + floor(random() * %(subjects)s)::int AS subject_no,
           CASE WHEN random() < 0.2 THEN 1 + floor(random() * %(cities)s)::int END AS city_no
      FROM generate_series(%(lo)s, %(hi)s) AS n, emp, typ
), timed AS (
    SELECT raw.*,
           CASE WHEN r_all_day < 0.05 THEN wday::timestamp AT TIME ZONE %(zone)s
                ELSE (wday + make_interval(hours => hour, mins => minute)) AT TIME ZONE %(zone)s
           END AS start_at,
           CASE WHEN r_all_day < 0.05 THEN (wday + 1)::timestamp AT TIME ZONE %(zone)s
                ELSE (wday + make_interval(hours => hour, mins => minute + minutes))
                     AT TIME ZONE %(zone)s
           END AS end_at,
           CASE WHEN r_alarm < 0.05 THEN 15 WHEN r_alarm < 0.10 THEN 30
                WHEN r_alarm < 0.15 THEN 60 WHEN r_alarm < 0.20 THEN 1440 END AS alarm
      FROM raw
), rows AS (
    SELECT timed.*,
           CASE WHEN end_at < %(now)s THEN
                     CASE WHEN r_status < 0.75 THEN 'done' WHEN r_status < 0.85 THEN 'cancelled'
                          ELSE 'planned' END
                WHEN r_status < 0.05 THEN 'cancelled' ELSE 'planned' END AS status
      FROM timed
)
INSERT INTO {activity} (
    tenant_id, created_at, updated_at, type_id, subject, description, firm_id, assigned_to_id,
    created_by_id, start, "end", all_day, location, priority, status, show_in_agenda,
    alarm_minutes, series_id, detached, work_minutes, distance_km, closed_at, closed_by_id,
    day_before_done_for, morning_done_for, alarm_done_for
)
SELECT %(tenant)s,
       least(start_at, %(now)s) - make_interval(days => 1 + n %% 20),
       %(now)s,
       type_id,
       (%(subject_list)s::text[])[subject_no] || ' #' || n,
       '',
       firms.id,
       assignee,
       CASE WHEN r_creator < 0.8 THEN assignee ELSE other END,
       start_at,
       end_at,
       r_all_day < 0.05,
       coalesce((%(city_list)s::text[])[city_no], ''),
       CASE WHEN r_priority < 0.2 THEN 'low' WHEN r_priority < 0.85 THEN 'normal'
            ELSE 'high' END,
       status,
       r_agenda < 0.98,
       alarm,
       NULL,
       false,
       CASE WHEN status = 'done' THEN minutes END,
       NULL,
       CASE WHEN status = 'done' THEN end_at END,
       CASE WHEN status = 'done' THEN assignee END,
       CASE WHEN start_at < %(now)s THEN start_at END,
       CASE WHEN start_at < %(now)s THEN start_at END,
       CASE WHEN start_at < %(now)s AND alarm IS NOT NULL THEN start_at END
  FROM rows LEFT JOIN firms ON firms.rn = rows.firm_rn
 ORDER BY n
"""

INSERT_PARTICIPANTS = """
WITH emp AS (
    SELECT array_agg(id ORDER BY id) AS ids, count(*)::int AS cnt
      FROM accounts_employee WHERE tenant_id = %(tenant)s AND status = 'working'
)
INSERT INTO {participants} (activity_id, employee_id)
SELECT a.id, p.employee
  FROM {activity} a
 CROSS JOIN LATERAL (
       SELECT emp.ids[1 + floor(random() * emp.cnt)::int] AS employee
         FROM generate_series(1, 1 + (a.id %% 3)::int), emp
       ) p
 WHERE a.tenant_id = %(tenant)s AND a.id > %(after)s AND random() < %(share)s
   AND p.employee <> a.assigned_to_id
UNION
SELECT a.id, %(busy)s::bigint
  FROM {activity} a
 WHERE a.tenant_id = %(tenant)s AND a.id > %(after)s AND random() < %(busy_share)s
   AND a.assigned_to_id <> %(busy)s
ON CONFLICT DO NOTHING
"""

INSERT_CONTACTS = """
INSERT INTO {contacts} (activity_id, contact_id)
SELECT a.id, f.primary_contact_id
  FROM {activity} a JOIN companies_firm f ON f.id = a.firm_id
 WHERE a.tenant_id = %(tenant)s AND a.id > %(after)s AND f.primary_contact_id IS NOT NULL
   AND random() < 0.5
ON CONFLICT DO NOTHING
"""


def tables():
    return {
        "activity": Activity._meta.db_table,
        "participants": Activity.participants.through._meta.db_table,
        "contacts": Activity.contacts.through._meta.db_table,
    }


class Command(BaseCommand):
    help = "Seed the benchmark tenant's agenda: employees and activities (INSERT ... SELECT)."

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="bench")
        parser.add_argument("--employees", type=int, default=200, help="working employees")
        parser.add_argument("--activities", type=int, default=1_000_000)
        parser.add_argument("--weeks", type=int, default=52, help="weeks either side of this one")
        parser.add_argument("--batch", type=int, default=100_000)
        parser.add_argument("--on-firms", type=float, default=0.3)
        parser.add_argument("--with-participants", type=float, default=0.1)
        parser.add_argument("--busy-share", type=float, default=0.03)
        parser.add_argument("--random-seed", type=int, default=2026)
        parser.add_argument(
            "--password", default="", help="Password of new logins (default: none, unusable)."
        )

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(slug=options["slug"]).first()
        if tenant is None:
            raise CommandError(
                f"No tenant {options['slug']!r}: run ./manage.py seed_large_tenant "
                f"--slug {options['slug']} first."
            )
        self.rng = random.Random(options["random_seed"])  # noqa: S311 (test data, not secrets)
        self.now = timezone.now()
        started = time.monotonic()
        with scope(tenant=tenant.pk):
            choices.ensure_defaults(tenant=tenant, language=tenant.language)
            added = self.seed_employees(tenant, options["employees"], options["password"])
            took = time.monotonic() - started
            self.stdout.write(f"  {added:,} employees added in {took:.1f} s")
            busy = Employee.objects.get(tenant=tenant, user__email=self.email(tenant, BUSY))
            count = self.seed_activities(tenant, busy, options)
        analyze()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Agenda of “{tenant.name}”: {count:,} activities in {elapsed:.0f} s. "
                f"Busy employee: {busy.user.email}"
            )
        )

    # Employees -----------------------------------------------------------------------------

    @staticmethod
    def email(tenant, key):
        return f"{key}@{tenant.slug}.bench.test"

    @transaction.atomic
    def seed_employees(self, tenant, target, password):
        """Top the tenant up to ``target`` working employees: ``busy``, then ``staffNNN``."""
        working = Employee.objects.filter(tenant=tenant, status=Employee.Status.WORKING)
        have = set(working.values_list("user__email", flat=True))
        keys = [BUSY] + [f"staff{i:03d}" for i in range(1, target + 1)]
        new = [key for key in keys if self.email(tenant, key) not in have]
        new = new[: max(0, target - len(have))]
        if BUSY not in new and self.email(tenant, BUSY) not in have:
            new = [BUSY, *new[:-1]] if new else [BUSY]
        if not new:
            return 0
        executive = working.filter(position=Position.EXECUTIVE).order_by("id").first()
        sales = Choice.objects.get(tenant=tenant, list_key="department", code="sales")
        hashed = make_password(password or None)
        rng = self.rng
        users = User.objects.bulk_create(
            User(
                email=self.email(tenant, key),
                password=hashed,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
            )
            for key in new
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in users
        )
        profiles = {
            position: account_services.default_profile(tenant=tenant, position=position)
            for position in (Position.MANAGER, Position.EMPLOYEE)
        }
        # One in twenty reports to the executive as a manager; the rest to a manager.
        managers = list(working.filter(position=Position.MANAGER).order_by("id"))
        created = 0
        for index, user in enumerate(users):
            manager = index % 20 == 1 or not managers
            position = Position.MANAGER if manager else Position.EMPLOYEE
            employee = Employee.objects.create(
                tenant=tenant,
                user=user,
                first_name=user.first_name,
                last_name=user.last_name,
                position=position,
                department=sales,
                reports_to=executive if manager else managers[-1],
                profile=profiles[position],
            )
            if manager:
                managers.append(employee)
            created += 1
        return created

    # Activities ----------------------------------------------------------------------------

    def seed_activities(self, tenant, busy, options):
        target, batch = options["activities"], options["batch"]
        have = Activity.objects.filter(tenant=tenant).count()
        if have >= target:
            self.stdout.write(f"  {have:,} activities there already: nothing to add")
            return have
        names = tables()
        today = timezone.localtime(self.now, ZoneInfo(ZONE)).date()
        common = {
            "tenant": tenant.pk,
            "now": self.now,
            "today": today,
            "weeks": options["weeks"],
            "zone": ZONE,
            "on_firms": options["on_firms"],
            "subjects": len(SUBJECTS),
            "subject_list": list(SUBJECTS),
            "cities": len(CITIES),
            "city_list": list(CITIES),
            "share": options["with_participants"],
            "busy": busy.pk,
            "busy_share": options["busy_share"],
        }
        number = have
        while number < target:
            started = time.monotonic()
            lo, hi = number + 1, min(number + batch, target)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT setseed(%s)", [self.rng.uniform(-1, 1)])
                cursor.execute(
                    f"SELECT coalesce(max(id), 0) FROM {names['activity']}"  # noqa: S608
                )
                after = cursor.fetchone()[0]
                params = {**common, "lo": lo, "hi": hi, "after": after}
                cursor.execute(INSERT_ACTIVITIES.format(**names), params)
                cursor.execute(INSERT_PARTICIPANTS.format(**names), params)
                cursor.execute(INSERT_CONTACTS.format(**names), params)
            number = hi
            took = time.monotonic() - started
            self.stdout.write(f"  {number:,} activities ({took:.1f} s for {hi - lo + 1:,})")
        return number


def analyze():
    names = tables()
    seed_large_tenant.analyze(
        names["activity"], names["participants"], names["contacts"], "accounts_employee"
    )
