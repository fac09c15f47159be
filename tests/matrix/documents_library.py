"""Matrix entries for the document library (see tests/test_permission_matrix.py).

Everyone reads the library (``documents.view`` is in every default profile): the list, a
template, its preview (page, sandboxed HTML, PDF), a version's file, the contact card and its
logo. Only executives (``documents.manage``) reach the pages that change it; the employee and
the manager get a 403 there.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from documents.models import TemplateForm
from documents.services.library import contact_card_save
from tests.documents_helpers import PNG, make_template
from tests.matrix.common import EVERYONE, FORBIDDEN, OK, REDIRECT

ONLY_EXECUTIVE = {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": OK}
EXECUTIVE_REDIRECT = {"employee": FORBIDDEN, "manager": FORBIDDEN, "executive": REDIRECT}


def prepare(w):
    w.library_file = make_template(w, "brochure", TemplateForm.FILE, name="Matrix brochure")
    w.library_html = make_template(w, "offer", TemplateForm.HTML, name="Matrix offer")
    with scope(tenant=w.tenant.pk):
        contact_card_save(
            tenant=w.tenant,
            actor=w.executive,
            data={"company_name": "Matrix A.Ş."},
            logo=(SimpleUploadedFile("logo.png", PNG), "image/png"),
        )


def file_template(w):
    return {"pk": w.library_file.pk}


def html_template(w):
    return {"pk": w.library_html.pk}


def file_version(w):
    return {"pk": w.library_file.pk, "version_pk": w.library_file.current_version_id}


MATRIX = {
    "documents:template-list": ("GET", None, EVERYONE),
    "documents:template-create": ("GET", None, ONLY_EXECUTIVE),
    "documents:template-detail": ("GET", file_template, EVERYONE),
    "documents:template-edit": ("GET", file_template, ONLY_EXECUTIVE),
    "documents:template-version-add": ("GET", html_template, ONLY_EXECUTIVE),
    "documents:template-preview": ("GET", html_template, EVERYONE),
    "documents:template-preview-html": ("GET", html_template, EVERYONE),
    "documents:template-preview-pdf": ("GET", html_template, EVERYONE),
    "documents:version-download": ("GET", file_version, EVERYONE),
    "documents:template-deactivate": ("POST", file_template, EXECUTIVE_REDIRECT),
    "documents:template-activate": ("POST", file_template, EXECUTIVE_REDIRECT),
    "documents:template-starters": ("POST", None, EXECUTIVE_REDIRECT),
    "documents:contact-card": ("GET", None, EVERYONE),
    "documents:contact-card-logo": ("GET", None, EVERYONE),
}
