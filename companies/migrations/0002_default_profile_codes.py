"""Give existing tenants' default manager and employee profiles the firm and claim codes."""

from django.db import migrations

CODES = {
    "manager": [
        "firms.view", "firms.add", "firms.change", "firms.export", "firms.import", "firms.assign",
        "claims.add", "claims.approve",
    ],
    "employee": ["firms.view", "firms.add", "firms.change", "claims.add"],
}


def add_codes(apps, schema_editor):
    PermissionProfile = apps.get_model("accounts", "PermissionProfile")
    for profile in PermissionProfile._base_manager.filter(default_for__in=list(CODES)):
        profile.codes = sorted(set(profile.codes) | set(CODES[profile.default_for]))
        profile.save(update_fields=["codes"])


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0001_initial"),
        ("accounts", "0004_employee_firm_tenant_employees_read_all_firms"),
    ]

    operations = [migrations.RunPython(add_codes, migrations.RunPython.noop)]
