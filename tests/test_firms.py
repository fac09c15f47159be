import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from accounts.models import Position
from companies.models import Address, Contact, Firm, Phone
from companies.services.firms import firm_advance_status, firm_update
from core.models import AuditEntry
from tests.factories import make_employee, make_firm


def url(world, name, *args):
    return reverse(f"companies:{name}", args=[world.tenant.slug, *args])


def firm_post(**overrides):
    data = {
        "name": "Marmara Dağıtım",
        "code": "",
        "type": "distributor",
        "parent": "",
        "priority": "normal",
        "is_active": "on",
        "sales_rep": "",
        "support_rep": "",
        "contact-first_name": "Ayten",
        "contact-last_name": "Kara",
        "contact-job_title": "Owner",
        "contact-department": "",
        "contact-prefix": "",
        "contact-consent_source": "",
        "contact-notes": "",
        "contact-is_active": "on",
    }
    for key in ("phones", "emails", "websites", "addresses"):
        data.update({f"{key}-TOTAL_FORMS": "0", f"{key}-INITIAL_FORMS": "0"})
    data.update(
        {
            "phones-TOTAL_FORMS": "1",
            "phones-0-country_code": "90",
            "phones-0-area_code": "212",
            "phones-0-number": "555 01 02",
            "addresses-TOTAL_FORMS": "1",
            "addresses-0-city": "İstanbul",
            "addresses-0-country": "Türkiye",
            "addresses-0-latitude": "41.0082",
            "addresses-0-longitude": "28.9784",
        }
    )
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_create_firm_with_first_contact_phone_and_address(client, world):
    client.force_login(world.executive.user)
    response = client.post(url(world, "firm-create"), firm_post())
    assert response.status_code == 302, response.content[:2000]
    with scope(tenant=world.tenant.pk):
        firm = Firm.objects.get(name="Marmara Dağıtım")
        assert firm.code == "F000001" and firm.status == "first_contact"
        assert firm.primary_contact.full_name == "Ayten Kara"
        assert Phone.objects.get(firm=firm).digits == "902125550102"
        assert Address.objects.get(firm=firm).city == "İstanbul"
    page = client.get(response["Location"])
    assert "Marmara Dağıtım" in page.text and "Ayten Kara" in page.text
    assert "openstreetmap.org" in page.text


@pytest.mark.django_db
def test_tree_rules(client, world):
    distributor = make_firm(world.tenant, "D", "distributor")
    dealer = make_firm(world.tenant, "B", "dealer", parent=distributor)
    client.force_login(world.executive.user)
    # A distributor cannot stand under a dealer; a customer can.
    response = client.post(url(world, "firm-create"), firm_post(parent=dealer.pk))
    assert response.status_code == 400 and "cannot stand under" in response.text
    response = client.post(
        url(world, "firm-create"), firm_post(parent=dealer.pk, type="customer", name="C")
    )
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        customer = Firm.objects.get(name="C")
        assert customer.path == f"/{distributor.pk}/{dealer.pk}/"
    tree = client.get(url(world, "firm-tree", distributor.pk))
    assert "2 firms below" in tree.text
    detail = client.get(url(world, "firm-detail", customer.pk))
    assert ">D</a>" in detail.text and ">B</a>" in detail.text  # the parent chain


@pytest.mark.django_db
def test_moving_a_firm_moves_its_subtree(world):
    a = make_firm(world.tenant, "A", "distributor")
    b = make_firm(world.tenant, "B", "distributor")
    dealer = make_firm(world.tenant, "Dealer", "dealer", parent=a)
    customer = make_firm(world.tenant, "Cust", "customer", parent=dealer)
    with scope(tenant=world.tenant.pk):
        firm_update(tenant=world.tenant, actor=None, firm=dealer, data={"parent": b})
        customer.refresh_from_db()
        assert customer.path == f"/{b.pk}/{dealer.pk}/"
        with pytest.raises(ValidationError):
            firm_update(
                tenant=world.tenant,
                actor=None,
                firm=b,
                data={"parent": dealer, "type": "distributor"},
            )


@pytest.mark.django_db
def test_status_moves_forward_only_and_is_recorded(world):
    firm = make_firm(world.tenant, "S")
    with scope(tenant=world.tenant.pk):
        firm = firm_advance_status(
            tenant=world.tenant, actor=None, firm=firm, event="material_sent"
        )
        assert firm.status == "in_talks"
        firm = firm_advance_status(
            tenant=world.tenant, actor=None, firm=firm, event="invoice_added"
        )
        assert firm.status == "potential_customer"
        firm = firm_advance_status(
            tenant=world.tenant, actor=None, firm=firm, event="material_sent"
        )
        assert firm.status == "potential_customer"
        changes = [
            c
            for e in AuditEntry.objects.filter(subject_id=firm.pk)
            for c in e.changes
            if c["field"] == "status"
        ]
        assert [c["new"] for c in changes if c["old"]] == ["Potential customer", "In talks"]


@pytest.mark.django_db
def test_row_rules_for_employees_managers_and_dealer_staff(client, world):
    own = make_firm(world.tenant, "Own", sales_rep=world.employee)
    colleague = make_firm(world.tenant, "Colleague's", sales_rep=world.outsider)
    pool = make_firm(world.tenant, "Havuz Firma")
    # An employee reads others' firms (tenant setting) but changes only their own.
    client.force_login(world.employee.user)
    assert client.get(url(world, "firm-edit", own.pk)).status_code == 200
    assert client.get(url(world, "firm-edit", colleague.pk)).status_code == 403
    assert client.get(url(world, "firm-detail", colleague.pk)).status_code == 200
    world.tenant.employees_read_all_firms = False
    world.tenant.save()
    assert client.get(url(world, "firm-detail", colleague.pk)).status_code == 404
    listing = client.get(url(world, "firm-list"))
    assert (
        "Own" in listing.text and "Pool" in listing.text and "Colleague&#x27;s" not in listing.text
    )
    # The manager reaches their team's firms and the pool, not the outsider's.
    client.force_login(world.manager.user)
    assert client.get(url(world, "firm-edit", own.pk)).status_code == 200
    assert client.get(url(world, "firm-edit", pool.pk)).status_code == 200
    assert client.get(url(world, "firm-detail", colleague.pk)).status_code == 404
    # Dealer staff see only their firm's subtree.
    dealer = make_firm(world.tenant, "Dealer", "dealer")
    below = make_firm(world.tenant, "Below", "customer", parent=dealer)
    staff = make_employee(world.tenant, "staff@dealer.example", Position.EXECUTIVE, firm=dealer)
    client.force_login(staff.user)
    assert client.get(url(world, "firm-detail", below.pk)).status_code == 200
    assert client.get(url(world, "firm-detail", pool.pk)).status_code == 404
    listing = client.get(url(world, "firm-list"))
    assert "Below" in listing.text and "Havuz Firma" not in listing.text


@pytest.mark.django_db
def test_employee_cannot_assign_someone_else(client, world):
    client.force_login(world.employee.user)
    response = client.post(
        url(world, "firm-create"), firm_post(type="customer", sales_rep=world.outsider.pk)
    )
    assert response.status_code == 400 and "only name yourself" in response.text
    response = client.post(
        url(world, "firm-create"), firm_post(type="customer", sales_rep=world.employee.pk)
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_bulk_assign_and_history(client, world):
    a, b = make_firm(world.tenant, "A"), make_firm(world.tenant, "B")
    client.force_login(world.manager.user)
    response = client.post(
        url(world, "firm-bulk"),
        {"action": "assign", "firms": [a.pk, b.pk], "sales_rep": world.employee.pk},
    )
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        assert set(
            Firm.objects.filter(sales_rep=world.employee).values_list("name", flat=True)
        ) == {"A", "B"}
    history = client.get(url(world, "firm-history", a.pk))
    assert world.employee.full_name in history.text


@pytest.mark.django_db
def test_edit_keeps_unchanged_phones_and_records_changes(client, world):
    firm = make_firm(
        world.tenant, "Keep", channels={"phones": [{"number": "5550000", "area_code": "212"}]}
    )
    client.force_login(world.executive.user)
    page = client.get(url(world, "firm-edit", firm.pk))
    assert "5550000" in page.text
    data = firm_post(name="Kept", type="customer")
    data.update(
        {
            "phones-TOTAL_FORMS": "1",
            "phones-INITIAL_FORMS": "1",
            "phones-0-country_code": "90",
            "phones-0-area_code": "212",
            "phones-0-number": "5550000",
            "addresses-TOTAL_FORMS": "0",
            "status": "in_talks",
            "primary_contact": "",
        }
    )
    response = client.post(url(world, "firm-edit", firm.pk), data)
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        assert Phone.objects.filter(firm=firm).count() == 1
    history = client.get(url(world, "firm-history", firm.pk))
    assert "Keep" in history.text and "Kept" in history.text and "In talks" in history.text


@pytest.mark.django_db
def test_contacts_add_and_edit(client, world):
    firm = make_firm(world.tenant, "With contacts", sales_rep=world.employee)
    client.force_login(world.employee.user)
    data = {"first_name": "Deniz", "last_name": "Yıldız", "job_title": "Buyer", "is_active": "on",
            "marketing_consent": "true", "consent_source": "Trade fair form",
            "languages_text": "Turkish native, English fluent"}  # fmt: skip
    for key in ("phones", "emails", "websites", "addresses"):
        data.update({f"{key}-TOTAL_FORMS": "0", f"{key}-INITIAL_FORMS": "0"})
    data.update({"emails-TOTAL_FORMS": "1", "emails-0-address": "deniz@example.com"})
    response = client.post(url(world, "contact-create", firm.pk), data)
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        contact = Contact.objects.get(first_name="Deniz")
        assert contact.marketing_consent is True and contact.consent_changed_at is not None
        assert contact.languages[1] == {"language": "English", "level": "fluent"}
        firm.refresh_from_db()
        assert firm.primary_contact == contact  # the firm had none
    tab = client.get(url(world, "firm-contacts", firm.pk), HTTP_HX_REQUEST="true")
    assert "deniz@example.com" in tab.text and "<html" not in tab.text


def count_queries(client, target):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(target).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["firm-list", "firm-detail", "firm-contacts", "firm-tree", "firm-timeline"]
)
def test_query_budgets_do_not_grow(client, world, name):
    root = make_firm(world.tenant, "Root", "distributor", sales_rep=world.employee)

    def grow(n):
        for i in range(n):
            make_firm(
                world.tenant, f"F{i}-{n}", "customer", parent=root, sales_rep=world.employee,
                channels={"phones": [{"number": f"55500{i:02d}"}],
                          "addresses": [{"city": "Bursa"}]},
                first_contact={"data": {"first_name": f"C{i}"},
                               "channels": {"phones": [{"number": "1234567"}]}},
            )  # fmt: skip

    client.force_login(world.executive.user)
    args = [] if name == "firm-list" else [root.pk]
    target = url(world, name, *args)
    grow(2)
    few = count_queries(client, target)
    grow(30)
    many = count_queries(client, target)
    assert few == many, f"{few} → {many}"
    assert many <= 20


@pytest.mark.django_db
def test_hostile_firm_input(client, world, other_world):
    client.force_login(world.executive.user)
    foreign = make_firm(other_world.tenant, "Foreign", "distributor")
    hostile = [
        "x" * 5000,
        "a\x00b",
        "l\r\nBcc: x@y.z",
        "<script>alert(1)</script>",
        "-1",
        "99999999999999999999",
    ]
    before = Firm.objects.none()
    with scope(tenant=world.tenant.pk):
        before = Firm.objects.count()
    fields = ["name", "code", "type", "parent", "sales_rep", "priority", "founding_date",
              "employee_count", "phones-0-number", "addresses-0-latitude",
              "contact-first_name", "tags", "rating"]  # fmt: skip
    for field in fields:
        for value in [*hostile, str(foreign.pk)]:
            response = client.post(url(world, "firm-create"), firm_post(**{field: value}))
            assert response.status_code in (302, 400), (field, value[:20])
    with scope(tenant=world.tenant.pk):
        created = Firm.objects.count() - before
        assert not Firm.objects.filter(parent=foreign.pk).exists()
    assert created >= 1  # the harmless variants were saved


@pytest.mark.django_db
def test_dealer_executive_adds_staff_of_their_own_firm_only(client, world):
    from accounts.models import Employee
    from tests.factories import department

    dealer = make_firm(world.tenant, "Ege Bayi", "dealer")
    other = make_firm(world.tenant, "Trakya Bayi", "dealer")
    boss = make_employee(world.tenant, "boss@ege.example", Position.EXECUTIVE, firm=dealer)
    client.force_login(boss.user)
    people = client.get(reverse("accounts:employee-list", args=[world.tenant.slug]))
    assert "boss@ege.example" in people.text and world.manager.user.email not in people.text
    data = {
        "first_name": "Nur", "last_name": "Ak", "email": "nur@ege.example", "work_phone": "",
        "mobile_phone": "", "department": department(world.tenant).pk, "position": "employee",
        "reports_to": "", "profile": "", "start_date": "", "description": "",
    }  # fmt: skip
    create = reverse("accounts:employee-create", args=[world.tenant.slug])
    assert client.post(create, {**data, "firm": other.pk}).status_code == 400
    assert client.post(create, {**data, "firm": ""}).status_code == 400
    assert client.post(create, {**data, "firm": dealer.pk}).status_code == 302
    with scope(tenant=world.tenant.pk):
        assert Employee.objects.get(user__email="nur@ege.example").firm == dealer
    other_person = reverse("accounts:employee-detail", args=[world.tenant.slug, world.manager.pk])
    assert client.get(other_person).status_code == 404


@pytest.mark.django_db
def test_assigning_a_representative_closes_open_claims(client, world):
    from companies.models.claims import Claim
    from companies.services.claims import claim_create

    firm = make_firm(world.tenant, "Claimed")
    with scope(tenant=world.tenant.pk):
        claim = claim_create(
            tenant=world.tenant, requester=world.employee, firm=firm, message="Mine please"
        )
    client.force_login(world.manager.user)
    client.post(
        url(world, "firm-bulk"),
        {"action": "assign", "firms": [firm.pk], "sales_rep": world.outsider.pk},
    )
    with scope(tenant=world.tenant.pk):
        assert Claim.objects.get(pk=claim.pk).status == "superseded"


@pytest.mark.django_db
def test_bulk_add_to_customer_list_and_filter_by_it(client, world):
    from companies.models.lists import CustomerList

    a, b = make_firm(world.tenant, "Alfa"), make_firm(world.tenant, "Beta")
    with scope(tenant=world.tenant.pk):
        target = CustomerList.objects.create(tenant=world.tenant, name="Fuar 2026")
    client.force_login(world.manager.user)
    response = client.post(
        url(world, "firm-bulk-list"), {"firms": [a.pk], "customer_list": target.pk}
    )
    assert response.status_code == 302
    listing = client.get(url(world, "firm-list"), {"customer_list": target.pk})
    assert ">Alfa<" in listing.text and ">Beta<" not in listing.text
    client.force_login(world.employee.user)  # may view lists, not change them
    assert client.post(url(world, "firm-bulk-list"), {"firms": [b.pk]}).status_code == 403


@pytest.mark.django_db
def test_logo_upload_checked_by_content_served_and_removed(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
    client.force_login(world.executive.user)
    bad = firm_post(logo_upload=SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>"))
    response = client.post(url(world, "firm-create"), bad)
    assert response.status_code == 400 and "not accepted" in response.text
    good = firm_post(logo_upload=SimpleUploadedFile("logo.png", png))
    response = client.post(url(world, "firm-create"), good)
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        firm = Firm.objects.get(name="Marmara Dağıtım")
    assert firm.logo.name.startswith(f"{world.tenant.pk}/companies/firm/")
    logo = client.get(url(world, "firm-logo", firm.pk))
    assert logo.status_code == 200 and b"".join(logo.streaming_content) == png
    assert logo["X-Content-Type-Options"] == "nosniff"
    data = firm_post(remove_logo="on", status="first_contact", primary_contact="")
    data["addresses-TOTAL_FORMS"] = "0"
    assert client.post(url(world, "firm-edit", firm.pk), data).status_code == 302
    assert client.get(url(world, "firm-logo", firm.pk)).status_code == 404


@pytest.mark.django_db
def test_columns_chosen_per_user(client, world):
    make_firm(world.tenant, "Kolon", "customer", priority="high")
    client.force_login(world.executive.user)
    listing = client.get(url(world, "firm-list"))
    assert (
        ">Representative<" in listing.text and ">Priority<" not in listing.text.split("<thead>")[1]
    )
    response = client.post(
        url(world, "firm-columns"), {"columns": ["priority", "code", "nonsense"]}
    )
    assert response.status_code == 302
    table = client.get(url(world, "firm-list")).text.split("<thead>")[1]
    assert ">Priority<" in table and "High" in table and ">Representative<" not in table
    assert table.index("Priority") < table.index("Code")  # the chosen order
    client.force_login(world.manager.user)  # another user keeps the default
    table = client.get(url(world, "firm-list")).text.split("<thead>")[1]
    assert ">Representative<" in table and ">Priority<" not in table


@pytest.mark.django_db
def test_bulk_tag_only_firms_one_may_change(client, world):
    from companies.models import Tag

    own = make_firm(world.tenant, "Own", sales_rep=world.employee)
    other = make_firm(world.tenant, "Other", sales_rep=world.outsider)
    with scope(tenant=world.tenant.pk):
        vip = Tag.objects.create(tenant=world.tenant, name="VIP")
    client.force_login(world.employee.user)
    response = client.post(
        url(world, "firm-bulk-tag"), {"firms": [own.pk, other.pk], "tag": vip.pk}
    )
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        assert list(vip.firm_set.values_list("name", flat=True)) == ["Own"]
    again = client.post(
        url(world, "firm-bulk-tag"), {"firms": [own.pk], "tag": vip.pk}, follow=True
    )
    assert "0 firms tagged VIP" in again.text
    assert "+ VIP" in client.get(url(world, "firm-timeline", own.pk)).text


@pytest.mark.django_db
def test_history_shows_field_changes_and_the_timeline_everything(client, world):
    firm = make_firm(world.tenant, "Olaylar", first_contact={"data": {"first_name": "Ece"}})
    with scope(tenant=world.tenant.pk):
        firm_update(tenant=world.tenant, actor=None, firm=firm, data={"name": "Olaylar A.Ş."})
        from companies.services.firms import contact_create

        contact_create(tenant=world.tenant, actor=None, firm=firm, data={"first_name": "Nil"})
    client.force_login(world.executive.user)
    timeline = client.get(url(world, "firm-timeline", firm.pk)).text
    history = client.get(url(world, "firm-history", firm.pk)).text
    assert "Contact added: Nil" in timeline and "Olaylar A.Ş." in timeline
    assert "Contact added: Nil" not in history and "Olaylar A.Ş." in history


@pytest.mark.django_db
def test_firm_list_counts_only_as_far_as_the_page_needs(client, world):
    """Past the cap the list says "more than N" and paging on still works."""
    from core.views import CappedPaginator

    with scope(tenant=world.tenant.pk):
        for i in range(30):
            make_firm(world.tenant, f"Counted {i:02}")
        firms = Firm.objects.filter(tenant=world.tenant).order_by("name")
        paginator = CappedPaginator(firms, 10, cap=20, wanted_page=1)
        assert paginator.count == 21 and paginator.capped and paginator.shown_count == 20
        far = CappedPaginator(firms, 10, cap=20, wanted_page=3)
        assert far.count == 30 and not far.capped
        assert far.get_page(3)[0].name == "Counted 20"
    client.force_login(world.executive.user)
    response = client.get(reverse("companies:firm-list", args=[world.tenant.slug]))
    assert "30 firms" in response.content.decode()


@pytest.mark.django_db
def test_save_and_add_an_activity_opens_the_booking_form_for_the_new_firm(client, world):
    client.force_login(world.employee.user)
    response = client.post(url(world, "firm-create"), firm_post(then="activity"))
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        firm = Firm.objects.get(name="Marmara Dağıtım")
    assert response["Location"].startswith(
        reverse("agenda:activity-create", args=[world.tenant.slug])
    )
    form = client.get(response["Location"]).content.decode()
    assert f'value="{firm.pk}"' in form and "Marmara Dağıtım" in form
