"""The portal's order requests: the forms offered, filling one in, the firm's requests.

A double click must not send a request twice. The form page carries a one-time token that
the session remembers; sending uses it up and the session keeps which request it made, so the
same token sent again leads to that request instead of a new one. (The service also refuses
to repeat the same answers within seconds, for two clicks that arrive at the same moment.)
"""

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.permissions import PORTAL
from core.views import paginate
from portal import selectors_requests as selectors
from portal.forms_requests import PRODUCT_OPTIONS, OrderRequestFillForm
from portal.services.requests import answer_text, order_request_submit
from portal.views.base import PortalView

SESSION_KEY = "portal_order_request_tokens"
KEPT_TOKENS = 20
SEARCH_LIMIT = 100


class FormListView(PortalView):
    permissions = {"GET": PORTAL}

    def get(self, request, tenant_slug):
        forms = list(selectors.portal_forms(tenant=self.tenant))
        context = self.get_context_data(nav="order-requests", forms=forms)
        return render(request, "portal/requests_forms.html", context)


class Tokens:
    """The one-time tokens of this session: open ones (token → form) and used ones
    (token → the request they made), the newest ``KEPT_TOKENS`` of each."""

    def __init__(self, session):
        self.session = session
        stored = session.get(SESSION_KEY)
        stored = stored if isinstance(stored, dict) else {}
        self.open = dict(stored.get("open") or {})
        self.used = dict(stored.get("used") or {})

    def issue(self, form):
        token = secrets.token_urlsafe(24)
        self.open[token] = form.pk
        self._save()
        return token

    def use(self, token, order_request):
        self.open.pop(token, None)
        self.used[token] = order_request.pk
        self._save()

    def _save(self):
        self.session[SESSION_KEY] = {"open": newest(self.open), "used": newest(self.used)}


def newest(values):
    return dict(list(values.items())[-KEPT_TOKENS:])


class RequestNewView(PortalView):
    permissions = {"GET": PORTAL, "POST": PORTAL}

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.tokens = Tokens(request.session)

    def load(self, pk):
        self.request_form = selectors.request_form_get(tenant=self.tenant, pk=pk, active_only=True)
        self.search = (self.request.GET.get("q") or "").strip()[:SEARCH_LIMIT]
        self.products, self.more_products = (None, ()), False
        if any(spec.get("kind") == "product" for spec in self.request_form.fields):
            offered, listed, more = selectors.product_choices(
                tenant=self.tenant, search=self.search, limit=PRODUCT_OPTIONS
            )
            self.products, self.more_products = (offered, listed), more

    def build(self, data=None, initial=None):
        return OrderRequestFillForm(
            data, initial=initial, request_form=self.request_form, products=self.products
        )

    def show(self, form, status=200):
        context = self.get_context_data(
            nav="order-requests",
            request_form=self.request_form,
            form=form,
            search=self.search,
            more_products=self.more_products,
            has_products=self.products[0] is not None,
        )
        return render(self.request, "portal/requests_new.html", context, status=status)

    def get(self, request, tenant_slug, pk):
        self.load(pk)
        return self.show(self.build(initial={"submit_token": self.tokens.issue(self.request_form)}))

    def post(self, request, tenant_slug, pk):
        self.load(pk)
        token = str(request.POST.get("submit_token") or "")
        sent = self.tokens.used.get(token)
        if sent is not None:
            messages.info(request, _("This request was sent already."))
            return redirect("portal:order-request-detail", tenant_slug, sent)
        if self.tokens.open.get(token) != self.request_form.pk:
            data = request.POST.copy()
            data["submit_token"] = self.tokens.issue(self.request_form)
            form = self.build(data)
            form.is_valid()
            form.add_error(
                None, _("This page was open too long. Check your answers and send again.")
            )
            return self.show(form, status=400)
        form = self.build(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        try:
            order_request = order_request_submit(
                tenant=self.tenant,
                portal_user=self.portal_user,
                form=self.request_form,
                answers=form.answers(),
            )
        except ValidationError as error:
            for key, errors in getattr(error, "error_dict", {None: error.error_list}).items():
                form.add_error(key if key in form.fields else None, errors)
            return self.show(form, status=400)
        self.tokens.use(token, order_request)
        messages.success(request, _("Thank you: your request is sent. We will be in touch soon."))
        return redirect("portal:order-request-detail", tenant_slug, order_request.pk)


class RequestListView(PortalView):
    permissions = {"GET": PORTAL}

    def get(self, request, tenant_slug):
        page = paginate(request, selectors.firm_requests(tenant=self.tenant, firm=self.firm))
        context = self.get_context_data(nav="order-requests", page=page)
        return render(request, "portal/requests_list.html", context)


class RequestDetailView(PortalView):
    permissions = {"GET": PORTAL}

    def get(self, request, tenant_slug, pk):
        order_request = selectors.portal_request_get(tenant=self.tenant, firm=self.firm, pk=pk)
        answers = [(entry, answer_text(entry)) for entry in order_request.answers]
        context = self.get_context_data(
            nav="order-requests", order_request=order_request, answers=answers
        )
        return render(request, "portal/requests_detail.html", context)
