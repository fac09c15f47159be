"""The product's URLs plus bare views (the benchmarks' baselines).

- ``bare/`` returns bytes prepared in the same process (tests/perf/test_employee_pages.py);
- ``bare/<size>/`` runs one query and returns ``size`` bytes of HTML, so that it can stand
  next to a page served by another process (tests/perf/bench_firms.py under gunicorn).
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.utils.html import escape

from crm.urls import urlpatterns as product_urlpatterns

BODY = {"bytes": b""}
MAX_BARE_SIZE = 5 * 1024 * 1024


def bare(request):
    return HttpResponse(BODY["bytes"])


def bare_page(request, size):
    """One query (25 firm names by primary key) rendered as a table, padded to ``size`` bytes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM companies_firm ORDER BY id LIMIT 25")
        rows = cursor.fetchall()
    table = "".join(f"<tr><td>{pk}</td><td>{escape(name)}</td></tr>" for pk, name in rows)
    body = f"<!DOCTYPE html><html><body><table>{table}</table></body></html>".encode()
    size = min(size, MAX_BARE_SIZE)
    return HttpResponse(body[:size].ljust(size, b" "))


urlpatterns = [path("bare/", bare), path("bare/<int:size>/", bare_page), *product_urlpatterns]
