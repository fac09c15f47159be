"""Helpers for tests of the document library and of dispatches: sample files, templates.

``make_template(world, kind, form, ...)`` goes through the real service, so the template has a
current version (1) exactly as one uploaded through the library would.
"""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from documents.models import TemplateForm
from documents.services import library as services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
WEBM = (
    bytes.fromhex("1a45dfa3")
    + b"\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
    + b"\x00" * 64
)
XML = b'<?xml version="1.0" encoding="UTF-8"?>\n<offer><line qty="2">Pump</line></offer>\n'
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
HTML = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>\n"
    "<h1>{{ firm_name }}</h1>\n<p>{{ contact_name }} · {{ date }}</p>\n</body></html>\n"
)
OFFER_HTML = (
    "<html><body><h1>{{ firm_name }}</h1>\n"
    "<table>{% for line in lines %}<tr><td>{{ line.description }}</td>"
    "<td>{{ line.total }}</td></tr>{% endfor %}</table>\n"
    "<p>TOTAL {{ total }} {{ currency }}</p></body></html>\n"
)

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
)
MAIN_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}


def office_bytes(kind="docx", main=None, extra=None):
    """A minimal Office Open XML document (``docx``, ``xlsx`` or ``pptx``) as bytes.

    ``main`` replaces the main part's XML; ``extra`` adds ``{name: bytes}`` members.
    """
    buffer = io.BytesIO()
    body = main or (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>"
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr(MAIN_PARTS[kind], body)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


def make_template(
    world,
    kind="brochure",
    form=TemplateForm.FILE,
    *,
    html=None,
    name=None,
    content=PDF,
    filename="document.pdf",
    content_type="application/pdf",
    language="en",
):
    """A template of ``world``'s tenant made by its executive, with version 1 current."""
    data = {
        "kind": kind,
        "form": form,
        "name": name or f"{kind.title()} template",
        "description": "",
        "language": language,
    }
    file = None
    if form == TemplateForm.FILE:
        file = (upload(filename, content), content_type, filename)
    with scope(tenant=world.tenant.pk):
        return services.template_create(
            tenant=world.tenant,
            actor=world.executive,
            data=data,
            upload=file,
            html=(html or HTML) if form == TemplateForm.HTML else "",
            note="first",
        )


def add_version(world, template, *, html=None, content=PDF, filename="document.pdf",
                content_type="application/pdf", note=""):  # fmt: skip
    """The next version of ``template`` (HTML or a file, as its form says)."""
    file = None if template.is_html else (upload(filename, content), content_type, filename)
    with scope(tenant=world.tenant.pk):
        return services.version_add(
            tenant=world.tenant,
            actor=world.executive,
            template=template,
            upload=file,
            html=html or "",
            note=note,
        )


def library_url(world, name, *args):
    return reverse(f"documents:{name}", args=[world.tenant.slug, *args])
