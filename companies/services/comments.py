"""Comments on a firm and the notifications of the colleagues they mention."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Employee
from companies.models import Comment
from companies.selectors.firms import visible_firms
from core import audit, mail, notifications
from core.models import AuditEntry

TIMELINE_CHARS = 200


def _check_mentions(tenant, firm, mentions):
    """Every mentioned colleague works here and may read the firm (the text goes to them)."""
    blind = []
    for person in mentions:
        if person.tenant_id != tenant.pk or person.status != Employee.Status.WORKING:
            raise ValidationError({"mentions": _("Select a valid choice.")})
        if not visible_firms(tenant=tenant, member=person).filter(pk=firm.pk).exists():
            blind.append(person.full_name)
    if blind:
        raise ValidationError(
            {"mentions": _("These colleagues cannot see this firm: %(names)s")
             % {"names": ", ".join(blind)}}
        )  # fmt: skip


@transaction.atomic
def comment_create(*, tenant, actor, author, firm, text, mentions=()):
    """Add a comment to ``firm``; each mentioned colleague gets an e-mail and a notification.

    ``author`` is the acting member; the comment's start goes onto the firm's timeline.
    """
    if firm.tenant_id != tenant.pk or (author is not None and author.tenant_id != tenant.pk):
        raise ValidationError(_("Select a valid choice."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    mentions = list({person.pk: person for person in mentions}.values())
    _check_mentions(tenant, firm, mentions)
    comment = Comment.objects.create(tenant=tenant, firm=firm, author=author, text=text)
    comment.mentions.set(mentions)
    audit.record(
        tenant=tenant, actor=actor, instance=firm, action=AuditEntry.Action.EVENT,
        summary=_("Comment: %(text)s") % {"text": " ".join(text[:TIMELINE_CHARS].split())},
    )  # fmt: skip
    _notify_mentions(tenant=tenant, comment=comment, firm=firm, author=author, mentions=mentions)
    return comment


def _notify_mentions(*, tenant, comment, firm, author, mentions):
    """An outbox e-mail (once per comment and person) and an in-app notification for each."""
    path = reverse("companies:firm-comments", args=[tenant.slug, firm.pk])
    author_name = author.full_name if author is not None else ""
    for person in mentions:
        if author is not None and person.pk == author.pk:
            continue
        language = mail.language_for(person, tenant)
        mail.enqueue_template(
            key=f"comment:{comment.pk}:mention:{person.pk}",
            to=[person.user.email],
            template="mention_comment",
            context={
                "recipient_name": person.full_name,
                "author_name": author_name,
                "firm_name": firm.name,
                "tenant_name": tenant.name,
                "text": comment.text,
                "path": path,
            },
            tenant=tenant,
            language=language,
        )
        with translation.override(language):
            text = _("%(author)s mentioned you on %(firm)s") % {
                "author": author_name or _("A colleague"),
                "firm": firm.name,
            }
        notifications.notify(
            tenant=tenant, recipients=[person], text=text, url=path, verb="comment_mention"
        )
