"""Firms: create, change, move in the tree, status transitions, representatives."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Address, Contact, Email, Firm, FirmContact, Phone, Website
from companies.models.firms import ALLOWED_CHILDREN, FirmStatus
from companies.services.claims import claims_supersede
from core import audit
from core.models import AuditEntry
from core.sequences import next_value

FIRM_FIELDS = (
    "code", "name", "type", "roles", "parent", "legal_form", "brand", "tax_number",
    "trade_registry_number", "founding_date", "employee_count", "sector", "lead_source",
    "ownership_status", "rating", "rating_start", "rating_end", "priority", "certificates",
    "notes", "sales_rep", "support_rep", "primary_contact", "is_active", "status", "logo",
)  # fmt: skip


def snapshot(instance, fields):
    """The audit snapshot of ``fields`` plus one entry per custom value."""
    values = audit.snapshot(instance, fields)
    for key, value in (instance.custom or {}).items():
        values[f"custom:{key}"] = "" if value is None else str(value)
    return values


CHANNEL_MODELS = {"phones": Phone, "emails": Email, "websites": Website, "addresses": Address}

# Automatic status transitions (seed 000): what happened → the status it leads to, from
# which statuses.
STATUS_EVENTS = {
    "material_sent": (FirmStatus.IN_TALKS, {FirmStatus.FIRST_CONTACT}),
    "contract_added": (
        FirmStatus.POTENTIAL_CUSTOMER,
        {FirmStatus.FIRST_CONTACT, FirmStatus.IN_TALKS},
    ),
    "invoice_added": (
        FirmStatus.POTENTIAL_CUSTOMER,
        {FirmStatus.FIRST_CONTACT, FirmStatus.IN_TALKS},
    ),
}


def _store_logo(firm, logo):
    """Save an uploaded logo (already checked by content) under a generated name."""
    if logo is False:
        firm.logo = ""
    elif logo is not None:
        firm.logo.save(logo.name, logo, save=False)


def _check_same_tenant(tenant, values):
    for name, value in values.items():
        if hasattr(value, "tenant_id") and value.tenant_id != tenant.pk:
            raise ValidationError({name: _("Select a valid choice.")})


def _check_parent(firm, parent, firm_type):
    allowed = ALLOWED_CHILDREN[parent.type if parent else None]
    if firm_type not in allowed:
        raise ValidationError(
            {"parent": _("A %(child)s cannot stand under a %(parent)s.")
             % {"child": firm.get_type_display() if firm.pk else firm_type,
                "parent": parent.get_type_display() if parent else _("the company")}}
        )  # fmt: skip
    if (
        parent is not None
        and firm.pk
        and (parent.pk == firm.pk or f"/{firm.pk}/" in f"{parent.path}{parent.pk}/")
    ):
        raise ValidationError({"parent": _("A firm cannot stand under itself.")})


def _path_for(parent):
    return f"{parent.path}{parent.pk}/" if parent else "/"


def _save_channels(*, tenant, owner_field, owner, channels):
    """Replace the owner's phones, e-mails, websites and addresses with ``channels``."""
    for key, model in CHANNEL_MODELS.items():
        if key not in channels:
            continue
        model.objects.filter(tenant=tenant, **{owner_field: owner}).delete()
        for values in channels[key]:
            _check_same_tenant(tenant, values)
            model.objects.create(tenant=tenant, **{owner_field: owner}, **values)


def channel_snapshot(*, tenant, owner_field, owner):
    return {
        key: ", ".join(
            str(row) for row in model.objects.filter(tenant=tenant, **{owner_field: owner})
        )
        for key, model in CHANNEL_MODELS.items()
    }


@transaction.atomic
def firm_create(
    *, tenant, actor, data, channels=None, groups=(), tags=(), first_contact=None, logo=None
):
    """A new firm in status "first contact"; its first contact becomes the primary contact."""
    _check_same_tenant(tenant, data)
    firm = Firm(tenant=tenant, created_by=actor, status=FirmStatus.FIRST_CONTACT)
    for name, value in data.items():
        setattr(firm, name, value)
    _check_parent(firm, firm.parent, firm.type)
    if not firm.code:
        firm.code = f"F{next_value(tenant=tenant, name='firm-code'):06d}"
    elif Firm.objects.filter(tenant=tenant, code__iexact=firm.code).exists():
        raise ValidationError({"code": _("Another firm has this code.")})
    firm.path = _path_for(firm.parent)
    _store_logo(firm, logo)
    firm.save()
    firm.groups.set(groups)
    firm.tags.set(tags)
    _save_channels(tenant=tenant, owner_field="firm", owner=firm, channels=channels or {})
    if first_contact:
        contact = contact_create(
            tenant=tenant, actor=actor, firm=firm, data=first_contact["data"],
            channels=first_contact.get("channels"), audit_firm=False,
        )  # fmt: skip
        firm.primary_contact = contact
        firm.save(update_fields=["primary_contact", "updated_at"])
    audit.record(
        tenant=tenant,
        actor=actor,
        instance=firm,
        action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, snapshot(firm, FIRM_FIELDS)),
    )
    return firm


@transaction.atomic
def firm_update(*, tenant, actor, firm, data, channels=None, groups=None, tags=None, logo=None):
    """Change a firm; moving it in the tree moves its whole subtree.

    ``logo``: an upload to store, False to remove the logo, None to leave it.
    """
    _check_same_tenant(tenant, data)
    firm = Firm.objects.select_for_update().get(tenant=tenant, pk=firm.pk)
    before = {**snapshot(firm, FIRM_FIELDS), **_m2m_snapshot(firm)}
    before.update(channel_snapshot(tenant=tenant, owner_field="firm", owner=firm))
    old_prefix = firm.subtree_prefix
    for name, value in data.items():
        setattr(firm, name, value)
    if (
        "code" in data
        and Firm.objects.filter(tenant=tenant, code__iexact=firm.code).exclude(pk=firm.pk).exists()
    ):
        raise ValidationError({"code": _("Another firm has this code.")})
    if (
        "primary_contact" in data
        and firm.primary_contact is not None
        and not FirmContact.objects.filter(
            tenant=tenant, firm=firm, contact=firm.primary_contact
        ).exists()
    ):
        raise ValidationError({"primary_contact": _("Select a valid choice.")})
    if "parent" in data or "type" in data:
        _check_parent(firm, firm.parent, firm.type)
        child_types = set(firm.children.values_list("type", flat=True))
        if not child_types <= ALLOWED_CHILDREN[firm.type]:
            raise ValidationError(
                {"type": _("The firms under this one cannot stand under that type.")}
            )
        firm.path = _path_for(firm.parent)
    _store_logo(firm, logo)
    firm.save()
    if firm.sales_rep_id is not None:
        _close_open_claims(tenant=tenant, actor=actor, firm=firm)
    if firm.subtree_prefix != old_prefix:
        _move_subtree(tenant=tenant, old_prefix=old_prefix, new_prefix=firm.subtree_prefix)
    if groups is not None:
        firm.groups.set(groups)
    if tags is not None:
        firm.tags.set(tags)
    _save_channels(tenant=tenant, owner_field="firm", owner=firm, channels=channels or {})
    after = {**snapshot(firm, FIRM_FIELDS), **_m2m_snapshot(firm)}
    after.update(channel_snapshot(tenant=tenant, owner_field="firm", owner=firm))
    audit.record(
        tenant=tenant, actor=actor, instance=firm, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, after),
    )  # fmt: skip
    return firm


def _close_open_claims(*, tenant, actor, firm):
    """A firm that got a representative is out of the pool: its open claims are superseded."""
    claims_supersede(tenant=tenant, decider=None, firm=firm, actor=actor)


def _m2m_snapshot(firm):
    return {
        "groups": ", ".join(sorted(g.name for g in firm.groups.all())),
        "tags": ", ".join(sorted(t.name for t in firm.tags.all())),
    }


def _move_subtree(*, tenant, old_prefix, new_prefix):
    Firm.objects.filter(tenant=tenant, path__startswith=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1))
    )


@transaction.atomic
def firm_advance_status(*, tenant, actor, firm, event):
    """Move a firm's status forward for ``event`` (an offer sent, an invoice added, ...)."""
    target, from_statuses = STATUS_EVENTS[event]
    firm = Firm.objects.select_for_update().get(tenant=tenant, pk=firm.pk)
    if firm.status not in from_statuses:
        return firm
    before = audit.snapshot(firm, ["status"])
    firm.status = target
    firm.save(update_fields=["status", "updated_at"])
    audit.record(
        tenant=tenant, actor=actor, instance=firm, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(firm, ["status"])),
    )  # fmt: skip
    return firm


@transaction.atomic
def firms_assign(*, tenant, actor, firms, sales_rep):
    """Give firms a sales representative (bulk); each change goes into the firm's history."""
    _check_same_tenant(tenant, {"sales_rep": sales_rep})
    changed = 0
    for firm in Firm.objects.select_for_update().filter(
        tenant=tenant, pk__in=[f.pk for f in firms]
    ):
        before = audit.snapshot(firm, ["sales_rep"])
        firm.sales_rep = sales_rep
        firm.save(update_fields=["sales_rep", "updated_at"])
        if sales_rep is not None:
            _close_open_claims(tenant=tenant, actor=actor, firm=firm)
        changes = audit.diff(before, audit.snapshot(firm, ["sales_rep"]))
        if changes:
            changed += 1
            audit.record(
                tenant=tenant, actor=actor, instance=firm, action=AuditEntry.Action.UPDATE,
                changes=changes,
            )  # fmt: skip
    return changed


CONTACT_FIELDS = (
    "prefix", "first_name", "last_name", "job_title", "department", "birthday",
    "wedding_anniversary", "preferred_channel", "marketing_consent", "consent_source",
    "notes", "is_active",
)  # fmt: skip


@transaction.atomic
def contact_create(*, tenant, actor, firm, data, channels=None, audit_firm=True):
    """A new contact of ``firm`` (the firm's first one becomes its primary contact)."""
    _check_same_tenant(tenant, data)
    contact = Contact(tenant=tenant, **data)
    if contact.marketing_consent is not None:
        contact.consent_changed_at = timezone.now()
    contact.save()
    FirmContact.objects.create(tenant=tenant, firm=firm, contact=contact)
    _save_channels(tenant=tenant, owner_field="contact", owner=contact, channels=channels or {})
    if audit_firm and firm.primary_contact_id is None:
        Firm.objects.filter(tenant=tenant, pk=firm.pk).update(primary_contact=contact)
    audit.record(
        tenant=tenant, actor=actor, instance=contact, action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, snapshot(contact, CONTACT_FIELDS)),
    )  # fmt: skip
    if audit_firm:
        audit.record(
            tenant=tenant, actor=actor, instance=firm, action=AuditEntry.Action.EVENT,
            summary=_("Contact added: %(name)s") % {"name": contact.full_name},
        )  # fmt: skip
    return contact


@transaction.atomic
def contact_update(*, tenant, actor, contact, data, channels=None):
    _check_same_tenant(tenant, data)
    contact = Contact.objects.select_for_update().get(tenant=tenant, pk=contact.pk)
    before = snapshot(contact, CONTACT_FIELDS)
    before.update(channel_snapshot(tenant=tenant, owner_field="contact", owner=contact))
    if "marketing_consent" in data and data["marketing_consent"] != contact.marketing_consent:
        contact.consent_changed_at = timezone.now()
    for name, value in data.items():
        setattr(contact, name, value)
    contact.save()
    _save_channels(tenant=tenant, owner_field="contact", owner=contact, channels=channels or {})
    after = snapshot(contact, CONTACT_FIELDS)
    after.update(channel_snapshot(tenant=tenant, owner_field="contact", owner=contact))
    audit.record(
        tenant=tenant, actor=actor, instance=contact, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, after),
    )  # fmt: skip
    return contact


@transaction.atomic
def contact_link(*, tenant, actor, firm, contact):
    """Make an existing contact a contact of another firm as well."""
    _check_same_tenant(tenant, {"firm": firm, "contact": contact})
    _link, created = FirmContact.objects.get_or_create(tenant=tenant, firm=firm, contact=contact)
    if created:
        audit.record(
            tenant=tenant, actor=actor, instance=firm, action=AuditEntry.Action.EVENT,
            summary=_("Contact added: %(name)s") % {"name": contact.full_name},
        )  # fmt: skip
    return contact


@transaction.atomic
def firms_tag(*, tenant, actor, firms, tag):
    """Put ``tag`` on firms (bulk); each firm that did not have it records the change."""
    _check_same_tenant(tenant, {"tag": tag})
    through = Firm.tags.through
    have = set(
        through.objects.filter(tag=tag, firm__in=[f.pk for f in firms]).values_list(
            "firm_id", flat=True
        )
    )
    new = [firm for firm in firms if firm.pk not in have]
    through.objects.bulk_create([through(firm_id=firm.pk, tag_id=tag.pk) for firm in new])
    for firm in new:
        audit.record(
            tenant=tenant, actor=actor, instance=firm, action=AuditEntry.Action.UPDATE,
            changes=[{"field": "tags", "old": "", "new": f"+ {tag.name}"}],
        )  # fmt: skip
    return len(new)
