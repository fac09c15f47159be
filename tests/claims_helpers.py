"""Claims made, approved and rejected through the services, for the claim tests."""

from django_scopes import scope, scopes_disabled

from companies.services import claims as services
from companies.services.firms import firm_create
from core.models import AuditEntry


def new_firm(world, name="Pool Firm", **data):
    with scope(tenant=world.tenant.pk):
        return firm_create(
            tenant=world.tenant,
            actor=world.executive.user,
            data={"name": name, "type": "customer", **data},
        )


def ask(world, firm, requester=None, message="I know their buyer."):
    with scope(tenant=world.tenant.pk):
        return services.claim_create(
            tenant=world.tenant, requester=requester or world.employee, firm=firm, message=message
        )


def approve(world, claim, decider=None, reason=""):
    with scope(tenant=world.tenant.pk):
        return services.claim_approve(
            tenant=world.tenant, decider=decider or world.manager, claim=claim, reason=reason
        )


def reject(world, claim, decider=None, reason="Not your region."):
    with scope(tenant=world.tenant.pk):
        return services.claim_reject(
            tenant=world.tenant, decider=decider or world.manager, claim=claim, reason=reason
        )


def firm_events(firm, word):
    with scopes_disabled():
        return list(
            AuditEntry.objects.filter(
                subject_type="companies.firm",
                subject_id=firm.pk,
                action=AuditEntry.Action.EVENT,
                summary__contains=word,
            )
        )


def fresh(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)
