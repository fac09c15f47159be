"""The firm's timeline shows another module's items only to members holding that module's
view right: reading a firm is not enough to read its invoices or orders."""

import pytest

from tests.helpers import give_profile, make_firm, url
from tests.sales_helpers import invoice_directly, make_order, make_service


@pytest.mark.django_db
def test_sales_items_need_their_view_rights(client, world):
    firm = make_firm(world, "Timeline Yapı", sales_rep=world.employee)
    make_order(world, firm, number="ORD-TL-1")
    make_service(world, firm, title="Boiler check")
    invoice_directly(world, firm, number="INV-TL-1")
    client.force_login(world.employee.user)
    page = client.get(url(world, "firm-timeline", firm.pk)).content.decode()
    assert "INV-TL-1" in page and "ORD-TL-1" in page and "Boiler check" in page

    give_profile(world, world.employee, "Firms only", ["firms.view", "firms.change"])
    page = client.get(url(world, "firm-timeline", firm.pk)).content.decode()
    assert "INV-TL-1" not in page and "ORD-TL-1" not in page and "Boiler check" not in page

    give_profile(world, world.employee, "Firms and invoices", ["firms.view", "invoices.view"])
    page = client.get(url(world, "firm-timeline", firm.pk)).content.decode()
    assert "INV-TL-1" in page and "ORD-TL-1" not in page
