import pytest
from django.urls import reverse
from django_scopes import scope

from companies.models import CustomField, Firm
from tests.factories import make_firm
from tests.test_firms import firm_post


def url(world, name, *args):
    return reverse(f"companies:{name}", args=[world.tenant.slug, *args])


def add_field(client, world, **overrides):
    data = {"entity": "firm", "label": "Bölge", "kind": "choice", "options_text": "Marmara\nEge\n",
            "required": "on", "show_in_list": "on", "order": "1", "is_active": "on"}  # fmt: skip
    data.update(overrides)
    return client.post(url(world, "customfield-create"), data)


@pytest.mark.django_db
def test_custom_field_on_form_list_filter_detail_and_history(client, world):
    client.force_login(world.executive.user)
    assert add_field(client, world).status_code == 302
    assert (
        add_field(client, world, label="Dealer since", kind="date", required="").status_code == 302
    )
    with scope(tenant=world.tenant.pk):
        region = CustomField.objects.get(label="Bölge")
    assert region.key == "bolge" and region.options == ["Marmara", "Ege"]
    # Required: the form refuses a firm without it.
    response = client.post(url(world, "firm-create"), firm_post())
    assert response.status_code == 400 and "This field is required" in response.text
    response = client.post(
        url(world, "firm-create"), firm_post(cf_bolge="Ege", cf_dealer_since="2020-05-01")
    )
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        firm = Firm.objects.get(name="Marmara Dağıtım")
    assert firm.custom == {"bolge": "Ege", "dealer_since": "2020-05-01"}
    other = make_firm(world.tenant, "Other", custom={"bolge": "Marmara"})
    listing = client.get(url(world, "firm-list"), {"cf_bolge": "Ege"})
    assert "Marmara Dağıtım" in listing.text and ">Other<" not in listing.text
    assert '<th scope="col" class="kv-hide-sm">Bölge</th>' in listing.text
    detail = client.get(url(world, "firm-detail", firm.pk))
    assert "Bölge" in detail.text and "2020-05-01" in detail.text
    data = firm_post(cf_bolge="Marmara", cf_dealer_since="", name="Marmara Dağıtım")
    data.update({"status": "first_contact", "primary_contact": "", "addresses-TOTAL_FORMS": "0"})
    assert client.post(url(world, "firm-edit", firm.pk), data).status_code == 302
    history = client.get(url(world, "firm-history", firm.pk))
    assert "Bölge" in history.text and "Ege" in history.text and "Marmara" in history.text
    assert other.custom == {"bolge": "Marmara"}


@pytest.mark.django_db
def test_required_builtin_fields(client, world):
    client.force_login(world.executive.user)
    response = client.post(
        url(world, "customfield-list"), {"firm": ["tax_number"], "contact": ["job_title"]}
    )
    assert response.status_code == 302
    response = client.post(url(world, "firm-create"), firm_post(tax_number=""))
    assert response.status_code == 400 and "This field is required" in response.text
    assert (
        client.post(url(world, "firm-create"), firm_post(tax_number="1234567890")).status_code
        == 302
    )


@pytest.mark.django_db
def test_custom_field_form_rules_and_hostile_input(client, world):
    client.force_login(world.executive.user)
    assert add_field(client, world, options_text="").status_code == 400  # a choice needs options
    for value in ["x" * 5000, "a\x00b", "<script>x</script>", "l\r\nx"]:
        response = add_field(client, world, label=value, kind="text")
        assert response.status_code in (302, 400)
    with scope(tenant=world.tenant.pk):
        field = CustomField.objects.filter(kind="text").first()
    response = client.post(
        url(world, "customfield-edit", field.pk),
        {"entity": "firm", "label": "Changed", "kind": "number", "order": "1", "is_active": "on"},
    )
    assert response.status_code == 400 and "cannot change" in response.text
    listing = client.get(url(world, "firm-list"), {f"cf_{field.key}": "a\x00b" + "y" * 500})
    assert listing.status_code == 200


@pytest.mark.django_db
def test_tags_and_groups(client, world, other_world):
    from companies.models import FirmGroup, Tag

    client.force_login(world.executive.user)
    page = reverse("companies:taxonomy", args=[world.tenant.slug])
    assert client.post(page, {"kind": "tag", "name": "VIP", "colour": "#ff0000"}).status_code == 302
    assert client.post(page, {"kind": "tag", "name": "vip", "colour": ""}).status_code == 400
    assert client.post(page, {"kind": "group", "name": "Türkiye", "parent": ""}).status_code == 302
    with scope(tenant=world.tenant.pk):
        top = FirmGroup.objects.get(name="Türkiye")
        vip = Tag.objects.get(name="VIP")
    assert (
        client.post(page, {"kind": "group", "name": "Marmara", "parent": top.pk}).status_code == 302
    )
    with scope(tenant=world.tenant.pk):
        marmara = FirmGroup.objects.get(name="Marmara")
    edit = reverse("companies:group-edit", args=[world.tenant.slug, top.pk])
    assert client.post(edit, {"name": "Türkiye", "parent": marmara.pk}).status_code == 400
    with scope(tenant=other_world.tenant.pk):
        foreign = FirmGroup.objects.create(tenant=other_world.tenant, name="X")
    assert (
        client.post(page, {"kind": "group", "name": "Y", "parent": foreign.pk}).status_code == 400
    )
    firm = make_firm(world.tenant, "Etiketli")
    with scope(tenant=world.tenant.pk):
        firm.tags.add(vip)
        firm.groups.add(marmara)
    listing = client.get(reverse("companies:firm-list", args=[world.tenant.slug]), {"tag": vip.pk})
    assert ">Etiketli<" in listing.text
    listing = client.get(
        reverse("companies:firm-list", args=[world.tenant.slug]), {"group": marmara.pk}
    )
    assert ">Etiketli<" in listing.text
    assert "Marmara" in client.get(page).text


@pytest.mark.django_db
def test_plus_beside_a_drop_down_adds_the_entry_in_place(client, world):
    from core.models import Choice

    client.force_login(world.executive.user)
    form = client.get(url(world, "firm-create"))
    assert "quick-add" in form.text and 'hx-target="#id_sector"' in form.text
    add = reverse("accounts:choice-quick-add", args=[world.tenant.slug, "sector"])
    response = client.post(add, {"quick_label": "  Tekstil  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    with scope(tenant=world.tenant.pk):
        entry = Choice.objects.get(list_key="sector", label="Tekstil")
    assert response.text.strip() == f'<option value="{entry.pk}" selected>Tekstil</option>'
    again = client.post(add, {"quick_label": "tekstil"})
    assert f'value="{entry.pk}"' in again.text  # the same entry, not a second one
    for bad in ["", "   ", "a\x00b"]:
        assert client.post(add, {"quick_label": bad}).status_code == 400
    assert client.post(reverse("accounts:choice-quick-add", args=[world.tenant.slug, "position"]),
                       {"quick_label": "Intern"}).status_code == 400  # fmt: skip
    client.force_login(world.manager.user)
    assert client.post(add, {"quick_label": "Kimya"}).status_code == 403
    assert "quick-add" not in client.get(url(world, "firm-create")).text


@pytest.mark.django_db
def test_number_filter_ignores_values_no_number_can_match(client, world):
    client.force_login(world.executive.user)
    assert add_field(client, world, label="Fleet", kind="number", required="").status_code == 302
    make_firm(world.tenant, "Fleet Owner", custom={"fleet": 12})
    assert ">Fleet Owner<" in client.get(url(world, "firm-list"), {"cf_fleet": "12"}).text
    for value in ("NaN", "-Infinity", "Infinity", "1e999999", "sNaN", "1e-999999"):
        response = client.get(url(world, "firm-list"), {"cf_fleet": value})
        assert response.status_code == 200, value
