"""Offers: lines and their maths, the products' price flags, states, the PDF, the order an
accepted offer becomes, the dispatch source, the timeline, row rules, budgets, bad input."""

import re
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from catalogue.models import Product
from companies.models import Firm
from core.models import AuditEntry, Choice
from documents import sources
from documents.models import DocumentTemplate, DocumentVersion
from opportunities.models import Opportunity
from sales.models import Offer, OfferLine, OfferStatus, Order, OrderLine
from sales.offer_pdf import render_offer_pdf
from sales.services import offers as services
from tests import helpers
from tests.factories import make_firm

HOSTILE = helpers.HOSTILE
ALLOWED = helpers.ALLOWED
FIRM_NAME = "Çağrı Şişe Ölçü Güneş İğne Ürünleri A.Ş."
TEMPLATE_HTML = """<html><body>
<h1>{{ firm_name }}</h1><p>{{ number }} · {{ title }} · {{ contact_name }}</p>
<table>{% for line in lines %}<tr><td>{{ line.position }}</td><td>{{ line.code }}</td>
<td>{{ line.description }}</td><td>{{ line.quantity }} {{ line.unit }}</td>
<td>{{ line.total }}</td></tr>{% endfor %}</table>
<p>Grand total: {{ total }} {{ currency }}</p></body></html>"""


def url(world, name, *args):
    return reverse(f"sales:{name}", args=[world.tenant.slug, *args])


def unit(tenant, code="piece"):
    with scopes_disabled():
        return Choice.objects.get(tenant=tenant, list_key="unit", code=code)


def product(tenant, code, name, price, **flags):
    with scope(tenant=tenant.pk):
        return Product.objects.create(
            tenant=tenant,
            code=code,
            name=name,
            sale_price=Decimal(price),
            vat_rate=Decimal(flags.pop("vat", "20")),
            unit=flags.pop("unit", None),
            **flags,
        )


def offer_template(tenant, html=TEMPLATE_HTML, language="en", name="Standard offer"):
    with scope(tenant=tenant.pk):
        template = DocumentTemplate.objects.create(
            tenant=tenant, kind="offer", form="html", name=name, language=language
        )
        template.current_version = DocumentVersion.objects.create(
            tenant=tenant, template=template, number=1, html=html
        )
        template.save(update_fields=["current_version"])
    return template


@pytest.fixture
def firm(world):
    """A customer the employee represents (the manager reaches it through the team)."""
    return make_firm(
        world.tenant,
        FIRM_NAME,
        sales_rep=world.employee,
        actor=world.executive.user,
        first_contact={
            "data": {"first_name": "Gül", "last_name": "Öztürk"},
            "channels": {"emails": [{"address": "gul@cagri.example"}]},
        },
    )


@pytest.fixture
def catalogue(world):
    t = world.tenant
    return {
        "pump": product(t, "P-40", "Pump K-40", "1000.00", unit=unit(t)),
        "fixed": product(t, "F-1", "Fixed part", "250.00", vat="10", discount_allowed=False),
        "flexible": product(
            t, "X-1", "Flexible service kit", "100.00", price_increase_allowed=True
        ),
        "euro": product(t, "E-1", "Imported valve", "50.00", currency="EUR"),
        "inactive": product(t, "I-1", "Old pump", "10.00", is_active=False),
        "unsellable": product(t, "U-1", "Internal tool", "10.00", sellable=False),
    }


def line(product=None, **values):
    data = {
        "product": product.pk if product else "",
        "description": "",
        "quantity": "1",
        "unit": "",
        "unit_price": "",
        "discount_percent": "",
        "vat_rate": "",
    }
    data.update(values)
    return data


def offer_post(firm, lines, initial_forms=0, **overrides):
    data = {
        "firm": firm.pk,
        "contact": firm.primary_contact_id or "",
        "opportunity": "",
        "number": "",
        "title": "Spring pumps",
        "issued_on": "2026-03-02",
        "valid_until": "2026-04-01",
        "currency": "TRY",
        "template": "",
        "terms": "Delivery within two weeks.",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(initial_forms),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
    }
    for index, values in enumerate(lines):
        data.update({f"lines-{index}-{name}": value for name, value in values.items()})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def standard_lines(c):
    return [
        line(c["pump"], quantity="3", unit_price="1000.00", discount_percent="12.5", vat_rate="20"),
        line(c["fixed"], quantity="1.5", unit_price="250.00", vat_rate="10"),
        line(description="Installation on site", quantity="2.5", unit_price="3.33", vat_rate="20"),
    ]


def counts():
    with scopes_disabled():
        return {
            model.__name__: model.objects.count()
            for model in (Offer, OfferLine, Order, OrderLine, AuditEntry)
        }


def only_offer():
    with scopes_disabled():
        return Offer.objects.select_related("firm", "owner").get()


def offer_lines(offer):
    with scopes_disabled():
        return list(OfferLine.objects.filter(offer=offer).order_by("position"))


def create(client, world, firm, lines, **overrides):
    return client.post(url(world, "offer-create"), offer_post(firm, lines, **overrides))


def make_offer(world, firm, c, actor=None, **data):
    """An offer through the service (pump × 2 at list price, a free-text line)."""
    values = {
        "number": "",
        "title": "Made directly",
        "firm": firm,
        "contact": None,
        "issued_on": timezone.localdate(),
        "valid_until": None,
        "currency": "TRY",
        "terms": "",
        "template": None,
        "opportunity": None,
    }
    values.update(data)
    lines = [
        {"product": c["pump"], "quantity": Decimal(2), "unit_price": None},
        {
            "product": None,
            "description": "Commissioning",
            "quantity": Decimal(1),
            "unit_price": Decimal("150.00"),
            "vat_rate": Decimal(20),
        },
    ]
    with scope(tenant=world.tenant.pk):
        return services.offer_create(
            tenant=world.tenant, actor=actor or world.employee, data=values, lines=lines
        )


def mark_sent(world, offer, actor=None):
    """What the dispatch does when it sends the offer (``on_sent`` gets the sender's user)."""
    with scope(tenant=world.tenant.pk):
        source = sources.get("sales.offer")
        source.on_sent(world.tenant, (actor or world.employee).user, offer)


def reload(offer):
    with scopes_disabled():
        return Offer.objects.get(pk=offer.pk)


# Making an offer ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_stores_lines_and_totals_worked_out_per_line(client, world, firm, catalogue):
    client.force_login(world.employee.user)
    response = create(client, world, firm, standard_lines(catalogue))
    assert response.status_code == 302, response.text[:3000]
    offer = only_offer()
    assert offer.number == "OF000001" and offer.owner == world.employee
    assert offer.status == OfferStatus.DRAFT and offer.contact == firm.primary_contact
    pump, fixed, free = offer_lines(offer)
    # 3 × 1000 = 3000, 12.5 % off = 375, VAT 20 % of 2625
    assert (pump.net, pump.vat, pump.total) == (
        Decimal("2625.00"),
        Decimal("525.00"),
        Decimal("3150.00"),
    )
    assert pump.unit == unit(world.tenant)  # taken from the product when none is chosen
    # 1.5 × 250 = 375, VAT 10 %
    assert (fixed.net, fixed.vat, fixed.total) == (
        Decimal("375.00"),
        Decimal("37.50"),
        Decimal("412.50"),
    )
    # 2.5 × 3.33 = 8.325 → 8.33 (half up); VAT 1.666 → 1.67
    assert free.product is None and free.description == "Installation on site"
    assert (free.net, free.vat, free.total) == (Decimal("8.33"), Decimal("1.67"), Decimal("10.00"))
    assert (offer.net, offer.vat, offer.total) == (
        Decimal("3008.33"),
        Decimal("564.17"),
        Decimal("3572.50"),
    )
    assert [ln.position for ln in (pump, fixed, free)] == [1, 2, 3]
    page = client.get(response["Location"]).text
    assert "3,572.50 TRY" in page and "Installation on site" in page and "Pump K-40" in page
    # The VAT per rate: 20 % on 2633.33, 10 % on 375
    assert "VAT 20%" in page and "526.67" in page and "VAT 10%" in page and "37.50" in page
    with scopes_disabled():
        assert AuditEntry.objects.filter(subject_type="sales.offer", action="create").count() == 1


@pytest.mark.django_db
def test_product_defaults_and_discount_rounding(world, firm, catalogue):
    with scope(tenant=world.tenant.pk):
        priced = services.priced_lines(
            tenant=world.tenant,
            actor=world.employee,
            currency="TRY",
            lines=[
                {"product": catalogue["fixed"], "quantity": Decimal(1), "unit_price": None},
                {
                    "product": None,
                    "description": "Rounding",
                    "quantity": Decimal("3.333"),
                    "unit_price": Decimal("10.00"),
                    "discount_percent": Decimal(10),
                    "vat_rate": Decimal(18),
                },
            ],
        )
    first, second = priced
    assert first["unit_price"] == Decimal("250.00") and first["vat_rate"] == Decimal("10.00")
    # 33.33 less 10 % (3.333 → 3.33) = 30.00; VAT 18 % = 5.40
    assert (second["net"], second["vat"], second["total"]) == (
        Decimal("30.00"),
        Decimal("5.40"),
        Decimal("35.40"),
    )


@pytest.mark.django_db
def test_typed_number_is_kept_unique_and_skipped_by_the_sequence(client, world, firm, catalogue):
    client.force_login(world.employee.user)
    lines = [line(catalogue["pump"], unit_price="1000")]
    assert create(client, world, firm, lines, number="OF000001").status_code == 302
    before = counts()
    response = create(client, world, firm, lines, number="of000001")
    assert response.status_code == 400 and "Another offer has this number." in response.text
    assert counts() == before
    assert create(client, world, firm, lines).status_code == 302
    with scopes_disabled():
        assert sorted(Offer.objects.values_list("number", flat=True)) == ["OF000001", "OF000002"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "values", "message"),
    [
        ("fixed", {"discount_percent": "5"}, "No discount may be given on Fixed part."),
        ("fixed", {"unit_price": "240.00"}, "Fixed part allows no discount"),
        ("pump", {"unit_price": "1100.00"}, "only a manager can raise it"),
        ("euro", {"unit_price": "50.00"}, "Imported valve is priced in EUR"),
        ("inactive", {"unit_price": "10"}, "Select a valid choice"),
        ("unsellable", {"unit_price": "10"}, "Select a valid choice"),
    ],
)
def test_price_flags_refuse_with_a_clear_message(
    client, world, firm, catalogue, key, values, message
):
    client.force_login(world.employee.user)
    before = counts()
    lines = [line(catalogue["pump"], unit_price="1000"), line(catalogue[key], **values)]
    response = create(client, world, firm, lines)
    assert response.status_code == 400
    assert message in response.text
    assert counts() == before


@pytest.mark.django_db
def test_managers_and_executives_may_raise_prices(client, world, firm, catalogue):
    lines = [line(catalogue["pump"], unit_price="1100.00")]
    for person in (world.manager, world.executive):
        client.force_login(person.user)
        assert create(client, world, firm, lines).status_code == 302
    client.force_login(world.employee.user)
    # A product that allows it may be raised by anyone; the list price always passes.
    ok = [
        line(catalogue["flexible"], unit_price="130.00"),
        line(catalogue["fixed"], unit_price="250.00"),
    ]
    assert create(client, world, firm, ok).status_code == 302
    # Nobody discounts a product that allows no discount.
    client.force_login(world.executive.user)
    refused = create(client, world, firm, [line(catalogue["fixed"], discount_percent="1")])
    assert refused.status_code == 400 and "No discount may be given" in refused.text
    with scopes_disabled():
        assert Offer.objects.count() == 3


@pytest.mark.django_db
def test_free_text_lines_need_a_description_and_a_price(client, world, firm, catalogue):
    client.force_login(world.employee.user)
    before = counts()
    response = create(client, world, firm, [line(unit_price="10")])
    assert response.status_code == 400 and "Choose a product or describe the line." in response.text
    response = create(client, world, firm, [line(description="Training")])
    assert response.status_code == 400 and "Enter a unit price." in response.text
    response = create(client, world, firm, [])
    assert response.status_code == 400 and "Add at least one line." in response.text
    assert counts() == before


@pytest.mark.django_db
def test_form_prefills_from_the_firm_and_the_opportunity(client, world, firm, catalogue):
    template = offer_template(world.tenant)
    with scope(tenant=world.tenant.pk):
        stage = Choice.objects.filter(list_key="opportunity_stage").order_by("order").first()
        opportunity = Opportunity.objects.create(
            tenant=world.tenant,
            code="OPP-1",
            name="Bottling line renewal",
            firm=firm,
            stage=stage,
            currency="EUR",
        )
    client.force_login(world.employee.user)
    page = client.get(url(world, "offer-create") + f"?firm={firm.pk}").text
    assert FIRM_NAME in page and "Gül Öztürk" in page and "OPP-1 Bottling line renewal" in page
    assert re.search(rf'<option value="{template.pk}"\s+selected', page)
    page = client.get(url(world, "offer-create") + f"?opportunity={opportunity.pk}").text
    assert FIRM_NAME in page and 'value="Bottling line renewal"' in page
    assert re.search(rf'<option value="{opportunity.pk}"\s+selected', page)
    assert client.get(url(world, "offer-create") + "?firm=x&opportunity=%00").status_code == 200
    response = create(
        client,
        world,
        firm,
        [line(catalogue["flexible"], unit_price="100")],
        opportunity=opportunity.pk,
        currency="EUR",
    )
    assert response.status_code == 302
    assert only_offer().opportunity == opportunity
    options = client.get(url(world, "offer-firm-options") + f"?firm={firm.pk}").text
    assert "Gül Öztürk" in options and 'hx-swap-oob="innerHTML"' in options
    assert "Bottling line renewal" in options


@pytest.mark.django_db
def test_edit_replaces_the_lines_and_records_the_change(client, world, firm, catalogue):
    client.force_login(world.employee.user)
    create(client, world, firm, standard_lines(catalogue))
    offer = only_offer()
    edit = url(world, "offer-edit", offer.pk)
    form = client.get(edit)
    assert form.status_code == 200 and "Installation on site" in form.text
    assert 'id="offer-products"' in form.text and "offer-lines.js" in form.text
    lines = standard_lines(catalogue)
    lines[1]["DELETE"] = "on"  # the fixed part goes
    lines.append(line(catalogue["flexible"], quantity="4", unit_price="100", vat_rate="20"))
    response = client.post(edit, offer_post(firm, lines, initial_forms=3, title="Revised"))
    assert response.status_code == 302
    offer = reload(offer)
    assert [ln.description for ln in offer_lines(offer)] == ["", "Installation on site", ""]
    assert [ln.product_id for ln in offer_lines(offer)] == [
        catalogue["pump"].pk,
        None,
        catalogue["flexible"].pk,
    ]
    # 2625 + 8.33 + 400 net
    assert offer.title == "Revised" and offer.net == Decimal("3033.33")
    with scopes_disabled():
        entry = AuditEntry.objects.filter(subject_type="sales.offer", action="update").get()
    assert entry.summary == "Lines changed"
    assert {c["field"] for c in entry.changes} >= {"title", "net", "total"}


# States -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_states_sent_through_the_source_decided_and_back_to_draft(client, world, firm, catalogue):
    offer = make_offer(world, firm, catalogue)
    client.force_login(world.employee.user)
    detail = url(world, "offer-detail", offer.pk)
    # A draft cannot be accepted: the firm has not seen it.
    response = client.post(url(world, "offer-accept", offer.pk), {"comment": "yes"})
    assert response.status_code == 302 and reload(offer).status == OfferStatus.DRAFT
    assert "cannot be done to an offer that is draft" in client.get(detail).text
    mark_sent(world, offer)
    offer = reload(offer)
    assert offer.status == OfferStatus.SENT
    with scopes_disabled():
        assert Firm.objects.get(pk=firm.pk).status == "in_talks"
    mark_sent(world, offer)  # sent again to another contact: nothing changes
    assert reload(offer).status == OfferStatus.SENT
    # Not editable once sent.
    page = client.get(detail).text
    assert url(world, "offer-edit", offer.pk) not in page
    response = client.get(url(world, "offer-edit", offer.pk))
    assert response.status_code == 302
    before = counts()
    post = offer_post(firm, [line(catalogue["pump"], unit_price="1")], title="Sneaky")
    assert client.post(url(world, "offer-edit", offer.pk), post).status_code == 302
    assert counts() == before and reload(offer).title == "Made directly"
    response = client.post(url(world, "offer-reject", offer.pk), {"comment": "Too dear."})
    assert response.status_code == 302
    offer = reload(offer)
    assert offer.status == OfferStatus.REJECTED and offer.decision_comment == "Too dear."
    assert offer.decided_at is not None
    assert "Too dear." in client.get(detail).text
    assert client.post(url(world, "offer-reopen", offer.pk)).status_code == 302
    offer = reload(offer)
    assert offer.status == OfferStatus.DRAFT and offer.decided_at is None
    assert client.get(url(world, "offer-edit", offer.pk)).status_code == 200
    mark_sent(world, offer)
    client.post(url(world, "offer-accept", offer.pk), {"comment": "Signed on the phone."})
    offer = reload(offer)
    assert offer.status == OfferStatus.ACCEPTED and offer.decision_comment == "Signed on the phone."
    assert client.get(url(world, "offer-edit", offer.pk)).status_code == 302
    with scopes_disabled():
        codes = [
            change.get("code")
            for entry in AuditEntry.objects.filter(
                subject_type="sales.offer", action="event"
            ).order_by("created_at", "id")
            for change in entry.changes
        ]
    assert codes == ["sent", "rejected", "draft", "sent", "accepted"]


@pytest.mark.django_db
def test_offers_expire_across_tenants(world, other_world, firm, catalogue):
    today = timezone.localdate()
    lapsed = make_offer(
        world,
        firm,
        catalogue,
        valid_until=today - timedelta(days=1),
        issued_on=today - timedelta(days=30),
    )
    current = make_offer(world, firm, catalogue, valid_until=today)
    draft = make_offer(
        world,
        firm,
        catalogue,
        valid_until=today - timedelta(days=5),
        issued_on=today - timedelta(days=30),
    )
    other_firm = make_firm(other_world.tenant, "Globex Firm", actor=other_world.executive.user)
    other_pump = product(other_world.tenant, "P", "Pump", "5")
    elsewhere = make_offer(
        other_world,
        other_firm,
        {"pump": other_pump},
        actor=other_world.executive,
        valid_until=today - timedelta(days=2),
        issued_on=today - timedelta(days=9),
    )
    for offer, w in ((lapsed, world), (current, world), (elsewhere, other_world)):
        mark_sent(w, offer, actor=w.executive)
    assert services.offers_expire() == 2
    assert reload(lapsed).status == OfferStatus.EXPIRED
    assert reload(elsewhere).status == OfferStatus.EXPIRED
    assert reload(current).status == OfferStatus.SENT and reload(draft).status == "draft"
    with scopes_disabled():
        expired = AuditEntry.objects.filter(
            subject_type="sales.offer", changes__contains=[{"code": "expired"}]
        )
        assert {e.subject_id for e in expired} == {lapsed.pk, elsewhere.pk}
        assert {e.tenant_id for e in expired} == {world.tenant.pk, other_world.tenant.pk}
    assert services.offers_expire() == 0
    # An expired offer may still be accepted (the firm answered late), or reopened.
    with scope(tenant=world.tenant.pk):
        services.offer_accept(tenant=world.tenant, actor=world.employee, offer=lapsed)
    assert reload(lapsed).status == OfferStatus.ACCEPTED


# The order ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_accepted_offer_becomes_an_order_once(client, world, firm, catalogue):
    offer = make_offer(world, firm, catalogue)
    client.force_login(world.employee.user)
    order_url = url(world, "offer-order", offer.pk)
    before = counts()
    assert client.post(order_url).status_code == 302  # a draft: refused
    assert counts()["Order"] == before["Order"]
    mark_sent(world, offer)
    client.post(url(world, "offer-accept", offer.pk), {"comment": ""})
    detail = client.get(url(world, "offer-detail", offer.pk)).text
    assert "Create order" in detail and url(world, "offer-reopen", offer.pk) in detail
    response = client.post(order_url, follow=True)
    assert response.status_code == 200
    with scopes_disabled():
        order = Order.objects.get()
        lines = list(OrderLine.objects.filter(order=order))
    assert order.offer_id == offer.pk and order.firm_id == firm.pk and order.currency == "TRY"
    assert [(ln.product_id, ln.amount, ln.unit_price) for ln in lines] == [
        (catalogue["pump"].pk, Decimal("2.000"), Decimal("1000.00")),
    ]
    text = response.text
    assert f"Order {order.number} is made from the offer." in text
    assert "1 line without a product was left out: Commissioning" in text
    # A second attempt says so and links to the order; nothing new is made.
    response = client.post(order_url, follow=True)
    assert "An order was already made from this offer" in response.text
    assert reverse("sales:order-detail", args=[world.tenant.slug, order.pk]) in response.text
    with scopes_disabled():
        assert Order.objects.count() == 1
    detail = client.get(url(world, "offer-detail", offer.pk)).text
    assert "Create order" not in detail and order.number in detail
    # With an order, the offer cannot go back to draft.
    client.post(url(world, "offer-reopen", offer.pk))
    assert reload(offer).status == OfferStatus.ACCEPTED


@pytest.mark.django_db
def test_an_offer_of_free_text_only_cannot_become_an_order(world, firm, catalogue):
    with scope(tenant=world.tenant.pk):
        offer = services.offer_create(
            tenant=world.tenant,
            actor=world.employee,
            data={
                "number": "",
                "title": "Consulting",
                "firm": firm,
                "contact": None,
                "issued_on": timezone.localdate(),
                "valid_until": None,
                "currency": "TRY",
                "terms": "",
                "template": None,
                "opportunity": None,
            },
            lines=[
                {
                    "product": None,
                    "description": "Advice",
                    "quantity": Decimal(1),
                    "unit_price": Decimal(100),
                }
            ],
        )
        services.offer_mark_sent(tenant=world.tenant, actor=world.employee, offer=offer)
        services.offer_accept(tenant=world.tenant, actor=world.employee, offer=offer)
        with pytest.raises(services.ValidationError, match="None of the offer's lines"):
            services.offer_order_create(tenant=world.tenant, actor=world.employee, offer=offer)
    assert counts()["Order"] == 0


# The PDF ------------------------------------------------------------------------------------


def pdf_text(content):
    """The PDF's text with every run of white space made one space (lines wrap)."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


@pytest.mark.django_db
def test_pdf_has_the_firm_name_lines_and_total(client, world, firm, catalogue):
    offer_template(world.tenant)
    client.force_login(world.employee.user)
    create(client, world, firm, standard_lines(catalogue))
    offer = only_offer()
    response = client.get(url(world, "offer-pdf", offer.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="offer-OF000001.pdf"'
    text = pdf_text(response.content)
    assert FIRM_NAME in text and "Gül Öztürk" in text
    assert "Grand total: 3,572.50 TRY" in text
    assert "Installation on site" in text and "P-40" in text and "Piece" in text


@pytest.mark.django_db
def test_pdf_picks_the_offers_own_template_or_the_tenants_language(world, firm, catalogue):
    from sales.offer_pdf import offer_pdf

    offer_template(world.tenant, html="<p>English {{ firm_name }}</p>", name="A English")
    turkish = offer_template(
        world.tenant, html="<p>Türkçe {{ firm_name }}</p>", language="tr", name="B Turkish"
    )
    offer = make_offer(world, firm, catalogue)
    with scope(tenant=world.tenant.pk):
        assert "English" in pdf_text(offer_pdf(world.tenant, offer)[1])
        assert "Türkçe" in pdf_text(offer_pdf(world.tenant, offer, "tr")[1])
        offer.template = turkish
        assert "Türkçe" in pdf_text(offer_pdf(world.tenant, offer)[1])
        # The task the worker runs renders the same document.
        result = render_offer_pdf.run(offer.pk, tenant_id=world.tenant.pk)
    assert result["bytes"] > 1000 and result["file"] == "offer-OF000001.pdf"


@pytest.mark.django_db
def test_render_errors_show_a_message_never_a_500(client, world, firm, catalogue):
    offer = make_offer(world, firm, catalogue)
    client.force_login(world.employee.user)
    response = client.get(url(world, "offer-pdf", offer.pk), follow=True)
    assert response.status_code == 200 and "There is no active offer template" in response.text
    offer_template(world.tenant, html="<p>{{ firm_name }</p>\n{% for x in %}")
    response = client.get(url(world, "offer-pdf", offer.pk), follow=True)
    assert response.status_code == 200 and "The PDF cannot be made: " in response.text
    assert response.redirect_chain[-1][0] == url(world, "offer-detail", offer.pk)
    offer_template(world.tenant, html="<p>{{ no_such_field }}</p>", name="A broken")
    response = client.get(url(world, "offer-pdf", offer.pk), follow=True)
    assert "The PDF cannot be made: " in response.text and "no_such_field" in response.text


# The dispatch, the firm page, the timeline --------------------------------------------------


@pytest.mark.django_db
def test_dispatch_source_and_send_button(client, world, firm, catalogue):
    offer_template(world.tenant)
    offer = make_offer(world, firm, catalogue)
    source, pk = sources.parse(f"sales.offer:{offer.pk}")
    assert source is not None and source.kind == "offer" and pk == offer.pk
    with scope(tenant=world.tenant.pk):
        assert source.get(world.tenant, world.employee, offer.pk) == offer
        assert source.get(world.tenant, world.employee, offer.pk + 999) is None
        assert source.title(offer) == "OF000001 Made directly"
        filename, pdf = source.render(world.tenant, offer, "en")
    assert filename == "offer-OF000001.pdf" and pdf.startswith(b"%PDF")
    client.force_login(world.employee.user)
    page = client.get(url(world, "offer-detail", offer.pk)).text
    try:
        dispatch = reverse("documents:dispatch-create", args=[world.tenant.slug])
    except NoReverseMatch:
        assert 'id="offer-send"' not in page
    else:
        assert f'href="{dispatch}?firm={firm.pk}&amp;source=sales.offer%3A{offer.pk}"' in page
    mark_sent(world, offer)
    client.post(url(world, "offer-accept", offer.pk))
    assert 'id="offer-send"' not in client.get(url(world, "offer-detail", offer.pk)).text


@pytest.mark.django_db
def test_sending_through_the_dispatch_marks_the_offer_sent(world, firm, catalogue):
    from documents.models import DispatchItem
    from documents.services.dispatch import dispatch_send
    from documents.services.dispatch_prepare import dispatch_prepare

    offer_template(world.tenant)
    offer = make_offer(world, firm, catalogue, contact=firm.primary_contact)
    with scope(tenant=world.tenant.pk):
        dispatch = dispatch_send(
            tenant=world.tenant,
            actor=world.employee,
            firm=firm,
            kind="offer",
            contacts=[firm.primary_contact],
            subject="Our offer",
            source=sources.get("sales.offer"),
            record=offer,
        )
    offer = reload(offer)
    assert offer.status == OfferStatus.SENT
    with scopes_disabled():
        assert Firm.objects.get(pk=firm.pk).status == "in_talks"
        sent = AuditEntry.objects.get(
            subject_type="sales.offer", changes__contains=[{"code": "sent"}]
        )
        assert sent.actor == world.employee.user
    with scope(tenant=world.tenant.pk):  # as the worker's TenantTask runs it
        dispatch_prepare(dispatch_id=dispatch.pk)
    with scopes_disabled():
        item = DispatchItem.objects.get(dispatch=dispatch, version=None)
        with item.file.open("rb") as handle:
            content = handle.read()
    assert item.original_name == "offer-OF000001.pdf"
    text = pdf_text(content)
    assert FIRM_NAME in text and "Commissioning" in text and "Grand total: 2,580.00 TRY" in text


@pytest.mark.django_db
def test_firm_page_tab_and_button(client, world, firm, catalogue):
    make_offer(world, firm, catalogue, title="Tabbed offer")
    client.force_login(world.employee.user)
    page = client.get(reverse("companies:firm-detail", args=[world.tenant.slug, firm.pk])).text
    tab = url(world, "firm-offers", firm.pk)
    assert f'href="{tab}"' in page
    assert f"{url(world, 'offer-create')}?firm={firm.pk}" in page and 'id="firm-new-offer"' in page
    response = client.get(tab, headers={"HX-Request": "true"})
    assert "<html" not in response.text and "Tabbed offer" in response.text
    full = client.get(tab).text
    assert "<html" in full and "Tabbed offer" in full and FIRM_NAME in full


@pytest.mark.django_db
def test_offers_on_the_firms_timeline(client, world, firm, catalogue):
    offer = make_offer(world, firm, catalogue, title="Timeline offer")
    mark_sent(world, offer)
    client.force_login(world.employee.user)
    client.post(url(world, "offer-accept", offer.pk), {"comment": "Deal."})
    rejected = make_offer(world, firm, catalogue, title="Second offer")
    mark_sent(world, rejected)
    client.post(url(world, "offer-reject", rejected.pk), {"comment": "No budget."})
    text = client.get(reverse("companies:firm-timeline", args=[world.tenant.slug, firm.pk])).text
    for expected in (
        "Offer made",
        "Offer sent",
        "Offer accepted",
        "Offer rejected",
        "OF000001 Timeline offer",
        "No budget.",
        "Deal.",
    ):
        assert expected in text, expected
    assert url(world, "offer-detail", offer.pk) in text


# Lists, row rules, budgets ------------------------------------------------------------------


@pytest.mark.django_db
def test_list_filters_and_sort(client, world, firm, catalogue):
    today = timezone.localdate()
    soon = make_offer(world, firm, catalogue, title="Soon ends", valid_until=today + timedelta(3))
    make_offer(
        world,
        firm,
        catalogue,
        title="Manager's",
        actor=world.manager,
        issued_on=today - timedelta(days=40),
    )
    mark_sent(world, soon)
    client.force_login(world.employee.user)
    listing = url(world, "offer-list")

    def shown(query):
        text = client.get(listing + query).text
        return sorted((t for t in ("Soon ends", "Manager&#x27;s") if t in text), key=text.find)

    assert shown("") == ["Soon ends", "Manager&#x27;s"]
    assert shown("?status=sent") == ["Soon ends"]
    assert shown(f"?owner={world.manager.pk}") == ["Manager&#x27;s"]
    assert shown("?expiring=on") == ["Soon ends"]
    assert shown(f"?date_to={(today - timedelta(days=1)).isoformat()}") == ["Manager&#x27;s"]
    assert shown(f"?date_from={today.isoformat()}&firm={firm.pk}") == ["Soon ends"]
    assert shown("?sort=issued") == ["Manager&#x27;s", "Soon ends"]
    assert shown("?q=ends") == ["Soon ends"]
    assert shown("?status=bogus&firm=x&owner=%00&date_from=no&sort=evil") == [
        "Soon ends",
        "Manager&#x27;s",
    ]
    htmx = client.get(listing + "?status=sent", headers={"HX-Request": "true"})
    assert "<html" not in htmx.text and "Soon ends" in htmx.text


@pytest.mark.django_db
def test_row_rules_follow_the_firm(client, world, firm, catalogue):
    world.tenant.employees_read_all_firms = False
    world.tenant.save(update_fields=["employees_read_all_firms"])
    hidden_firm = make_firm(world.tenant, "Outsider Ltd", sales_rep=world.outsider)
    hidden = make_offer(world, hidden_firm, catalogue, actor=world.outsider, title="Hidden one")
    mine = make_offer(world, firm, catalogue, title="Mine")
    client.force_login(world.employee.user)
    assert client.get(url(world, "offer-detail", hidden.pk)).status_code == 404
    assert client.get(url(world, "offer-pdf", hidden.pk)).status_code == 404
    assert client.post(url(world, "offer-reopen", hidden.pk)).status_code == 404
    assert client.get(url(world, "firm-offers", hidden_firm.pk)).status_code == 404
    text = client.get(url(world, "offer-list")).text
    assert "Mine" in text and "Hidden one" not in text
    before = counts()
    response = create(client, world, hidden_firm, [line(catalogue["pump"], unit_price="1000")])
    assert response.status_code == 400 and counts() == before
    client.force_login(world.manager.user)  # the outsider is not in the manager's team
    assert client.get(url(world, "offer-detail", hidden.pk)).status_code == 404
    assert client.get(url(world, "offer-detail", mine.pk)).status_code == 200
    # Reading all firms does not give the right to change them.
    world.tenant.employees_read_all_firms = True
    world.tenant.save(update_fields=["employees_read_all_firms"])
    client.force_login(world.employee.user)
    page = client.get(url(world, "offer-detail", hidden.pk))
    assert page.status_code == 200 and url(world, "offer-edit", hidden.pk) not in page.text
    assert client.get(url(world, "offer-edit", hidden.pk)).status_code == 403
    mark_sent(world, hidden, actor=world.outsider)
    assert client.post(url(world, "offer-accept", hidden.pk)).status_code == 403
    assert client.post(url(world, "offer-order", hidden.pk)).status_code == 403
    assert reload(hidden).status == OfferStatus.SENT
    client.force_login(world.executive.user)
    assert client.get(url(world, "offer-edit", mine.pk)).status_code == 200


@pytest.mark.django_db
def test_permission_codes_are_needed(client, world, firm, catalogue):
    offer = make_offer(world, firm, catalogue)
    helpers.give_profile(world, world.employee, "Readers", ["offers.view", "firms.view"])
    client.force_login(world.employee.user)
    assert client.get(url(world, "offer-detail", offer.pk)).status_code == 200
    assert client.get(url(world, "offer-create")).status_code == 403
    assert client.post(url(world, "offer-reopen", offer.pk)).status_code == 403
    helpers.give_profile(world, world.employee, "None", ["firms.view"])
    assert client.get(url(world, "offer-list")).status_code == 403
    assert client.get(url(world, "firm-offers", firm.pk)).status_code == 403


def count_queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_offers(world, firm, catalogue, n):
    for i in range(n):
        offer = make_offer(world, firm, catalogue, title=f"Offer {i}")
    return offer


@pytest.mark.django_db
def test_list_and_detail_query_budgets(client, world, firm, catalogue):
    client.force_login(world.manager.user)
    offer = add_offers(world, firm, catalogue, 1)
    pages = {
        "list": url(world, "offer-list"),
        "tab": url(world, "firm-offers", firm.pk),
        "detail": url(world, "offer-detail", offer.pk),
        "edit": url(world, "offer-edit", offer.pk),
    }
    few = {name: count_queries(client, address) for name, address in pages.items()}
    add_offers(world, firm, catalogue, 30)
    with scope(tenant=world.tenant.pk):
        OfferLine.objects.bulk_create(
            OfferLine(
                tenant=world.tenant,
                offer=offer,
                product=catalogue["pump"],
                unit=unit(world.tenant),
                quantity=1,
                unit_price=1,
                position=10 + i,
            )
            for i in range(20)
        )
    many = {name: count_queries(client, address) for name, address in pages.items()}
    assert few == many, (few, many)
    budgets = {"list": 12, "tab": 16, "detail": 13, "edit": 18}
    assert all(many[name] <= budgets[name] for name in pages), many


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_hostile_input_never_fails_and_never_half_saves(client, world, firm, catalogue):
    client.force_login(world.employee.user)
    base = offer_post(firm, standard_lines(catalogue))
    fields = [k for k in base if not k.startswith("lines-") or k.startswith("lines-0-")]
    fields += ["lines-TOTAL_FORMS", "lines-INITIAL_FORMS"]
    create_url = url(world, "offer-create")
    for field in fields:
        for value in HOSTILE:
            before = counts()
            response = client.post(create_url, {**base, field: value})
            assert response.status_code in ALLOWED, (field, value[:20], response.status_code)
            after = counts()
            if response.status_code == 302:
                with scopes_disabled():
                    offer = Offer.objects.order_by("-pk").first()
                    assert "\x00" not in offer.title + offer.number + offer.terms
                    assert after["Offer"] - before["Offer"] == 1
                    assert offer.total == sum(ln.total for ln in offer_lines(offer))
            else:
                assert after == before, (field, value[:20])
    offer = make_offer(world, firm, catalogue)
    mark_sent(world, offer)
    for name in ("offer-accept", "offer-reject"):
        for value in HOSTILE:
            response = client.post(url(world, name, offer.pk), {"comment": value})
            assert response.status_code in ALLOWED, (name, value[:20])
            assert reload(offer).status == OfferStatus.SENT or response.status_code == 302
            if reload(offer).status != OfferStatus.SENT:
                assert "\x00" not in reload(offer).decision_comment
                client.post(url(world, "offer-reopen", offer.pk))
                mark_sent(world, offer)
    for value in HOSTILE:
        for name in ("q", "status", "firm", "owner", "date_from", "expiring", "sort", "page"):
            assert client.get(url(world, "offer-list"), {name: value}).status_code == 200
        assert client.get(url(world, "offer-firm-options"), {"firm": value}).status_code == 200
        assert (
            client.get(
                url(world, "offer-create"), {"firm": value, "opportunity": value}
            ).status_code
            == 200
        )


@pytest.mark.django_db
def test_huge_amounts_are_form_errors(client, world, firm, catalogue):
    client.force_login(world.employee.user)
    before = counts()
    huge = [line(description="Big", quantity="99999999999.999", unit_price="999999999999.99")]
    response = create(client, world, firm, huge)
    assert response.status_code == 400 and "too large" in response.text
    many = [line(description="Big", quantity="99999999999", unit_price="999")] * 150
    response = create(client, world, firm, many)
    assert response.status_code == 400
    too_many = [line(description="x", unit_price="1")] * 201
    response = create(client, world, firm, too_many)
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.django_db
def test_foreign_ids_are_refused(client, world, other_world, firm, catalogue):
    foreign_firm = make_firm(other_world.tenant, "Globex Firm", actor=other_world.executive.user)
    foreign_product = product(other_world.tenant, "G-1", "Globex pump", "10")
    foreign_template = offer_template(other_world.tenant)
    other_firm = make_firm(
        world.tenant,
        "Another",
        sales_rep=world.employee,
        first_contact={"data": {"first_name": "Zeynep"}},
    )
    with scope(tenant=world.tenant.pk):
        stage = Choice.objects.filter(list_key="opportunity_stage").first()
        other_opportunity = Opportunity.objects.create(
            tenant=world.tenant, code="O-2", name="Elsewhere", firm=other_firm, stage=stage
        )
    client.force_login(world.employee.user)
    lines = [line(catalogue["pump"], unit_price="1000")]
    cases = [
        {"firm": foreign_firm.pk},
        {"contact": other_firm.primary_contact_id},
        {"opportunity": other_opportunity.pk},
        {"template": foreign_template.pk},
        {"currency": "XXX"},
        {"lines-0-product": foreign_product.pk},
        {"lines-0-unit": unit(other_world.tenant).pk},
    ]
    for case in cases:
        before = counts()
        response = client.post(url(world, "offer-create"), {**offer_post(firm, lines), **case})
        assert response.status_code == 400, case
        assert counts() == before
