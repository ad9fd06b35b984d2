"""The "Procedure owners" group: edit procedures, forms and requirements; read applications."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Procedure owners"

PERMISSIONS = [
    "view_procedure",
    "change_procedure",
    "publish_procedure",
    "view_formfield",
    "add_formfield",
    "change_formfield",
    "delete_formfield",
    "view_requirement",
    "add_requirement",
    "change_requirement",
    "delete_requirement",
    "view_application",
    "view_applicationfile",
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations have run; create them now so that
    # the group can be given them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    permissions = Permission.objects.filter(content_type__app_label="procedures", codename__in=PERMISSIONS)
    missing = set(PERMISSIONS) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"permissions missing for the procedure owners group: {sorted(missing)}")
    group.permissions.set(permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0002_sdg_procedures"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
