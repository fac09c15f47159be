"""Operations data migrations share."""

from django.db import migrations


def grant_to_default_profiles(codes):
    """A migration step giving existing default profiles the codes a new module declares.

    ``codes`` maps a position ("manager", "employee") to the codes its default profile gets;
    profiles a tenant made itself are left as they are.
    """

    def grant(apps, schema_editor):
        profile_model = apps.get_model("accounts", "PermissionProfile")
        for profile in profile_model._base_manager.filter(default_for__in=list(codes)):
            missing = [code for code in codes[profile.default_for] if code not in profile.codes]
            if missing:
                profile.codes = [*profile.codes, *missing]
                profile.save(update_fields=["codes"])

    return migrations.RunPython(grant, migrations.RunPython.noop)
