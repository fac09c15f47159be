"""The firm's details in the portal, and the form to propose changes to them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from companies.selectors.firms import firm_channels, firm_contacts
from core.permissions import PORTAL
from portal import selectors_profile as selectors
from portal.forms_profile import ProfileChangeForm, name_of
from portal.services import profile as services
from portal.views.base import PortalView


def with_rows(proposals, firm):
    """Each proposal with its changes labelled in the reader's language."""
    targets = {"firm": firm.name, "contact": _("You")}
    for proposal in proposals:
        proposal.rows = [
            {
                "label": services.label_of(item),
                "target": targets.get(item.get("target"), ""),
                "old": item.get("old", ""),
                "new": item.get("new", ""),
            }
            for item in proposal.changes
        ]
    return proposals


class ProfileView(PortalView):
    permissions = {"GET": PORTAL}

    def get(self, request, tenant_slug):
        contacts = [c for c in firm_contacts(tenant=self.tenant, firm=self.firm) if c.is_active]
        proposals = selectors.own_proposals(tenant=self.tenant, portal_user=self.portal_user)
        context = self.get_context_data(
            nav="profile",
            channels=firm_channels(tenant=self.tenant, firm=self.firm),
            contacts=contacts,
            own_contact_id=self.portal_user.contact_id,
            proposals=with_rows(proposals, self.firm),
            has_pending=any(p.status == "pending" for p in proposals),
        )
        return render(request, "portal/profile_detail.html", context)


class ProfileChangeView(PortalView):
    """Propose new contact details; a proposal still waiting is shown and replaced."""

    permissions = {"GET": PORTAL, "POST": PORTAL}

    def load(self):
        self.current = selectors.profile_values(tenant=self.tenant, portal_user=self.portal_user)
        self.pending = selectors.pending_proposal(tenant=self.tenant, portal_user=self.portal_user)

    def show(self, form, status=200):
        context = self.get_context_data(nav="profile", form=form, pending=self.pending)
        return render(self.request, "portal/profile_change.html", context, status=status)

    def get(self, request, tenant_slug):
        self.load()
        initial = {name_of(key): value for key, value in self.current.items()}
        if self.pending is not None:
            for item in self.pending.changes:
                key = (item.get("target"), item.get("field"))
                if key in self.current:
                    initial[name_of(key)] = item.get("new", "")
            initial["message"] = self.pending.message
        return self.show(ProfileChangeForm(initial=initial, current=self.current))

    def post(self, request, tenant_slug):
        self.load()
        form = ProfileChangeForm(request.POST, current=self.current)
        if not form.is_valid():
            return self.show(form, status=400)
        try:
            services.profile_change_propose(
                tenant=self.tenant,
                portal_user=self.portal_user,
                changes=form.changes(),
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.show(form, status=400)
        messages.success(
            request,
            _("Thank you: we received your proposal and will check it. You will hear from us "
              "by e-mail."),
        )  # fmt: skip
        return redirect("portal:profile", tenant_slug)
