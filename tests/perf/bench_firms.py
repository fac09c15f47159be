"""Firm pages under gunicorn against a large tenant, next to a bare Django view.

    DATABASE_URL=... ./manage.py seed_large_tenant              # once: 100k firms, 300k contacts
    DATABASE_URL=... .venv/bin/python tests/perf/bench_firms.py --slug bench
    DATABASE_URL=... .venv/bin/python -m pytest tests/perf/bench_firms.py -s   # the same, checked

The site runs under gunicorn (2 sync workers) on 127.0.0.1 with the production settings
(DEBUG off, persistent connections) and the test urlconf ``tests.perf.urls``, which adds
``bare/<size>/``: one query and a body of the same size as the page it stands next to.
Each page is requested a bounded number of times at concurrency 1 (alternating with its bare
view, request by request) and 8, logged in as the tenant's executive; the script prints median
and p95 latencies, the ratio of the medians to the bare view's and to an empty tenant page's
(the floor: middleware, tenancy and the base layout, no query of the page's own), and the
queries per page (counted in-process). Pages
whose median at concurrency 1 is more than ``--target`` (3) times the bare view's are listed;
with ``--check`` it exits with status 1 above ``--limit`` (25) times. Pages that do not exist
yet are skipped with a note.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "crm.settings",
    "DJANGO_SECRET_KEY": "bench-secret-key-not-for-production",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",
    "DJANGO_HSTS_SECONDS": "0",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "LOG_LEVEL": "WARNING",
}
HTMX = {"HX-Request": "true"}
FLOOR = "empty tenant page (floor)"


def wsgi_application():
    """Gunicorn's entry point: the product with the benchmark urlconf."""
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    settings.ROOT_URLCONF = "tests.perf.urls"
    return application


def setup_django():
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to the database seeded by seed_large_tenant.")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pages(tenant, executive):
    """``[(label, path, headers)]`` of what to measure, and notes on what is missing."""
    from django.urls import NoReverseMatch, reverse
    from django_scopes import scope

    from companies.models import Contact, Firm

    slug, found, notes = tenant.slug, [], []

    def add(label, name, query="", headers=None, **kwargs):
        try:
            found.append((label, reverse(name, kwargs={"tenant_slug": slug, **kwargs}) + query,
                          headers or {}))  # fmt: skip
        except NoReverseMatch:
            notes.append(f"{label}: the URL {name} does not exist yet, skipped")

    with scope(tenant=tenant.pk):
        firms = Firm.objects.filter(tenant=tenant)
        total = firms.count()
        customer = firms.filter(type="customer").order_by("id")[total // 2 :].first()
        contacts = Contact.objects.filter(tenant=tenant).count()
    notes.append(f"tenant {slug}: {total:,} firms, {contacts:,} contacts")
    add(FLOOR, "companies:search")  # the base layout and tenancy, no query of its own
    add("firm list, page 1", "companies:firm-list")
    add("firm list, filtered", "companies:firm-list", "?status=in_talks&city=Ankara")
    add("firm list, page 500", "companies:firm-list", "?page=500")
    add("quick search (dropdown)", "companies:search", "?q=cagri+dagitim", HTMX)
    add("quick search, typo", "companies:search", "?q=dagitm", HTMX)
    add("quick search, phone", "companies:search", "?q=0212+55", HTMX)
    add("search page", "companies:search", "?q=ayse+yilmaz")
    add("phone book, page 1", "companies:phonebook")
    add("phone book, search", "companies:phonebook", "?q=ayse")
    if customer is not None:
        add("360° page", "companies:firm-detail", pk=customer.pk)
    return found, notes


def logged_in(user):
    """A test client logged in as ``user`` and its session cookie (for gunicorn's requests)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return client, {"Cookie": f"{name}={client.cookies[name].value}"}


def count_queries(client, path, headers):
    """Queries one request runs, counted in this process, and the response's status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path, headers=headers)  # caches warm, as in a running worker
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(path, headers=headers).status_code
    return len(ctx.captured_queries), status


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port, workers, app="tests.perf.bench_firms:wsgi_application()", timeout=120):
    """gunicorn serving ``app`` on ``port``, once it answers the bare view."""
    command = [
        sys.executable, "-m", "gunicorn", app,
        "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
        "--log-level", "warning", "--timeout", str(timeout),
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env={**ENVIRONMENT, **os.environ})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if fetch(port, "/bare/10/", {})[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer within 60 s")


def fetch(port, path, headers, timeout=120):
    """``(status, body length, seconds)`` of one GET on a fresh loopback connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, len(body), time.perf_counter() - started


def measure(port, path, headers, concurrency, requests, timeout=120):
    """Latencies of ``requests`` GETs, ``concurrency`` at a time: (median, p95) in ms."""
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda _: fetch(port, path, headers, timeout), range(requests)))
    return summary(path, results)


def measure_pair(port, page, bare, concurrency, requests, timeout=120):
    """``(ours, bare)`` as ``measure`` gives them, for ``page`` and ``bare`` (path, headers).

    At concurrency 1 the two alternate request by request, so that whatever else the machine
    does at the time falls on both alike; above it each runs as a block of its own.
    """
    if concurrency > 1:
        return (
            measure(port, *page, concurrency, requests, timeout),
            measure(port, *bare, concurrency, requests, timeout),
        )
    ours, base = [], []
    for _ in range(requests):
        base.append(fetch(port, *bare, timeout))
        ours.append(fetch(port, *page, timeout))
    return summary(page[0], ours), summary(bare[0], base)


def summary(path, results):
    """(median, p95) in ms of ``fetch`` results, all of which must have answered 200."""
    bad = {status for status, _, _ in results if status != 200}
    if bad:
        raise RuntimeError(f"{path}: status {sorted(bad)}")
    samples = sorted(seconds * 1000 for _, _, seconds in results)
    return statistics.median(samples), samples[max(0, round(len(samples) * 0.95) - 1)]


def run(args):
    setup_django()
    from django_scopes import scope

    from accounts.models import Employee, Position, Tenant

    tenant = Tenant.objects.filter(slug=args.slug).first()
    if tenant is None:
        sys.exit(f"No tenant {args.slug!r}: run ./manage.py seed_large_tenant --slug {args.slug}")
    with scope(tenant=tenant.pk):
        executive = (
            Employee.objects.filter(tenant=tenant, position=Position.EXECUTIVE)
            .select_related("user")
            .order_by("id")
            .first()
        )
    found, notes = pages(tenant, executive)
    client, cookie = logged_in(executive.user)
    port = free_port()
    server = start_gunicorn(port, args.workers)
    rows, missed, failed, floor = [], [], [], {}
    try:
        for label, path, headers in found:
            queries, status = count_queries(client, path, headers)
            if status != 200:
                notes.append(f"{label}: {path} answered {status}, skipped")
                continue
            headers = {**headers, **cookie}
            for _ in range(2 * args.workers):  # warm every worker
                size = fetch(port, path, headers)[1]
                fetch(port, f"/bare/{size}/", cookie)
            for concurrency in args.concurrency:
                n = args.requests * max(1, concurrency // 2)
                ours, bare = measure_pair(
                    port, (path, headers), (f"/bare/{size}/", cookie), concurrency, n
                )
                ratio = ours[0] / bare[0]
                if label == FLOOR:
                    floor[concurrency] = ours[0]
                over_floor = ours[0] / floor[concurrency] if concurrency in floor else None
                rows.append((label, concurrency, size, queries, ours, bare, ratio, over_floor))
                print(
                    f"{label:26} c={concurrency} {size / 1024:6.1f} KB {queries:3} queries  "
                    f"median {ours[0]:7.1f} ms  p95 {ours[1]:7.1f} ms  "
                    f"bare {bare[0]:6.1f}/{bare[1]:6.1f} ms  ratio {ratio:4.1f}",
                    flush=True,
                )
                if concurrency == 1 and ratio > args.target:
                    missed.append(f"{label}: {ratio:.1f}x the bare view at concurrency 1")
                if concurrency == 1 and ratio > args.limit:
                    failed.append(f"{label}: {ratio:.1f}x the bare view at concurrency 1")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print_markdown(rows, notes)
    for line in missed:
        print(f"Target missed ({args.target:g}x): {line}")
    for line in failed:
        print(f"LIMIT EXCEEDED ({args.limit:g}x): {line}")
    return 1 if args.check and failed else 0


def print_markdown(rows, notes):
    print(
        "\n| page | c | size | queries | median | p95 | bare median | bare p95 | ratio "
        "| over floor |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, concurrency, size, queries, ours, bare, ratio, over_floor in rows:
        print(
            f"| {label} | {concurrency} | {size / 1024:.1f} KB | {queries} | {ours[0]:.1f} ms | "
            f"{ours[1]:.1f} ms | {bare[0]:.1f} ms | {bare[1]:.1f} ms | {ratio:.1f} | "
            f"{'—' if over_floor is None else f'{over_floor:.1f}'} |"
        )
    for note in notes:
        print(f"\nNote: {note}")


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=40, help="per page at concurrency 1")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--target", type=float, default=3.0, help="ratio reported when missed")
    parser.add_argument("--limit", type=float, default=25.0, help="ratio that fails --check")
    parser.add_argument("--check", action="store_true", help="exit 1 above --limit")
    return parser.parse_args(argv)


def test_firm_pages_against_bare_view():
    """``pytest tests/perf/bench_firms.py -s``: the script in its own process, checked."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    slug = os.environ.get("BENCH_SLUG", "bench")
    result = subprocess.run(
        [sys.executable, __file__, "--slug", slug, "--check"], cwd=ROOT, env=env, check=False
    )
    assert result.returncode == 0


if __name__ == "__main__":
    sys.exit(run(parse()))
