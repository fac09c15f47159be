"""What the document library accepts: per kind, the file types (checked by content) and a size.

A template's file is sent to firms as it is, so it is checked harder than an ordinary upload:

- the type comes from the bytes (``filetype`` for PDF, images and video; the zip's own member
  names for Office documents; a parse for XML), and the name's extension must agree with it;
- an Office document (docx, xlsx, pptx) is a zip container: too many members, too many
  uncompressed bytes or a suspicious compression ratio (a zip bomb) is refused, so are macros
  and encrypted members, and every XML part is scanned: a DOCTYPE or an entity declaration (the
  door to external XML entities and "billion laughs") is refused;
- an XML file is parsed with ``defusedxml`` (no DOCTYPE, no entities) and must be well formed;
  an HTML page is never accepted, whatever its name.

``clean_template_file(upload, kind)`` returns ``(original_name, content_type)`` or raises a
``ValidationError`` whose message says what is wrong. The table is in docs/documents.md.
"""

import os
import xml.parsers.expat
import xml.sax
import zipfile
from dataclasses import dataclass

import defusedxml.sax
import filetype
from defusedxml import DefusedXmlException
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.models import DocumentKind

MB = 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XML = "application/xml"
JPEG = "image/jpeg"
PNG = "image/png"
MP4 = "video/mp4"
WEBM = "video/webm"
HTML = "text/html"

EXTENSIONS = {
    PDF: (".pdf",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PPTX: (".pptx",),
    XML: (".xml",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    MP4: (".mp4",),
    WEBM: (".webm",),
}
LABELS = {
    PDF: gettext_lazy("a PDF document"),
    DOCX: gettext_lazy("a Word document (docx)"),
    XLSX: gettext_lazy("an Excel workbook (xlsx)"),
    PPTX: gettext_lazy("a PowerPoint presentation (pptx)"),
    XML: gettext_lazy("an XML file"),
    JPEG: gettext_lazy("a JPEG image"),
    PNG: gettext_lazy("a PNG image"),
    MP4: gettext_lazy("an MP4 video"),
    WEBM: gettext_lazy("a WebM video"),
}
# The member that tells one Office Open XML document from another.
OFFICE_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "xl/workbook.xml": XLSX,
    "ppt/presentation.xml": PPTX,
}
OFFICE_TYPES = frozenset(OFFICE_MAIN_PARTS.values())

# Zip containers: what an honest Office document never needs.
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_UNCOMPRESSED = 300 * MB
ZIP_MAX_RATIO = 100  # uncompressed ÷ compressed, checked once the content passes ZIP_RATIO_FROM
ZIP_RATIO_FROM = 10 * MB
XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class KindPolicy:
    """What templates of one kind may be: file types, a size, and whether HTML is possible."""

    content_types: tuple
    max_size: int
    html: bool = True  # an HTML template rendered to PDF makes sense for this kind

    @property
    def extensions(self):
        return [ext for ct in self.content_types for ext in EXTENSIONS[ct]]

    @property
    def accept(self):
        """The value of an ``<input accept=...>`` attribute."""
        return ",".join(self.extensions)


_PAPERS = (PDF, DOCX, XLSX, XML, JPEG, PNG)
_PRINTED = (PDF, PPTX, DOCX, XML, JPEG, PNG)
POLICIES = {
    DocumentKind.OFFER: KindPolicy(_PAPERS, 20 * MB),
    DocumentKind.CONTRACT: KindPolicy(_PAPERS, 20 * MB),
    DocumentKind.ORDER_CONTRACT: KindPolicy(_PAPERS, 20 * MB),
    DocumentKind.INVOICE: KindPolicy(_PAPERS, 20 * MB),
    DocumentKind.BROCHURE: KindPolicy(_PRINTED, 50 * MB),
    DocumentKind.PRESENTATION: KindPolicy(_PRINTED, 50 * MB),
    DocumentKind.MAGAZINE: KindPolicy(_PRINTED, 50 * MB),
    DocumentKind.CD: KindPolicy((PDF, DOCX, XLSX, PPTX, XML, JPEG, PNG, MP4, WEBM), 200 * MB),
    DocumentKind.FILM: KindPolicy((MP4, WEBM), 200 * MB, html=False),
    DocumentKind.OTHER: KindPolicy((PDF, DOCX, XLSX, PPTX, XML, JPEG, PNG), 50 * MB),
}
# The largest file any kind accepts (the form refuses anything bigger before looking closer).
MAX_SIZE = max(policy.max_size for policy in POLICIES.values())


def policy_for(kind):
    return POLICIES[kind]


def html_kinds():
    """The kinds an HTML template may have (a film is a video, never a rendered PDF)."""
    return [kind for kind in DocumentKind if POLICIES[kind].html]


def _refuse(message, code):
    raise ValidationError(message, code=code)


def _check_name(name):
    if not name or any(ch in name for ch in "\x00\r\n/\\") or name.startswith("."):
        _refuse(_("The file name is not acceptable."), "name")
    if len(name) > 200:
        _refuse(_("The file name is too long (200 characters at most)."), "name")


def _text_start(head):
    """The first characters of ``head`` if it is text (UTF-8 or UTF-16 with a BOM), else ''."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                          (b"\xfe\xff", "utf-16-be")):  # fmt: skip
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, "ignore").lstrip()[:200]
    start = head[:1024]
    try:
        return start.decode("utf-8").lstrip()[:200]
    except UnicodeDecodeError as error:
        # A character cut at the end of the sample is not a sign of binary content.
        return start[: error.start].decode("utf-8").lstrip()[:200] if error.start > 1016 else ""


def _sniff_text(head):
    """``text/html`` for an HTML page, ``application/xml`` for XML, or None."""
    text = _text_start(head).lower()
    if text.startswith(("<!doctype html", "<html", "<head", "<body", "<script", "<svg")):
        return HTML
    if text.startswith("<?xml") or (text[:1] == "<" and text[1:2].isalpha()):
        return XML
    return None


def _office_type(upload):
    """The Office Open XML type a zip declares by its main part, or None."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for part, content_type in OFFICE_MAIN_PARTS.items():
        if part in names:
            return content_type
    return None


def detect(upload):
    """The content type of ``upload`` judged from its bytes (None when unknown)."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        found = _office_type(upload)
        upload.seek(0)
        return found or "application/zip"
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    return _sniff_text(head)


def _expected_type(ext):
    for content_type, extensions in EXTENSIONS.items():
        if ext in extensions:
            return content_type
    return None


def _check_type(name, content_type, kind, policy):
    ext = os.path.splitext(name)[1].lower()
    if content_type not in policy.content_types:
        expected = _expected_type(ext)
        if expected in policy.content_types:
            _refuse(
                _("The file is named “%(ext)s” but its content is not %(what)s.")
                % {"ext": ext, "what": LABELS[expected]},
                "content",
            )
        _refuse(
            _("This kind of file is not accepted for “%(kind)s”. Allowed: %(types)s.")
            % {"kind": DocumentKind(kind).label, "types": ", ".join(policy.extensions)},
            "type",
        )
    if ext not in EXTENSIONS[content_type]:
        _refuse(
            _("The file's name ends in “%(ext)s” but its content is %(what)s.")
            % {"ext": ext or "…", "what": LABELS[content_type]},
            "extension",
        )


def _refuse_declaration(*_args):
    raise DefusedXmlException("DOCTYPE or ENTITY declaration")


def _scan_xml_part(stream):
    """Parse one XML part with expat; any DOCTYPE or entity declaration raises.

    The same refusals as ``defusedxml`` (which would also build SAX events nobody needs here:
    a large spreadsheet is scanned several times faster this way).
    """
    parser = xml.parsers.expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_declaration
    parser.EntityDeclHandler = _refuse_declaration
    parser.UnparsedEntityDeclHandler = _refuse_declaration
    parser.ExternalEntityRefHandler = _refuse_declaration
    parser.ParseFile(stream)


def _check_zip_shape(members, archive_size):
    if len(members) > ZIP_MAX_MEMBERS:
        _refuse(
            _("The Office document has too many parts (more than %(max)s).")
            % {"max": ZIP_MAX_MEMBERS},
            "zip_members",
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > ZIP_MAX_UNCOMPRESSED:
        _refuse(
            _(
                "The Office document unpacks to %(size)s, more than %(limit)s: "
                "refused as a zip bomb."
            )
            % {"size": filesizeformat(unpacked), "limit": filesizeformat(ZIP_MAX_UNCOMPRESSED)},
            "zip_bomb",
        )
    packed = min(sum(member.compress_size for member in members), archive_size) or 1
    if unpacked > ZIP_RATIO_FROM and unpacked / packed > ZIP_MAX_RATIO:
        _refuse(
            _("The Office document is compressed %(ratio)s times (at most %(max)s): "
              "refused as a zip bomb.")
            % {"ratio": int(unpacked / packed), "max": ZIP_MAX_RATIO},
            "zip_bomb",
        )  # fmt: skip
    for member in members:
        if member.flag_bits & 0x1:
            _refuse(_("The Office document has encrypted parts."), "zip_encrypted")
        if os.path.basename(member.filename).lower().startswith("vbaproject"):
            _refuse(_("Office documents with macros are not accepted."), "macros")


def _check_office(upload, size):
    """Refuse zip bombs, macros and XML parts that declare a DOCTYPE or entities."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            _check_zip_shape(members, size)
            for member in members:
                if member.is_dir():
                    continue
                with archive.open(member) as stream:
                    head = stream.read(64)
                if not (member.filename.lower().endswith(XML_SUFFIXES) or _sniff_text(head)):
                    continue
                with archive.open(member) as stream:
                    _check_office_part(stream, member.filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError,
            NotImplementedError):  # fmt: skip
        _refuse(_("The Office document is damaged and cannot be read."), "zip_damaged")
    finally:
        upload.seek(0)


def _check_office_part(stream, part):
    try:
        _scan_xml_part(stream)
    except DefusedXmlException:
        _refuse(
            _("The Office document's part “%(part)s” declares a DOCTYPE or XML entities "
              "(a way to read files from the server): refused.")
            % {"part": part[:100]},
            "xml_entity",
        )  # fmt: skip
    except xml.parsers.expat.ExpatError as error:
        _refuse(
            _("The Office document's part “%(part)s” is not well-formed XML (line %(line)s).")
            % {"part": part[:100], "line": error.lineno},
            "xml_invalid",
        )


class _KeepOpen:
    """The upload as SAX sees it: the parser closes its source when done, the form may not."""

    def __init__(self, upload):
        self._upload = upload

    def read(self, size=-1):
        return self._upload.read(size)

    def close(self):
        pass


class _RootHandler(xml.sax.ContentHandler):
    root = None

    def startElement(self, name, attrs):
        if self.root is None:
            self.root = name


def _check_xml(upload):
    """Parse an XML file with defusedxml: well formed, no DOCTYPE, no entities, not HTML."""
    upload.seek(0)
    handler = _RootHandler()
    try:
        defusedxml.sax.parse(
            _KeepOpen(upload), handler, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        _refuse(
            _("The XML file declares a DOCTYPE or XML entities "
              "(a way to read files from the server): refused."),
            "xml_entity",
        )  # fmt: skip
    except xml.sax.SAXParseException as error:
        _refuse(
            _("The XML file is not well-formed (line %(line)s).") % {"line": error.getLineNumber()},
            "xml_invalid",
        )
    finally:
        upload.seek(0)
    if (handler.root or "").rsplit(":", 1)[-1].lower() == "html":
        _refuse(_("An HTML page is not accepted as an XML file."), "content")


def clean_template_file(upload, kind):
    """Check ``upload`` against the policy of ``kind``; return ``(original_name, content_type)``."""
    policy = POLICIES[kind]
    name = (upload.name or "").strip()
    _check_name(name)
    if upload.size > policy.max_size:
        _refuse(
            _("The file is too large (%(size)s); the limit for “%(kind)s” is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "kind": DocumentKind(kind).label,
                "limit": filesizeformat(policy.max_size),
            },
            "size",
        )
    if upload.size == 0:
        _refuse(_("The file is empty."), "empty")
    content_type = detect(upload)
    _check_type(name, content_type, kind, policy)
    if content_type in OFFICE_TYPES:
        _check_office(upload, upload.size)
    elif content_type == XML:
        _check_xml(upload)
    return name, content_type


def check_stored_kind(*, kind, content_type, size):
    """Whether a stored version (type, size) also fits ``kind`` (when a template changes kind)."""
    policy = POLICIES[kind]
    return content_type in policy.content_types and size <= policy.max_size
