"""The agenda at 1,000,000 activities: its pages under gunicorn, and reminders into e-mail.

    DATABASE_URL=... ./manage.py seed_large_tenant && ./manage.py seed_large_agenda   # once
    DATABASE_URL=... .venv/bin/python tests/perf/bench_agenda.py               # pages + reminders
    DATABASE_URL=... .venv/bin/python tests/perf/bench_agenda.py pages --explain
    DATABASE_URL=... .venv/bin/python tests/perf/bench_agenda.py reminders --reminders 10000
    DATABASE_URL=... .venv/bin/python -m pytest tests/perf/bench_agenda.py -s    # the same, checked

**Pages** are measured as ``bench_firms.py`` measures the firm pages: gunicorn (2 sync
workers, production settings, persistent connections) on 127.0.0.1, each page requested a
bounded number of times at concurrency 1 and 8 on fresh connections, next to the bare view
``bare/<size>/`` of the same size (one query, the same middleware and logged-in user); medians,
p95s, their ratio, and the queries of one request counted in-process. The pages: the month feed
of the calendar for all employees (``agenda:calendar-feed?start=&end=``, as the executive), the
same feed for one employee, and the start page (``accounts:home``) of the employee with the
most activities (``busy@<slug>.bench.test``, see ``seed_large_agenda``). ``--explain`` runs
``EXPLAIN (ANALYZE, BUFFERS)`` on every query of those requests that reads the activities.

**Reminders**: the time one Celery worker (``--pool solo`` unless told otherwise) takes to turn
``--reminders`` due reminders into e-mails delivered to a loopback SMTP server. The script
starts a private Redis (never the machine's), an aiosmtpd server in this process and a real
``celery -A crm worker`` on the benchmark database, like tests/integration/conftest.py. The
reminders live in a tenant of their own (``<slug>-reminders``, created on first use with 200
employees), are written with one ``INSERT ... SELECT`` each run, due 5 to 15 minutes later (so their
e-mail, the one a day before, is due at once), and removed afterwards with their outbox rows.
First the worker runs ``agenda.tasks.dispatch_due`` until nothing else is
due in the database (the activities' own e-mails); then the reminders are made due, the same
task is sent once more, and the clock runs from sending it to the last message received
(``dispatch_due`` writes outbox rows through ``core.mail.enqueue``, each row becomes a
``core.tasks.deliver_email`` task on the same worker, which sends it over SMTP).

Parts whose code does not exist yet are skipped with a note.
"""

import argparse
import contextlib
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.perf import bench_firms  # noqa: E402
from tests.perf.bench_firms import (  # noqa: E402
    ENVIRONMENT,
    count_queries,
    free_port,
    logged_in,
    setup_django,
)

FLOOR = "empty tenant page (floor)"
BIG_BARE = 256 * 1024 * 1024


def wsgi_application():
    """Gunicorn's entry point: the product with the benchmark urlconf, bare pages of any size."""
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    import tests.perf.urls  # after setup: it imports the product's URLs

    settings.ROOT_URLCONF = "tests.perf.urls"
    tests.perf.urls.MAX_BARE_SIZE = BIG_BARE  # a month's feed is larger than a firm page
    return application


def start_gunicorn(port, workers):
    return bench_firms.start_gunicorn(
        port, workers, app="tests.perf.bench_agenda:wsgi_application()", timeout=300
    )


# A month's feed may queue behind seven others: room for that.
TIMEOUT = 900


def fetch(port, path, headers):
    return bench_firms.fetch(port, path, headers, TIMEOUT)


def measure(port, path, headers, concurrency, requests):
    return bench_firms.measure(port, path, headers, concurrency, requests, TIMEOUT)


def month(day):
    """``(first day, first day of the next month)`` of ``day``'s month."""
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


# Pages ----------------------------------------------------------------------------------------


def people(tenant):
    from django_scopes import scope

    from accounts.models import Employee, Position

    with scope(tenant=tenant.pk):
        working = Employee.objects.filter(tenant=tenant).select_related("user")
        executive = working.filter(position=Position.EXECUTIVE).order_by("id").first()
        busy = working.filter(user__email=f"busy@{tenant.slug}.bench.test").first()
    return executive, busy


def pages(tenant, executive, busy, today):
    """``[(label, path, user)]`` to measure, and notes on what is missing."""
    from django.urls import NoReverseMatch, reverse
    from django_scopes import scope

    from agenda.models import Activity, Reminder

    slug, found, notes = tenant.slug, [], []
    first, after = month(today)
    feed = f"?start={first.isoformat()}&end={after.isoformat()}"

    def add(label, name, query, user):
        try:
            found.append((label, reverse(name, kwargs={"tenant_slug": slug}) + query, user))
        except NoReverseMatch:
            notes.append(f"{label}: the URL {name} does not exist yet, skipped")

    with scope(tenant=tenant.pk):
        activities = Activity.objects.filter(tenant=tenant)
        total = activities.count()
        in_month = activities.filter(start__date__lt=after, end__date__gte=first).count()
        mine = activities.filter(assigned_to=busy).count() if busy else 0
        taking_part = activities.filter(participants=busy).count() if busy else 0
        reminders = Reminder.objects.filter(tenant=tenant).count()
    notes.append(
        f"tenant {slug}: {total:,} activities, {in_month:,} of them in {first:%B %Y}; "
        f"{reminders:,} reminders"
    )
    add(FLOOR, "companies:search", "", executive)
    add(f"month feed, all employees ({first:%Y-%m})", "agenda:calendar-feed", feed, executive)
    if busy is not None:
        notes.append(
            f"{busy.user.email}: assigned {mine:,} activities, takes part in {taking_part:,}"
        )
        employee_feed = f"{feed}&employee={busy.pk}"
        add("month feed, one employee", "agenda:calendar-feed", employee_feed, executive)
        add("start page, busy employee", "accounts:home", "", busy)
    else:
        notes.append("no busy employee: run ./manage.py seed_large_agenda")
    return found, notes


def explain(client, path, label):
    """EXPLAIN ANALYZE every query of one request that reads the activities; print the plans."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    for number, query in enumerate(ctx.captured_queries, 1):
        sql = query["sql"]
        if "agenda_activity" not in sql or not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"\n--- {label}: query {number} ({query['time']} s in the request)\n{sql}\n{plan}")


def run_pages(args, tenant):
    executive, busy = people(tenant)
    today = date.fromisoformat(args.month + "-15") if args.month else date.today()
    found, notes = pages(tenant, executive, busy, today)
    clients = {}
    for _label, _path, user in found:
        if user.pk not in clients:
            clients[user.pk] = logged_in(user.user)
    port = free_port()
    server = start_gunicorn(port, args.workers)
    rows, failed, floor = [], [], {}
    try:
        for label, path, user in found:
            client, cookie = clients[user.pk]
            queries, status = count_queries(client, path, {})
            if status != 200:
                notes.append(f"{label}: {path} answered {status}, skipped")
                continue
            if args.explain:
                explain(client, path, label)
            single = fetch(port, path, cookie)
            size = single[1]
            for _ in range(2 * args.workers):  # warm every worker
                fetch(port, path, cookie)
                fetch(port, f"/bare/{size}/", cookie)
            for concurrency in args.concurrency:
                # A slow page gets fewer requests, so that the run stays within minutes.
                n = args.requests * max(1, concurrency // 2)
                if single[2] > 1:  # one round at concurrency 8, a few requests alone
                    n = max(3, concurrency, min(n, int(args.budget / single[2] / concurrency)))
                bare = measure(port, f"/bare/{size}/", cookie, concurrency, n)
                ours = measure(port, path, cookie, concurrency, n)
                ratio = ours[0] / bare[0]
                if label == FLOOR:
                    floor[concurrency] = ours[0]
                over_floor = ours[0] / floor[concurrency] if concurrency in floor else None
                rows.append((label, concurrency, size, queries, n, ours, bare, ratio, over_floor))
                print(
                    f"{label:36} c={concurrency} {size / 1024:8.1f} KB {queries:3} queries "
                    f"n={n:3}  median {ours[0]:8.1f} ms  p95 {ours[1]:8.1f} ms  "
                    f"bare {bare[0]:6.1f}/{bare[1]:6.1f} ms  ratio {ratio:5.1f}",
                    flush=True,
                )
                if concurrency == 1 and ratio > args.limit:
                    failed.append(f"{label}: {ratio:.1f}x the bare view at concurrency 1")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        "\n| page | c | size | queries | requests | median | p95 | bare median | ratio "
        "| over floor |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, concurrency, size, queries, n, ours, bare, ratio, over_floor in rows:
        print(
            f"| {label} | {concurrency} | {human(size)} | {queries} | {n} | {ours[0]:.1f} ms | "
            f"{ours[1]:.1f} ms | {bare[0]:.1f} ms | {ratio:.1f} | "
            f"{'—' if over_floor is None else f'{over_floor:.1f}'} |"
        )
    for note in notes:
        print(f"\nNote: {note}")
    for line in failed:
        print(f"LIMIT EXCEEDED ({args.limit:g}x): {line}")
    return failed


def human(size):
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.1f} KB"


# Reminders ------------------------------------------------------------------------------------

INSERT_REMINDERS = """
WITH emp AS (
    SELECT array_agg(id ORDER BY id) AS ids, count(*)::int AS cnt
      FROM accounts_employee WHERE tenant_id = %(tenant)s AND status = 'working'
), new AS (
    INSERT INTO agenda_reminder (tenant_id, created_at, updated_at, created_by_id, text, due_at)
    SELECT %(tenant)s, %(now)s, %(now)s, emp.ids[1 + (n %% emp.cnt)],
           'Benchmark reminder #' || n, %(due)s + make_interval(secs => n %% 600)
      FROM generate_series(1, %(count)s) AS n, emp
    RETURNING id, created_by_id
)
INSERT INTO agenda_reminderrecipient (tenant_id, created_at, updated_at, reminder_id, employee_id)
SELECT %(tenant)s, %(now)s, %(now)s, id, created_by_id FROM new
"""


def reminder_tenant(slug):
    """The tenant the reminder benchmark writes in, created on first use."""
    from django.core.management import call_command

    from accounts.models import Tenant

    if not Tenant.objects.filter(slug=slug).exists():
        call_command("seed_large_tenant", slug=slug, firms=10, contacts=10)
    call_command("seed_large_agenda", slug=slug, employees=200, activities=0)
    return Tenant.objects.get(slug=slug)


def clean_reminders(tenant):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM agenda_reminderrecipient WHERE tenant_id = %s", [tenant.pk])
        cursor.execute("DELETE FROM agenda_reminder WHERE tenant_id = %s", [tenant.pk])
        cursor.execute("DELETE FROM core_outboxemail WHERE tenant_id = %s", [tenant.pk])


class TimedHandler:
    """The integration tests' SMTP handler, noting when each message arrived."""

    def __new__(cls):
        from tests.integration.conftest import SMTPHandler

        class Handler(SMTPHandler):
            async def handle_DATA(self, server, session, envelope):
                reply = await super().handle_DATA(server, session, envelope)
                if reply.startswith("250"):
                    self.arrivals.append(time.monotonic())
                return reply

        handler = Handler()
        handler.arrivals = []
        return handler


def outbox_counts(tenant_id):
    """``(rows of the tenant, rows not sent yet anywhere)``."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE tenant_id = %s), "
            "count(*) FILTER (WHERE status IN ('pending', 'retrying')) FROM core_outboxemail",
            [tenant_id],
        )
        return cursor.fetchone()


def wait_for(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


def run_reminders(args, notes):
    """Seconds from sending ``dispatch_due`` to the last reminder e-mail received."""
    import importlib.util

    if importlib.util.find_spec("agenda.tasks") is None:
        notes.append("reminders: agenda.tasks does not exist yet, skipped")
        return None
    import agenda.tasks

    if not hasattr(agenda.tasks, "dispatch_due"):
        notes.append("reminders: agenda.tasks.dispatch_due does not exist yet, skipped")
        return None
    from aiosmtpd.controller import Controller
    from django.db import connection
    from django.utils import timezone

    from tests.integration.conftest import CeleryProcesses, RedisServer, publish_to

    tenant = reminder_tenant(f"{args.slug}-reminders")
    clean_reminders(tenant)
    workdir = Path(tempfile.mkdtemp(prefix="kervan-bench-agenda-"))
    handler = TimedHandler()
    smtp = Controller(handler, hostname="127.0.0.1", port=free_port(), server_hostname="bench")
    smtp.start()
    redis_server = RedisServer(workdir)
    redis_server.start()
    publish_to(redis_server.url)
    procs = CeleryProcesses(
        workdir=workdir,
        database_url=os.environ["DATABASE_URL"],
        broker_url=redis_server.url,
        smtp_port=smtp.port,
    )
    # The production defaults, not the integration tests' (which close connections each task).
    procs.env.update({"DATABASE_CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING"})
    try:
        worker = start_worker(procs, args.pool, args.worker_concurrency)
        # Catch up: whatever else is due now in this database (the activities' e-mails, the
        # date-alarm digests), until a pass finds nothing; that last pass is the idle one.
        started = time.monotonic()
        for _ in range(5):
            seconds, result = dispatch(worker, args.timeout)
            if "failed" in result:
                raise RuntimeError(f"dispatch_due failed: {result}\n{worker.log()[-5000:]}")
            wait_for(lambda: quiet(handler), args.timeout, interval=0.5)
            if result == "{}":
                break
        notes.append(
            f"catch-up before the reminders: {len(handler.messages)} other e-mails in "
            f"{time.monotonic() - started:.1f} s; the last dispatch_due pass, with nothing "
            f"due, took {seconds:.2f} s in the worker ({result})"
        )
        handler.messages.clear()
        handler.arrivals.clear()
        # The reminders, due within the next 5 to 15 minutes, so their e-mail (the day-before
        # one) is due now; then one dispatch, as beat would send it.
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                INSERT_REMINDERS,
                {
                    "tenant": tenant.pk,
                    "now": now,
                    "due": now + timedelta(minutes=5),
                    "count": args.reminders,
                },
            )
            cursor.execute("ANALYZE agenda_reminder")
            cursor.execute("ANALYZE agenda_reminderrecipient")
        domain = f"@{tenant.slug}.bench.test"

        def mine():
            return sum(1 for m in list(handler.messages) if m.rcpt_tos[0].endswith(domain))

        sent = time.monotonic()
        seconds, result = dispatch(worker, args.timeout)
        done = wait_for(lambda: mine() >= args.reminders, args.timeout, interval=0.2)
        received = mine()
        first = handler.arrivals[0] - sent if handler.arrivals else None
        total = handler.arrivals[-1] - sent if handler.arrivals else None
        delivery = task_seconds(worker.log(), "core.tasks.deliver_email")
        print(
            f"\nreminders: {args.reminders:,} due, {received:,} e-mails received "
            f"({len(handler.messages) - received} others) by one worker "
            f"(pool {args.pool}, concurrency {args.worker_concurrency})\n"
            f"  dispatch_due: {seconds:.1f} s in the worker ({result})"
        )
        if first is not None:
            print(f"  first e-mail received after {first:.1f} s")
            print(
                f"  last e-mail received after {total:.1f} s: "
                f"{received / total:.0f} e-mails a second from sending dispatch_due"
            )
        if delivery:
            print(
                f"  deliver_email in the worker: median {statistics.median(delivery) * 1000:.1f}"
                f" ms, p95 {delivery[int(len(delivery) * 0.95) - 1] * 1000:.1f} ms, "
                f"{len(delivery):,} tasks"
            )
        if not done:
            notes.append(f"reminders: only {received} of {args.reminders} arrived in time")
            print(worker.log()[-5000:])
        return total if done else None
    finally:
        procs.stop()
        redis_server.stop()
        smtp.stop()
        clean_reminders(tenant)


def dispatch(worker, timeout):
    """Send ``agenda.tasks.dispatch_due`` as beat does; wait for the worker to finish it.

    Returns the seconds the worker reports for it and its result (the counts per kind).
    """
    from crm.celery import app

    task_id = app.send_task("agenda.tasks.dispatch_due").id
    pattern = re.compile(rf"dispatch_due\[{task_id}\] (?:succeeded in ([0-9.]+)s: (.*)|raised .*)")
    found = wait_for(lambda: pattern.search(worker.log()), timeout, interval=0.2)
    if found is None or found.group(1) is None:
        raise RuntimeError(f"dispatch_due did not finish:\n{worker.log()[-5000:]}")
    return float(found.group(1)), found.group(2).strip()


def task_seconds(log, name):
    """The run times the worker logged for the tasks ``name``, sorted."""
    pattern = re.compile(rf"{re.escape(name)}\[[^\]]+\] succeeded in ([0-9.]+)s")
    return sorted(float(m.group(1)) for m in pattern.finditer(log))


def start_worker(procs, pool, concurrency):
    """One ``celery -A crm worker`` as the integration tests start it, with this pool."""
    from tests.integration.conftest import CeleryProcess

    worker = CeleryProcess(
        "worker",
        procs._celery(
            "worker",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "--loglevel=info",
            "--hostname=bench-agenda@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ),
        procs.env,
        procs.workdir / "worker.log",
        ready_marker=" ready.",
    )
    procs.started.append(worker.start())
    return worker.wait_ready(timeout=60)


def quiet(handler, still=5.0):
    """True once no message has arrived for ``still`` seconds and nothing waits in the outbox."""
    if handler.arrivals and time.monotonic() - handler.arrivals[-1] < still:
        return False
    return outbox_counts(None)[1] == 0


# Main -----------------------------------------------------------------------------------------


def run(args):
    setup_django()
    from accounts.models import Tenant

    tenant = Tenant.objects.filter(slug=args.slug).first()
    if tenant is None:
        sys.exit(
            f"No tenant {args.slug!r}: run ./manage.py seed_large_tenant and "
            "./manage.py seed_large_agenda first"
        )
    failed, notes = [], []
    if args.part in ("all", "pages"):
        failed += run_pages(args, tenant)
    if args.part in ("all", "reminders"):
        seconds = run_reminders(args, notes)
        if seconds is None and "skipped" not in " ".join(notes):
            failed.append("reminders did not all arrive")
        elif seconds is not None and seconds > args.reminder_limit:
            failed.append(f"reminders took {seconds:.0f} s (limit {args.reminder_limit:g} s)")
    for note in notes:
        print(f"Note: {note}")
    for line in failed:
        print(f"FAILED: {line}")
    return 1 if args.check and failed else 0


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("part", nargs="?", choices=("all", "pages", "reminders"), default="all")
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--month", help="YYYY-MM of the feed (default: this month)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--requests", type=int, default=30, help="per page at concurrency 1")
    parser.add_argument("--budget", type=float, default=60, help="seconds per slow page and c")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the queries")
    parser.add_argument("--limit", type=float, default=25.0, help="page ratio that fails --check")
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--pool", default="solo", help="the worker's pool (solo, prefork)")
    parser.add_argument("--worker-concurrency", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for e-mails")
    parser.add_argument("--reminder-limit", type=float, default=600, help="seconds for --check")
    parser.add_argument("--check", action="store_true", help="exit 1 when a limit is exceeded")
    return parser.parse_args(argv)


def test_agenda_against_bare_view_and_reminders():
    """``pytest tests/perf/bench_agenda.py -s``: the script in its own process, checked."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    slug = os.environ.get("BENCH_SLUG", "bench")
    result = subprocess.run(
        [sys.executable, __file__, "--slug", slug, "--check"], cwd=ROOT, env=env, check=False
    )
    assert result.returncode == 0


def stop(signum, frame):
    raise KeyboardInterrupt  # so that the worker, Redis and gunicorn are stopped on the way out


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(run(parse()))
