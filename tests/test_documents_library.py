"""The document library: templates by kind, upload rules checked by content, HTML templates in
the sandbox, previews (HTML under a strict CSP, PDF), versions that stay, the contact card."""

import io
import subprocess
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from core.models import AuditEntry
from documents import merge, policies
from documents.models import ContactCard, DocumentTemplate, DocumentVersion, TemplateForm
from tests import helpers
from tests.documents_helpers import (
    HTML,
    HTML_PAGE,
    JPEG,
    MP4,
    OFFER_HTML,
    PDF,
    PNG,
    WEBM,
    XML,
    add_version,
    library_url,
    make_template,
    office_bytes,
)
from tests.factories import make_firm

DOCX, XLSX, PPTX = office_bytes("docx"), office_bytes("xlsx"), office_bytes("pptx")
XXE = b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<d>&e;</d>'


def counts():
    with scopes_disabled():
        return (DocumentTemplate.objects.count(), DocumentVersion.objects.count())


def create(client, world, **overrides):
    data = {
        "kind": "brochure",
        "form": "file",
        "name": "Spring brochure",
        "description": "Our pumps",
        "language": "en",
        "note": "first",
    }
    data.update(overrides)
    return client.post(library_url(world, "template-create"), data)


def upload_file(client, world, kind, name, content):
    return create(client, world, kind=kind, file=SimpleUploadedFile(name, content))


def pdf_text(pdf):
    assert pdf.startswith(b"%PDF")
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode()


@pytest.fixture
def exec_client(client, world):
    client.force_login(world.executive.user)
    return client


# --- files ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_a_file_template_then_download_it(exec_client, world):
    response = upload_file(exec_client, world, "brochure", "Bahar broşürü.pdf", PDF)
    assert response.status_code == 302
    with scopes_disabled():
        template = DocumentTemplate.objects.select_related("current_version").get()
        version = template.current_version
        assert AuditEntry.objects.filter(subject_type="documents.documenttemplate").count() == 1
    assert (template.kind, template.form, template.is_active) == ("brochure", "file", True)
    assert version.number == 1 and version.original_name == "Bahar broşürü.pdf"
    assert version.content_type == "application/pdf" and version.size == len(PDF)
    assert "Bahar" not in version.file.name and version.file.name.startswith(f"{world.tenant.pk}/")
    page = exec_client.get(response["Location"])
    assert "Spring brochure" in page.text and "Bahar broşürü.pdf" in page.text
    download = exec_client.get(library_url(world, "version-download", template.pk, version.pk))
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


ACCEPTED = [
    ("offer", "o.pdf", PDF),
    ("offer", "o.docx", DOCX),
    ("offer", "o.xlsx", XLSX),
    ("offer", "o.xml", XML),
    ("contract", "c.docx", DOCX),
    ("order_contract", "oc.pdf", PDF),
    ("invoice", "i.png", PNG),
    ("brochure", "b.pptx", PPTX),
    ("brochure", "b.jpg", JPEG),
    ("presentation", "p.pptx", PPTX),
    ("magazine", "m.pdf", PDF),
    ("cd", "cd.mp4", MP4),
    ("cd", "cd.xlsx", XLSX),
    ("film", "f.mp4", MP4),
    ("film", "f.webm", WEBM),
    ("other", "x.xlsx", XLSX),
]
REFUSED = [
    ("offer", "o.mp4", MP4),
    ("offer", "o.pptx", PPTX),
    ("contract", "c.webm", WEBM),
    ("brochure", "b.mp4", MP4),
    ("brochure", "b.xlsx", XLSX),
    ("magazine", "m.webm", WEBM),
    ("film", "f.pdf", PDF),
    ("film", "f.docx", DOCX),
    ("other", "x.mp4", MP4),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "name", "content"), ACCEPTED)
def test_each_kind_accepts_its_types(exec_client, world, kind, name, content):
    assert upload_file(exec_client, world, kind, name, content).status_code == 302
    with scopes_disabled():
        assert DocumentVersion.objects.get().template.kind == kind


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "name", "content"), REFUSED)
def test_each_kind_refuses_other_types(exec_client, world, kind, name, content):
    response = upload_file(exec_client, world, kind, name, content)
    assert response.status_code == 400
    assert "This kind of file is not accepted for" in response.text
    assert counts() == (0, 0)


def zip_bomb():
    """A docx whose document unpacks from a few kilobytes to 20 MB."""
    body = b'<?xml version="1.0"?><w:document xmlns:w="urn:x"><w:t>' + b" " * (20 * 1024 * 1024)
    return office_bytes("docx", main=body + b"</w:t></w:document>")


def many_members():
    return office_bytes("docx", extra={f"word/media/p{i}.bin": b"x" for i in range(2001)})


def plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "name", "content", "message"),
    [
        ("offer", "bomb.docx", zip_bomb(), "refused as a zip bomb"),
        ("offer", "many.docx", many_members(), "too many parts"),
        ("offer", "xxe.docx", office_bytes("docx", main=XXE), "declares a DOCTYPE or XML entities"),
        ("brochure", "xxe.pptx", office_bytes("pptx", extra={"ppt/slides/s1.xml": XXE}),
         "“ppt/slides/s1.xml” declares a DOCTYPE"),
        ("offer", "rels.xlsx", office_bytes("xlsx", extra={"xl/_rels/x.rels": XXE}),
         "declares a DOCTYPE"),
        ("offer", "macro.docx", office_bytes("docx", extra={"word/vbaProject.bin": b"\x00"}),
         "macros are not accepted"),
        ("offer", "broken.docx", office_bytes("docx", main=b"<w:document><w:body>"),
         "is not well-formed XML"),
        ("offer", "o.xml", XXE, "The XML file declares a DOCTYPE or XML entities"),
        ("offer", "o.xml", b"<?xml version='1.0'?><a><b></a>", "not well-formed (line 1)"),
        ("offer", "o.xml", b"<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>",
         "is named “.xml” but its content is not an XML file"),
        ("offer", "o.xml", b"<?xml version='1.0'?><h:html xmlns:h='http://www.w3.org/1999/xhtml'/>",
         "An HTML page is not accepted"),
        ("offer", "offer.pdf", HTML_PAGE, "is named “.pdf” but its content is not a PDF document"),
        ("brochure", "fake.pdf", b"<html><body>hi</body></html>", "is not a PDF document"),
        ("offer", "photo.pdf", PNG, "ends in “.pdf” but its content is a PNG image"),
        ("offer", "report.docx", plain_zip(), "is not a Word document"),
        ("offer", "offer.docx", PDF, "ends in “.docx” but its content is a PDF document"),
        ("offer", "empty.pdf", b"", "The submitted file is empty"),
        ("offer", "../../etc/passwd", b"root:x:0:0", "not accepted"),
        ("offer", "big.pdf", PDF + b"0" * (20 * 1024 * 1024), "the limit for “Offer” is 20"),
    ],
)  # fmt: skip
def test_dangerous_or_wrong_files_are_refused_with_a_clear_error(
    exec_client, world, kind, name, content, message
):
    response = upload_file(exec_client, world, kind, name, content)
    assert response.status_code == 400
    assert message in response.text
    assert counts() == (0, 0)


@pytest.mark.django_db
def test_total_unpacked_size_is_limited(exec_client, world, monkeypatch):
    monkeypatch.setattr(policies, "ZIP_MAX_UNCOMPRESSED", 100)
    response = upload_file(exec_client, world, "offer", "o.docx", office_bytes("docx"))
    assert response.status_code == 400 and "refused as a zip bomb" in response.text
    assert counts() == (0, 0)


@pytest.mark.django_db
def test_a_film_is_never_an_html_template(exec_client, world):
    response = create(exec_client, world, kind="film", form="html", html=HTML)
    assert response.status_code == 400
    assert "cannot be an HTML template" in response.text
    assert counts() == (0, 0)


# --- HTML templates and the sandbox --------------------------------------------------------


@pytest.mark.django_db
def test_html_template_editor_lists_merge_fields_and_saves(exec_client, world):
    page = exec_client.get(library_url(world, "template-create"))
    assert "firm_name" in page.text and "Firm name" in page.text and "vat_breakdown" in page.text
    response = create(exec_client, world, kind="offer", form="html", html=OFFER_HTML)
    assert response.status_code == 302
    with scopes_disabled():
        version = DocumentVersion.objects.get()
    assert version.html == OFFER_HTML and not version.file


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<p>fine</p>\n<p>{{ firm_name }</p>", "Line 2: unexpected"),
        (
            "<p>a</p>\n<p>b</p>\n{{ no_such_field }}",
            "Line 3: &#x27;no_such_field&#x27; is undefined",
        ),
        ("{% for line in lines %}\n{{ line.total }}\n", "Line 2: Unexpected end of template"),
    ],
)
def test_a_template_error_names_its_line(exec_client, world, html, message):
    response = create(exec_client, world, kind="offer", form="html", html=html)
    assert response.status_code == 400
    assert message in response.text
    assert counts() == (0, 0)


ESCAPES = [
    ("{{ ''.__class__ }}", "not allowed"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed"),
    ("{{ cycler.__init__.__globals__.os }}", "Line 1"),
    ("{{ range.__globals__ }}", "not allowed"),
    ("{{ dict.__init__.__globals__ }}", "not allowed"),
    ("{{ firm_name.format.__self__.__class__ }}", "not allowed"),
    ("{% include '/etc/passwd' %}", "cannot be rendered"),
    ("{% import '/etc/passwd' as p %}", "cannot be rendered"),
    ("{% extends '/etc/passwd' %}", "cannot be rendered"),
    ("{{ 'x' * 100000000 }}", "too large"),
    ("{% for i in range(10**8) %}{% endfor %}", "not allowed"),
    ("{% set x = lines.append(1) %}", "not allowed"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("html", "message"), ESCAPES)
def test_sandbox_escapes_are_refused_in_the_editor(exec_client, world, html, message):
    response = create(exec_client, world, kind="offer", form="html", html=html)
    assert response.status_code == 400
    assert message in response.text and "Line 1" in response.text
    assert "root:x:" not in response.text
    assert counts() == (0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(("html", "message"), ESCAPES[:3])
def test_sandbox_escapes_are_refused_in_a_new_version(exec_client, world, html, message):
    template = make_template(world, "contract", TemplateForm.HTML)
    response = exec_client.post(
        library_url(world, "template-version-add", template.pk), {"html": html, "note": ""}
    )
    assert response.status_code == 400 and message in response.text
    assert counts() == (1, 1)


FILE_READS = (
    "<html><head><link rel='stylesheet' href='file:///etc/passwd'>"
    "<style>@import url('file:///etc/passwd');</style></head><body>\n"
    "<p>{{ firm_name }}</p>\n<img src='file:///etc/passwd'>\n"
    "<object data='file:///etc/passwd'></object><iframe src='file:///etc/passwd'></iframe>\n"
    "<embed src='file:///etc/passwd'><link rel='attachment' href='file:///etc/passwd'>\n"
    "<a rel='attachment' href='file:///etc/passwd'>x</a>\n"
    "<img src='http://127.0.0.1:1/leak'><p style=\"background: url('file:///etc/passwd')\">b</p>"
    "</body></html>"
)


@pytest.mark.django_db
def test_server_files_are_never_read_into_the_pdf(exec_client, world):
    template = make_template(world, "brochure", TemplateForm.HTML, html=FILE_READS)
    response = exec_client.get(library_url(world, "template-preview-pdf", template.pk))
    assert response.status_code == 200
    pdf = response.content
    assert "root:x:" not in pdf_text(pdf)
    assert b"root:x:" not in pdf
    attachments = subprocess.run(
        ["pdfdetach", "-list", "-"], input=pdf, capture_output=True, check=False
    ).stdout.decode()
    assert "passwd" not in attachments
    html = exec_client.get(library_url(world, "template-preview-html", template.pk))
    assert "root:x:" not in html.text
    assert html["Content-Security-Policy"].startswith("default-src 'none';")


@pytest.mark.django_db
def test_preview_html_has_its_own_strict_policy(exec_client, world):
    template = make_template(world, "offer", TemplateForm.HTML, html=OFFER_HTML)
    page = exec_client.get(library_url(world, "template-preview", template.pk))
    assert page.status_code == 200
    assert '<iframe class="w-100 border rounded bg-white" height="900" sandbox ' in page.text
    assert "allow-scripts" not in page.text
    # The page itself keeps the site's policy; only the framed HTML may be framed (by us).
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    html = exec_client.get(library_url(world, "template-preview-html", template.pk))
    csp = html["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    assert "frame-ancestors 'self'" in csp and "script-src" not in csp
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    assert html["X-Content-Type-Options"] == "nosniff"
    assert html["Content-Type"] == "text/html; charset=utf-8"
    # No firm chosen: the firm's fields show their names; the offer gets two sample lines.
    assert "[firm_name]" in html.text and "Sample product" in html.text


@pytest.mark.django_db
def test_preview_for_a_turkish_firm_makes_a_pdf_with_its_name(exec_client, world):
    name = "Çağdaş Işık Güneş Öztürk Şişecam İğdır A.Ş."
    firm = make_firm(
        world.tenant, name, actor=world.executive.user,
        first_contact={"data": {"first_name": "Şükrü", "last_name": "Ağaoğlu"}},
    )  # fmt: skip
    template = make_template(world, "offer", TemplateForm.HTML, html=OFFER_HTML, language="en")
    page = exec_client.get(library_url(world, "template-preview", template.pk), {"firm": firm.pk})
    assert page.status_code == 200 and f"firm={firm.pk}" in page.text
    response = exec_client.get(
        library_url(world, "template-preview-pdf", template.pk), {"firm": firm.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    text = " ".join(pdf_text(response.content).split())
    assert name in text
    # Sample lines built with core.money: 2 × 1,250.00 − 10 % + 20 % VAT, 1.5 × 480.50 + 10 %.
    assert "Sample product" in text and "TOTAL 3,492.83 TRY" in text


@pytest.mark.django_db
def test_a_render_error_on_preview_shows_the_message(exec_client, world):
    template = make_template(world, "contract", TemplateForm.HTML)
    with scope(tenant=world.tenant.pk):  # an old version written before a rule changed
        broken = DocumentVersion.objects.create(
            tenant=world.tenant, template=template, number=2, html="<p>\n{{ gone_field }}</p>"
        )
        DocumentTemplate.objects.filter(pk=template.pk).update(current_version=broken)
    page = exec_client.get(library_url(world, "template-preview", template.pk))
    assert page.status_code == 400
    assert "Line 2: &#x27;gone_field&#x27; is undefined" in page.text
    html = exec_client.get(library_url(world, "template-preview-html", template.pk))
    assert html.status_code == 400 and "gone_field" in html.text
    assert html["Content-Security-Policy"].startswith("default-src 'none'")
    pdf = exec_client.get(library_url(world, "template-preview-pdf", template.pk), follow=True)
    assert pdf.status_code == 400 and "Line 2" in pdf.text
    # The first version still previews.
    version_one = exec_client.get(
        library_url(world, "template-preview", template.pk),
        {"version": template.current_version_id},
    )
    assert version_one.status_code == 200


@pytest.mark.django_db
def test_preview_only_for_firms_the_member_reads(client, world, other_world):
    with scopes_disabled():
        world.tenant.employees_read_all_firms = False
        world.tenant.save(update_fields=["employees_read_all_firms"])
    mine = make_firm(world.tenant, "Mine", actor=world.executive.user, sales_rep=world.employee)
    theirs = make_firm(world.tenant, "Theirs", actor=world.executive.user, sales_rep=world.outsider)
    foreign = make_firm(other_world.tenant, "Foreign", actor=other_world.executive.user)
    template = make_template(world, "offer", TemplateForm.HTML)
    client.force_login(world.employee.user)
    url = library_url(world, "template-preview-html", template.pk)
    assert "Mine" in client.get(url, {"firm": mine.pk}).text
    assert client.get(url, {"firm": theirs.pk}).status_code == 404
    assert client.get(url, {"firm": foreign.pk}).status_code == 404
    pdf_url = library_url(world, "template-preview-pdf", template.pk)
    assert client.get(pdf_url, {"firm": theirs.pk}).status_code == 404


# --- versions, activity, editing ----------------------------------------------------------


@pytest.mark.django_db
def test_a_new_version_keeps_the_old_one(exec_client, world):
    template = make_template(world, "brochure", content=PDF, filename="v1.pdf")
    first = template.current_version
    response = exec_client.post(
        library_url(world, "template-version-add", template.pk),
        {"file": SimpleUploadedFile("v2.png", PNG), "note": "New photo"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        template.refresh_from_db()
        assert template.current_version.number == 2 and template.current_version.size == len(PNG)
        assert list(template.versions.values_list("number", flat=True)) == [2, 1]
        entry = AuditEntry.objects.filter(subject_id=template.pk).first()
    assert "Version 2 added: New photo" in entry.summary
    old = exec_client.get(library_url(world, "version-download", template.pk, first.pk))
    assert b"".join(old.streaming_content) == PDF
    page = exec_client.get(library_url(world, "template-detail", template.pk)).text
    assert "v1.pdf" in page and "v2.png" in page and "New photo" in page


@pytest.mark.django_db
def test_new_html_version_starts_from_the_current_one(exec_client, world):
    template = make_template(world, "offer", TemplateForm.HTML, html=OFFER_HTML)
    form = exec_client.get(library_url(world, "template-version-add", template.pk))
    assert "{% for line in lines %}" in form.text and "vat_breakdown" in form.text
    response = exec_client.post(
        library_url(world, "template-version-add", template.pk),
        {"html": "<p>{{ firm_name }} v2</p>", "note": ""},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert [v.html for v in DocumentVersion.objects.order_by("number")] == [
            OFFER_HTML,
            "<p>{{ firm_name }} v2</p>",
        ]


@pytest.mark.django_db
def test_deactivating_keeps_everything_and_can_be_undone(exec_client, world):
    template = make_template(world, "magazine", name="Autumn magazine")
    list_url = library_url(world, "template-list")
    response = exec_client.post(library_url(world, "template-deactivate", template.pk))
    assert response.status_code == 302
    with scopes_disabled():
        template.refresh_from_db()
        assert not template.is_active and template.versions.count() == 1
    assert "Autumn magazine" not in exec_client.get(list_url).text
    assert "Autumn magazine" in exec_client.get(list_url, {"status": "inactive"}).text
    exec_client.post(library_url(world, "template-activate", template.pk))
    assert "Autumn magazine" in exec_client.get(list_url).text
    with scopes_disabled():
        changes = AuditEntry.objects.filter(subject_id=template.pk, action="update").count()
    assert changes == 2


@pytest.mark.django_db
def test_edit_changes_the_template_not_its_versions(exec_client, world):
    template = make_template(world, "film", content=MP4, filename="f.mp4", content_type="video/mp4")
    url = library_url(world, "template-edit", template.pk)
    data = {"kind": "film", "name": "Factory film", "description": "", "language": "tr"}
    assert exec_client.post(url, data).status_code == 302
    refused = exec_client.post(url, {**data, "kind": "offer"})
    assert refused.status_code == 400 and "The current file is not accepted" in refused.text
    with scopes_disabled():
        template.refresh_from_db()
    assert (template.name, template.language, template.kind) == ("Factory film", "tr", "film")
    html_template = make_template(world, "offer", TemplateForm.HTML)
    response = exec_client.post(
        library_url(world, "template-edit", html_template.pk), {**data, "kind": "film"}
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_list_filters_and_detail(client, world):
    make_template(world, "offer", TemplateForm.HTML, name="HTML offer")
    make_template(world, "film", name="Film", content=MP4, filename="f.mp4",
                  content_type="video/mp4")  # fmt: skip
    client.force_login(world.employee.user)
    url = library_url(world, "template-list")
    page = client.get(url)
    assert "HTML offer" in page.text and "Film" in page.text
    assert "template-create" not in page.text  # no button for those who cannot manage
    only_films = client.get(url, {"kind": "film"}).text
    assert "HTML offer" not in only_films and "Film" in only_films
    html_only = client.get(url, {"form": "html"}, headers={"HX-Request": "true"})
    assert "HTML offer" in html_only.text and "<html" not in html_only.text


# --- permissions ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["employee", "manager"])
def test_employee_and_manager_cannot_manage(client, world, role):
    template = make_template(world, "offer", TemplateForm.HTML)
    before = counts()
    client.force_login(getattr(world, role).user)
    posts = [
        (library_url(world, "template-create"), {"kind": "offer", "form": "html", "name": "x",
                                                 "language": "en", "html": "<p>x</p>"}),
        (library_url(world, "template-edit", template.pk), {"kind": "offer", "name": "Hacked",
                                                            "language": "en"}),
        (library_url(world, "template-version-add", template.pk), {"html": "<p>hacked</p>"}),
        (library_url(world, "template-deactivate", template.pk), {}),
        (library_url(world, "contact-card"), {"company_name": "Hacked"}),
    ]  # fmt: skip
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert counts() == before
    with scopes_disabled():
        template.refresh_from_db()
        assert template.is_active and template.name != "Hacked"
        assert not ContactCard.objects.exists()
    detail = client.get(library_url(world, "template-detail", template.pk))
    assert detail.status_code == 200 and "template-version-add" not in detail.text
    assert "/versions/new/" not in detail.text


@pytest.mark.django_db
def test_another_tenants_templates_are_404(client, world, other_world):
    template = make_template(other_world, "brochure")
    client.force_login(world.executive.user)
    for name in ("template-detail", "template-edit", "template-version-add", "template-preview"):
        assert client.get(library_url(world, name, template.pk)).status_code == 404, name
    assert client.post(library_url(world, "template-deactivate", template.pk)).status_code == 404
    download = library_url(world, "version-download", template.pk, template.current_version_id)
    assert client.get(download).status_code == 404
    mine = make_template(world, "brochure")
    # A version of another template, under mine.
    mixed = library_url(world, "version-download", mine.pk, template.current_version_id)
    assert client.get(mixed).status_code == 404


# --- the contact card ----------------------------------------------------------------------


@pytest.mark.django_db
def test_contact_card_is_edited_by_executives_and_feeds_the_merge_fields(client, world):
    client.force_login(world.executive.user)
    url = library_url(world, "contact-card")
    data = {
        "company_name": "Kervan Pompa A.Ş.",
        "address": "Organize Sanayi Bölgesi 4. Cadde\nGebze / Kocaeli",
        "phone": "+90 262 555 00 00",
        "fax": "+90 262 555 00 01",
        "email": "info@kervan.example",
        "website": "https://kervan.example",
        "logo": SimpleUploadedFile("logo.png", PNG),
    }
    assert client.post(url, data).status_code == 302
    with scope(tenant=world.tenant.pk):
        card = ContactCard.objects.get()
        values = merge.tenant_values(world.tenant)
    assert card.logo_content_type == "image/png"
    assert values["tenant_name"] == "Kervan Pompa A.Ş." and values["tenant_phone"] == data["phone"]
    assert values["tenant_logo"].startswith("data:image/png;base64,")
    logo = client.get(library_url(world, "contact-card-logo"))
    assert b"".join(logo.streaming_content) == PNG and logo["X-Content-Type-Options"] == "nosniff"
    client.force_login(world.employee.user)
    page = client.get(url)
    assert "Kervan Pompa A.Ş." in page.text and "contact-card-form" not in page.text
    client.force_login(world.executive.user)
    no_logo = {k: v for k, v in data.items() if k != "logo"}
    assert client.post(url, {**no_logo, "remove_logo": "on"}).status_code == 302
    with scopes_disabled():
        assert not ContactCard.objects.get().logo
        assert AuditEntry.objects.filter(subject_type="documents.contactcard").count() == 2
    assert client.get(library_url(world, "contact-card-logo")).status_code == 404


@pytest.mark.django_db
def test_contact_card_refuses_a_page_posing_as_a_logo(exec_client, world):
    url = library_url(world, "contact-card")
    response = exec_client.post(
        url, {"company_name": "X", "logo": SimpleUploadedFile("logo.png", HTML_PAGE)}
    )
    assert response.status_code == 400 and "not accepted" in response.text
    with scopes_disabled():
        assert not ContactCard.objects.exists()


# --- hostile input -------------------------------------------------------------------------

HOSTILE = [*helpers.HOSTILE, "{{ ''.__class__ }}", "<img src=file:///etc/passwd>"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_on_every_form(exec_client, world, other_world, value):
    template = make_template(world, "offer", TemplateForm.HTML)
    file_template = make_template(world, "brochure")
    foreign = make_template(other_world, "brochure")
    targets = [  # (url, fields, base data, whether a save adds a version)
        (library_url(world, "template-create"), ("kind", "form", "name", "description",
                                                 "language", "html", "note"),
         {"kind": "offer", "form": "html", "name": "n", "language": "en", "html": "<p>x</p>"},
         True),
        (library_url(world, "template-edit", template.pk), ("kind", "name", "description",
                                                            "language"),
         {"kind": "offer", "name": "n", "language": "en"}, False),
        (library_url(world, "template-version-add", template.pk), ("html", "note"),
         {"html": "<p>x</p>"}, True),
        (library_url(world, "template-version-add", file_template.pk), ("file", "note"), {}, True),
        (library_url(world, "contact-card"), ("company_name", "address", "phone", "fax", "email",
                                              "website", "remove_logo"),
         {"company_name": "Card"}, False),
        (library_url(world, "template-edit", foreign.pk), ("name",), {}, False),
    ]  # fmt: skip
    for url, fields, base, adds_version in targets:
        for field in fields:
            before = counts()
            response = exec_client.post(url, {**base, field: value})
            assert response.status_code in helpers.ALLOWED, (url, field)
            after = counts()
            if response.status_code != 302 or not adds_version:
                assert after == before, (url, field)
            else:  # saved whole: a template with its version, or one more version
                assert after[1] == before[1] + 1, (url, field)
    for name in ("template-list", "template-preview", "template-preview-html"):
        args = () if name == "template-list" else (template.pk,)
        for param in ("q", "kind", "form", "status", "sort", "page", "firm", "version"):
            response = exec_client.get(library_url(world, name, *args), {param: value})
            assert response.status_code in helpers.ALLOWED, (name, param)
    with scopes_disabled():
        assert not DocumentVersion.objects.filter(html__contains="__class__").exists()
        names = [t.name for t in DocumentTemplate.objects.all()]
        cards = [c.company_name for c in ContactCard.objects.all()]
    assert not any("\x00" in name or "\n" in name for name in names + cards)


# --- query budgets -------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_list_query_count_does_not_grow(exec_client, world):
    make_template(world, "offer", TemplateForm.HTML)
    url = library_url(world, "template-list")
    few = count_queries(exec_client, url)
    for i in range(20):
        template = make_template(world, "brochure", name=f"Brochure {i}")
        add_version(world, template)
    many = count_queries(exec_client, url)
    assert few == many and many <= 12, (few, many)


@pytest.mark.django_db
def test_detail_query_count_does_not_grow(exec_client, world):
    template = make_template(world, "brochure")
    url = library_url(world, "template-detail", template.pk)
    few = count_queries(exec_client, url)
    for i in range(20):
        add_version(world, template, note=f"change {i}")
    many = count_queries(exec_client, url)
    assert few == many and many <= 12, (few, many)


@pytest.mark.django_db
def test_starter_templates_are_added_once_and_render(client, world):
    from documents.models import DocumentTemplate
    from documents.rendering import render_pdf
    from documents.selectors.library import sample_document
    from documents.starters import starter_html

    client.force_login(world.executive.user)
    target = library_url(world, "template-starters")
    page = client.post(target, follow=True).content.decode()
    assert "Added: Standard offer, Standard invoice." in page
    again = client.post(target, follow=True).content.decode()
    assert "The company already has offer and invoice templates." in again
    with scope(tenant=world.tenant.pk):
        kinds = sorted(
            DocumentTemplate.objects.filter(tenant=world.tenant).values_list("kind", flat=True)
        )
    assert kinds == ["invoice", "offer"]
    assert "Geçerlilik tarihi" in starter_html("offer", "tr")
    assert 'dir="rtl"' in starter_html("invoice", "fa")
    with scope(tenant=world.tenant.pk):
        values = merge.build(
            tenant=world.tenant, language="en",
            document=sample_document(tenant=world.tenant),
        )  # fmt: skip
    pdf = render_pdf(starter_html("offer", "en"), values)
    assert b"%PDF" in pdf[:8]
    client.force_login(world.manager.user)
    assert client.post(target).status_code == 403
