"""Give existing default profiles the agenda's default permission codes."""

from django.db import migrations

from core.migration_ops import grant_to_default_profiles

CODES = {
    "manager": [
        "agenda.view", "agenda.add", "agenda.assign", "reminders.add", "reminders.others",
        "notes.view", "notes.add",
    ],
    "employee": ["agenda.view", "agenda.add", "reminders.add", "reminders.others", "notes.view",
                 "notes.add"],
}  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("agenda", "0001_initial"), ("accounts", "0005_custom_fields")]

    operations = [grant_to_default_profiles(CODES)]
