"""Matrix entries for dispatches (tests/test_permission_matrix.py), and the builders the
dispatch tests share.

Every role holds ``documents.view`` and ``documents.send`` by default, and the firm is the
employee's own, so everyone reaches every page. An empty send form is a 400; "prepare again"
on a dispatch that is not stuck is refused with a message (302). ``GLOBAL_MATRIX`` holds the
public signed link (outside /o/): a token that opens nothing is a 404 for everyone; the real
link is proven in tests/test_documents_dispatch.py.
"""

from django.core.files.base import ContentFile
from django_scopes import scope

from companies.models import Firm
from companies.services.firms import contact_create, firm_create
from documents.models import DocumentTemplate, DocumentVersion
from documents.services.dispatch import dispatch_send
from tests.matrix.common import EVERYONE, NOT_FOUND, REDIRECT

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_contact(w, firm, first, last="", email=None, languages=None):
    """A contact of ``firm`` through the real service, with an e-mail when given."""
    channels = {"emails": [{"address": email}]} if email else {}
    with scope(tenant=w.tenant.pk):
        # Fresh: the service makes the first contact primary by the firm it is given.
        firm = Firm.objects.get(pk=firm.pk)
        return contact_create(
            tenant=w.tenant,
            actor=w.executive.user,
            firm=firm,
            data={"first_name": first, "last_name": last, "languages": languages or []},
            channels=channels,
        )


def make_template(
    tenant,
    name,
    *,
    kind="brochure",
    html="",
    content=PDF,
    filename="doc.pdf",
    language="en",
    active=True,
):
    """An active library template with one version: HTML (rendered) when ``html`` is given,
    else a stored file sent as it is."""
    with scope(tenant=tenant.pk):
        template = DocumentTemplate.objects.create(
            tenant=tenant,
            kind=kind,
            form="html" if html else "file",
            name=name,
            language=language,
            is_active=active,
        )
        version = DocumentVersion(tenant=tenant, template=template, number=1, html=html)
        if not html:
            version.file.save(filename, ContentFile(content), save=False)
            version.original_name, version.content_type = filename, "application/pdf"
            version.size = len(content)
        version.save()
        template.current_version = version
        template.save(update_fields=["current_version"])
        return template


def send(w, firm, contacts, templates=(), *, actor=None, kind="brochure", **extra):
    """A dispatch through the real service (its task is not run: tests call it)."""
    with scope(tenant=w.tenant.pk):
        return dispatch_send(
            tenant=w.tenant,
            actor=actor or w.executive,
            firm=firm,
            kind=kind,
            contacts=contacts,
            templates=templates,
            subject=extra.pop("subject", "Our brochure"),
            message=extra.pop("message", "Hello"),
            **extra,
        )


def prepare(w):
    with scope(tenant=w.tenant.pk):
        w.dispatch_firm = firm_create(
            tenant=w.tenant,
            actor=w.executive.user,
            data={"name": "Matrix Dispatch Firm", "type": "customer", "sales_rep": w.employee},
        )
    contact = make_contact(w, w.dispatch_firm, "Mira", "Matrix", email="mira@example.com")
    template = make_template(w.tenant, "Matrix brochure")
    w.dispatch = send(w, w.dispatch_firm, [contact], [template])
    with scope(tenant=w.tenant.pk):
        w.dispatch_item = w.dispatch.items.get()


def firm(w):
    return {"pk": w.dispatch_firm.pk}


def dispatch(w):
    return {"pk": w.dispatch.pk}


def item(w):
    return {"pk": w.dispatch.pk, "item_pk": w.dispatch_item.pk}


MATRIX = {
    "documents:dispatch-create": ("GET", None, EVERYONE),
    "documents:dispatch-kind-fields": ("GET", None, EVERYONE),
    "documents:firm-dispatches": ("GET", firm, EVERYONE),
    "documents:dispatch-detail": ("GET", dispatch, EVERYONE),
    "documents:dispatch-item": ("GET", item, EVERYONE),
    "documents:dispatch-retry": (
        "POST",
        dispatch,
        {"employee": REDIRECT, "manager": REDIRECT, "executive": REDIRECT},
    ),
}
# Pages outside a tenant: name → (method, kwargs, anonymous, logged-in user).
GLOBAL_MATRIX = {
    "document-link": ("GET", {"token": "not-a-signed-token"}, NOT_FOUND, NOT_FOUND),
}
