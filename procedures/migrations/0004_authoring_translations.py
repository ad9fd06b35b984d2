"""Owners' content per language (django-modeltranslation, ``procedures.translation``), conditional and
pre-filled form fields, and choices stored as stable keys.

The translation columns follow the ``OOTS_LANGUAGES`` setting, as modeltranslation's fields do: a deployment
that adds a language later adds its columns with ``manage.py sync_translation_fields`` (docs/authoring.md).
The data: each translated column of the first language takes the value the row had; the shipped procedures
get their French and German names (``procedures.annex_ii``); choices become ``key | label`` lines and the
answers stored as labels become those keys.
"""

from django.conf import settings
from django.db import migrations, models

from procedures.annex_ii import NAMES
from procedures.choices import format_choices, parse_choices

LANGUAGES = list(settings.MODELTRANSLATION_LANGUAGES)
DEFAULT = settings.MODELTRANSLATION_DEFAULT_LANGUAGE

CHOICES_HELP = (
    "For a choice field: one option per line, as “key | label”. The key is stored with the answer and stays "
    "the same in every language; only the label is translated."
)
TRANSLATED = {
    "procedure": {
        "name": lambda: models.CharField(max_length=1000, null=True, verbose_name="name"),
        "description": lambda: models.TextField(
            blank=True, null=True, verbose_name="description for citizens"
        ),
    },
    "requirement": {
        "name": lambda: models.CharField(max_length=500, null=True, verbose_name="name"),
        "description": lambda: models.TextField(blank=True, null=True, verbose_name="description"),
    },
    "formfield": {
        "label": lambda: models.CharField(max_length=300, null=True, verbose_name="label"),
        "help_text": lambda: models.CharField(
            blank=True, max_length=500, null=True, verbose_name="help text"
        ),
        "choices": lambda: models.TextField(
            blank=True, null=True, help_text=CHOICES_HELP, verbose_name="choices"
        ),
    },
}


def translation_fields():
    for model_name, fields in TRANSLATED.items():
        for name, field in fields.items():
            for language in LANGUAGES:
                yield migrations.AddField(model_name=model_name, name=f"{name}_{language}", field=field())


def fill_languages(apps, schema_editor):
    models_by_name = {name: apps.get_model("procedures", name) for name in TRANSLATED}
    for model_name, fields in TRANSLATED.items():
        for row in models_by_name[model_name].objects.all():
            for name in fields:
                setattr(row, f"{name}_{DEFAULT}", getattr(row, name))
            if model_name == "procedure":
                for language, text in NAMES.get(row.code, {}).items():
                    if language in LANGUAGES and language != DEFAULT:
                        setattr(row, f"name_{language}", text)
            row.save()


def choices_to_keys(apps, schema_editor):
    FormField = apps.get_model("procedures", "FormField")
    Application = apps.get_model("procedures", "Application")
    for field in FormField.objects.filter(field_type="choice"):
        options = parse_choices(field.choices)
        field.choices = format_choices(options)
        setattr(field, f"choices_{DEFAULT}", field.choices)
        field.save()
        key_by_label = {label: key for key, label in options}
        for application in Application.objects.filter(procedure_id=field.procedure_id):
            value = application.data.get(field.key)
            if isinstance(value, str) and value in key_by_label:
                application.data[field.key] = key_by_label[value]
                application.save(update_fields=["data"])


def keys_to_labels(apps, schema_editor):
    FormField = apps.get_model("procedures", "FormField")
    Application = apps.get_model("procedures", "Application")
    for field in FormField.objects.filter(field_type="choice"):
        options = parse_choices(field.choices)
        field.choices = "\n".join(label for _key, label in options)
        field.save(update_fields=["choices"])
        label_by_key = dict(options)
        for application in Application.objects.filter(procedure_id=field.procedure_id):
            value = application.data.get(field.key)
            if isinstance(value, str) and value in label_by_key:
                application.data[field.key] = label_by_key[value]
                application.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [("procedures", "0003_procedure_owners_group")]

    operations = [
        migrations.AddField(
            model_name="formfield",
            name="prefill",
            field=models.CharField(
                blank=True,
                choices=[
                    ("given_name", "Given name (eIDAS)"),
                    ("family_name", "Family name (eIDAS)"),
                    ("birth_name", "Birth name (eIDAS)"),
                    ("date_of_birth", "Date of birth (eIDAS)"),
                    ("place_of_birth", "Place of birth (eIDAS)"),
                    ("nationality", "Nationality (eIDAS)"),
                    ("address", "Current address (eIDAS)"),
                    ("email_address", "Email address (eIDAS)"),
                    ("phone_number", "Phone number (eIDAS)"),
                    ("legal_name", "Legal person's name (eIDAS)"),
                ],
                help_text="An attribute of the citizen's eIDAS login that fills the field in advance.",
                max_length=30,
                verbose_name="pre-fill from",
            ),
        ),
        migrations.AddField(
            model_name="formfield",
            name="prefill_locked",
            field=models.BooleanField(
                default=False,
                help_text="The citizen cannot change a value that came from eIDAS.",
                verbose_name="pre-filled value locked",
            ),
        ),
        migrations.AddField(
            model_name="formfield",
            name="show_when_key",
            field=models.CharField(
                blank=True,
                help_text="The key of an earlier choice or checkbox field; empty: always shown.",
                max_length=50,
                verbose_name="show only when field",
            ),
        ),
        migrations.AddField(
            model_name="formfield",
            name="show_when_value",
            field=models.CharField(
                blank=True,
                help_text="A choice's key, or “yes” / “no” for a checkbox.",
                max_length=50,
                verbose_name="has the value",
            ),
        ),
        migrations.AlterField(
            model_name="formfield",
            name="choices",
            field=models.TextField(
                blank=True,
                help_text=CHOICES_HELP,
                verbose_name="choices",
            ),
        ),
        migrations.AddField(
            model_name="requirement",
            name="description",
            field=models.TextField(blank=True, default="", verbose_name="description"),
            preserve_default=False,
        ),
        # The French and German names of some Annex II procedures are longer than the English.
        migrations.AlterField(
            model_name="procedure", name="name", field=models.CharField(max_length=1000, verbose_name="name")
        ),
        *translation_fields(),
        migrations.RunPython(fill_languages, migrations.RunPython.noop),
        migrations.RunPython(choices_to_keys, keys_to_labels),
    ]
