"""The 21 SDG procedures of Annex II (OOTS Procedures code list 2022-12) and the test procedure 00."""

from django.conf import settings
from django.db import migrations

from procedures.codelist import read_procedure_codes

TEST_PROCEDURE_NAME = "Test procedure (OOTS production tests)"


def create_procedures(apps, schema_editor):
    Procedure = apps.get_model("procedures", "Procedure")
    common = {
        "country": settings.OOTS_PORTAL_COUNTRY,
        "possibility_for_preview": settings.OOTS_POSSIBILITY_FOR_PREVIEW,
        "requester_identifier": settings.OOTS_REQUESTER_ID,
        "requester_scheme": settings.OOTS_REQUESTER_SCHEME,
        "requester_name": settings.OOTS_REQUESTER_NAME,
    }
    for position, entry in enumerate(read_procedure_codes(), start=1):
        Procedure.objects.update_or_create(
            code=entry.code,
            defaults={
                "name": entry.name,
                "life_event": entry.life_event,
                "published": True,
                "sort_order": position,
            },
            create_defaults={
                "name": entry.name,
                "life_event": entry.life_event,
                "published": True,
                "sort_order": position,
                **common,
            },
        )
    # Procedure 00 (TDD 1.1.2) lets a Member State test in production; never shown to citizens.
    Procedure.objects.get_or_create(
        code="00",
        defaults={
            "name": TEST_PROCEDURE_NAME,
            "life_event": "testing",
            "published": False,
            "sort_order": 99,
            **common,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]

    operations = [migrations.RunPython(create_procedures, migrations.RunPython.noop)]
