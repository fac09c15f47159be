"""Writing contracts (seed 000 "sözleşme"): the firm, the dates, the value, the file.

A contract may cover one service of its firm (``Contract.service``: the service then shows
"show contract"; deleting the contract frees it). Adding a contract moves the firm to
"potential customer". Active contracts past their end become "expired" every night
(:func:`contracts_expire`, called by ``sales.tasks.expire_lapsed``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from companies.selectors.firms import can_change_firm
from companies.services.firms import firm_advance_status
from core import audit
from core.files import delete_after_commit
from core.models import AuditEntry
from sales.models import Contract, ContractStatus, Service

FIELDS = (
    "title", "starts_on", "ends_on", "value", "currency", "status", "renewal_days",
    "responsible", "note",
)  # fmt: skip
AUDITED = (*FIELDS, "service", "file")


def _require_change(*, tenant, actor, firm):
    if not can_change_firm(tenant=tenant, member=actor, firm=firm):
        raise PermissionDenied(_("You may not change this firm's contracts."))


def _check(*, tenant, firm, data, service, contract=None):
    if firm.tenant_id != tenant.pk:
        raise ValidationError({"firm": _("Select a valid choice.")})
    responsible = data.get("responsible")
    if responsible is not None and responsible.tenant_id != tenant.pk:
        raise ValidationError({"responsible": _("Select a valid choice.")})
    if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
        raise ValidationError({"ends_on": _("The end cannot be before the start.")})
    if data.get("renewal_days") is not None and not data.get("ends_on"):
        raise ValidationError({"ends_on": _("A renewal reminder needs an end date.")})
    if service is None:
        return None
    service = Service.objects.select_for_update().filter(tenant=tenant, pk=service.pk).first()
    if service is None or service.firm_id != firm.pk:
        raise ValidationError({"service": _("Choose a service of this firm.")})
    taken = Contract.objects.filter(tenant=tenant, service=service)
    if contract is not None:
        taken = taken.exclude(pk=contract.pk)
    if taken.exists():
        raise ValidationError({"service": _("This service already has a contract.")})
    return service


def _store_file(contract, upload):
    """``upload``: ``(file, name, content_type)`` checked by content, False to remove, or None.
    Returns the stored name to delete after commit."""
    if upload is None:
        return ""
    old = contract.file.name if contract.file else ""
    if upload is False:
        contract.file, contract.original_name, contract.content_type = "", "", ""
    else:
        file, name, content_type = upload
        contract.file.save(name, file, save=False)
        contract.original_name, contract.content_type = name[:200], content_type
    return old


def _save(contract):
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError:  # another contract took the service meanwhile
        raise ValidationError({"service": _("This service already has a contract.")}) from None


@transaction.atomic
def contract_create(*, tenant, actor, firm, data, service=None, upload=None):
    """Add a contract to ``firm`` (``actor``: the Employee); the firm becomes a "potential
    customer". ``data``: the FIELDS; without a responsible, the firm's sales representative."""
    _require_change(tenant=tenant, actor=actor, firm=firm)
    service = _check(tenant=tenant, firm=firm, data=data, service=service)
    contract = Contract(tenant=tenant, firm=firm, created_by=actor, service=service)
    for name in FIELDS:
        if name in data:
            setattr(contract, name, data[name])
    contract.note = data.get("note") or ""
    contract.currency = data.get("currency") or tenant.currency
    contract.status = data.get("status") or ContractStatus.DRAFT
    if contract.responsible is None:
        contract.responsible = firm.sales_rep
    _store_file(contract, upload)
    _save(contract)
    audit.record(
        tenant=tenant, actor=actor.user, instance=contract, action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, audit.snapshot(contract, AUDITED)),
    )  # fmt: skip
    firm_advance_status(tenant=tenant, actor=actor.user, firm=firm, event="contract_added")
    return contract


def _locked(tenant, contract):
    return (
        Contract.objects.select_for_update()
        .select_related("firm")
        .get(tenant=tenant, pk=contract.pk)
    )


@transaction.atomic
def contract_update(*, tenant, actor, contract, data, service=None, upload=None):
    """Change a contract; ``service`` is the one it covers (None: none); ``upload`` a new
    file, False to remove the file, None to keep it."""
    contract = _locked(tenant, contract)
    _require_change(tenant=tenant, actor=actor, firm=contract.firm)
    service = _check(
        tenant=tenant, firm=contract.firm, data=data, service=service, contract=contract
    )
    before = audit.snapshot(contract, AUDITED)
    for name in FIELDS:
        if name in data:
            setattr(contract, name, data[name])
    contract.note = data.get("note") or ""
    contract.service = service
    old = _store_file(contract, upload)
    _save(contract)
    delete_after_commit(contract.file.storage, old)
    audit.record(
        tenant=tenant, actor=actor.user, instance=contract, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(contract, AUDITED)),
    )  # fmt: skip
    return contract


@transaction.atomic
def contract_delete(*, tenant, actor, contract):
    """Delete a contract; the service it covered shows "add contract" again."""
    contract = _locked(tenant, contract)
    _require_change(tenant=tenant, actor=actor, firm=contract.firm)
    stored, storage = (contract.file.name if contract.file else ""), contract.file.storage
    audit.record(
        tenant=tenant, actor=actor.user, instance=contract, action=AuditEntry.Action.DELETE,
        summary=contract.title,
    )  # fmt: skip
    contract.delete()
    delete_after_commit(storage, stored)


def contracts_expire(today=None):
    """Daily, across all tenants: active contracts whose end is past become "expired".

    Each change is audited (no actor: the system did it). Returns how many changed.
    """
    today = today or timezone.localdate()
    changed = 0
    with scopes_disabled():
        due = Contract.objects.filter(status=ContractStatus.ACTIVE, ends_on__lt=today)
        for pk in list(due.order_by("pk").values_list("pk", flat=True)):
            changed += _expire_one(pk, today)
    return changed


@transaction.atomic
def _expire_one(pk, today):
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("tenant")
        .filter(pk=pk, status=ContractStatus.ACTIVE, ends_on__lt=today)
        .first()
    )
    if contract is None:  # changed by someone meanwhile
        return 0
    before = audit.snapshot(contract, ["status"])
    contract.status = ContractStatus.EXPIRED
    contract.save(update_fields=["status", "updated_at"])
    audit.record(
        tenant=contract.tenant, actor=None, instance=contract, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(contract, ["status"])),
    )  # fmt: skip
    return 1
