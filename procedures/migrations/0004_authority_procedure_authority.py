"""Procedures belong to an authority; the Evidence Requester identity moves from the procedure to it.

One authority per distinct requester (scheme, identifier) among the existing procedures, named after the
requester name and placed in the country of the first of them.
"""

import django.db.models.deletion
from django.db import migrations, models


def authorities_from_requesters(apps, schema_editor):
    Authority = apps.get_model("authorities", "Authority")
    Procedure = apps.get_model("procedures", "Procedure")
    for procedure in Procedure.objects.order_by("sort_order", "code"):
        authority, _ = Authority.objects.get_or_create(
            requester_scheme=procedure.requester_scheme,
            requester_identifier=procedure.requester_identifier,
            defaults={"name": procedure.requester_name, "country": procedure.country},
        )
        procedure.authority = authority
        procedure.save(update_fields=["authority"])


def requesters_from_authorities(apps, schema_editor):
    Procedure = apps.get_model("procedures", "Procedure")
    for procedure in Procedure.objects.select_related("authority"):
        procedure.requester_scheme = procedure.authority.requester_scheme
        procedure.requester_identifier = procedure.authority.requester_identifier
        procedure.requester_name = procedure.authority.name
        procedure.save(update_fields=["requester_scheme", "requester_identifier", "requester_name"])


class Migration(migrations.Migration):
    dependencies = [
        # After the owners' content per language (0004_authoring_translations, merged first).
        ("procedures", "0004_authoring_translations"),
        ("authorities", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="procedure",
            name="authority",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="procedures",
                to="authorities.authority",
                verbose_name="authority",
            ),
        ),
        migrations.RunPython(authorities_from_requesters, requesters_from_authorities),
        migrations.AlterField(
            model_name="procedure",
            name="authority",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="procedures",
                to="authorities.authority",
                verbose_name="authority",
            ),
        ),
        # A default first, so that migrating back re-adds the columns to existing rows (then filled from
        # the authorities by requesters_from_authorities).
        *(
            migrations.AlterField(
                model_name="procedure", name=name, field=models.CharField(max_length=length, default="")
            )
            for name, length in (
                ("requester_identifier", 200),
                ("requester_scheme", 200),
                ("requester_name", 300),
            )
        ),
        migrations.RemoveField(model_name="procedure", name="requester_identifier"),
        migrations.RemoveField(model_name="procedure", name="requester_scheme"),
        migrations.RemoveField(model_name="procedure", name="requester_name"),
    ]
