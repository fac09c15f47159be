"""The demo tenant's portal: the firm with an invoice gets a working firm login, once."""

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_scopes import scope

from accounts.models import Employee
from companies.models import Email
from portal.models import PortalUser
from portal.services.access import default_language
from sales.models import Invoice

DEMO_PORTAL_PASSWORD = "kervan-portal-2026"
DEMO_PORTAL_EMAIL = "bursa.bayi@demo.kervan.test"


def load_demo_portal(tenant):
    """Give the firm with the demo invoice (Bursa Bayi) an active firm login; return its
    ``(e-mail, password)``, or None when the tenant has no invoice."""
    with scope(tenant=tenant.pk):
        invoice = Invoice.objects.filter(tenant=tenant).select_related("firm").first()
        if invoice is None:
            return None
        firm = invoice.firm
        existing = PortalUser.objects.filter(tenant=tenant, firm=firm, contact=None).first()
        if existing is not None:
            return existing.email, DEMO_PORTAL_PASSWORD
        if not Email.objects.filter(tenant=tenant, firm=firm, address=DEMO_PORTAL_EMAIL).exists():
            Email.objects.create(tenant=tenant, firm=firm, address=DEMO_PORTAL_EMAIL)
        manager = Employee.objects.filter(
            tenant=tenant, user__email="zeynep@demo.kervan.test"
        ).first()
        now = timezone.now()
        PortalUser.objects.create(
            tenant=tenant,
            firm=firm,
            email=DEMO_PORTAL_EMAIL,
            password=make_password(DEMO_PORTAL_PASSWORD),
            language=default_language(tenant=tenant),
            invited_at=now,
            invited_by=manager,
            link_sent_at=now,
            activated_at=now,
            created_by=manager.user if manager else None,
        )
        return DEMO_PORTAL_EMAIL, DEMO_PORTAL_PASSWORD
