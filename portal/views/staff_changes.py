"""Staff pages of the changes of contact details that firms proposed in the portal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from companies.views.references import ExtraTabMixin
from core.views import TenantView, paginate
from portal import selectors_profile as selectors
from portal.forms_profile import ProfileDecisionForm
from portal.services import profile as services


def summary(changes):
    """The labels of a page of proposals' changes, in the reader's language."""
    for change in changes:
        change.labels = ", ".join(services.full_label(item) for item in change.changes)
    return changes


class ChangeListView(TenantView):
    """Proposals waiting for a decision, of the firms the member may read."""

    permissions = {"GET": "portal.view"}

    def get(self, request, tenant_slug):
        page = paginate(request, selectors.pending_changes(tenant=self.tenant, member=self.member))
        summary(page.object_list)
        return render(request, "portal/staff/changes_list.html", {"page": page})


class FirmChangesView(ExtraTabMixin, TenantView):
    tab = "changes"
    permissions = {"GET": "portal.view"}

    def get(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        page = paginate(request, selectors.firm_changes(tenant=self.tenant, firm=firm))
        summary(page.object_list)
        return self.render_tab(request, "portal/staff/changes_firm_tab.html", {"page": page})


def render_detail(view, request, pk, form=None, status=200):
    change = selectors.change_get(tenant=view.tenant, member=view.member, pk=pk)
    pending = change.status == services.ChangeStatus.PENDING
    context = {
        "change": change,
        "rows": selectors.change_rows(tenant=view.tenant, change=change),
        "can_decide": pending
        and services.may_decide(tenant=view.tenant, member=view.member, firm=change.firm),
        "form": form or ProfileDecisionForm(initial={"version": services.version_of(change)}),
    }
    return render(request, "portal/staff/changes_detail.html", context, status=status)


class ChangeDetailView(TenantView):
    permissions = {"GET": "portal.view"}

    def get(self, request, tenant_slug, pk):
        return render_detail(self, request, pk)


class DecisionView(TenantView):
    """Accept or decline; a member who may not change the firm gets a 403."""

    permissions = {"POST": "firms.change"}

    def decide(self, change, data):
        raise NotImplementedError

    def post(self, request, tenant_slug, pk):
        change = selectors.change_get(tenant=self.tenant, member=self.member, pk=pk)
        form = ProfileDecisionForm(request.POST)
        if not form.is_valid():
            return render_detail(self, request, pk, form=form, status=400)
        try:
            message = self.decide(change, form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                return render_detail(self, request, pk, form=form, status=400)
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, message)
        return redirect("portal-changes:detail", tenant_slug, change.pk)


class ChangeAcceptView(DecisionView):
    def decide(self, change, data):
        services.profile_change_accept(
            tenant=self.tenant,
            actor=self.member,
            change=change,
            version=data["version"],
            note=data["note"],
        )
        return _("The changes are applied to %(firm)s and the customer is told.") % {
            "firm": change.firm.name
        }


class ChangeDeclineView(DecisionView):
    def decide(self, change, data):
        services.profile_change_decline(
            tenant=self.tenant,
            actor=self.member,
            change=change,
            version=data["version"],
            reason=data["note"],
        )
        return _("The proposal is declined and the customer is told.")
