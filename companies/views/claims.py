"""The pool of unassigned firms, claims and their decisions, and the notifications pages."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.views.employees import form_error
from companies.models.claims import MESSAGE_LIMIT, REASON_LIMIT
from companies.selectors import claims as selectors
from companies.services import claims as services
from core import notifications
from core.permissions import MEMBER
from core.views import TenantView, paginate


class ClaimForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message to your manager"),
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Why should this firm be yours?"),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))],
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason"):
            self.add_error("reason", _("Give a reason for the rejection."))
        return data


class PoolView(TenantView):
    """The firms nobody represents yet, each with a "Claim" button."""

    permissions = {"GET": "firms.view"}

    def get(self, request, tenant_slug):
        search = request.GET.get("q", "").replace("\x00", "").strip()[:100]
        qs = selectors.pool_firms(tenant=self.tenant, member=self.member, search=search)
        page = paginate(request, qs)
        requested = selectors.open_claim_firm_ids(
            tenant=self.tenant, member=self.member, firm_ids=[firm.pk for firm in page]
        )
        context = {
            "page": page,
            "search": search,
            "requested": requested,
            "can_claim": self.member.has_perm("claims.add"),
        }
        return render(request, "companies/claims/pool.html", context)


class ClaimCreateView(TenantView):
    """Ask for a pool firm with a message to the manager."""

    permissions = {"GET": "claims.add", "POST": "claims.add"}

    def load(self, pk):
        self.firm = selectors.pool_firm_get(tenant=self.tenant, member=self.member, pk=pk)

    def show(self, form, status=200):
        context = {"firm": self.firm, "form": form, "claimable": self.firm.is_in_pool}
        return render(self.request, "companies/claims/claim_form.html", context, status=status)

    def get(self, request, tenant_slug, pk):
        self.load(pk)
        return self.show(ClaimForm())

    def post(self, request, tenant_slug, pk):
        self.load(pk)
        form = ClaimForm(request.POST)
        if form.is_valid():
            try:
                services.claim_create(
                    tenant=self.tenant,
                    requester=self.member,
                    firm=self.firm,
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Your request for %(firm)s was sent for approval.") % {"firm": self.firm},
                )
                return redirect("companies:claim-list", self.tenant.slug)
        return self.show(form, status=400)


class ClaimListView(TenantView):
    """Claims waiting for the member's decision, and the member's own requests."""

    permissions = {"GET": MEMBER}

    def get(self, request, tenant_slug):
        to_decide = paginate(
            request, selectors.claims_to_decide(tenant=self.tenant, member=self.member)
        )
        mine = Paginator(selectors.claims_of(tenant=self.tenant, member=self.member), 25)
        context = {
            "to_decide": to_decide,
            "mine": mine.get_page(request.GET.get("mine")),
            "can_approve": self.member.has_perm("claims.approve"),
            "decision_form": DecisionForm(),
        }
        return render(request, "companies/claims/claim_list.html", context)


class ClaimDecideView(TenantView):
    """Approve or reject a claim (with a reason); one's own claim is a 403."""

    permissions = {"POST": "claims.approve"}

    def post(self, request, tenant_slug, pk):
        claim = selectors.claim_get(tenant=self.tenant, pk=pk)
        if not selectors.can_decide_claim(tenant=self.tenant, member=self.member, claim=claim):
            raise PermissionDenied
        form = DecisionForm(request.POST)
        if form.is_valid():
            decide = (
                services.claim_approve
                if form.cleaned_data["decision"] == "approve"
                else services.claim_reject
            )
            try:
                decide(
                    tenant=self.tenant,
                    decider=self.member,
                    claim=claim,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Your decision was recorded."))
                return redirect("companies:claim-list", self.tenant.slug)
        context = {"claim": claim, "form": form}
        return render(request, "companies/claims/claim_decide.html", context, status=400)


class NotificationListView(TenantView):
    permissions = {"GET": MEMBER}

    def get(self, request, tenant_slug):
        qs = notifications.notifications_for(tenant=self.tenant, member=self.member)
        context = {"page": paginate(request, qs)}
        return render(request, "companies/claims/notification_list.html", context)


class NotificationBellView(TenantView):
    """The bell alone, polled by the navigation (htmx) so its count changes without a reload."""

    permissions = {"GET": MEMBER}

    def get(self, request, tenant_slug):
        response = render(request, "components/_notifications.html")
        response["Cache-Control"] = "no-store"
        return response


class NotificationReadView(TenantView):
    """Mark one notification read; with ``open`` go where it points."""

    permissions = {"POST": MEMBER}

    def post(self, request, tenant_slug, pk):
        item = notifications.notification_get(tenant=self.tenant, member=self.member, pk=pk)
        notifications.notification_mark_read(
            tenant=self.tenant, member=self.member, notification=item
        )
        if (
            request.POST.get("open")
            and item.url
            and url_has_allowed_host_and_scheme(item.url, allowed_hosts=None)
        ):
            return redirect(item.url)
        return redirect("companies:notifications", self.tenant.slug)


class NotificationReadAllView(TenantView):
    permissions = {"POST": MEMBER}

    def post(self, request, tenant_slug):
        notifications.notifications_mark_all_read(tenant=self.tenant, member=self.member)
        return redirect("companies:notifications", self.tenant.slug)
