"""Files on activities: the assigned employee and the creator add and remove them."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from agenda.models import ActivityAttachment
from agenda.selectors.activities import can_close
from agenda.services.attachments import attach, detach


def _require_attach(actor, activity):
    if not can_close(member=actor, activity=activity):
        raise PermissionDenied(_("Only the person assigned or its creator can change files."))


@transaction.atomic
def attachment_add(*, tenant, actor, activity, upload, content_type, original_name=None):
    """Store a file checked by ``core.files.clean_upload`` on the activity."""
    _require_attach(actor, activity)
    return attach(
        tenant=tenant, actor=actor, model=ActivityAttachment, owner_field="activity",
        owner=activity, upload=upload, content_type=content_type, name=original_name,
    )  # fmt: skip


@transaction.atomic
def attachment_remove(*, tenant, actor, attachment):
    _require_attach(actor, attachment.activity)
    detach(tenant=tenant, actor=actor, attachment=attachment, owner=attachment.activity)
