"""The authority's name per language of ``OOTS_LANGUAGES`` (``authorities.translation``); the first language's
column takes the name each authority had. Languages added later: ``manage.py sync_translation_fields``."""

from django.conf import settings
from django.db import migrations, models

LANGUAGES = list(settings.MODELTRANSLATION_LANGUAGES)
DEFAULT = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def fill_default_language(apps, schema_editor):
    Authority = apps.get_model("authorities", "Authority")
    for authority in Authority.objects.all():
        setattr(authority, f"name_{DEFAULT}", authority.name)
        authority.save(update_fields=[f"name_{DEFAULT}"])


class Migration(migrations.Migration):
    # After the authorities made of the procedures' requesters, so that their names are carried over.
    dependencies = [
        ("authorities", "0001_initial"),
        ("procedures", "0004_authority_procedure_authority"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name="authority",
                name=f"name_{language}",
                field=models.CharField(max_length=300, null=True, verbose_name="name"),
            )
            for language in LANGUAGES
        ),
        migrations.RunPython(fill_default_language, migrations.RunPython.noop),
    ]
