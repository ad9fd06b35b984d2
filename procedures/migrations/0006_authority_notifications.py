"""Notifications to applicants, their consent, the status page's last poll; case workers read notifications."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

CASE_WORKERS = "Case workers"


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_groups(apps)


def assign_groups(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=CASE_WORKERS)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="procedures", codename="view_notification")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0003_incoming_checks_and_delivery"),
        ("procedures", "0005_authority_casework"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Notification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("evidence_arrived", "Evidence arrived"),
                            ("exchange_failed", "Evidence request failed"),
                            ("case_status", "Case status changed"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("key", models.CharField(max_length=100, unique=True)),
                ("email", models.EmailField(max_length=254, verbose_name="email address")),
                ("language", models.CharField(max_length=10, verbose_name="language")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_error", models.TextField(blank=True)),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to="procedures.application",
                    ),
                ),
                (
                    "case_status_change",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="procedures.casestatuschange",
                    ),
                ),
                (
                    "evidence_request",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="exchanges.evidencerequest",
                    ),
                ),
            ],
            options={
                "verbose_name": "notification",
                "verbose_name_plural": "notifications",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="NotificationConsent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="email address")),
                ("consented", models.BooleanField(verbose_name="agreed to be told by email")),
                ("language", models.CharField(max_length=10, verbose_name="language")),
                ("answered_at", models.DateTimeField(auto_now_add=True, verbose_name="answered")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notification_consents",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "email consent",
                "verbose_name_plural": "email consents",
                "ordering": ["-answered_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="StatusPageSeen",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seen_at", models.DateTimeField()),
                (
                    "application",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_seen",
                        to="procedures.application",
                    ),
                ),
            ],
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
