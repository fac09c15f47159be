"""Writes of the document library: templates, their versions, the tenant's contact card.

A version is never changed or deleted: a dispatch keeps the version it sent (PROTECT), so a
new file or new HTML is always a new version, and "deleting" a template deactivates it.
Uploaded files arrive already checked by ``documents.policies.clean_template_file``; HTML is
compiled again here so nothing that cannot render is ever stored.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import audit
from core.files import delete_after_commit
from core.models import AuditEntry
from documents import policies
from documents.models import ContactCard, DocumentTemplate, DocumentVersion, TemplateForm
from documents.rendering import RenderError, compile_template

TEMPLATE_FIELDS = ("kind", "form", "name", "description", "language", "is_active")
CARD_FIELDS = ("company_name", "address", "phone", "fax", "email", "website")
MANAGE = "documents.manage"


def _require_manage(actor):
    if not actor.has_perm(MANAGE):
        raise PermissionDenied(_("You may not change the document library."))


def _check_kind_and_form(kind, form):
    if form == TemplateForm.HTML and not policies.policy_for(kind).html:
        raise ValidationError(
            {"form": _("This kind of document cannot be an HTML template; upload a file.")}
        )


def _check_html(html):
    if not html.strip():
        raise ValidationError({"html": _("Write the HTML of the template.")})
    try:
        compile_template(html)
    except RenderError as error:
        raise ValidationError({"html": str(error)}) from None


def _check_upload(template, upload):
    if upload is None:
        raise ValidationError({"file": _("Choose the file to upload.")})
    _file, content_type, _name = upload
    policy = policies.policy_for(template.kind)
    if content_type not in policy.content_types or _file.size > policy.max_size:
        raise ValidationError({"file": _("This file is not accepted for this kind.")})


def _new_version(*, tenant, actor, template, upload=None, html="", note=""):
    """Add the next version of ``template`` (locked by the caller) and make it current."""
    if template.form == TemplateForm.HTML:
        _check_html(html)
        fields = {"html": html}
    else:
        _check_upload(template, upload)
        file, content_type, original_name = upload
        fields = {
            "file": file,
            "original_name": original_name[:200],
            "content_type": content_type,
            "size": file.size,
        }
    last = DocumentVersion.objects.filter(tenant=tenant, template=template).aggregate(
        last=Max("number")
    )["last"]
    version = DocumentVersion.objects.create(
        tenant=tenant,
        template=template,
        number=(last or 0) + 1,
        note=note[:255],
        created_by=actor.user,
        **fields,
    )
    template.current_version = version
    template.save(update_fields=["current_version", "updated_at"])
    return version


@transaction.atomic
def template_create(*, tenant, actor, data, upload=None, html="", note=""):
    """A new template with its first version.

    ``data``: kind, form, name, description, language. ``upload``: ``(file, content_type,
    original_name)`` for a file template; ``html`` for an HTML template.
    """
    _require_manage(actor)
    _check_kind_and_form(data["kind"], data["form"])
    template = DocumentTemplate.objects.create(
        tenant=tenant,
        kind=data["kind"],
        form=data["form"],
        name=data["name"],
        description=data.get("description", ""),
        language=data["language"],
        is_active=True,
        created_by=actor.user,
    )
    version = _new_version(
        tenant=tenant, actor=actor, template=template, upload=upload, html=html, note=note
    )
    audit.record(
        tenant=tenant, actor=actor.user, instance=template, action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, audit.snapshot(template, TEMPLATE_FIELDS)),
        summary=_("Version %(number)s added") % {"number": version.number},
    )  # fmt: skip
    return template


def _lock(tenant, template):
    return (
        DocumentTemplate.objects.select_for_update(of=("self",))
        .select_related("current_version")
        .get(tenant=tenant, pk=template.pk)
    )


def _check_kind_change(template, kind):
    """A template may change kind only if its current version fits the new kind."""
    if kind == template.kind:
        return
    _check_kind_and_form(kind, template.form)
    version = template.current_version
    if (
        template.form == TemplateForm.FILE
        and version is not None
        and not (
            policies.check_stored_kind(
                kind=kind, content_type=version.content_type, size=version.size
            )
        )
    ):
        raise ValidationError(
            {"kind": _("The current file is not accepted for this kind; upload a new version.")}
        )


@transaction.atomic
def template_update(*, tenant, actor, template, data):
    """Change a template's name, description, language or kind (its versions stay)."""
    _require_manage(actor)
    template = _lock(tenant, template)
    _check_kind_change(template, data["kind"])
    before = audit.snapshot(template, TEMPLATE_FIELDS)
    for name in ("kind", "name", "description", "language"):
        setattr(template, name, data[name])
    template.save(update_fields=["kind", "name", "description", "language", "updated_at"])
    audit.record(
        tenant=tenant, actor=actor.user, instance=template, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(template, TEMPLATE_FIELDS)),
    )  # fmt: skip
    return template


@transaction.atomic
def version_add(*, tenant, actor, template, upload=None, html="", note=""):
    """A new version (a file or HTML, as the template's form says); it becomes the current one."""
    _require_manage(actor)
    template = _lock(tenant, template)
    version = _new_version(
        tenant=tenant, actor=actor, template=template, upload=upload, html=html, note=note
    )
    summary = _("Version %(number)s added") % {"number": version.number}
    if note:
        summary = f"{summary}: {note}"
    audit.record(
        tenant=tenant, actor=actor.user, instance=template, action=AuditEntry.Action.UPDATE,
        summary=summary,
    )  # fmt: skip
    return version


@transaction.atomic
def template_set_active(*, tenant, actor, template, active):
    """Deactivate (the library's "delete": nothing is removed) or reactivate a template."""
    _require_manage(actor)
    template = _lock(tenant, template)
    if template.is_active == active:
        return template
    before = audit.snapshot(template, ("is_active",))
    template.is_active = active
    template.save(update_fields=["is_active", "updated_at"])
    audit.record(
        tenant=tenant, actor=actor.user, instance=template, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(template, ("is_active",))),
    )  # fmt: skip
    return template


@transaction.atomic
def contact_card_save(*, tenant, actor, data, logo=None, remove_logo=False):
    """Create or change the tenant's contact card.

    ``logo``: ``(file, content_type)`` already checked by content; ``remove_logo`` drops the
    current one. A replaced logo file leaves the storage after the commit.
    """
    _require_manage(actor)
    card = ContactCard.objects.select_for_update().filter(tenant=tenant).first()
    created = card is None
    card = card or ContactCard(tenant=tenant)
    before = {} if created else audit.snapshot(card, (*CARD_FIELDS, "logo"))
    old_logo = card.logo.name if card.logo else ""
    for name in CARD_FIELDS:
        setattr(card, name, data.get(name, ""))
    if logo is not None:
        card.logo, card.logo_content_type = logo
    elif remove_logo:
        card.logo, card.logo_content_type = "", ""
    card.save()
    if old_logo != (card.logo.name if card.logo else ""):
        delete_after_commit(card.logo.storage, old_logo)
    audit.record(
        tenant=tenant, actor=actor.user, instance=card,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(card, (*CARD_FIELDS, "logo"))),
    )  # fmt: skip
    return card
