"""Dispatches on the firm's 360° timeline: what was sent, to whom, by whom, how far it got.

Every e-mail a dispatch sends to the firm's contacts is one recipient of it, so the firm's
timeline shows each of them with its delivery state. Four queries, whatever the firm holds:
the dispatches, their recipients with their outbox rows, their items and the recorded render
failures.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from companies import timeline
from documents.models import Dispatch
from documents.selectors import dispatch as selectors

timeline.register_kinds({"dispatch": "documents.view"})


def _detail(dispatch):
    documents = ", ".join(item.title for item in dispatch.items.all())
    if not documents and dispatch.kind == "contact_card":
        documents = _("Contact information")
    people = ", ".join(f"{r.name} <{r.email}> ({r.delivery[0]})" for r in dispatch.recipients.all())
    text = _("%(documents)s to %(people)s") % {"documents": documents, "people": people}
    if dispatch.error:
        text += " · " + dispatch.error
    return text


@timeline.register
def dispatches(tenant, firm, limit):
    rows = selectors.dispatch_rows(
        Dispatch.objects.filter(tenant=tenant, firm=firm).order_by("-created_at", "-pk")
    )[:limit]
    return [
        timeline.TimelineItem(
            created_at=dispatch.created_at,
            summary=dispatch.subject,
            actor=dispatch.sent_by,
            url=reverse("documents:dispatch-detail", args=[tenant.slug, dispatch.pk]),
            kind="dispatch",
            badge=f"{_('Documents sent')} · {dispatch.get_kind_display()} · {dispatch.state_label}",
            detail=_detail(dispatch),
        )
        for dispatch in selectors.with_states(tenant=tenant, dispatches=rows)
    ]
