"""The firm's offers in the portal: the list, one offer with its PDF, and the firm's answer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from core import money
from core.permissions import PORTAL
from core.views import paginate
from documents.rendering import RenderError
from portal import events
from portal.models import PortalEvent
from portal.services import offers as services
from portal.views.base import PortalView
from sales.forms.offers import DecisionForm
from sales.offer_pdf import offer_pdf
from sales.selectors.offers import DECIDABLE, offer_lines


class OfferListView(PortalView):
    permissions = {"GET": PORTAL}

    def get(self, request, tenant_slug):
        offers = services.firm_offers(tenant=self.tenant, firm=self.firm)
        context = self.get_context_data(nav="offers", page=paginate(request, offers))
        return render(request, "portal/offers_list.html", context)


def render_detail(view, request, pk, form=None, status=200):
    offer = services.firm_offer_get(tenant=view.tenant, firm=view.firm, pk=pk)
    lines = offer_lines(tenant=view.tenant, offer=offer)
    today = timezone.localdate()
    context = view.get_context_data(
        nav="offers",
        offer=offer,
        lines=lines,
        vat_breakdown=sorted(money.totals(lines).by_rate.items()),
        can_answer=offer.status in DECIDABLE,
        validity_ended=bool(offer.valid_until and offer.valid_until < today),
        form=form or DecisionForm(),
    )
    return render(request, "portal/offers_detail.html", context, status=status)


class OfferDetailView(PortalView):
    permissions = {"GET": PORTAL}

    def get(self, request, tenant_slug, pk):
        return render_detail(self, request, pk)


class OfferPdfView(PortalView):
    """The offer's PDF as staff get it; the download lands on the firm's timeline."""

    permissions = {"GET": PORTAL}

    def get(self, request, tenant_slug, pk):
        offer = services.firm_offer_get(tenant=self.tenant, firm=self.firm, pk=pk)
        try:
            filename, pdf = offer_pdf(self.tenant, offer)
        except RenderError:
            messages.error(
                request,
                _("The PDF of this offer cannot be made right now. Please ask us for a copy."),
            )
            return redirect("portal:offer-detail", tenant_slug, offer.pk)
        events.record(
            portal_user=self.portal_user,
            kind=PortalEvent.Kind.DOWNLOAD,
            subject=offer,
            summary=_("Offer %(number)s (PDF)") % {"number": offer.number},
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class DecisionView(PortalView):
    """The firm's answer with an optional comment; a refused answer is a message."""

    permissions = {"POST": PORTAL}
    accept = True

    def post(self, request, tenant_slug, pk):
        offer = services.firm_offer_get(tenant=self.tenant, firm=self.firm, pk=pk)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return render_detail(self, request, pk, form=form, status=400)
        try:
            services.offer_decide(
                tenant=self.tenant,
                portal_user=self.portal_user,
                offer=offer,
                accept=self.accept,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self.done(offer))
        return redirect("portal:offer-detail", tenant_slug, offer.pk)

    def done(self, offer):
        return _("Thank you: you accepted the offer %(number)s. We will be in touch.") % {
            "number": offer.number
        }


class OfferAcceptView(DecisionView):
    accept = True


class OfferRejectView(DecisionView):
    accept = False

    def done(self, offer):
        return _("You rejected the offer %(number)s. Thank you for letting us know.") % {
            "number": offer.number
        }
