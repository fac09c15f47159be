"""Existing activity types the agenda reminds customers of (appointment, meeting, visit by
default) are shown in the customer portal, as new tenants' defaults are."""

from django.db import migrations


def show_in_portal(apps, schema_editor):
    choice_model = apps.get_model("core", "Choice")
    types = choice_model._base_manager.filter(list_key="activity_type", flags__contains=["emails"])
    for choice in types.exclude(flags__contains=["portal"]):
        choice.flags = [*choice.flags, "portal"]
        choice.save(update_fields=["flags"])


class Migration(migrations.Migration):
    dependencies = [("agenda", "0004_activity_opportunity"), ("core", "0001_initial")]

    operations = [migrations.RunPython(show_in_portal, migrations.RunPython.noop)]
