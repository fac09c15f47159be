"""Order requests: the staff design a form, a portal user fills it in, the representative
follows up (seed 003)."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from agenda.models import Activity
from core.models import AuditEntry, Notification, OutboxEmail
from portal.models import OrderRequest, OrderRequestForm, PortalEvent
from portal.services.request_forms import request_form_create
from portal.services.requests import follow_up_start, order_request_submit
from tests.factories import make_firm
from tests.portal_helpers import make_portal_user, portal_login, portal_url, portal_world
from tests.sales_helpers import make_product

ALL_KINDS = [
    {"label": "Product", "kind": "product", "required": True},
    {"label": "Reference", "kind": "text"},
    {"label": "Notes", "kind": "textarea"},
    {"label": "Quantity", "kind": "number", "required": True},
    {"label": "Date needed", "kind": "date"},
    {"label": "Colour", "kind": "choice", "choices": ["Red", "Blue"]},
    {"label": "Gift wrap", "kind": "yesno"},
]


def staff_url(world, name, *args):
    return reverse(f"order-requests:{name}", args=[world.tenant.slug, *args])


def design_data(name, rows, intro=""):
    """The designer's POST: ``rows`` of field values (``required``: "on" to tick it)."""
    data = {
        "name": name,
        "description": intro,
        "fields-TOTAL_FORMS": str(len(rows)),
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        data.update({f"fields-{index}-{key}": value for key, value in row.items()})
    return data


def make_form(world, name="All kinds", fields=ALL_KINDS):
    with scope(tenant=world.tenant.pk):
        return request_form_create(
            tenant=world.tenant, actor=world.executive, name=name, description="", fields=fields
        )


@pytest.fixture
def pw(world):
    """The world with its portal firms, a form of every kind and a product."""
    portal_world(world)
    world.product = make_product(world, "Pump K-40")
    world.request_form = make_form(world)
    return world


def answers(world, **changes):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {
        "f1": str(world.product.pk), "f2": "PO-77", "f3": "Line one\nLine two", "f4": "12.5",
        "f5": tomorrow.isoformat(), "f6": "Blue", "f7": "on",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def open_form(client, world, form=None):
    response = client.get(portal_url(world, "order-request-new", (form or world.request_form).pk))
    assert response.status_code == 200
    return response, response.context["form"]["submit_token"].value()


def fill_in(client, world, data, form=None):
    _response, token = open_form(client, world, form)
    url = portal_url(world, "order-request-new", (form or world.request_form).pk)
    return client.post(url, {**data, "submit_token": token})


def requests_of(world):
    with scopes_disabled():
        return list(OrderRequest.objects.filter(tenant=world.tenant))


# The designer ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_designer_saves_fields_in_the_order_given(client, world):
    client.force_login(world.executive.user)
    rows = [
        {"label": "Notes", "kind": "textarea", "ORDER": "2"},
        {
            "label": "Size",
            "kind": "choice",
            "choices": "S\n\nM\n L ",
            "required": "on",
            "ORDER": "1",
        },
    ]
    response = client.post(staff_url(world, "form-create"), design_data("Spare parts", rows))
    assert response.status_code == 302
    with scopes_disabled():
        form = OrderRequestForm.objects.get(tenant=world.tenant, name="Spare parts")
    assert [(f["label"], f["kind"], f["required"]) for f in form.fields] == [
        ("Size", "choice", True),
        ("Notes", "textarea", False),
    ]
    assert form.fields[0]["choices"] == ["S", "M", "L"]
    assert len({f["key"] for f in form.fields}) == 2
    page = client.get(staff_url(world, "form-list")).content.decode()
    assert "Spare parts" in page


OK_ROW = {"label": "Quantity", "kind": "number"}
HOSTILE_DESIGNS = {
    "31 fields": [{"label": f"Field {n}", "kind": "text"} for n in range(31)],
    "no fields": [],
    "empty label": [OK_ROW, {"label": "", "kind": "choice", "choices": "A"}],
    "choice without choices": [{"label": "Colour", "kind": "choice", "choices": " \n "}],
    "51 choices": [
        {"label": "Colour", "kind": "choice", "choices": "\n".join(map(str, range(51)))}
    ],
    "long choice": [{"label": "Colour", "kind": "choice", "choices": "x" * 121}],
    "same label twice": [OK_ROW, {"label": " quantity ", "kind": "text"}],
    "huge label": [{"label": "x" * 100_000, "kind": "text"}],
    "unknown kind": [{"label": "Quantity", "kind": "<script>"}],
    "NUL byte": [{"label": "Qu\x00antity", "kind": "text"}],
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(HOSTILE_DESIGNS))
def test_designer_refuses_hostile_input(case, client, world):
    client.force_login(world.executive.user)
    data = design_data("Hostile", HOSTILE_DESIGNS[case])
    response = client.post(staff_url(world, "form-create"), data)
    assert response.status_code == 400
    with scopes_disabled():
        assert not OrderRequestForm.objects.filter(tenant=world.tenant).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"fields-TOTAL_FORMS": "100000"},
        {"fields-TOTAL_FORMS": "many"},
        {"name": "n" * 10_000},
        {"name": ""},
        {"fields-0-ORDER": "first"},
    ],
)
def test_designer_refuses_a_tampered_post(changes, client, world):
    client.force_login(world.executive.user)
    data = {**design_data("Tampered", [OK_ROW]), **changes}
    assert client.post(staff_url(world, "form-create"), data).status_code == 400
    with scopes_disabled():
        assert not OrderRequestForm.objects.filter(tenant=world.tenant).exists()


@pytest.mark.django_db
def test_form_names_are_unique(client, world):
    make_form(world, "Parts", [OK_ROW])
    client.force_login(world.executive.user)
    response = client.post(staff_url(world, "form-create"), design_data("parts", [OK_ROW]))
    assert response.status_code == 400
    assert "Another form has this name." in response.content.decode()


@pytest.mark.django_db
def test_markup_is_shown_escaped_to_staff_and_in_the_portal(client, world):
    portal_world(world)
    script = "<script>alert(1)</script>"
    fields = [
        {"label": f"Size {script}", "kind": "choice", "choices": [script, "M"], "help": script}
    ]
    form = make_form(world, f"Form {script}", fields)
    client.force_login(world.executive.user)
    for url in (staff_url(world, "form-list"), staff_url(world, "form-edit", form.pk)):
        page = client.get(url).content.decode()
        assert script not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    portal_login(client, world.portal_user)
    page = client.get(portal_url(world, "order-request-new", form.pk)).content.decode()
    assert script not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_starter_form_is_offered_while_there_are_no_forms(client, world):
    client.force_login(world.executive.user)
    assert 'id="starter-offer"' in client.get(staff_url(world, "form-list")).content.decode()
    response = client.post(staff_url(world, "form-create"), {"starter": "1"})
    with scopes_disabled():
        form = OrderRequestForm.objects.get(tenant=world.tenant)
    assert response.status_code == 302 and response["Location"] == staff_url(
        world, "form-edit", form.pk
    )
    assert form.name == "Order request" and form.is_active
    assert [(f["label"], f["kind"], f["required"]) for f in form.fields] == [
        ("Product", "product", True),
        ("Quantity", "number", True),
        ("Date needed", "date", False),
        ("Notes", "textarea", False),
    ]
    page = client.get(staff_url(world, "form-list")).content.decode()
    assert 'id="starter-offer"' not in page and "Order request" in page
    assert client.post(staff_url(world, "form-create"), {"starter": "1"}).status_code == 302
    with scopes_disabled():
        names = set(
            OrderRequestForm.objects.filter(tenant=world.tenant).values_list("name", flat=True)
        )
    assert names == {"Order request", "Order request (2)"}


@pytest.mark.django_db
def test_only_designers_change_forms(client, world):
    client.force_login(world.manager.user)
    assert client.post(staff_url(world, "form-create"), {"starter": "1"}).status_code == 403
    with scopes_disabled():
        assert not OrderRequestForm.objects.filter(tenant=world.tenant).exists()


@pytest.mark.django_db
def test_editing_a_form_keeps_the_answers_already_sent(client, pw):
    portal_login(client, pw.portal_user)
    assert fill_in(client, pw, answers(pw)).status_code == 302
    (sent,) = requests_of(pw)
    before = sent.answers
    client.force_login(pw.executive.user)
    data = design_data("All kinds, new", [{"label": "Pieces", "kind": "number", "key": "f4"}])
    assert client.post(staff_url(pw, "form-edit", pw.request_form.pk), data).status_code == 302
    pw.request_form.refresh_from_db()
    assert [f["label"] for f in pw.request_form.fields] == ["Pieces"]
    sent.refresh_from_db()
    assert sent.answers == before
    page = client.get(staff_url(pw, "detail", sent.pk)).content.decode()
    assert "Quantity" in page and "12.5" in page and "Pieces" not in page


def rendered_data(response):
    """What the browser sends back from the designer page unchanged."""
    context = response.context
    data = {}
    for form in (context["head"], context["fieldset"].management_form, *context["fieldset"]):
        for bound in form:
            value = bound.value()
            if value is True:
                data[bound.html_name] = "on"
            elif value not in (None, False):
                data[bound.html_name] = value
    return data


@pytest.mark.django_db
def test_the_designer_page_sends_back_what_it_shows(client, world):
    form = make_form(world)
    client.force_login(world.executive.user)
    url = staff_url(world, "form-edit", form.pk)
    data = rendered_data(client.get(url))
    assert client.post(url, data).status_code == 302
    stored = form.fields
    form.refresh_from_db()
    assert form.fields == stored
    # Moving the last field first and removing the second keeps the other fields' keys.
    data = rendered_data(client.get(url))
    data["fields-6-ORDER"], data["fields-1-DELETE"] = "0", "on"
    assert client.post(url, data).status_code == 302
    form.refresh_from_db()
    assert [f["key"] for f in form.fields] == ["f7", "f1", "f3", "f4", "f5", "f6"]
    assert form.fields[0]["label"] == "Gift wrap"


@pytest.mark.django_db
def test_a_form_switched_off_is_no_longer_offered(client, pw):
    client.force_login(pw.executive.user)
    toggle = staff_url(pw, "form-toggle", pw.request_form.pk)
    assert client.post(toggle, {"active": "0"}).status_code == 302
    portal_login(client, pw.portal_user)
    assert "All kinds" not in client.get(portal_url(pw, "order-request-forms")).content.decode()
    new = portal_url(pw, "order-request-new", pw.request_form.pk)
    assert client.get(new).status_code == 404
    client.force_login(pw.executive.user)
    client.post(toggle, {"active": "1"})
    portal_login(client, pw.portal_user)
    assert client.get(new).status_code == 200


# Filling in a form in the portal --------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_makes_one_follow_up_for_the_representative(client, pw):
    portal_login(client, pw.portal_user)
    page = client.get(portal_url(pw, "order-request-forms")).content.decode()
    assert "All kinds" in page
    response = fill_in(client, pw, answers(pw))
    (sent,) = requests_of(pw)
    assert response.status_code == 302
    assert response["Location"] == portal_url(pw, "order-request-detail", sent.pk)
    shown = {entry["label"]: entry["display"] for entry in sent.answers}
    assert shown["Product"].endswith("Pump K-40") and shown["Quantity"] == "12.5"
    assert shown["Colour"] == "Blue" and shown["Notes"] == "Line one\nLine two"
    with scopes_disabled():
        activities = list(Activity.objects.filter(tenant=pw.tenant).select_related("type"))
        assert len(activities) == 1
        activity = activities[0]
        assert sent.activity_id == activity.pk and activity.firm_id == pw.portal_firm.pk
        assert activity.assigned_to_id == pw.employee.pk  # the firm's sales representative
        assert activity.type.code == "todo" and activity.start > timezone.now()
        assert activity.subject == f"Order request: All kinds — {pw.portal_firm.name}"
        assert "Quantity: 12.5" in activity.description
        assert "Gift wrap: Yes" in activity.description
        mails = list(OutboxEmail.objects.filter(tenant=pw.tenant, subject__contains="Order"))
        assert [m.idempotency_key for m in mails] == [f"order-request:{sent.pk}"]
        assert mails[0].to == [pw.employee.user.email]
        assert "12.5" in mails[0].body_text and "Pump K-40" in mails[0].body_html
        assert staff_url(pw, "detail", sent.pk) in mails[0].body_text
        assert (
            Notification.objects.filter(recipient=pw.employee, verb="order_request.new").count()
            == 1
        )
        event = PortalEvent.objects.get(tenant=pw.tenant, kind=PortalEvent.Kind.ORDER_REQUEST)
        assert (event.firm_id, event.subject_id) == (pw.portal_firm.pk, sent.pk)
        assert AuditEntry.objects.filter(
            tenant=pw.tenant, subject_type="companies.firm", subject_id=pw.portal_firm.pk,
            summary__startswith="Order request: All kinds",
        ).count() == 1  # fmt: skip

    detail = client.get(response["Location"]).content.decode()
    assert "Line one<br>Line two" in detail and "Thank you" in detail
    assert "All kinds" in client.get(portal_url(pw, "order-requests")).content.decode()

    client.force_login(pw.employee.user)
    home = client.get(reverse("accounts:home", args=[pw.tenant.slug])).content.decode()
    assert f"Order request: All kinds — {pw.portal_firm.name}" in home
    timeline = reverse("companies:firm-timeline", args=[pw.tenant.slug, pw.portal_firm.pk])
    assert "Sent an order request" in client.get(timeline).content.decode()
    assert "Pump K-40" in client.get(staff_url(pw, "detail", sent.pk)).content.decode()


@pytest.mark.django_db
def test_a_contact_login_puts_the_contact_on_the_follow_up(client, pw):
    with scope(tenant=pw.tenant.pk):
        contact = pw.portal_firm.contacts.get()
    login = make_portal_user(pw, pw.portal_firm, contact)
    portal_login(client, login)
    assert fill_in(client, pw, answers(pw)).status_code == 302
    with scopes_disabled():
        activity = Activity.objects.get(tenant=pw.tenant)
        assert list(activity.contacts.all()) == [contact]


def other_tenant_product(other_world):
    return make_product(other_world, "Foreign pump")


BAD_ANSWERS = {
    "required product missing": {"f1": ""},
    "required number missing": {"f4": None},
    "not a number": {"f4": "twelve"},
    "negative number": {"f4": "-1"},
    "huge number": {"f4": "1" * 40},
    "past date": {"f5": "2001-01-01"},
    "not a date": {"f5": "yesterday"},
    "choice not in list": {"f6": "Green"},
    "product id not a number": {"f1": "1 OR 1=1"},
    "product id unknown": {"f1": "999999999"},
    "long text": {"f2": "x" * 501},
    "NUL byte": {"f3": "a\x00b"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
def test_bad_answers_are_refused(case, client, pw):
    portal_login(client, pw.portal_user)
    response = fill_in(client, pw, answers(pw, **BAD_ANSWERS[case]))
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode()
    assert requests_of(pw) == []


@pytest.mark.django_db
def test_products_of_another_tenant_inactive_or_not_sellable_are_refused(client, pw, other_world):
    refused = [
        make_product(other_world, "Foreign pump"),
        make_product(pw, "Old pump", is_active=False),
        make_product(pw, "Spare part", sellable=False),
    ]
    portal_login(client, pw.portal_user)
    page = client.get(portal_url(pw, "order-request-new", pw.request_form.pk)).content.decode()
    assert "Pump K-40" in page
    for product in refused:
        assert product.name not in page
        response = fill_in(client, pw, answers(pw, f1=str(product.pk)))
        assert response.status_code == 400
        assert "Choose one of the products offered." in response.content.decode()
    assert requests_of(pw) == []


@pytest.mark.django_db
def test_a_big_catalogue_is_searched_and_any_offered_product_counts(client, pw, monkeypatch):
    monkeypatch.setattr("portal.views.requests.PRODUCT_OPTIONS", 1)
    valve = make_product(pw, "Valve V-2")
    portal_login(client, pw.portal_user)
    url = portal_url(pw, "order-request-new", pw.request_form.pk)
    page = client.get(url).content.decode()
    assert 'id="product-search"' in page and "Pump K-40" in page and "Valve V-2" not in page
    found = client.get(url, {"q": "valve"}).content.decode()
    assert "Valve V-2" in found and "Pump K-40" not in found
    assert fill_in(client, pw, answers(pw, f1=str(valve.pk))).status_code == 302
    assert requests_of(pw)[0].answers[0]["value"] == valve.pk


@pytest.mark.django_db
def test_a_double_click_sends_one_request(client, pw):
    portal_login(client, pw.portal_user)
    _page, token = open_form(client, pw)
    url = portal_url(pw, "order-request-new", pw.request_form.pk)
    first = client.post(url, {**answers(pw), "submit_token": token})
    second = client.post(url, {**answers(pw), "submit_token": token})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    # A second page opened at the same time: a new token, the same answers, seconds later.
    third = fill_in(client, pw, answers(pw))
    assert third["Location"] == first["Location"]
    assert len(requests_of(pw)) == 1
    with scopes_disabled():
        assert Activity.objects.filter(tenant=pw.tenant).count() == 1
        assert OutboxEmail.objects.filter(idempotency_key__startswith="order-request:").count() == 1
    # Different answers are a different request.
    assert fill_in(client, pw, answers(pw, f4="2")).status_code == 302
    assert len(requests_of(pw)) == 2


@pytest.mark.django_db
def test_a_token_not_issued_is_refused_and_the_answers_kept(client, pw):
    portal_login(client, pw.portal_user)
    url = portal_url(pw, "order-request-new", pw.request_form.pk)
    response = client.post(url, {**answers(pw), "submit_token": "made-up"})
    assert response.status_code == 400
    assert "open too long" in response.content.decode() and "PO-77" in response.content.decode()
    assert requests_of(pw) == []


@pytest.mark.django_db
def test_the_service_repeats_nothing_within_seconds(pw):
    with scope(tenant=pw.tenant.pk):
        values = {"f1": pw.product, "f4": Decimal("1")}
        first = order_request_submit(
            tenant=pw.tenant, portal_user=pw.portal_user, form=pw.request_form, answers=values
        )
        again = order_request_submit(
            tenant=pw.tenant, portal_user=pw.portal_user, form=pw.request_form, answers=values
        )
        assert first.pk == again.pk
        assert Activity.objects.filter(tenant=pw.tenant).count() == 1


@pytest.mark.django_db
def test_another_firms_request_is_not_found(client, pw):
    portal_login(client, pw.portal_user)
    fill_in(client, pw, answers(pw))
    (sent,) = requests_of(pw)
    portal_login(client, pw.other_portal_user)
    assert client.get(portal_url(pw, "order-request-detail", sent.pk)).status_code == 404
    assert "All kinds" not in client.get(portal_url(pw, "order-requests")).content.decode()


@pytest.mark.django_db
def test_staff_see_requests_only_of_firms_they_may_read(client, pw):
    portal_login(client, pw.portal_user)
    fill_in(client, pw, answers(pw))
    (sent,) = requests_of(pw)
    pw.tenant.employees_read_all_firms = False
    pw.tenant.save(update_fields=["employees_read_all_firms"])
    client.force_login(pw.outsider.user)
    assert client.get(staff_url(pw, "detail", sent.pk)).status_code == 404
    assert pw.portal_firm.name not in client.get(staff_url(pw, "list")).content.decode()
    assert client.get(staff_url(pw, "firm-requests", pw.portal_firm.pk)).status_code == 404
    client.force_login(pw.manager.user)  # the representative's manager
    assert pw.portal_firm.name in client.get(staff_url(pw, "list")).content.decode()


# Who follows up, and when ---------------------------------------------------------------------


def submit(world, firm):
    login = make_portal_user(world, firm)
    with scope(tenant=world.tenant.pk):
        sent = order_request_submit(
            tenant=world.tenant, portal_user=login, form=world.request_form,
            answers={"f1": world.product, "f4": Decimal("1")},
        )  # fmt: skip
        return sent.activity.assigned_to


@pytest.mark.django_db
def test_without_a_representative_the_support_rep_then_the_designer_follows_up(pw):
    supported = make_firm(pw.tenant, "Supported Ltd", support_rep=pw.manager)
    assert submit(pw, supported) == pw.manager
    alone = make_firm(pw.tenant, "Alone Ltd")
    assert submit(pw, alone) == pw.executive  # the form's designer


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2026-03-04 10:20", "2026-03-04 11:00"),  # Wednesday: the next full hour
        ("2026-03-04 07:30", "2026-03-04 09:00"),
        ("2026-03-04 17:30", "2026-03-05 09:00"),
        ("2026-03-06 19:00", "2026-03-09 09:00"),  # Friday evening: Monday morning
        ("2026-03-07 11:00", "2026-03-09 09:00"),  # Saturday
    ],
)
def test_the_follow_up_is_due_in_the_next_working_hour(local, expected):
    zone = ZoneInfo("Europe/Istanbul")
    now = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    start = follow_up_start(now=now, zone=zone)
    assert start.astimezone(zone).strftime("%Y-%m-%d %H:%M") == expected


# Query budgets ---------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def add_requests(world, n):
    with scope(tenant=world.tenant.pk):
        for i in range(n):
            order_request_submit(
                tenant=world.tenant, portal_user=world.portal_user, form=world.request_form,
                answers={"f1": world.product, "f4": Decimal(i + 1), "f2": f"Ref {i}"},
            )  # fmt: skip
        return OrderRequest.objects.filter(tenant=world.tenant).first()


@pytest.mark.django_db
def test_staff_pages_have_query_budgets(client, pw):
    first = add_requests(pw, 1)
    client.force_login(pw.executive.user)
    urls = {
        staff_url(pw, "list"): 20,
        staff_url(pw, "detail", first.pk): 20,
        staff_url(pw, "firm-requests", pw.portal_firm.pk): 30,
        staff_url(pw, "form-list"): 16,
        staff_url(pw, "form-edit", pw.request_form.pk): 16,
    }
    few = {url: count_queries(client, url) for url in urls}
    add_requests(pw, 8)
    make_form(pw, "Second form")
    for url, budget in urls.items():
        many = count_queries(client, url)
        assert many == few[url] and many <= budget, (url, few[url], many)


@pytest.mark.django_db
def test_portal_pages_have_query_budgets(client, pw):
    first = add_requests(pw, 1)
    portal_login(client, pw.portal_user)
    urls = {
        portal_url(pw, "order-requests"): 10,
        portal_url(pw, "order-request-detail", first.pk): 10,
        portal_url(pw, "order-request-forms"): 10,
        portal_url(pw, "order-request-new", pw.request_form.pk): 12,
    }
    few = {url: count_queries(client, url) for url in urls}
    add_requests(pw, 8)
    make_form(pw, "Second form")
    for n in range(5):
        make_product(pw, f"Extra {n}")
    for url, budget in urls.items():
        many = count_queries(client, url)
        assert many == few[url] and many <= budget, (url, few[url], many)
