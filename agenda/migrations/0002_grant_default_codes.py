"""Give existing default profiles the agenda's default permission codes."""

from django.db import migrations

CODES = {
    "manager": [
        "agenda.view", "agenda.add", "agenda.assign", "reminders.add", "reminders.others",
        "notes.view", "notes.add",
    ],
    "employee": ["agenda.view", "agenda.add", "reminders.add", "reminders.others", "notes.view",
                 "notes.add"],
}  # fmt: skip


def grant(apps, schema_editor):
    Profile = apps.get_model("accounts", "PermissionProfile")
    for profile in Profile._base_manager.filter(default_for__in=list(CODES)):
        missing = [c for c in CODES[profile.default_for] if c not in profile.codes]
        if missing:
            profile.codes = [*profile.codes, *missing]
            profile.save(update_fields=["codes"])


class Migration(migrations.Migration):
    dependencies = [("agenda", "0001_initial"), ("accounts", "0005_custom_fields")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
