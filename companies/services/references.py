"""References (who recommended a firm) and samples sent to firms.

Each write is an event on the firm's timeline; a corporate reference is an event on both firms.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Employee
from companies.models import Reference, Sample
from core import audit
from core.models import AuditEntry

REFERENCE_FIELDS = ("kind", "referrer_firm", "person_name", "phone", "email", "note")
SAMPLE_FIELDS = (
    "product", "description", "quantity", "sent_on", "sent_by", "tracking_number", "feedback",
)  # fmt: skip


def _check_tenant(tenant, values):
    for name, value in values.items():
        if hasattr(value, "tenant_id") and value.tenant_id != tenant.pk:
            raise ValidationError({name: _("Select a valid choice.")})


def _event(tenant, actor, firm, summary):
    audit.record(
        tenant=tenant, actor=actor, instance=firm, action=AuditEntry.Action.EVENT, summary=summary
    )


def _clean_reference(tenant, firm, data):
    """Keep only the fields of the reference's kind and check them."""
    kind = data.get("kind")
    if kind == Reference.Kind.CORPORATE:
        referrer = data.get("referrer_firm")
        if referrer is None:
            raise ValidationError({"referrer_firm": _("Choose the firm that recommended it.")})
        if referrer.pk == firm.pk:
            raise ValidationError({"referrer_firm": _("A firm cannot recommend itself.")})
        if Reference.objects.filter(
            tenant=tenant, firm=firm, kind=kind, referrer_firm=referrer
        ).exists():
            raise ValidationError({"referrer_firm": _("This firm is already a reference.")})
        return {"kind": kind, "referrer_firm": referrer, "note": data.get("note", "")}
    if kind == Reference.Kind.INDIVIDUAL:
        if not data.get("person_name"):
            raise ValidationError({"person_name": _("Enter the name of the person.")})
        return {
            "kind": kind,
            "referrer_firm": None,
            **{name: data.get(name, "") for name in ("person_name", "phone", "email", "note")},
        }
    raise ValidationError({"kind": _("Select a valid choice.")})


@transaction.atomic
def reference_create(*, tenant, actor, firm, data):
    """Record who recommended ``firm``: a person, or another firm of the tenant."""
    _check_tenant(tenant, {"firm": firm, **data})
    values = _clean_reference(tenant, firm, data)
    try:
        with transaction.atomic():  # the same corporate reference added at the same moment
            reference = Reference.objects.create(
                tenant=tenant, firm=firm, created_by=actor, **values
            )
    except IntegrityError as error:
        raise ValidationError({"referrer_firm": _("This firm is already a reference.")}) from error
    audit.record(
        tenant=tenant, actor=actor, instance=reference, action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, audit.snapshot(reference, REFERENCE_FIELDS)),
    )  # fmt: skip
    _event(tenant, actor, firm, _("Reference added: %(who)s") % {"who": reference})
    if reference.referrer_firm is not None:
        _event(
            tenant, actor, reference.referrer_firm,
            _("Recommended the firm %(firm)s") % {"firm": firm.name},
        )  # fmt: skip
    return reference


@transaction.atomic
def reference_delete(*, tenant, actor, reference):
    """Remove a reference; both firms' timelines keep the fact that it existed."""
    reference = (
        Reference.objects.select_for_update(of=("self",))
        .select_related("firm", "referrer_firm")
        .get(tenant=tenant, pk=reference.pk)
    )
    audit.record(
        tenant=tenant, actor=actor, instance=reference, action=AuditEntry.Action.DELETE,
        changes=audit.diff(audit.snapshot(reference, REFERENCE_FIELDS), {}),
        summary=str(reference),
    )  # fmt: skip
    _event(tenant, actor, reference.firm, _("Reference removed: %(who)s") % {"who": reference})
    if reference.referrer_firm is not None:
        _event(
            tenant, actor, reference.referrer_firm,
            _("No longer listed as recommending %(firm)s") % {"firm": reference.firm.name},
        )  # fmt: skip
    reference.delete()


def _check_sender(tenant, data):
    _check_tenant(tenant, data)
    # A sample chosen from the catalogue is described by the product's name unless told.
    if data.get("product") is not None and not data.get("description"):
        data["description"] = data["product"].name[:255]
    sender = data.get("sent_by")
    if sender is not None and sender.status != Employee.Status.WORKING:
        raise ValidationError({"sent_by": _("Select a valid choice.")})


@transaction.atomic
def sample_create(*, tenant, actor, firm, data):
    """Record a sample sent to ``firm``."""
    _check_tenant(tenant, {"firm": firm})
    _check_sender(tenant, data)
    sample = Sample.objects.create(
        tenant=tenant,
        firm=firm,
        created_by=actor,
        **{k: data[k] for k in SAMPLE_FIELDS if k in data},
    )
    audit.record(
        tenant=tenant, actor=actor, instance=sample, action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, audit.snapshot(sample, SAMPLE_FIELDS)),
    )  # fmt: skip
    _event(
        tenant, actor, firm,
        _("Sample sent: %(what)s × %(quantity)s") % {
            "what": sample.description, "quantity": sample.quantity,
        },
    )  # fmt: skip
    return sample


@transaction.atomic
def sample_update(*, tenant, actor, sample, data):
    """Change a sample (typically to add the tracking number or the firm's feedback)."""
    _check_sender(tenant, data)
    sample = (
        Sample.objects.select_for_update(of=("self",))
        .select_related("firm")
        .get(tenant=tenant, pk=sample.pk)
    )
    before = audit.snapshot(sample, SAMPLE_FIELDS)
    for name in SAMPLE_FIELDS:
        if name in data:
            setattr(sample, name, data[name])
    sample.save()
    changes = audit.diff(before, audit.snapshot(sample, SAMPLE_FIELDS))
    if changes:
        audit.record(
            tenant=tenant, actor=actor, instance=sample, action=AuditEntry.Action.UPDATE,
            changes=changes,
        )  # fmt: skip
        labels = ", ".join(str(Sample._meta.get_field(c["field"]).verbose_name) for c in changes)
        _event(
            tenant, actor, sample.firm,
            _("Sample %(what)s changed: %(fields)s") % {
                "what": sample.description, "fields": labels,
            },
        )  # fmt: skip
    return sample
