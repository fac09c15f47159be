"""Quick search and the phone book: Turkish letters, typos, phones, e-mails, row rules."""

import io

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from accounts.models import Tenant
from companies.selectors import search
from companies.services.firms import firm_create
from tests.factories import make_employee

HTMX = {"HTTP_HX_REQUEST": "true"}


def add_firm(world, name, *, phone=None, email=None, contact=None, contact_phone=None, **data):
    """A firm (and its first contact) created through the service, as the app does."""
    channels = {}
    if phone:
        channels["phones"] = [{"number": phone}]
    if email:
        channels["emails"] = [{"address": email}]
    first_contact = None
    if contact:
        first, _, last = contact.partition(" ")
        first_contact = {"data": {"first_name": first, "last_name": last}}
        if contact_phone:
            first_contact["channels"] = {"phones": [{"number": contact_phone}]}
    with scope(tenant=world.tenant.pk):
        return firm_create(
            tenant=world.tenant,
            actor=world.executive.user,
            data={"name": name, "type": data.pop("type", "customer"), **data},
            channels=channels,
            first_contact=first_contact,
        )


def find(world, member, query):
    with scope(tenant=world.tenant.pk):
        results = search.quick_search(tenant=world.tenant, member=member, query=query)
        return [f.name for f in results.firms], [c.full_name for c in results.contacts]


@pytest.fixture
def turkish(world):
    add_firm(
        world,
        "Çağrı Dağıtım Ltd. Şti.",
        phone="0212 555 12 34",
        email="satis@cagridagitim.com.tr",
        contact="İsmail Yıldırım",
        contact_phone="+90 (532) 444-55-66",
    )
    add_firm(world, "İstanbul Gıda A.Ş.", contact="Şule Işık")
    add_firm(world, "Şişecam Cam Sanayi", email="info@sisecam.example")
    add_firm(world, "Anadolu Makina")
    return world


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cagri dagitim", "Çağrı Dağıtım Ltd. Şti."),
        ("CAGRI DAGITIM", "Çağrı Dağıtım Ltd. Şti."),
        ("Çağrı Dağıtım", "Çağrı Dağıtım Ltd. Şti."),
        ("dagitm", "Çağrı Dağıtım Ltd. Şti."),  # a typo
        ("istanbul", "İstanbul Gıda A.Ş."),
        ("İSTANBUL", "İstanbul Gıda A.Ş."),
        ("ISTANBUL", "İstanbul Gıda A.Ş."),
        ("gida", "İstanbul Gıda A.Ş."),
        ("sisecam", "Şişecam Cam Sanayi"),
        ("şişecam", "Şişecam Cam Sanayi"),
    ],
)
def test_firm_names_without_accents_and_with_typos(turkish, query, expected):
    firms, _contacts = find(turkish, turkish.executive, query)
    assert firms[:1] == [expected], firms


@pytest.mark.django_db
def test_unrelated_firms_are_not_found(turkish):
    firms, contacts = find(turkish, turkish.executive, "dagitim")
    assert firms == ["Çağrı Dağıtım Ltd. Şti."]
    assert contacts == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [("ismail yildirim", "İsmail Yıldırım"), ("isik", "Şule Işık"), ("sule", "Şule Işık")],
)
def test_contact_names_without_accents(turkish, query, expected):
    _firms, contacts = find(turkish, turkish.executive, query)
    assert contacts[:1] == [expected]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["0212 555 12 34", "5551234", "+90 212 555 1234", "212-555"])
def test_firm_phones_by_any_digits(turkish, query):
    firms, _contacts = find(turkish, turkish.executive, query)
    assert firms == ["Çağrı Dağıtım Ltd. Şti."]


@pytest.mark.django_db
def test_contact_phones_and_persian_digits(turkish):
    assert find(turkish, turkish.executive, "0532 444 55 66")[1] == ["İsmail Yıldırım"]
    assert find(turkish, turkish.executive, "۵۳۲۴۴۴۵۵۶۶")[1] == ["İsmail Yıldırım"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [("satis@", "Çağrı Dağıtım Ltd. Şti."), ("info@sisecam", "Şişecam Cam Sanayi"),
     ("cagridagitim.com", "Çağrı Dağıtım Ltd. Şti.")],
)  # fmt: skip
def test_emails_by_address_or_domain(turkish, query, expected):
    assert find(turkish, turkish.executive, query)[0][:1] == [expected]


@pytest.mark.django_db
def test_firm_code_first(world):
    firm = add_firm(world, "Kod Test", code="KRV-7781")
    add_firm(world, "Krv Seven Trading")
    assert find(world, world.executive, "KRV-7781")[0][0] == firm.name
    assert find(world, world.executive, "krv-7781")[0][0] == firm.name


@pytest.mark.django_db
def test_ranking_puts_the_closest_name_first(world):
    for name in ["Dağıtım Merkezi Kuzey Bölge", "Dağıtım", "Ege Dağıtım ve Pazarlama"]:
        add_firm(world, name)
    firms, _ = find(world, world.executive, "dagitim")
    assert firms[0] == "Dağıtım"
    assert set(firms) == {"Dağıtım Merkezi Kuzey Bölge", "Dağıtım", "Ege Dağıtım ve Pazarlama"}


@pytest.mark.django_db
def test_like_wildcards_match_literally(world):
    add_firm(world, "Alfa Yapı", code="A_1")
    add_firm(world, "Beta Yapı", code="AB1")
    add_firm(world, "Yüzde %50 İndirim", code="P50")
    assert find(world, world.executive, "%%") == ([], [])
    assert find(world, world.executive, "__") == ([], [])
    assert find(world, world.executive, "A_1")[0] == ["Alfa Yapı"]


@pytest.mark.django_db
def test_results_are_limited_and_tell_there_are_more(client, world):
    for i in range(12):
        add_firm(world, f"Marmara Lojistik {i}")
    client.force_login(world.executive.user)
    url = reverse("companies:search", args=[world.tenant.slug])
    response = client.get(url, {"q": "marmara"}, **HTMX)
    assert response.status_code == 200
    assert response.text.count("bi-building") == search.QUICK_LIMIT
    full = client.get(url, {"q": "marmara"})
    assert full.text.count("Marmara Lojistik") == 12
    assert "<html" in full.text and "<html" not in response.text


# Row rules -------------------------------------------------------------------------------


@pytest.fixture
def owned(world):
    """Firms of the employee, of a colleague in another department, and of the pool."""
    add_firm(world, "Kendi Tekstil", contact="Kendi Kişi", sales_rep=world.employee)
    add_firm(world, "Başka Tekstil", contact="Başka Kişi", sales_rep=world.outsider)
    add_firm(world, "Havuz Tekstil", contact="Havuz Kişi")
    return world


@pytest.mark.django_db
def test_employee_without_read_all_does_not_find_others_firms(owned, client):
    Tenant.objects.filter(pk=owned.tenant.pk).update(employees_read_all_firms=False)
    owned.employee.tenant.refresh_from_db()
    firms, _contacts = find(owned, owned.employee, "tekstil")
    assert sorted(firms) == ["Havuz Tekstil", "Kendi Tekstil"]
    assert find(owned, owned.employee, "baska kisi")[1] == []
    # Through the page too, and the phone book.
    client.force_login(owned.employee.user)
    page = client.get(reverse("companies:search", args=[owned.tenant.slug]), {"q": "tekstil"})
    assert "Kendi Tekstil" in page.text and "Başka Tekstil" not in page.text
    book = client.get(reverse("companies:phonebook", args=[owned.tenant.slug]))
    assert "Kendi Kişi" in book.text and "Havuz Kişi" in book.text
    assert "Başka Kişi" not in book.text


@pytest.mark.django_db
def test_employee_with_read_all_finds_every_firm(owned):
    firms, _ = find(owned, owned.employee, "tekstil")
    assert sorted(firms) == ["Başka Tekstil", "Havuz Tekstil", "Kendi Tekstil"]


@pytest.mark.django_db
def test_dealer_staff_find_only_their_subtree(world):
    dealer = add_firm(world, "Bayi Ticaret", type="dealer")
    add_firm(world, "Müşteri Ticaret", parent=dealer, contact="Alt Müşteri")
    add_firm(world, "Uzak Ticaret", contact="Uzak Müşteri")
    staff = make_employee(world.tenant, "dealer-staff@example.com", firm=dealer)
    firms, _ = find(world, staff, "ticaret")
    assert sorted(firms) == ["Bayi Ticaret", "Müşteri Ticaret"]
    assert find(world, staff, "musteri")[1] == ["Alt Müşteri"]


@pytest.mark.django_db
def test_another_tenants_firms_are_never_found(world, other_world, client):
    add_firm(other_world, "Gizli Holding", phone="0312 999 88 77", contact="Gizli Kişi")
    add_firm(world, "Açık Holding")
    assert find(world, world.executive, "holding")[0] == ["Açık Holding"]
    assert find(world, world.executive, "03129998877") == ([], [])
    assert find(world, world.executive, "gizli kisi") == ([], [])
    client.force_login(world.executive.user)
    for name in ("companies:search", "companies:phonebook"):
        response = client.get(reverse(name, args=[world.tenant.slug]), {"q": "gizli"})
        assert "Gizli" not in response.text


# The phone book --------------------------------------------------------------------------


@pytest.mark.django_db
def test_phonebook_lists_sorts_searches_and_pages(world, client):
    for i in range(27):
        add_firm(
            world,
            f"Rehber Firma {i:02d}",
            contact=f"Kişi{i:02d} Soyad",
            contact_phone=f"555 01 {i:02d}",
        )
    client.force_login(world.executive.user)
    url = reverse("companies:phonebook", args=[world.tenant.slug])
    first = client.get(url)
    assert first.status_code == 200
    assert first.text.index("Kişi00") < first.text.index("Kişi24")
    assert "Kişi25" not in first.text and "page=2" in first.text
    second = client.get(url, {"page": 2})
    assert "Kişi25" in second.text and "Kişi26" in second.text and "Kişi00" not in second.text
    backwards = client.get(url, {"sort": "-name"})
    assert backwards.text.index("Kişi26") < backwards.text.index("Kişi02")
    found = client.get(url, {"q": "kisi07"}, **HTMX)
    # Fuzzy: the best match first, near ones (Kişi08) after it, far ones (Kişi13) not at all.
    assert found.text.index("Kişi07") < found.text.index("Kişi08")
    assert "Kişi13" not in found.text
    assert "<html" not in found.text
    assert "Kişi13" in client.get(url, {"q": "0555 01 13"}).text


@pytest.mark.django_db
def test_phonebook_shows_a_contact_of_several_firms_once(world):
    from companies.services.firms import contact_link

    first = add_firm(world, "Birinci", contact="Ortak Kişi")
    second = add_firm(world, "İkinci")
    with scope(tenant=world.tenant.pk):
        contact_link(
            tenant=world.tenant,
            actor=world.executive.user,
            firm=second,
            contact=first.primary_contact,
        )
        page = search.phonebook(tenant=world.tenant, member=world.executive)
    rows = [c for c in page if c.full_name == "Ortak Kişi"]
    assert len(rows) == 1
    assert [f.name for f in rows[0].visible_firm_list] == ["Birinci", "İkinci"]


# Query budgets ---------------------------------------------------------------------------


def count_queries(client, url, params, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries)


BUDGETS = [
    ("companies:search", {"q": "budget"}, HTMX, 12),
    ("companies:search", {"q": "budget"}, {}, 12),
    ("companies:phonebook", {}, {}, 12),
    ("companies:phonebook", {"q": "budget"}, HTMX, 12),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "params", "extra", "budget"), BUDGETS)
@pytest.mark.parametrize("role", ["executive", "manager"])
def test_query_count_does_not_grow(client, world, name, params, extra, budget, role):
    def grow(n, start):
        for i in range(start, start + n):
            add_firm(
                world,
                f"Budget Firma {i}",
                phone=f"212 000 00 {i:02d}",
                contact=f"Budget Kişi{i}",
                contact_phone=f"532 000 00 {i:02d}",
                sales_rep=world.employee,
            )

    grow(1, 0)
    client.force_login(getattr(world, role).user)
    url = reverse(name, args=[world.tenant.slug])
    few = count_queries(client, url, params, **extra)
    grow(20, 1)
    many = count_queries(client, url, params, **extra)
    assert few == many, f"{few} queries with 1 firm, {many} with 21"
    assert many <= budget


# Hostile input ---------------------------------------------------------------------------

HOSTILE = [
    "x" * 20000,
    "ab" * 5000,
    "nul\x00byte",
    "\x00\x00",
    "%",
    "%%%",
    "_",
    "a%b_c",
    "\\",
    "\\\\%",
    "\\x00",
    "line\r\nBcc: victim@example.com",
    '<script>alert("x")</script>',
    "' OR 1=1 --",
    "שלום עולם",
    "سلام دنیا \u202e",
    "\u202egnp.exe",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂",
    "0" * 500,
    "+++---",
    "",
    " ",
]


@pytest.mark.django_db
def test_hostile_queries_never_fail(client, turkish):
    client.force_login(turkish.employee.user)
    search_url = reverse("companies:search", args=[turkish.tenant.slug])
    book_url = reverse("companies:phonebook", args=[turkish.tenant.slug])
    for value in HOSTILE:
        for extra in ({}, HTMX):
            response = client.get(search_url, {"q": value}, **extra)
            assert response.status_code == 200, (value[:20], response.status_code)
            assert "<script>alert" not in response.text
            response = client.get(book_url, {"q": value, "sort": value, "page": value}, **extra)
            assert response.status_code == 200, (value[:20], response.status_code)
            assert "<script>alert" not in response.text
    for page in ["-1", "0", "99999999999999999999999", "1e9", "nan"]:
        assert client.get(book_url, {"page": page}).status_code == 200


def test_parse_query_cleans_and_caps():
    terms = search.parse_query("  Çağrı\x00  \t Dağıtım \r\n")
    assert terms.text == "Çağrı Dağıtım"
    assert terms.digits == ""
    assert len(search.parse_query("y" * 5000).text) == search.MAX_QUERY_LENGTH
    assert search.parse_query("+90 (212) 555-12-34").digits == "2125551234"
    assert search.parse_query("0090 212 555 12 34").digits == "2125551234"
    assert search.parse_query("0212 555").digits == "212555"
    assert search.parse_query("12").digits == ""
    assert not search.parse_query("%_").usable


# The navbar box --------------------------------------------------------------------------


@pytest.mark.django_db
def test_navbar_box_uses_htmx_and_works_without_it(world):
    request = RequestFactory().get("/")
    request.user = world.employee.user
    with scope(tenant=world.tenant.pk):
        html = render_to_string(
            "companies/_quick_search.html",
            {"tenant": world.tenant, "member": world.employee},
            request=request,
        )
    url = reverse("companies:search", args=[world.tenant.slug])
    assert f'action="{url}"' in html and 'method="get"' in html
    assert f'hx-get="{url}"' in html and "delay:" in html and 'name="q"' in html
    assert "<script" not in html and "style=" not in html


@pytest.mark.django_db
def test_navbar_box_hidden_without_permission(world):
    from accounts import services

    with scope(tenant=world.tenant.pk):
        world.employee.profile = services.profile_save(
            tenant=world.tenant, actor=None, name="No firms", description="", codes=[]
        )
        html = render_to_string(
            "companies/_quick_search.html", {"tenant": world.tenant, "member": world.employee}
        )
    assert html.strip() == ""


# The benchmark's seed -----------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_large_tenant_builds_a_consistent_tenant():
    from django.core.management import call_command

    from companies.models import Contact, Firm, FirmContact
    from core.models import Sequence

    call_command(
        "seed_large_tenant", "--slug", "tiny", "--firms", "600", "--contacts", "1500",
        "--batch", "250", stdout=io.StringIO(),
    )  # fmt: skip
    tenant = Tenant.objects.get(slug="tiny")
    with scope(tenant=tenant.pk):
        firms = {f.pk: f for f in Firm.objects.filter(tenant=tenant)}
        assert len(firms) == 600
        assert Contact.objects.filter(tenant=tenant).count() == 1500
        assert FirmContact.objects.filter(tenant=tenant).count() == 1500
        assert len({f.code for f in firms.values()}) == 600
        types = {f.type for f in firms.values()}
        assert {"distributor", "main_dealer", "dealer", "customer"} <= types
        for firm in firms.values():
            parent = firms.get(firm.parent_id)
            assert firm.path == (f"{parent.path}{parent.pk}/" if parent else "/")
            assert firm.primary_contact_id is not None
        assert Sequence.objects.get(tenant=tenant, name="firm-code").value == 600
        executive = tenant.employee_set.get(position="executive")
        results = search.quick_search(tenant=tenant, member=executive, query="dagitim")
    assert results.firms and all("Dağıtım" in f.name for f in results.firms[:3])
