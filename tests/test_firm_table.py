"""The firm list's cells (``companies.firm_table``): every column, escaped, localized."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from companies.models import CustomField, Tag
from core import choices
from tests.factories import make_firm
from tests.test_custom_fields import add_field


def url(world, name, *args):
    return reverse(f"companies:{name}", args=[world.tenant.slug, *args])


def row_of(html, name):
    """The cells (``<td>`` contents) of the list row whose link reads ``name``."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        if f">{name}</a>" in row:
            return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    raise AssertionError(f"no row for {name}")


@pytest.mark.django_db
def test_every_column_shows_what_the_firm_holds(client, world):
    client.force_login(world.executive.user)
    for label, kind in (("Fleet", "number"), ("Exports", "boolean"), ("Notes <i>", "text")):
        response = add_field(client, world, label=label, kind=kind, options_text="", required="")
        assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        keys = dict(CustomField.objects.values_list("label", "key"))
        rating = choices.options(tenant=world.tenant, key="rating").first()
        tag = Tag.objects.create(tenant=world.tenant, name="<b>VIP</b>", colour="#ff0000")
    parent = make_firm(world.tenant, "Ana <Dağıtım>", "distributor")
    firm = make_firm(
        world.tenant, "Bayi & Co", "dealer", parent=parent, sales_rep=world.employee,
        priority="high", rating=rating, channels={"addresses": [{"city": "İzmir"}]},
        custom={keys["Fleet"]: 1234.5, keys["Exports"]: True, keys["Notes <i>"]: "<script>"},
    )  # fmt: skip
    with scope(tenant=world.tenant.pk):
        firm.tags.add(tag)
    make_firm(world.tenant, "Unassigned Ltd", custom={keys["Exports"]: False})
    custom = [f"cf_{keys[label]}" for label in ("Fleet", "Exports", "Notes <i>")]
    columns = ["code", "type", "status", "city", "sales_rep", "tags", "parent", "priority",
               "rating", "created", *custom]  # fmt: skip
    assert client.post(url(world, "firm-columns"), {"columns": columns}).status_code == 302

    html = client.get(url(world, "firm-list")).content.decode()
    cells = row_of(html, "Bayi &amp; Co")
    assert f'value="{firm.pk}"' in cells[0]  # the tick box
    code, kind, status, city, rep, tags, up, priority, rate, created, fleet, exports, notes = cells[
        2:
    ]
    assert code == f"<code>{firm.code}</code>"
    assert kind == "Dealer"
    assert (
        status.startswith('<span class="badge kv-status" data-colour="')
        and "First contact" in status
    )
    assert city == "İzmir" and rep == "A-Employee Tester"
    badge = '<span class="badge text-bg-light border kv-tag" data-colour="#ff0000">{}</span> '
    assert tags == badge.format("&lt;b&gt;VIP&lt;/b&gt;")
    assert up == "Ana &lt;Dağıtım&gt;" and priority == "High" and rate == rating.label
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", created)
    assert fleet == "1234.5" and exports == "Yes" and notes == "&lt;script&gt;"
    assert "<script>" not in html
    pool = row_of(html, "Unassigned Ltd")
    assert pool[6] == '<span class="text-body-secondary">Pool</span>'
    assert pool[-2] == "No" and pool[-3] == "" and pool[-1] == ""
    # Only the type and status columns stay on small screens.
    assert html.count('<td class="kv-hide-sm">') == 3 * 11  # three firms, eleven such columns

    world.executive.user.language = "tr"
    world.executive.user.save(update_fields=["language"])
    html = client.get(url(world, "firm-list")).content.decode()
    cells = row_of(html, "Bayi &amp; Co")
    with translation.override("tr"):
        assert cells[2 + 7] == str(firm.get_priority_display())
    assert cells[-3] == "1234,5" and cells[-2] == "Evet"
    assert row_of(html, "Unassigned Ltd")[6] == '<span class="text-body-secondary">Havuz</span>'
