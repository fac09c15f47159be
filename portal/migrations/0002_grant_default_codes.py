"""Give existing default profiles the default codes of the customer portal."""

from django.db import migrations

from core.migration_ops import grant_to_default_profiles

CODES = {"manager": ["portal.view", "portal.send_access"], "employee": ["portal.view"]}


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("sales", "0002_grant_default_codes")]

    operations = [grant_to_default_profiles(CODES)]
