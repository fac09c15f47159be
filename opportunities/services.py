"""Writing opportunities: open, change, move on the board, link offers.

The firm never changes (seed 004). A stage's number is its default probability: a new stage
brings it unless the caller gives a probability of its own. Every write checks the row rule
(see ``opportunities.selectors``) and leaves an audit entry in the same transaction; the
stage changes in those entries are what the firm's timeline shows.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from companies.selectors.firms import visible_firms
from core import audit
from core.models import AuditEntry
from core.sequences import next_value
from opportunities import selectors
from opportunities.models import Opportunity
from sales.models import Offer

SEQUENCE = "opportunity"
FIELDS = (
    "code", "name", "description", "stage", "amount", "currency", "probability", "close_on",
    "delivery_on", "channel", "next_step",
)  # fmt: skip
AUDITED = (*FIELDS, "firm")
CODE_ATTEMPTS = 100


def _invalid(field):
    return ValidationError({field: _("Select a valid choice.")})


def _check_choice(tenant, value, key, field):
    if value is not None and (value.tenant_id != tenant.pk or value.list_key != key):
        raise _invalid(field)


def _check_references(*, tenant, data, responsible, current=(), current_stage=None):
    stage = data["stage"]
    _check_choice(tenant, stage, selectors.STAGES, "stage")
    if not stage.is_active and stage.pk != current_stage:
        raise _invalid("stage")
    _check_choice(tenant, data.get("channel"), selectors.CHANNELS, "channel")
    probability = data.get("probability")
    if probability is not None and not 0 <= probability <= 100:
        raise ValidationError({"probability": _("Enter a probability from 0 to 100.")})
    ids = {p.pk for p in responsible} - set(current)
    allowed = selectors.responsible_options(tenant=tenant)
    if ids and allowed.filter(pk__in=ids).count() != len(ids):
        raise _invalid("responsible")


def _check_code(*, tenant, code, exclude=None):
    taken = Opportunity.objects.filter(tenant=tenant, code=code)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"code": _("Another opportunity has this code.")})


def _new_code(tenant):
    """The next free automatic code (a code typed by hand may have taken a number)."""
    for _attempt in range(CODE_ATTEMPTS):
        code = f"OPP-{next_value(tenant=tenant, name=SEQUENCE):05d}"
        if not Opportunity.objects.filter(tenant=tenant, code=code).exists():
            return code
    raise ValidationError({"code": _("Enter a code.")})


def default_probability(stage):
    """The stage's number as a whole percentage from 0 to 100."""
    if stage.number is None:
        return 0
    return max(0, min(100, int(stage.number)))


def _snapshot(opportunity, responsible):
    values = audit.snapshot(opportunity, AUDITED)
    values["responsible"] = ", ".join(sorted(p.full_name for p in responsible))
    return values


def _save(opportunity):
    """Save; a code taken meanwhile by a concurrent save is a form error, not a crash."""
    try:
        with transaction.atomic():
            opportunity.save()
    except IntegrityError as error:
        raise ValidationError({"code": _("Another opportunity has this code.")}) from error


def _require_change(*, tenant, actor, opportunity):
    if not selectors.can_change(tenant=tenant, member=actor, opportunity=opportunity):
        raise PermissionDenied(_("You may not change this opportunity."))


@transaction.atomic
def opportunity_create(*, tenant, actor, data, responsible=()):
    """Open an opportunity for a firm ``actor`` sees.

    ``data["code"]`` empty takes the next automatic code; ``data["probability"]`` None takes
    the stage's default.
    """
    responsible = list(responsible)
    firm = data["firm"]
    if firm.tenant_id != tenant.pk or not (
        visible_firms(tenant=tenant, member=actor).filter(pk=firm.pk).exists()
    ):
        raise _invalid("firm")
    _check_references(tenant=tenant, data=data, responsible=responsible)
    code = (data.get("code") or "").strip()
    if code:
        _check_code(tenant=tenant, code=code)
    else:
        code = _new_code(tenant)
    opportunity = Opportunity(tenant=tenant, firm=firm, owner=actor)
    for name in FIELDS:
        setattr(opportunity, name, data.get(name))
    opportunity.code = code
    opportunity.description = data.get("description") or ""
    opportunity.next_step = data.get("next_step") or ""
    opportunity.currency = data.get("currency") or tenant.currency
    if data.get("probability") is None:
        opportunity.probability = default_probability(data["stage"])
    opportunity.board_position = selectors.next_board_position(tenant=tenant, stage=data["stage"])
    _save(opportunity)
    opportunity.responsible.set(responsible)
    audit.record(
        tenant=tenant, actor=actor.user, instance=opportunity, action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, _snapshot(opportunity, responsible)),
    )  # fmt: skip
    return opportunity


def _locked(tenant, opportunity):
    return Opportunity.objects.select_for_update().get(tenant=tenant, pk=opportunity.pk)


@transaction.atomic
def opportunity_update(*, tenant, actor, opportunity, data, responsible=()):
    """Change everything but the firm. A new stage with ``data["probability"]`` None brings
    the stage's default probability; with the same stage, None keeps the current one."""
    opportunity = _locked(tenant, opportunity)
    _require_change(tenant=tenant, actor=actor, opportunity=opportunity)
    if "firm" in data and getattr(data["firm"], "pk", data["firm"]) != opportunity.firm_id:
        raise ValidationError({"firm": _("The firm of an opportunity cannot change.")})
    responsible = list(responsible)
    current = list(opportunity.responsible.all())
    _check_references(
        tenant=tenant, data=data, responsible=responsible, current=[p.pk for p in current],
        current_stage=opportunity.stage_id,
    )  # fmt: skip
    code = (data.get("code") or "").strip() or opportunity.code
    _check_code(tenant=tenant, code=code, exclude=opportunity.pk)
    before = _snapshot(opportunity, current)
    new_stage = data["stage"].pk != opportunity.stage_id
    probability = data.get("probability")
    if probability is None:
        probability = default_probability(data["stage"]) if new_stage else opportunity.probability
    for name in FIELDS:
        if name in data:
            setattr(opportunity, name, data[name])
    opportunity.code, opportunity.probability = code, probability
    opportunity.description = data.get("description") or ""
    opportunity.next_step = data.get("next_step") or ""
    if new_stage:
        opportunity.board_position = selectors.next_board_position(
            tenant=tenant, stage=data["stage"]
        )
    _save(opportunity)
    opportunity.responsible.set(responsible)
    audit.record(
        tenant=tenant, actor=actor.user, instance=opportunity, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, _snapshot(opportunity, responsible)),
    )  # fmt: skip
    return opportunity


def _place(*, tenant, opportunity, stage, before):
    """The board position in ``stage``'s column: just above ``before`` or at the end."""
    anchor = None
    if before is not None:
        anchor = (
            Opportunity.objects.filter(tenant=tenant, stage=stage, pk=before)
            .exclude(pk=opportunity.pk)
            .values_list("board_position", flat=True)
            .first()
        )
    if anchor is None:
        return selectors.next_board_position(tenant=tenant, stage=stage)
    # Make room: the cards from the anchor down move one place.
    Opportunity.objects.filter(tenant=tenant, stage=stage, board_position__gte=anchor).exclude(
        pk=opportunity.pk
    ).update(board_position=F("board_position") + 1)
    return anchor


@transaction.atomic
def opportunity_move(*, tenant, actor, opportunity, stage, before=None):
    """Drop a card on the board: a new stage (with its default probability) and position.

    ``before``: the pk of the card it was dropped above, or None for the column's end.
    """
    opportunity = _locked(tenant, opportunity)
    _require_change(tenant=tenant, actor=actor, opportunity=opportunity)
    _check_choice(tenant, stage, selectors.STAGES, "stage")
    if not stage.is_active:
        raise _invalid("stage")
    current = list(opportunity.responsible.all())
    previous = _snapshot(opportunity, current)
    new_stage = stage.pk != opportunity.stage_id
    opportunity.board_position = _place(
        tenant=tenant, opportunity=opportunity, stage=stage, before=before
    )
    if new_stage:
        opportunity.stage = stage
        opportunity.probability = default_probability(stage)
    opportunity.save(update_fields=["stage", "probability", "board_position", "updated_at"])
    if new_stage:
        audit.record(
            tenant=tenant, actor=actor.user, instance=opportunity,
            action=AuditEntry.Action.UPDATE,
            changes=audit.diff(previous, _snapshot(opportunity, current)),
        )  # fmt: skip
    return opportunity


@transaction.atomic
def opportunity_link_offer(*, tenant, actor, opportunity, offer, link=True):
    """Link an offer of the same firm (not linked elsewhere) to the opportunity, or unlink it."""
    opportunity = _locked(tenant, opportunity)
    _require_change(tenant=tenant, actor=actor, opportunity=opportunity)
    offer = Offer.objects.select_for_update().filter(tenant=tenant, pk=offer.pk).first()
    if offer is None or offer.firm_id != opportunity.firm_id:
        raise _invalid("offer")
    if link and offer.opportunity_id not in (None, opportunity.pk):
        raise ValidationError({"offer": _("This offer belongs to another opportunity.")})
    if not link and offer.opportunity_id != opportunity.pk:
        raise _invalid("offer")
    offer.opportunity = opportunity if link else None
    offer.save(update_fields=["opportunity", "updated_at"])
    summary = _("Offer %(number)s linked") if link else _("Offer %(number)s unlinked")
    audit.record(
        tenant=tenant, actor=actor.user, instance=opportunity, action=AuditEntry.Action.EVENT,
        summary=summary % {"number": offer.number},
    )  # fmt: skip
    return offer
