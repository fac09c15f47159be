"""The demo tenant that ``./kervan run`` loads: people, firms, a week of agenda, once."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope

from accounts.models import Tenant
from agenda.models import Activity, Reminder
from companies.models import Firm
from documents.models import DocumentTemplate
from opportunities.models import Opportunity
from sales.models import Contract, Invoice, Offer


@pytest.mark.django_db
def test_seed_demo_loads_everything_once_and_the_start_page_shows_the_week(client):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="demo")
    with scope(tenant=tenant.pk):
        assert Firm.objects.filter(tenant=tenant).count() == 6
        assert Activity.objects.filter(tenant=tenant).count() == 8
        assert Reminder.objects.filter(tenant=tenant).count() == 1
        assert Offer.objects.filter(tenant=tenant).count() == 1
        assert Invoice.objects.get(tenant=tenant).firm.status == "potential_customer"
        assert Contract.objects.filter(tenant=tenant, renewal_days=60).count() == 1
        assert Opportunity.objects.filter(tenant=tenant).count() == 4
        assert DocumentTemplate.objects.filter(tenant=tenant, form="html").count() == 2
    client.login(email="can@demo.kervan.test", password="kervan-demo-2026")
    page = client.get(reverse("accounts:home", args=["demo"])).content.decode()
    assert "Visit the dealer" in page and "Showroom visit" in page  # upcoming and overdue
