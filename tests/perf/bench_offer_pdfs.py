"""Offer PDFs rendered in a real Celery worker: 100 offers of 20 lines, each timed in the worker.

    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/15 \
        .venv/bin/python tests/perf/bench_offer_pdfs.py
    ... tests/perf/bench_offer_pdfs.py --offers 100 --lines 20 --check
    DATABASE_URL=... REDIS_URL=... .venv/bin/python -m pytest tests/perf/bench_offer_pdfs.py -s

The script works on the database of ``DATABASE_URL`` (migrated) in a tenant of its own
(``--slug``, ``bench-offers`` by default, made on first use with an executive, a firm with a
Turkish name and a contact, ``--lines`` products and an offer template of realistic size: a
header, the lines table, the VAT per rate, the terms and a page footer). Each run makes
``--offers`` offers of ``--lines`` lines through ``sales.services.offers.offer_create`` and
removes them at the end.

It starts one ``celery -A crm worker`` (``--pool solo`` unless told otherwise) on that database
and on the broker of ``REDIS_URL`` (or ``CELERY_BROKER_URL``), listening on a queue of its own
(``bench-offer-pdfs``, emptied first) so it takes no other work and no other worker takes its
tasks. It sends ``sales.offer_pdf.render_offer_pdf`` once to warm the worker up (WeasyPrint's
imports and fonts; reported apart), then once per offer, and reads from the worker's log the
time Celery measured around each task (load the offer and its lines, build the merge fields,
sandbox-render the HTML, WeasyPrint to PDF; nothing is stored). It prints the median, p95, mean
and maximum per document, and the wall-clock rate; ``--check`` exits 1 when the median or the
p95 is over ``--limit`` seconds (0.5 by default).
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
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.perf.bench_firms import ENVIRONMENT, setup_django  # noqa: E402

TASK = "sales.offer_pdf.render_offer_pdf"
QUEUE = "bench-offer-pdfs"
FIRM_NAME = "Çağdaş Şişe ve Ölçü Güneş Enerjisi Ürünleri Sanayi ve Ticaret A.Ş."
TEMPLATE_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
  @page { size: A4; margin: 18mm 15mm 20mm;
    @bottom-center { content: "{{ number }} · " counter(page) " / " counter(pages);
                     font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #555; } }
  body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; color: #222; }
  header { display: flex; justify-content: space-between; border-bottom: 2px solid #0d6efd;
           padding-bottom: 6mm; margin-bottom: 6mm; }
  h1 { font-size: 16pt; margin: 0 0 2mm; color: #0d6efd; }
  table { width: 100%; border-collapse: collapse; margin-top: 4mm; }
  th { background: #eef3fb; text-align: start; font-weight: 600; }
  th, td { padding: 1.6mm 2mm; border-bottom: 1px solid #ddd; vertical-align: top; }
  td.n, th.n { text-align: end; white-space: nowrap; }
  .totals { width: 45%; margin-inline-start: auto; }
  .totals td { border: 0; } .grand td { font-weight: 700; border-top: 2px solid #222; }
  .terms { margin-top: 8mm; font-size: 8.5pt; white-space: pre-line; }
</style></head><body>
<header>
  <div><h1>{{ tenant_name }}</h1><div>{{ tenant_address }}</div>
       <div>{{ tenant_phone }} · {{ tenant_email }}</div></div>
  <div><strong>Offer {{ number }}</strong><br>Date: {{ issued_on }}<br>
       Valid until: {{ valid_until }}</div>
</header>
<p><strong>{{ firm_name }}</strong><br>{{ firm_address }}<br>
   Attn. {{ contact_name }} {{ contact_job_title }}</p>
<h2>{{ title }}</h2>
<table><thead><tr><th>#</th><th>Code</th><th>Description</th><th class="n">Qty</th>
  <th>Unit</th><th class="n">Unit price</th><th class="n">Disc. %</th><th class="n">VAT %</th>
  <th class="n">Net</th></tr></thead><tbody>
{% for line in lines %}<tr><td>{{ line.position }}</td><td>{{ line.code }}</td>
  <td>{{ line.description }}</td><td class="n">{{ line.quantity }}</td><td>{{ line.unit }}</td>
  <td class="n">{{ line.unit_price }}</td><td class="n">{{ line.discount }}</td>
  <td class="n">{{ line.vat_rate }}</td><td class="n">{{ line.net }}</td></tr>{% endfor %}
</tbody></table>
<table class="totals"><tr><td>Net</td><td class="n">{{ net }} {{ currency }}</td></tr>
{% for row in vat_breakdown %}<tr><td>VAT {{ row.rate }} % on {{ row.net }}</td>
  <td class="n">{{ row.vat }} {{ currency }}</td></tr>{% endfor %}
<tr class="grand"><td>Total</td><td class="n">{{ total }} {{ currency }}</td></tr></table>
<div class="terms">{{ terms }}</div>
<p>{{ employee_name }} · {{ employee_email }}</p>
</body></html>"""
TERMS = (
    "Prices are ex works Gebze. Delivery within four weeks of the order.\n"
    "Payment: 30 % with the order, the rest before shipment.\n"
    "This offer is valid until the date above; the lira prices follow the day's euro rate."
)


# The bench tenant ------------------------------------------------------------------------------


def bench_tenant(slug, lines):
    """The tenant, its executive, firm, products and template (made on first use)."""
    from django_scopes import scope

    from accounts.models import Employee, Position, Tenant
    from catalogue.models import Product
    from companies.models import Firm
    from core import choices
    from documents.models import DocumentTemplate, DocumentVersion
    from tests.factories import make_employee, make_tenant

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        tenant = make_tenant("Bench Offers")
        Tenant.objects.filter(pk=tenant.pk).update(slug=slug)
        tenant.refresh_from_db()
    with scope(tenant=tenant.pk):
        executive = Employee.objects.filter(tenant=tenant, position=Position.EXECUTIVE).first()
        if executive is None:
            executive = make_employee(
                tenant, f"executive@{slug}.bench.test", Position.EXECUTIVE, "management",
                first_name="Ayşe", last_name="Yıldırım",
            )  # fmt: skip
        firm = Firm.objects.filter(tenant=tenant, name=FIRM_NAME).first()
        if firm is None:
            from companies.services.firms import firm_create

            firm = firm_create(
                tenant=tenant, actor=executive.user,
                data={"name": FIRM_NAME, "type": "customer", "sales_rep": executive},
                first_contact={"data": {"first_name": "Gülşen", "last_name": "Öztürk",
                                        "job_title": "Satın Alma Müdürü"}},
            )  # fmt: skip
        units = list(choices.options(tenant=tenant, key="unit"))
        for i in range(Product.objects.filter(tenant=tenant).count(), lines):
            Product.objects.create(
                tenant=tenant, code=f"PRD-{i + 1:04d}",
                name=f"Güneş paneli montaj kiti tip {i + 1} (çelik, galvaniz kaplı)",
                sale_price=Decimal(125 + 37 * i) + Decimal("0.90"),
                vat_rate=Decimal((1, 10, 20)[i % 3]), unit=units[i % len(units)],
            )  # fmt: skip
        template = DocumentTemplate.objects.filter(tenant=tenant, kind="offer").first()
        if template is None:
            template = DocumentTemplate.objects.create(
                tenant=tenant, kind="offer", form="html", name="Bench offer", language="en"
            )
        version = template.current_version
        if version is None or version.html != TEMPLATE_HTML:
            number = template.versions.count() + 1
            template.current_version = DocumentVersion.objects.create(
                tenant=tenant, template=template, number=number, html=TEMPLATE_HTML
            )
            template.save(update_fields=["current_version"])
    return tenant, executive, firm, template


def make_offers(tenant, executive, firm, template, count, lines):
    """``count`` offers of ``lines`` lines each, through the service; their ids."""
    from django.utils import timezone
    from django_scopes import scope

    from catalogue.models import Product
    from sales.services.offers import offer_create

    ids = []
    with scope(tenant=tenant.pk):
        products = list(Product.objects.filter(tenant=tenant).order_by("code")[:lines])
        for n in range(count):
            data = {
                "number": "", "title": f"Güneş enerjisi santrali, faz {n + 1}", "firm": firm,
                "contact": firm.primary_contact, "issued_on": timezone.localdate(),
                "valid_until": None, "currency": "TRY", "terms": TERMS,
                "template": template, "opportunity": None,
            }  # fmt: skip
            rows = [
                {"product": product, "quantity": Decimal(1 + (n + i) % 7) + Decimal("0.5"),
                 "unit_price": None, "discount_percent": Decimal((0, 5, 12.5)[i % 3]),
                 "description": ""}
                for i, product in enumerate(products)
            ]  # fmt: skip
            ids.append(offer_create(tenant=tenant, actor=executive, data=data, lines=rows).pk)
    return ids


def remove_offers(tenant, ids):
    from django_scopes import scope

    from sales.models import Offer

    with scope(tenant=tenant.pk):
        Offer.objects.filter(tenant=tenant, pk__in=ids).delete()


# The worker ------------------------------------------------------------------------------------


def broker_url():
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    if not url:
        sys.exit("Set REDIS_URL (e.g. redis://127.0.0.1:6379/15): the worker's broker.")
    return url


def start_worker(workdir, pool, concurrency):
    env = {
        **ENVIRONMENT,
        **os.environ,
        "CELERY_BROKER_URL": broker_url(),
        "DATABASE_CONN_MAX_AGE": "60",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = Path(workdir) / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "crm", "worker", f"--pool={pool}",
        f"--concurrency={concurrency}", "--loglevel=info", f"--queues={QUEUE}",
        "--hostname=bench-offer-pdfs@%h", "--without-mingle", "--without-gossip",
        "--without-heartbeat",
    ]  # fmt: skip
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while " ready." not in log_path.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_worker(proc)
            sys.exit(f"The worker did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.1)
    return proc, log_path


def stop_worker(proc):
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def purge_queue():
    from crm.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)


def send(tenant_id, offer_id):
    from crm.celery import app

    return app.send_task(TASK, args=[offer_id], kwargs={"tenant_id": tenant_id}, queue=QUEUE).id


def finished(log_path, task_ids, timeout):
    """``{task id: (seconds or None, result text)}`` once every task has finished in the log."""
    pattern = re.compile(
        rf"{re.escape(TASK)}\[([0-9a-f-]+)\] (?:succeeded in ([0-9.]+)s: (.*)|raised (.*))"
    )
    wanted, found = set(task_ids), {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for match in pattern.finditer(log_path.read_text(errors="replace")):
            if match.group(1) in wanted:
                seconds = float(match.group(2)) if match.group(2) else None
                found[match.group(1)] = (seconds, match.group(3) or match.group(4))
        if len(found) == len(wanted):
            return found
        time.sleep(0.2)
    missing = len(wanted) - len(found)
    raise RuntimeError(f"{missing} tasks did not finish in {timeout} s")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


# Main ------------------------------------------------------------------------------------------


def run(args):
    setup_django()
    tenant, executive, firm, template = bench_tenant(args.slug, args.lines)
    made = time.monotonic()
    ids = make_offers(tenant, executive, firm, template, args.offers, args.lines)
    print(
        f"{args.offers} offers of {args.lines} lines made in {time.monotonic() - made:.1f} s "
        f"(tenant {tenant.slug}, firm {firm.name!r})"
    )
    workdir = Path(tempfile.mkdtemp(prefix="kervan-bench-offers-"))
    purge_queue()
    worker, log_path = start_worker(workdir, args.pool, args.worker_concurrency)
    try:
        warm = finished(log_path, [send(tenant.pk, ids[0])], args.timeout)
        started = time.monotonic()
        task_ids = [send(tenant.pk, offer_id) for offer_id in ids]
        results = finished(log_path, task_ids, args.timeout)
        wall = time.monotonic() - started
    except RuntimeError as error:
        print(log_path.read_text(errors="replace")[-5000:])
        print(f"FAILED: {error}")
        return 1
    finally:
        stop_worker(worker)
        remove_offers(tenant, ids)
    failed = [text for seconds, text in results.values() if seconds is None or "error" in text]
    seconds = [s for s, _text in results.values() if s is not None]
    sizes = [int(m.group(1)) for m in re.finditer(r"'bytes': (\d+)", str(results))]
    cpu = [float(m.group(1)) for m in re.finditer(r"'cpu': ([0-9.]+)", str(results))]
    median, p95 = statistics.median(seconds), percentile(seconds, 0.95)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min) at the end\n"
        f"worker: pool {args.pool}, concurrency {args.worker_concurrency}; first task (cold): "
        f"{next(iter(warm.values()))[0]:.3f} s\n"
        f"per document in the worker ({len(seconds)} PDFs, {args.lines} lines each, "
        f"{statistics.mean(sizes) / 1024:.0f} KiB on average):\n"
        f"  median {median:.3f} s · p95 {p95:.3f} s · mean {statistics.mean(seconds):.3f} s · "
        f"max {max(seconds):.3f} s\n"
        f"  CPU time of the worker process per document: median {statistics.median(cpu):.3f} s"
        f" · p95 {percentile(cpu, 0.95):.3f} s\n"
        f"  wall clock: {wall:.1f} s for {len(task_ids)} tasks "
        f"({len(task_ids) / wall:.1f} PDFs a second)"
    )
    problems = [f"{len(failed)} tasks failed: {failed[:3]}"] if failed else []
    if median > args.limit or p95 > args.limit:
        problems.append(f"median {median:.3f} s / p95 {p95:.3f} s over {args.limit} s")
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if args.check and problems else 0


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--slug", default="bench-offers")
    parser.add_argument("--offers", type=int, default=100)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--pool", default="solo", help="the worker's pool (solo, prefork)")
    parser.add_argument("--worker-concurrency", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for tasks")
    parser.add_argument("--limit", type=float, default=0.5, help="seconds per PDF for --check")
    parser.add_argument("--check", action="store_true", help="exit 1 when over the limit")
    return parser.parse_args(argv)


def test_offer_pdfs_in_the_worker():
    """``pytest tests/perf/bench_offer_pdfs.py -s``: the script in its own process, checked."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run([sys.executable, __file__, "--check"], cwd=ROOT, env=env, check=False)
    assert result.returncode == 0


def stop(signum, frame):
    raise KeyboardInterrupt  # so that the worker is stopped and the offers removed on the way out


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(run(parse()))
