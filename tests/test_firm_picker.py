"""The searchable firm picker: the search endpoint, its row rules, and the four forms using it.

A tenant may have 100,000 firms: no form lists them. Each firm field renders the chosen firm
and a search box; the suggestions come from ``companies:firm-picker`` (at most 20, visible
firms only), and the forms still validate the posted pk against the visible firms.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import Tenant
from agenda.models import Activity, MeetingNote
from companies.models import Firm
from core.models import Choice
from tests.factories import make_employee, make_firm
from tests.helpers import HOSTILE

HTMX = {"HTTP_HX_REQUEST": "true"}
CROWD_NAME = "Kalabalık Firma"


def picker(client, world, **params):
    url = reverse("companies:firm-picker", args=[world.tenant.slug])
    return client.get(url, params, **HTMX)


def option_names(response):
    assert response.status_code == 200
    return re.findall(r'data-name="([^"]*)"', response.content.decode())


def add(world, name, firm_type="customer", **data):
    return make_firm(world.tenant, name, firm_type, actor=world.executive.user, **data)


def crowd(world, count, *, start=0, firm_type="dealer"):
    """``count`` firms at once (the service would take a while for hundreds)."""
    with scopes_disabled():
        Firm.objects.bulk_create(
            Firm(
                tenant=world.tenant,
                code=f"K{i:06d}",
                name=f"{CROWD_NAME} {i:03d}",
                type=firm_type,
                path="/",
            )
            for i in range(start, start + count)
        )


# --- the endpoint -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_finds_firms_typed_without_accents_and_by_code(client, world):
    cagri = add(world, "Çağrı Dağıtım Ltd. Şti.", "distributor")
    add(world, "İstanbul Gıda A.Ş.")
    client.force_login(world.employee.user)
    assert option_names(picker(client, world, q="cagri")) == ["Çağrı Dağıtım Ltd. Şti."]
    assert option_names(picker(client, world, q="istanbul gida")) == ["İstanbul Gıda A.Ş."]
    assert option_names(picker(client, world, q=cagri.code)) == ["Çağrı Dağıtım Ltd. Şti."]
    assert option_names(picker(client, world, q=cagri.code.lower())) == ["Çağrı Dağıtım Ltd. Şti."]
    # Each option carries the pk, the name and the code, as a keyboard-reachable option.
    text = picker(client, world, q="cagri").content.decode()
    assert f'data-value="{cagri.pk}"' in text and f'data-code="{cagri.code}"' in text
    assert 'role="option"' in text
    # Too short or empty: nothing, without a query.
    assert option_names(picker(client, world, q="c")) == []
    assert option_names(picker(client, world)) == []
    assert "No firm found." in picker(client, world, q="zzzzqqq").content.decode()


@pytest.mark.django_db
def test_an_employee_does_not_find_firms_outside_their_row_rules(client, world):
    add(world, "Kendi Tekstil", sales_rep=world.employee)
    add(world, "Başka Tekstil", sales_rep=world.outsider)
    add(world, "Havuz Tekstil")
    client.force_login(world.employee.user)
    assert sorted(option_names(picker(client, world, q="tekstil"))) == [
        "Başka Tekstil",
        "Havuz Tekstil",
        "Kendi Tekstil",
    ]
    Tenant.objects.filter(pk=world.tenant.pk).update(employees_read_all_firms=False)
    assert sorted(option_names(picker(client, world, q="tekstil"))) == [
        "Havuz Tekstil",
        "Kendi Tekstil",
    ]
    assert option_names(picker(client, world, q="baska")) == []


@pytest.mark.django_db
def test_dealer_staff_find_only_their_subtree(client, world):
    dealer = add(world, "Bayi Ticaret", "dealer")
    add(world, "Müşteri Ticaret", parent=dealer)
    add(world, "Uzak Ticaret")
    staff = make_employee(world.tenant, "dealer-staff@example.com", firm=dealer)
    client.force_login(staff.user)
    assert sorted(option_names(picker(client, world, q="ticaret"))) == [
        "Bayi Ticaret",
        "Müşteri Ticaret",
    ]
    assert option_names(picker(client, world, q="uzak")) == []


@pytest.mark.django_db
def test_another_tenants_firms_are_never_found(client, world, other_world):
    foreign = add(other_world, "Gizli Holding", code="GZL777")
    add(world, "Açık Holding")
    client.force_login(world.executive.user)
    assert option_names(picker(client, world, q="holding")) == ["Açık Holding"]
    assert option_names(picker(client, world, q=foreign.code)) == []


@pytest.mark.django_db
def test_at_most_twenty_suggestions(client, world):
    crowd(world, 45)
    client.force_login(world.executive.user)
    assert len(option_names(picker(client, world, q="kalabalik firma"))) == 20


@pytest.mark.django_db
def test_types_parents_of_a_type_and_the_own_subtree_are_left_out(client, world):
    distributor = add(world, "Ege Dağıtım", "distributor")
    main_dealer = add(world, "Ege Ana Bayi", "main_dealer", parent=distributor)
    add(world, "Ege Bayi", "dealer", parent=main_dealer)
    add(world, "Ege Müşteri", parent=main_dealer)
    add(world, "Ege Uzak Bayi", "dealer")
    client.force_login(world.executive.user)
    assert sorted(option_names(picker(client, world, q="ege", type="dealer"))) == [
        "Ege Bayi",
        "Ege Uzak Bayi",
    ]
    # A dealer may stand under a distributor or a main dealer only.
    assert sorted(option_names(picker(client, world, q="ege", child="dealer"))) == [
        "Ege Ana Bayi",
        "Ege Dağıtım",
    ]
    assert len(option_names(picker(client, world, q="ege", child="customer"))) == 4
    assert option_names(picker(client, world, q="ege", child="distributor")) == []  # the top
    # Moving the main dealer: neither itself nor anything below it.
    names = option_names(picker(client, world, q="ege", exclude=main_dealer.pk))
    assert sorted(names) == ["Ege Dağıtım", "Ege Uzak Bayi"]


@pytest.mark.django_db
def test_hostile_queries_never_fail(client, world):
    add(world, "Çağrı Dağıtım", "distributor")
    client.force_login(world.executive.user)
    for value in [*HOSTILE, "<b>cagri</b>", "cagri\x00", "%", "_", "\\", "'; DROP TABLE x; --"]:
        for name in ("q", "type", "child", "exclude"):
            response = picker(client, world, **{name: value})
            assert response.status_code == 200, (name, value)
            assert "<script>" not in response.content.decode()
    # Markup typed in the box comes back as text, never as markup.
    assert "<b>" not in picker(client, world, q="<b>xyz</b>").content.decode()
    many = picker(client, world, q=["cagri"] * 3, type=["dealer"] * 500)
    assert many.status_code == 200


@pytest.mark.django_db
def test_the_picker_needs_firms_view(client, world):
    with scope(tenant=world.tenant.pk):
        profile = world.employee.profile
        profile.codes = [code for code in profile.codes if code != "firms.view"]
        profile.save()
    client.force_login(world.employee.user)
    assert picker(client, world, q="abc").status_code == 403


# --- the forms ----------------------------------------------------------------------------------


def count_queries(client, url):
    client.get(url)  # warm up: sessions, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def form_urls(world, chosen, note, activity, child):
    slug = world.tenant.slug
    return {
        "activity-create": reverse("agenda:activity-create", args=[slug]) + f"?firm={chosen.pk}",
        "activity-edit": reverse("agenda:activity-edit", args=[slug, activity.pk]),
        "note-create": reverse("agenda:note-create", args=[slug]) + f"?firm={chosen.pk}",
        "note-edit": reverse("agenda:note-edit", args=[slug, note.pk]),
        "note-list": reverse("agenda:note-list", args=[slug]) + f"?firm={chosen.pk}",
        "calendar": reverse("agenda:calendar", args=[slug]) + f"?firm={chosen.pk}",
        "firm-create": reverse("companies:firm-create", args=[slug]) + f"?parent={chosen.pk}",
        "firm-edit": reverse("companies:firm-edit", args=[slug, child.pk]),
    }


@pytest.mark.django_db
def test_forms_cost_the_same_with_2_and_300_firms_and_list_none(client, world):
    chosen = add(world, "Seçili Dağıtım", "distributor", sales_rep=world.employee)
    child = add(world, "Alt Bayi", "dealer", parent=chosen, sales_rep=world.employee)
    with scope(tenant=world.tenant.pk):
        channel = Choice.objects.get(tenant=world.tenant, list_key="meeting_channel", code="visit")
        kind = Choice.objects.get(tenant=world.tenant, list_key="activity_type", code="call")
        note = MeetingNote.objects.create(
            tenant=world.tenant,
            firm=chosen,
            met_at=timezone.now(),
            channel=channel,
            subject="Talk",
            created_by=world.employee,
        )
        now = timezone.now()
        activity = Activity.objects.create(
            tenant=world.tenant,
            type=kind,
            subject="Call",
            firm=chosen,
            start=now,
            end=now,
            assigned_to=world.employee,
            created_by=world.employee,
        )
    client.force_login(world.employee.user)
    urls = form_urls(world, chosen, note, activity, child)
    few = {name: count_queries(client, url)[0] for name, url in urls.items()}
    crowd(world, 298)
    for name, url in urls.items():
        many, text = count_queries(client, url)
        assert many == few[name], f"{name}: {few[name]} → {many}"
        # The chosen firm shows with its code; no other firm is listed.
        assert "Seçili Dağıtım" in text and chosen.code in text, name
        assert f"{CROWD_NAME} 150" not in text and f"{CROWD_NAME} 000" not in text, name
        assert re.search(rf'name="(firm|parent)" value="{chosen.pk}" data-picker-value', text), name
        assert "data-picker-search" in text and "js/picker.js" in text, name
        assert reverse("companies:firm-picker", args=[world.tenant.slug]) in text, name


@pytest.mark.django_db
def test_the_hidden_firm_input_keeps_the_contact_refills(client, world):
    client.force_login(world.employee.user)
    slug = world.tenant.slug
    text = client.get(reverse("agenda:activity-create", args=[slug])).content.decode()
    hidden = re.search(r'<input type="hidden" name="firm"[^>]*>', text).group(0)
    assert reverse("agenda:activity-contacts", args=[slug]) in hidden
    assert 'hx-trigger="change"' in hidden and "data-picker-value" in hidden
    text = client.get(reverse("agenda:note-create", args=[slug])).content.decode()
    hidden = re.search(r'<input type="hidden" name="firm"[^>]*>', text).group(0)
    assert reverse("agenda:note-contact-options", args=[slug]) in hidden
    assert 'hx-target="#id_contact"' in hidden
    # The label points at the search box, which is the focusable control.
    assert '<label class="form-label" for="id_firm">' in text
    assert re.search(r'<input type="search" id="id_firm"[^>]*role="combobox"', text)


def activity_post(world, firm):
    start = timezone.localtime() + timezone.timedelta(days=2)
    with scopes_disabled():
        kind = Choice.objects.get(tenant=world.tenant, list_key="activity_type", code="call")
    return {
        "type": kind.pk,
        "subject": "Call",
        "firm": firm.pk,
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "priority": "normal",
        "status": "planned",
        "show_in_agenda": "on",
        "repeat_interval": "1",
    }


@pytest.mark.django_db
def test_posting_a_firm_one_cannot_see_is_refused(client, world, other_world):
    Tenant.objects.filter(pk=world.tenant.pk).update(employees_read_all_firms=False)
    hidden = add(world, "Başkasının Firması", sales_rep=world.outsider)
    own = add(world, "Kendi Firmam", sales_rep=world.employee)
    foreign = add(other_world, "Yabancı Dağıtım", "distributor")
    client.force_login(world.employee.user)
    slug = world.tenant.slug
    create = reverse("agenda:activity-create", args=[slug])
    for firm in (hidden, foreign):
        response = client.post(create, activity_post(world, firm))
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    assert client.post(create, activity_post(world, own)).status_code == 302

    with scopes_disabled():
        channel = Choice.objects.get(tenant=world.tenant, list_key="meeting_channel", code="visit")
    note = {
        "met_at": "2026-11-24T10:05",
        "channel": channel.pk,
        "subject": "Talk",
        "contact": "",
    }
    note_create = reverse("agenda:note-create", args=[slug])
    for firm in (hidden, foreign):
        assert client.post(note_create, {**note, "firm": firm.pk}).status_code == 400
    assert client.post(note_create, {**note, "firm": own.pk}).status_code == 302
    with scopes_disabled():
        assert list(MeetingNote.objects.values_list("firm__name", flat=True)) == ["Kendi Firmam"]

    # The calendar filter and the note list filter ignore or refuse them too.
    feed = reverse("agenda:calendar-feed", args=[slug])
    params = {"start": "2026-03-02", "end": "2026-03-09"}
    assert client.get(feed, {**params, "firm": hidden.pk}).status_code == 400
    page = client.get(reverse("agenda:calendar", args=[slug]), {"firm": hidden.pk})
    assert "Başkasının Firması" not in page.content.decode()
    notes = client.get(reverse("agenda:note-list", args=[slug]), {"firm": hidden.pk})
    assert "Başkasının Firması" not in notes.content.decode()


@pytest.mark.django_db
def test_a_parent_from_another_tenant_or_below_itself_is_refused(client, world, other_world):
    from tests.test_firms import firm_post

    foreign = add(other_world, "Yabancı Dağıtım", "distributor")
    top = add(world, "Üst Dağıtım", "distributor")
    below = add(world, "Alt Ana Bayi", "main_dealer", parent=top)
    client.force_login(world.executive.user)
    slug = world.tenant.slug
    create = reverse("companies:firm-create", args=[slug])
    response = client.post(create, firm_post(parent=foreign.pk, type="dealer"))
    assert response.status_code == 400 and "Select a valid choice" in response.text
    edit = client.post(
        reverse("companies:firm-edit", args=[slug, top.pk]),
        {**firm_post(name=top.name, parent=below.pk), "code": top.code, "status": top.status},
    )
    assert edit.status_code == 400
    with scope(tenant=world.tenant.pk):
        assert Firm.objects.get(pk=top.pk).parent_id is None
    # A posted pk works without any JavaScript.
    response = client.post(create, firm_post(parent=top.pk, type="dealer", name="Yeni Bayi"))
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        assert Firm.objects.get(name="Yeni Bayi").parent_id == top.pk


# --- the firm's page --------------------------------------------------------------------------


@pytest.mark.django_db
def test_firm_page_offers_a_meeting_note_to_those_who_may_write_one(client, world):
    firm = add(world, "Not Firması", sales_rep=world.employee)
    slug = world.tenant.slug
    client.force_login(world.employee.user)
    page = client.get(reverse("companies:firm-detail", args=[slug, firm.pk])).content.decode()
    link = reverse("agenda:note-create", args=[slug]) + f"?firm={firm.pk}"
    assert 'id="firm-add-note"' in page and link in page
    form = client.get(link).content.decode()
    assert "Not Firması" in form and f'value="{firm.pk}"' in form
    with scope(tenant=world.tenant.pk):
        profile = world.employee.profile
        profile.codes = [code for code in profile.codes if code != "notes.add"]
        profile.save()
    page = client.get(reverse("companies:firm-detail", args=[slug, firm.pk])).content.decode()
    assert 'id="firm-add-note"' not in page
