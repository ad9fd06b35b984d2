"""The whole eIDAS identity: every attribute the EDM can carry, the representative in columns of its own
(whichever form of representation the node used), the addresses as rows of their parts.

Existing rows: the other legal person attributes move from the JSON column to theirs; a natural person
representing a legal person (the two data sets) moves to the representative columns. The raw address
attributes are dropped: the next login records them in their parts.
"""

import django.db.models.deletion
from django.db import migrations, models

# friendly name in the old JSON column -> its column now
_LEGAL_COLUMNS = {
    "VATRegistration": "vat_registration",
    "TaxReference": "tax_reference",
    "D-2012-17-EUIdentifier": "eu_identifier",
    "LEI": "lei",
    "EORI": "eori",
    "SEED": "seed",
    "SIC": "sic",
}
_NATURAL = (
    "person_identifier",
    "given_name",
    "family_name",
    "date_of_birth",
    "birth_name",
    "place_of_birth",
    "gender",
)


def _forward(apps, schema_editor):
    identities = apps.get_model("accounts", "EidasIdentity")
    for identity in identities.objects.all():
        for friendly, column in _LEGAL_COLUMNS.items():
            value = (identity.legal_attributes or {}).get(friendly, "")
            setattr(identity, column, str(value)[:300])
        if identity.kind == "representative":
            for name in _NATURAL:
                setattr(identity, "representative_" + name, getattr(identity, name))
                setattr(identity, name, None if name == "date_of_birth" else "")
        identity.save()


def _backward(apps, schema_editor):
    identities = apps.get_model("accounts", "EidasIdentity")
    for identity in identities.objects.all():
        identity.legal_attributes = {
            friendly: getattr(identity, column)
            for friendly, column in _LEGAL_COLUMNS.items()
            if getattr(identity, column)
        }
        if identity.kind == "representative":
            for name in _NATURAL:
                setattr(identity, name, getattr(identity, "representative_" + name))
        elif identity.kind == "natural_representative":
            identity.kind = "natural"  # the representative has no place before this migration
        identity.save()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_eidas_identity"),
    ]

    operations = [
        migrations.AddField(
            model_name="eidasidentity",
            name="country_of_birth",
            field=models.CharField(blank=True, max_length=2, verbose_name="country of birth"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="country_of_residence",
            field=models.CharField(blank=True, max_length=2, verbose_name="country of residence"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="email_address",
            field=models.CharField(blank=True, max_length=254, verbose_name="email address"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="eori",
            field=models.CharField(blank=True, max_length=300, verbose_name="EORI number"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="eu_identifier",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="EU business register identifier (EUID)"
            ),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="lei",
            field=models.CharField(blank=True, max_length=300, verbose_name="Legal Entity Identifier (LEI)"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="nationality",
            field=models.CharField(blank=True, max_length=2, verbose_name="nationality"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="phone_number",
            field=models.CharField(blank=True, max_length=64, verbose_name="phone number"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_birth_name",
            field=models.CharField(blank=True, max_length=300, verbose_name="representative's birth name"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_country_of_birth",
            field=models.CharField(
                blank=True, max_length=2, verbose_name="representative's country of birth"
            ),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_country_of_residence",
            field=models.CharField(
                blank=True, max_length=2, verbose_name="representative's country of residence"
            ),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_date_of_birth",
            field=models.DateField(blank=True, null=True, verbose_name="representative's date of birth"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_email_address",
            field=models.CharField(blank=True, max_length=254, verbose_name="representative's email address"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_family_name",
            field=models.CharField(blank=True, max_length=300, verbose_name="representative's family name"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_gender",
            field=models.CharField(blank=True, max_length=30, verbose_name="representative's gender"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_given_name",
            field=models.CharField(blank=True, max_length=300, verbose_name="representative's given name"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_nationality",
            field=models.CharField(blank=True, max_length=2, verbose_name="representative's nationality"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_person_identifier",
            field=models.CharField(
                blank=True, max_length=256, verbose_name="representative's person identifier"
            ),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_phone_number",
            field=models.CharField(blank=True, max_length=64, verbose_name="representative's phone number"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_place_of_birth",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="representative's place of birth"
            ),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="representative_town_of_birth",
            field=models.CharField(blank=True, max_length=300, verbose_name="representative's town of birth"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="seed",
            field=models.CharField(blank=True, max_length=300, verbose_name="SEED excise number"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="sic",
            field=models.CharField(blank=True, max_length=300, verbose_name="SIC code"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="tax_reference",
            field=models.CharField(blank=True, max_length=300, verbose_name="tax reference number"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="town_of_birth",
            field=models.CharField(blank=True, max_length=300, verbose_name="town of birth"),
        ),
        migrations.AddField(
            model_name="eidasidentity",
            name="vat_registration",
            field=models.CharField(blank=True, max_length=300, verbose_name="VAT registration number"),
        ),
        migrations.AlterField(
            model_name="eidasidentity",
            name="kind",
            field=models.CharField(
                choices=[
                    ("natural", "natural person"),
                    ("legal", "legal person"),
                    ("representative", "natural person representing a legal person"),
                    ("natural_representative", "natural person representing another natural person"),
                ],
                max_length=30,
                verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="EidasAddress",
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
                        choices=[
                            ("current", "current address"),
                            ("legal", "registered address"),
                            ("representative", "representative's current address"),
                        ],
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                ("po_box", models.CharField(blank=True, max_length=300, verbose_name="PO box")),
                (
                    "locator_designator",
                    models.CharField(blank=True, max_length=300, verbose_name="house number"),
                ),
                ("locator_name", models.CharField(blank=True, max_length=300, verbose_name="building name")),
                (
                    "cv_address_area",
                    models.CharField(blank=True, max_length=300, verbose_name="district or village"),
                ),
                ("thoroughfare", models.CharField(blank=True, max_length=300, verbose_name="street")),
                ("post_name", models.CharField(blank=True, max_length=300, verbose_name="town")),
                (
                    "admin_unit_first_line",
                    models.CharField(blank=True, max_length=300, verbose_name="country"),
                ),
                (
                    "admin_unit_second_line",
                    models.CharField(blank=True, max_length=300, verbose_name="region"),
                ),
                ("post_code", models.CharField(blank=True, max_length=300, verbose_name="post code")),
                ("full_address", models.CharField(blank=True, max_length=300, verbose_name="full address")),
                (
                    "identity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="addresses",
                        to="accounts.eidasidentity",
                        verbose_name="eIDAS identity",
                    ),
                ),
            ],
            options={
                "verbose_name": "eIDAS address",
                "verbose_name_plural": "eIDAS addresses",
                "constraints": [
                    models.UniqueConstraint(fields=("identity", "role"), name="eidas_address_one_per_role")
                ],
            },
        ),
        migrations.RunPython(_forward, _backward),
        migrations.RemoveField(
            model_name="eidasidentity",
            name="current_address",
        ),
        migrations.RemoveField(
            model_name="eidasidentity",
            name="legal_attributes",
        ),
    ]
