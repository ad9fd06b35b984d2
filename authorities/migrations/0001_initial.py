import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="Authority",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=300, verbose_name="name")),
                (
                    "country",
                    models.CharField(
                        help_text="The authority's Member State (ISO 3166-1 alpha-2).",
                        max_length=2,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z]{2}$", "Enter a two-letter country code, e.g. BE."
                            )
                        ],
                        verbose_name="country",
                    ),
                ),
                (
                    "requester_identifier",
                    models.CharField(
                        help_text="The identifier by which OOTS knows this authority as Evidence Requester.",
                        max_length=200,
                        verbose_name="Evidence Requester identifier",
                    ),
                ),
                (
                    "requester_scheme",
                    models.CharField(
                        help_text="An EAS scheme (urn:cef.eu:names:identifier:EAS:…) or an ebCore unregistered party type.",
                        max_length=200,
                        verbose_name="Evidence Requester identifier scheme",
                    ),
                ),
                (
                    "contact_email",
                    models.EmailField(blank=True, max_length=254, verbose_name="contact email"),
                ),
                (
                    "contact_phone",
                    models.CharField(blank=True, max_length=50, verbose_name="contact telephone"),
                ),
                ("contact_web", models.URLField(blank=True, verbose_name="contact web page")),
            ],
            options={
                "verbose_name": "authority",
                "verbose_name_plural": "authorities",
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("requester_scheme", "requester_identifier"), name="authority_unique_requester"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("owner", "Procedure owner"), ("case_worker", "Case worker")],
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="since")),
                (
                    "authority",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="authorities.authority",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "membership",
                "verbose_name_plural": "memberships",
                "ordering": ["authority__name", "role"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "authority", "role"), name="membership_unique_role"
                    )
                ],
            },
        ),
    ]
