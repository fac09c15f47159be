"""Files on activities and meeting notes: stored, recorded in the owner's history, removed.

The caller checks the right to change the owner and the file's content
(``core.files.clean_upload``); here the row is written and the history says what happened.
A removed file leaves the storage only after the commit, so a rollback keeps it.
"""

from django.utils.translation import gettext as _

from core import audit
from core.files import delete_after_commit
from core.models import AuditEntry


def attach(*, tenant, actor, model, owner_field, owner, upload, content_type, name=None):
    """Store ``upload`` as a ``model`` row whose ``owner_field`` is ``owner``."""
    name = (name or upload.name)[:255]
    attachment = model.objects.create(
        tenant=tenant,
        file=upload,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
        **{owner_field: owner},
    )
    audit.record(
        tenant=tenant,
        actor=actor.user,
        instance=owner,
        action=AuditEntry.Action.UPDATE,
        summary=_("File added: %(name)s") % {"name": name},
    )
    return attachment


def detach(*, tenant, actor, attachment, owner):
    """Remove an attachment of ``owner``; the file goes once the transaction commits."""
    stored = attachment.file
    attachment.delete()
    audit.record(
        tenant=tenant,
        actor=actor.user,
        instance=owner,
        action=AuditEntry.Action.UPDATE,
        summary=_("File removed: %(name)s") % {"name": attachment.original_name},
    )
    delete_after_commit(stored.storage, stored.name)
