from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, load_demo
from agenda.demo import load_demo_agenda
from companies.demo import load_demo_firms
from portal.demo import load_demo_portal
from sales.demo import load_demo_sales


class Command(BaseCommand):
    help = "Create the demo tenant (once) and print its logins."

    def handle(self, *args, **options):
        tenant, logins = load_demo()
        load_demo_firms(tenant)
        load_demo_agenda(tenant)
        load_demo_sales(tenant)
        portal_login = load_demo_portal(tenant)
        self.stdout.write(self.style.SUCCESS(f"Demo tenant “{tenant.name}” at /o/{tenant.slug}/"))
        self.stdout.write(f"Every demo login has the password: {DEMO_PASSWORD}")
        for email, position in logins:
            self.stdout.write(f"  {email:32} {position}")
        if portal_login:
            email, password = portal_login
            self.stdout.write(f"Customer portal /o/{tenant.slug}/portal/: {email} / {password}")
