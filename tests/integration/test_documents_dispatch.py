"""A dispatch travels the whole way: the request's transaction commits, a real Celery worker
renders the HTML template to PDF with WeasyPrint, writes the outbox e-mail and delivers it
to a real SMTP server (aiosmtpd) on loopback. The PDF that arrives is read with ``pdftotext``:
the firm's name is in it, Turkish letters and all. A file over the attachment limit arrives
as a signed link that opens without login.
"""

import re
import subprocess

import pytest
from django.conf import settings
from django_scopes import scope

from core.models import OutboxEmail
from documents.models import DispatchItem, LinkOpening
from tests.helpers import make_firm
from tests.integration.conftest import wait_until
from tests.matrix.documents_dispatch import PDF, make_contact, make_template, send

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

FIRM_NAME = "Çağlayan Şişe Ürünleri"
HTML = """<html><head><style>body { font-family: sans-serif }</style></head>
<body><h1>{{ firm_name }}</h1><p>Sayın {{ contact_name }},</p><p>{{ tenant_name }}</p>
</body></html>"""
LIMIT = 200_000


def pdftotext(content):
    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def test_a_real_worker_delivers_the_rendered_pdf(celery_procs, smtp, world, client):
    celery_procs.env["DOCUMENT_ATTACHMENT_LIMIT"] = str(LIMIT)
    celery_procs.worker()
    firm = make_firm(world, FIRM_NAME, sales_rep=world.employee)
    contact = make_contact(world, firm, "Ayşe", "Yılmaz", email="ayse@example.com")
    page = make_template(world.tenant, "Tanıtım sayfası", html=HTML, language="tr")
    big = PDF + b"%" * (LIMIT + 1)
    film = make_template(world.tenant, "Film", content=big, filename="film.pdf")

    dispatch = send(world, firm, [contact], [page, film], actor=world.employee)

    wait_until(lambda: smtp.handler.to("ayse@example.com"), 90, "the dispatch e-mail arrived")
    [received] = smtp.handler.to("ayse@example.com")
    assert received.subject == "Our brochure"
    [attachment] = list(received.message.iter_attachments())
    assert attachment.get_filename() == "Tanıtım_sayfası.pdf"
    assert attachment.get_content_type() == "application/pdf"
    text = pdftotext(attachment.get_content())
    assert FIRM_NAME in text
    assert "Ayşe Yılmaz" in text

    # The large file came as a link that works without login, and the opening is logged.
    found = re.search(re.escape(settings.SITE_URL) + r"(/d/[^/\s]+/)", received.text)
    assert found, received.text
    response = client.get(found.group(1))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == big

    # What the worker recorded: the PDF kept on the item, the row sent, the opening.
    wait_until(
        lambda: OutboxEmail.objects.filter(
            idempotency_key__startswith=f"dispatch:{dispatch.pk}:",
            status=OutboxEmail.Status.SENT,
        ).exists(),
        10,
        "the outbox row is marked sent",
    )
    with scope(tenant=world.tenant.pk):
        kept = DispatchItem.objects.get(dispatch=dispatch, title="Tanıtım sayfası")
        assert DispatchItem.objects.get(dispatch=dispatch, title="Film").as_link
        assert LinkOpening.objects.filter(item__dispatch=dispatch).count() == 1
    with kept.file.open("rb") as handle:
        assert handle.read() == attachment.get_content()
    assert len(smtp.handler.messages) == 1
