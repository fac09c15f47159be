"""Claims: an employee asks for a pool firm, a manager or an executive approves or rejects.

Concurrency: every write locks the firm row first and then its pending claims in primary-key
order (one order everywhere, so two deciders never deadlock), and re-reads the claim's status
inside the lock. Two approvals at the same moment therefore change the firm once: the second
waits for the first to commit and then finds the claim decided.

Each step is on the firm's timeline (an audit EVENT on the firm), and the people concerned are
told in the application (``core.notifications``) and by e-mail (the outbox), in the same
transaction.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from companies.models import Claim, ClaimStatus, Firm
from companies.models.claims import MESSAGE_LIMIT, REASON_LIMIT
from companies.selectors.claims import can_decide_claim, claim_approvers
from companies.selectors.firms import visible_firms
from core import audit, mail
from core.models import AuditEntry
from core.notifications import notify

CLAIM = "claims.add"


def _clean_text(value, *, field, limit, required):
    text = (value or "").strip()
    if "\x00" in text:
        raise ValidationError({field: _("Null characters are not allowed.")})
    if len(text) > limit:
        raise ValidationError(
            {field: _("Ensure this value has at most %(limit)d characters.") % {"limit": limit}}
        )
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    return text


def _claims_url(tenant):
    return reverse("companies:claim-list", kwargs={"tenant_slug": tenant.slug})


def _tell(*, tenant, recipient, verb, key, template, text, context):
    """Notify ``recipient`` in the application and by e-mail, in their language.

    ``text`` is called inside the language override, so the sentence comes out translated.
    """
    language = mail.language_for(recipient, tenant)
    url = _claims_url(tenant)
    with translation.override(language):
        sentence = text()
    notify(tenant=tenant, recipients=[recipient], text=sentence, url=url, verb=verb)
    mail.enqueue_template(
        key=key,
        to=[recipient.user.email],
        template=template,
        context={**context, "recipient_name": recipient.full_name, "url": url},
        tenant=tenant,
        language=language,
    )


def _event(*, tenant, actor, firm, summary, changes=None):
    audit.record(
        tenant=tenant, actor=actor, instance=firm, action=AuditEntry.Action.EVENT,
        summary=summary, changes=changes,
    )  # fmt: skip


@transaction.atomic
def claim_create(*, tenant, requester, firm, message):
    """``requester`` asks to become the sales representative of pool firm ``firm``."""
    if firm.tenant_id != tenant.pk or requester.tenant_id != tenant.pk:
        raise ValidationError(_("Select a valid choice."))
    if not requester.has_perm(CLAIM):
        raise PermissionDenied
    message = _clean_text(message, field="message", limit=MESSAGE_LIMIT, required=True)
    firm = (
        visible_firms(tenant=tenant, member=requester)
        .select_for_update()
        .filter(pk=firm.pk)
        .first()
    )
    if firm is None:
        raise PermissionDenied
    if firm.sales_rep_id is not None:
        raise ValidationError(_("This firm already has a sales representative."))
    if not firm.is_active:
        raise ValidationError(_("This firm is inactive and cannot be claimed."))
    if Claim.objects.filter(
        tenant=tenant, firm=firm, requester=requester, status=ClaimStatus.PENDING
    ).exists():
        raise ValidationError(_("You have already asked for this firm; wait for the decision."))
    claim = Claim.objects.create(tenant=tenant, firm=firm, requester=requester, message=message)
    _event(
        tenant=tenant, actor=requester.user, firm=firm,
        summary=_("Claimed by %(name)s: %(message)s")
        % {"name": requester.full_name, "message": message},
    )  # fmt: skip
    context = {"firm_name": firm.name, "requester_name": requester.full_name, "message": message}
    for approver in claim_approvers(tenant=tenant, requester=requester):
        _tell(
            tenant=tenant, recipient=approver, verb="claim.requested",
            key=f"claim:{claim.pk}:requested:{approver.pk}", template="claim_requested",
            text=lambda: _("%(name)s asks for the firm %(firm)s.")
            % {"name": requester.full_name, "firm": firm.name},
            context=context,
        )  # fmt: skip
    return claim


def _lock(*, tenant, claim):
    """Lock the claim's firm, then its pending claims by pk; the fresh firm and claim rows.

    The claim is None when it is no longer pending (decided while we waited for the lock).
    """
    firm = Firm.objects.select_for_update().get(tenant=tenant, pk=claim.firm_id)
    pending = list(
        Claim.objects.select_for_update()
        .filter(tenant=tenant, firm=firm, status=ClaimStatus.PENDING)
        .select_related("requester__user")
        .order_by("pk")
    )
    current = next((row for row in pending if row.pk == claim.pk), None)
    return firm, current, [row for row in pending if row.pk != claim.pk]


def _check_decider(*, tenant, decider, claim):
    if claim.tenant_id != tenant.pk:
        raise ValidationError(_("Select a valid choice."))
    if decider.pk == claim.requester_id:
        raise PermissionDenied(_("You cannot decide your own request."))
    if not can_decide_claim(tenant=tenant, member=decider, claim=claim):
        raise PermissionDenied


def _close(*, claim, status, decider, reason):
    claim.status = status
    claim.approver = decider
    claim.decided_at = timezone.now()
    claim.reason = reason
    claim.save(update_fields=["status", "approver", "decided_at", "reason", "updated_at"])


def _tell_decision(*, tenant, claim, decider):
    requester = claim.requester
    texts = {
        ClaimStatus.APPROVED: lambda: _("Your request for %(firm)s was approved."),
        ClaimStatus.REJECTED: lambda: _("Your request for %(firm)s was rejected."),
        ClaimStatus.SUPERSEDED: lambda: _("Your request for %(firm)s was closed: "
                                          "the firm went to a colleague."),
    }  # fmt: skip
    _tell(
        tenant=tenant, recipient=requester, verb=f"claim.{claim.status}",
        key=f"claim:{claim.pk}:decided", template="claim_decided",
        text=lambda: texts[claim.status]() % {"firm": claim.firm.name},
        context={
            "firm_name": claim.firm.name, "decision": claim.status,
            "decider_name": decider.full_name if decider else "", "reason": claim.reason,
        },
    )  # fmt: skip


def _decide_locked(*, tenant, decider, claim):
    """Lock, and refuse a claim decided meanwhile; the fresh firm, claim and other claims."""
    _check_decider(tenant=tenant, decider=decider, claim=claim)
    firm, current, others = _lock(tenant=tenant, claim=claim)
    if current is None:
        raise ValidationError(_("This request has already been decided."))
    current.firm = firm
    return firm, current, others


@transaction.atomic
def claim_approve(*, tenant, decider, claim, reason=""):
    """Approve: the requester becomes the firm's sales representative; rival claims close."""
    reason = _clean_text(reason, field="reason", limit=REASON_LIMIT, required=False)
    firm, claim, others = _decide_locked(tenant=tenant, decider=decider, claim=claim)
    if firm.sales_rep_id is not None:
        raise ValidationError(_("This firm already has a sales representative."))
    if not claim.requester.is_working:
        raise ValidationError(_("The requester no longer works here."))
    before = audit.snapshot(firm, ["sales_rep"])
    firm.sales_rep = claim.requester
    firm.save(update_fields=["sales_rep", "updated_at"])
    _close(claim=claim, status=ClaimStatus.APPROVED, decider=decider, reason=reason)
    _event(
        tenant=tenant, actor=decider.user, firm=firm,
        summary=_("Claim by %(name)s approved by %(decider)s")
        % {"name": claim.requester.full_name, "decider": decider.full_name},
        changes=audit.diff(before, audit.snapshot(firm, ["sales_rep"])),
    )  # fmt: skip
    _tell_decision(tenant=tenant, claim=claim, decider=decider)
    claims_supersede(tenant=tenant, decider=decider, firm=firm, claims=others)
    return claim


@transaction.atomic
def claim_reject(*, tenant, decider, claim, reason):
    """Reject with a reason (required); the firm stays in the pool."""
    reason = _clean_text(reason, field="reason", limit=REASON_LIMIT, required=True)
    firm, claim, _others = _decide_locked(tenant=tenant, decider=decider, claim=claim)
    _close(claim=claim, status=ClaimStatus.REJECTED, decider=decider, reason=reason)
    _event(
        tenant=tenant, actor=decider.user, firm=firm,
        summary=_("Claim by %(name)s rejected by %(decider)s: %(reason)s")
        % {"name": claim.requester.full_name, "decider": decider.full_name, "reason": reason},
    )  # fmt: skip
    _tell_decision(tenant=tenant, claim=claim, decider=decider)
    return claim


@transaction.atomic
def claims_supersede(*, tenant, decider, firm, claims=None, actor=None):
    """Close the firm's pending claims because the firm has a representative now.

    Call with the firm row locked (``claim_approve`` does; a service that assigns a
    representative another way should lock the firm and call this without ``claims``, with
    ``actor`` the user who assigned it and ``decider`` their employee record, or None).
    """
    actor = actor or (decider.user if decider else None)
    if claims is None:
        claims = list(
            Claim.objects.select_for_update()
            .filter(tenant=tenant, firm=firm, status=ClaimStatus.PENDING)
            .select_related("requester__user")
            .order_by("pk")
        )
    for claim in claims:
        claim.firm = firm
        _close(claim=claim, status=ClaimStatus.SUPERSEDED, decider=decider, reason="")
        _event(
            tenant=tenant, actor=actor, firm=firm,
            summary=_("Claim by %(name)s closed: the firm has a representative")
            % {"name": claim.requester.full_name},
        )  # fmt: skip
        _tell_decision(tenant=tenant, claim=claim, decider=decider)
    return len(claims)
