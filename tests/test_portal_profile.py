"""The firm's profile in the portal: proposing new contact details, and staff deciding them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from companies.models import Address, Contact, Email, FirmContact, Phone, Website
from core.models import AuditEntry, Notification, OutboxEmail
from portal.models import PortalEvent, ProfileChange
from portal.services import profile as services
from tests.helpers import HOSTILE
from tests.portal_helpers import make_portal_user, portal_firm, portal_login, portal_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(world):
    firm = portal_firm(world, "Deniz Gida")
    with scope(tenant=world.tenant.pk):
        Phone.objects.create(tenant=world.tenant, firm=firm, area_code="212", number="5550000")
        Phone.objects.create(tenant=world.tenant, firm=firm, area_code="212", number="5551111")
        Address.objects.create(
            tenant=world.tenant,
            firm=firm,
            street="Eski Sok. 1",
            city="İstanbul",
            postal_code="34000",
        )
    return firm


@pytest.fixture
def contact(world, firm):
    with scopes_disabled():
        return Contact.objects.get(pk=firm.primary_contact_id)


@pytest.fixture
def firm_login(world, firm):
    return make_portal_user(world, firm)


@pytest.fixture
def contact_login(world, firm, contact):
    return make_portal_user(world, firm, contact)


def change_url(world, name, *args):
    return reverse(f"portal-changes:{name}", args=[world.tenant.slug, *args])


def form_data(**values):
    data = {
        "firm_phone": "+90 212 5550000",
        "firm_email": "info@deniz-gida.example",
        "firm_website": "",
        "firm_address": "Eski Sok. 1, İstanbul, Türkiye",
        "message": "",
    }
    data.update(values)
    return data


def contact_data(**values):
    data = form_data(
        contact_first_name="Ayşe",
        contact_last_name="Demir",
        contact_job_title="",
        contact_phone="",
        contact_email="ayse@deniz-gida.example",
    )
    data.update(values)
    return data


def propose(client, world, data):
    return client.post(portal_url(world, "profile-change"), data)


def decide(client, world, change, action, follow=False, **data):
    with scopes_disabled():
        change.refresh_from_db()
    data.setdefault("version", services.version_of(change))
    return client.post(change_url(world, action, change.pk), data, follow=follow)


def test_the_profile_shows_the_firm_as_on_record(world, firm, contact_login, client):
    portal_login(client, contact_login)
    page = client.get(portal_url(world, "profile")).content.decode()
    for text in (
        "Deniz Gida",
        firm.code,
        "+90 212 5550000",
        "info@deniz-gida.example",
        "Eski Sok. 1, İstanbul, Türkiye",
        "Ayşe Demir",
        "ayse@deniz-gida.example",
    ):
        assert text in page, text
    assert "You have not proposed any changes." in page


def test_the_firm_proposes_a_change_and_the_rep_hears_once(world, firm, firm_login, client):
    portal_login(client, firm_login)
    form = client.get(portal_url(world, "profile-change")).content.decode()
    assert "On record: +90 212 5550000" in form and "contact_first_name" not in form
    response = propose(
        client, world, form_data(firm_phone="+90 216 444 44 44", message="New office")
    )
    assert response.status_code == 302
    with scopes_disabled():
        change = ProfileChange.objects.get(firm=firm)
        assert change.status == "pending" and change.message == "New office"
        assert change.changes == [
            {
                "target": "firm",
                "field": "phone",
                "label": "Phone",
                "old": "+90 212 5550000",
                "new": "+90 216 444 44 44",
            }
        ]
        assert PortalEvent.objects.filter(kind="profile_change", subject_id=change.pk).exists()
        assert Notification.objects.filter(recipient=world.employee).count() == 1
    mail = OutboxEmail.objects.get(to=[world.employee.user.email])
    assert "+90 216 444 44 44" in mail.body_text and "New office" in mail.body_text
    assert change_url(world, "detail", change.pk) in mail.body_text
    page = client.get(portal_url(world, "profile")).content.decode()
    assert "Waiting for a decision" in page and "+90 216 444 44 44" in page


def test_nothing_changed_is_a_form_error(world, firm, firm_login, client):
    portal_login(client, firm_login)
    response = propose(client, world, form_data(message="Just saying hello"))
    assert response.status_code == 400 and "You changed nothing" in response.content.decode()
    assert not ProfileChange.objects.exists() and not OutboxEmail.objects.exists()


def test_emptying_a_detail_asks_to_say_so_in_the_message(world, firm, firm_login, client):
    portal_login(client, firm_login)
    response = propose(client, world, form_data(firm_phone=""))
    assert response.status_code == 400
    assert "tell us in the message" in response.content.decode()


def test_a_new_proposal_replaces_the_waiting_one(world, firm, firm_login, client):
    portal_login(client, firm_login)
    propose(client, world, form_data(firm_website="deniz.example"))
    form = client.get(portal_url(world, "profile-change")).content.decode()
    assert "is still waiting" in form and "https://deniz.example" in form
    propose(client, world, form_data(firm_website="https://deniz-gida.example"))
    with scopes_disabled():
        change = ProfileChange.objects.get()
        assert change.changes[0]["new"] == "https://deniz-gida.example"
        assert Notification.objects.filter(recipient=world.employee).count() == 2
    assert OutboxEmail.objects.filter(to=[world.employee.user.email]).count() == 1


def test_accepting_applies_to_the_firm_and_the_contact(world, firm, contact, contact_login, client):
    portal_login(client, contact_login)
    response = propose(
        client,
        world,
        contact_data(
            firm_phone="+90 216 444 44 44 / 12",
            firm_website="deniz.example",
            firm_address="Yeni Cad. 5, Kadıköy, Türkiye",
            contact_last_name="Yıldız",
            contact_job_title="Purchasing",
            contact_phone="0532 123 45 67",
            contact_email="ayse.yildiz@deniz-gida.example",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        change = ProfileChange.objects.get()
    assert len(change.changes) == 7

    client.force_login(world.employee.user)
    detail = client.get(change_url(world, "detail", change.pk)).content.decode()
    assert "+90 216 444 44 44 / 12" in detail and "Accept and apply" in detail
    response = decide(client, world, change, "accept", note="Thanks")
    assert response.status_code == 302
    with scopes_disabled():
        phones = list(Phone.objects.filter(firm=firm).order_by("id"))
        assert [str(p) for p in phones] == ["+90 216 4444444 / 12", "+90 212 5551111"]
        assert Website.objects.get(firm=firm).url == "https://deniz.example"
        address = Address.objects.get(firm=firm)
        assert (address.street, address.city, address.postal_code) == ("Yeni Cad. 5", "Kadıköy", "")
        contact.refresh_from_db()
        assert (contact.last_name, contact.job_title) == ("Yıldız", "Purchasing")
        assert str(Phone.objects.get(contact=contact)) == "0532 123 45 67"
        assert Email.objects.get(contact=contact).address == "ayse.yildiz@deniz-gida.example"
        change.refresh_from_db()
        assert change.status == "accepted" and change.decided_by == world.employee
        assert change.decision_note == "Thanks" and change.decided_at is not None
        assert AuditEntry.objects.filter(subject_id=firm.pk, action="update").exists()
        assert AuditEntry.objects.filter(subject_id=contact.pk, action="update").exists()
    mail = OutboxEmail.objects.get(to=[contact_login.email])
    assert "we applied" in mail.body_text and "Yıldız" in mail.body_text

    again = decide(client, world, change, "decline", note="No")
    assert again.status_code == 302
    assert OutboxEmail.objects.filter(to=[contact_login.email]).count() == 1


def test_declining_needs_a_reason_and_changes_nothing(world, firm, firm_login, client):
    portal_login(client, firm_login)
    propose(client, world, form_data(firm_email="new@deniz-gida.example"))
    with scopes_disabled():
        change = ProfileChange.objects.get()
    client.force_login(world.manager.user)
    refused = decide(client, world, change, "decline", note="  ")
    assert refused.status_code == 400 and "Say why" in refused.content.decode()
    response = decide(client, world, change, "decline", note="Please call us about it.")
    assert response.status_code == 302
    with scopes_disabled():
        assert Email.objects.get(firm=firm).address == "info@deniz-gida.example"
        change.refresh_from_db()
        assert change.status == "declined" and change.decided_by == world.manager
    mail = OutboxEmail.objects.get(to=[firm_login.email])
    assert "did not apply" in mail.subject and "Please call us about it." in mail.body_text
    portal_login(client, firm_login)
    page = client.get(portal_url(world, "profile")).content.decode()
    assert "Declined" in page and "Please call us about it." in page


def test_a_proposal_replaced_meanwhile_is_not_decided_blind(world, firm, firm_login, client):
    portal_login(client, firm_login)
    propose(client, world, form_data(firm_email="one@deniz-gida.example"))
    with scopes_disabled():
        change = ProfileChange.objects.get()
    seen = services.version_of(change)
    propose(client, world, form_data(firm_email="two@deniz-gida.example"))
    client.force_login(world.employee.user)
    response = client.post(change_url(world, "accept", change.pk), {"version": seen}, follow=True)
    assert "changed this proposal meanwhile" in response.content.decode()
    with scopes_disabled():
        assert ProfileChange.objects.get().status == "pending"
        assert Email.objects.get(firm=firm).address == "info@deniz-gida.example"


def test_members_who_cannot_change_the_firm_cannot_decide(world, firm, firm_login, client):
    portal_login(client, firm_login)
    propose(client, world, form_data(firm_email="new@deniz-gida.example"))
    with scopes_disabled():
        change = ProfileChange.objects.get()
    world.tenant.employees_read_all_firms = False
    world.tenant.save(update_fields=["employees_read_all_firms"])
    client.force_login(world.outsider.user)
    assert client.get(change_url(world, "detail", change.pk)).status_code == 404
    assert decide(client, world, change, "accept").status_code == 404
    assert "Deniz Gida" not in client.get(change_url(world, "list")).content.decode()

    world.tenant.employees_read_all_firms = True
    world.tenant.save(update_fields=["employees_read_all_firms"])
    page = client.get(change_url(world, "detail", change.pk)).content.decode()
    assert "new@deniz-gida.example" in page and "Accept and apply" not in page
    assert decide(client, world, change, "accept").status_code == 403
    assert decide(client, world, change, "decline", note="No").status_code == 403
    with scopes_disabled():
        assert ProfileChange.objects.get().status == "pending"
        assert Email.objects.get(firm=firm).address == "info@deniz-gida.example"


def test_a_contact_no_longer_of_the_firm_is_not_changed(
    world, firm, contact, contact_login, client
):
    portal_login(client, contact_login)
    propose(client, world, contact_data(contact_job_title="Owner"))
    with scopes_disabled():
        change = ProfileChange.objects.get()
        FirmContact.objects.filter(firm=firm, contact=contact).delete()
    client.force_login(world.employee.user)
    response = decide(client, world, change, "accept", follow=True)
    assert "no longer a contact of this firm" in response.content.decode()
    with scopes_disabled():
        contact.refresh_from_db()
        assert contact.job_title == "" and ProfileChange.objects.get().status == "pending"


@pytest.mark.parametrize("value", [*HOSTILE, "+", "+99 1", "()()()()", "a@b", "javascript:x"])
@pytest.mark.parametrize(
    "field",
    [
        "firm_phone",
        "firm_email",
        "firm_website",
        "firm_address",
        "contact_first_name",
        "contact_phone",
    ],
)
def test_hostile_input_never_breaks_the_form(world, contact_login, client, field, value):
    portal_login(client, contact_login)
    response = propose(client, world, contact_data(**{field: value}))
    assert response.status_code in (302, 400)
    with scopes_disabled():
        saved = ProfileChange.objects.first()
    if response.status_code == 400:
        assert saved is None
    else:
        assert saved.changes[0]["field"] == field.split("_", 1)[1]


def test_hostile_staff_input_and_foreign_ids(world, other_world, firm, firm_login, client):
    portal_login(client, firm_login)
    propose(client, world, form_data(firm_email="new@deniz-gida.example"))
    with scopes_disabled():
        change = ProfileChange.objects.get()
    client.force_login(world.employee.user)
    for value in HOSTILE:
        response = client.post(
            change_url(world, "decline", change.pk), {"version": value, "note": value}
        )
        assert response.status_code in (302, 400), value
    client.force_login(other_world.executive.user)
    assert client.get(change_url(world, "detail", change.pk)).status_code == 404
    with scopes_disabled():
        assert ProfileChange.objects.get().status == "pending"


@pytest.mark.parametrize(
    "item",
    [
        {"target": "firm", "field": "email", "new": "not-an-address"},
        {"target": "firm", "field": "website", "new": "javascript:alert(1)"},
        {"target": "firm", "field": "phone", "new": "+1"},
        {"target": "firm", "field": "address", "new": ""},
        {"target": "firm", "field": "tax_number", "new": "123"},
        {"target": "contact", "field": "first_name", "new": "Not a contact login"},
    ],
)
def test_the_service_checks_what_it_is_given(world, firm_login, item):
    with scope(tenant=world.tenant.pk), pytest.raises(ValidationError):
        services.profile_change_propose(
            tenant=world.tenant, portal_user=firm_login, changes=[{"old": "", **item}]
        )
    assert not ProfileChange.objects.exists() and not OutboxEmail.objects.exists()


def test_phone_and_address_lines():
    assert services.phone_parts("+90 (212) 555 00 00 / 7") == {
        "country_code": "90",
        "area_code": "212",
        "number": "5550000",
        "extension": "7",
    }
    assert services.phone_parts("0532 123 45 67")["area_code"] == "0532"
    assert services.phone_parts("+1") is None and services.phone_parts("1" * 25) is None
    assert services.address_parts("A, B, C, D, E")["street"] == "A, B, C, D, E"
    assert services.address_parts("Only a street")["street"] == "Only a street"
    old = Address(street="Eski 1", city="İstanbul", country="Türkiye", postal_code="34000")
    moved = services.address_parts("Yeni 5, İstanbul, Türkiye", old)
    assert (moved["street"], moved["city"], moved["postal_code"]) == ("Yeni 5", "İstanbul", "34000")
    other = services.address_parts("Yeni 5, Kadıköy, İstanbul", old)
    assert (other["street"], other["city"], other["country"]) == (
        "Yeni 5, Kadıköy, İstanbul",
        "",
        "",
    )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def more_rows(world, firm, n):
    """``n`` more contacts (with a phone and an e-mail) and decided proposals on ``firm``, and
    ``n`` other firms with a pending proposal each."""
    with scope(tenant=world.tenant.pk):
        for i in range(n):
            contact = Contact.objects.create(tenant=world.tenant, first_name=f"Person {i}")
            FirmContact.objects.create(tenant=world.tenant, firm=firm, contact=contact)
            Phone.objects.create(tenant=world.tenant, contact=contact, number=f"555000{i}")
            Email.objects.create(tenant=world.tenant, contact=contact, address=f"p{i}@x.example")
            ProfileChange.objects.create(
                tenant=world.tenant,
                firm=firm,
                portal_user=firm.portal_users.first(),
                changes=[
                    {
                        "target": "firm",
                        "field": "website",
                        "label": "Website",
                        "old": "",
                        "new": f"https://{i}.example",
                    }
                ],
                status="declined",
            )
    for i in range(n):
        _propose(world, portal_firm(world, f"Budget Firm {i}"))


def _propose(world, firm):
    with scope(tenant=world.tenant.pk):
        services.profile_change_propose(
            tenant=world.tenant,
            portal_user=make_portal_user(world, firm),
            changes=[{"target": "firm", "field": "website", "old": "", "new": "https://b.example"}],
        )


def test_pages_have_budgets(world, firm, firm_login, client):
    portal_login(client, firm_login)
    propose(client, world, form_data(firm_email="new@deniz-gida.example"))
    with scopes_disabled():
        change = ProfileChange.objects.get()
    pages = [
        ("portal", portal_url(world, "profile")),
        ("portal", portal_url(world, "profile-change")),
        ("staff", change_url(world, "list")),
        ("staff", change_url(world, "firm-changes", firm.pk)),
        ("staff", change_url(world, "detail", change.pk)),
    ]

    def counts():
        result = []
        for who, url in pages:
            if who == "portal":
                portal_login(client, firm_login)
            else:
                client.force_login(world.employee.user)
            result.append(count_queries(client, url))
        return result

    few = counts()
    more_rows(world, firm, 6)
    many = counts()
    assert few == many, (few, many)
    assert max(many) <= 25, many
