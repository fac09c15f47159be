"""Customer lists: create, rename, delete, add and remove firms, name who is responsible.

Every change that touches a firm (joining or leaving a list, a new responsible employee) is
also an event on that firm, so it shows on the firm's timeline.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Employee
from companies.models import CustomerList, CustomerListEntry, Firm
from core import audit
from core.models import AuditEntry

LIST_FIELDS = ("name", "description")


def _check_tenant(tenant, **objects):
    for name, value in objects.items():
        if value is not None and value.tenant_id != tenant.pk:
            raise ValidationError({name: _("Select a valid choice.")})


def _check_responsible(tenant, responsible):
    _check_tenant(tenant, responsible=responsible)
    if responsible is not None and responsible.status != Employee.Status.WORKING:
        raise ValidationError({"responsible": _("Select a valid choice.")})


def _check_name(tenant, name, exclude=None):
    others = CustomerList.objects.filter(tenant=tenant, name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ValidationError({"name": _("Another customer list has this name.")})


def _firm_events(*, tenant, actor, firm_ids, summary):
    """One timeline event per firm, written in one statement (lists can hold many firms)."""
    actor = actor if actor is not None and actor.is_authenticated else None
    subject = audit.subject_type(Firm)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            tenant=tenant,
            actor=actor,
            subject_type=subject,
            subject_id=firm_id,
            action=AuditEntry.Action.EVENT,
            summary=str(summary)[:255],
        )
        for firm_id in firm_ids
    )


@transaction.atomic
def customer_list_create(*, tenant, actor, name, description=""):
    """A new, empty customer list with a name unique in the tenant."""
    _check_name(tenant, name)
    try:
        with transaction.atomic():  # the same name created at the same moment elsewhere
            customer_list = CustomerList.objects.create(
                tenant=tenant, name=name, description=description, created_by=actor
            )
    except IntegrityError as error:
        raise ValidationError({"name": _("Another customer list has this name.")}) from error
    audit.record(
        tenant=tenant, actor=actor, instance=customer_list, action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, audit.snapshot(customer_list, LIST_FIELDS)),
    )  # fmt: skip
    return customer_list


@transaction.atomic
def customer_list_update(*, tenant, actor, customer_list, name, description=""):
    """Rename a list or change its description."""
    customer_list = CustomerList.objects.select_for_update().get(tenant=tenant, pk=customer_list.pk)
    _check_name(tenant, name, exclude=customer_list)
    before = audit.snapshot(customer_list, LIST_FIELDS)
    customer_list.name, customer_list.description = name, description
    try:
        with transaction.atomic():
            customer_list.save(update_fields=["name", "description", "updated_at"])
    except IntegrityError as error:
        raise ValidationError({"name": _("Another customer list has this name.")}) from error
    audit.record(
        tenant=tenant, actor=actor, instance=customer_list, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(customer_list, LIST_FIELDS)),
    )  # fmt: skip
    return customer_list


@transaction.atomic
def customer_list_delete(*, tenant, actor, customer_list):
    """Delete a list; each of its firms records that it left the list."""
    customer_list = CustomerList.objects.select_for_update().get(tenant=tenant, pk=customer_list.pk)
    entries = CustomerListEntry.objects.filter(tenant=tenant, customer_list=customer_list)
    firm_ids = list(entries.values_list("firm_id", flat=True))
    summary = _("Removed from customer list %(name)s (the list was deleted)") % {
        "name": customer_list.name
    }
    _firm_events(tenant=tenant, actor=actor, firm_ids=firm_ids, summary=summary)
    audit.record(
        tenant=tenant, actor=actor, instance=customer_list, action=AuditEntry.Action.DELETE,
        summary=customer_list.name,
    )  # fmt: skip
    entries.delete()
    customer_list.delete()


@transaction.atomic
def customer_list_add_firms(*, tenant, actor, customer_list, firms, responsible=None):
    """Put ``firms`` into the list (those already in it stay as they are); return how many.

    The caller passes firms the acting member may see; the bulk action of the firm list calls
    this too.
    """
    _check_tenant(tenant, customer_list=customer_list)
    _check_responsible(tenant, responsible)
    firms = list(firms)
    for firm in firms:
        _check_tenant(tenant, firm=firm)
    # The list's row lock serialises two people adding the same firms at the same moment.
    customer_list = CustomerList.objects.select_for_update().get(tenant=tenant, pk=customer_list.pk)
    present = set(
        CustomerListEntry.objects.filter(tenant=tenant, customer_list=customer_list).values_list(
            "firm_id", flat=True
        )
    )
    new_ids = sorted({firm.pk for firm in firms} - present)
    CustomerListEntry.objects.bulk_create(
        CustomerListEntry(
            tenant=tenant, customer_list=customer_list, firm_id=firm_id,
            responsible=responsible, added_by=actor,
        )
        for firm_id in new_ids
    )  # fmt: skip
    summary = _("Added to customer list %(name)s") % {"name": customer_list.name}
    _firm_events(tenant=tenant, actor=actor, firm_ids=new_ids, summary=summary)
    return len(new_ids)


@transaction.atomic
def customer_list_entry_remove(*, tenant, actor, entry):
    """Take one firm out of a list."""
    entry = (
        CustomerListEntry.objects.select_for_update(of=("self",))
        .select_related("customer_list")
        .get(tenant=tenant, pk=entry.pk)
    )
    summary = _("Removed from customer list %(name)s") % {"name": entry.customer_list.name}
    _firm_events(tenant=tenant, actor=actor, firm_ids=[entry.firm_id], summary=summary)
    entry.delete()


@transaction.atomic
def customer_list_entry_update(*, tenant, actor, entry, responsible):
    """Name (or clear) the employee responsible for a firm in a list."""
    _check_responsible(tenant, responsible)
    entry = (
        CustomerListEntry.objects.select_for_update(of=("self",))
        .select_related("customer_list", "responsible")
        .get(tenant=tenant, pk=entry.pk)
    )
    if entry.responsible_id == (responsible.pk if responsible else None):
        return entry
    entry.responsible = responsible
    entry.save(update_fields=["responsible", "updated_at"])
    if responsible is None:
        summary = _("No one is responsible for it in customer list %(name)s any more") % {
            "name": entry.customer_list.name
        }
    else:
        summary = _("%(person)s is responsible for it in customer list %(name)s") % {
            "person": responsible.full_name,
            "name": entry.customer_list.name,
        }
    _firm_events(tenant=tenant, actor=actor, firm_ids=[entry.firm_id], summary=summary)
    return entry
