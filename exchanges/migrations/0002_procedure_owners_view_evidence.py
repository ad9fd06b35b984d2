"""The "Procedure owners" group may read the exchanges and the evidence of applications (admin, read-only)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Procedure owners"
PERMISSIONS = ["view_evidencerequest", "view_evidence"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    permissions = Permission.objects.filter(content_type__app_label="exchanges", codename__in=PERMISSIONS)
    missing = set(PERMISSIONS) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"permissions missing for the procedure owners group: {sorted(missing)}")
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="exchanges", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0001_initial"),
        ("procedures", "0003_procedure_owners_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
