"""The journey's data in rows (issue 14): ``RequirementChoice``, ``DirectoryAnswer``, ``EvidenceItem``;
``Procedure.form_position``; evidence uploads leave the form's key namespace.

The data step moves what applications kept in ``data["_journey"]`` (``{"<requirement pk>": {"mode", "country",
"exchanges": [public ids]}}``) and their ``evidence_<requirement pk>`` uploads into the rows, and leaves
``data`` with the form's answers only."""

import django.db.models.deletion
from django.db import migrations, models

PLAN_KEY = "_journey"
UPLOAD_PREFIX = "evidence_"


def move_journey_into_rows(apps, schema_editor):
    Application = apps.get_model("procedures", "Application")
    RequirementChoice = apps.get_model("procedures", "RequirementChoice")
    EvidenceItem = apps.get_model("procedures", "EvidenceItem")
    EvidenceRequest = apps.get_model("exchanges", "EvidenceRequest")
    for application in Application.objects.select_related("procedure").iterator():
        plan = application.data.get(PLAN_KEY) if isinstance(application.data, dict) else None
        plan = plan if isinstance(plan, dict) else {}
        requirements = {r.pk: r for r in application.procedure.requirements.all()}
        field_keys = set(application.procedure.form_fields.values_list("key", flat=True))
        uploads = {
            f.field_key: f
            for f in application.files.all()
            if f.field_key.startswith(UPLOAD_PREFIX) and f.field_key not in field_keys
        }
        wanted = set()
        for key in plan:
            wanted.add(key)
        for key in uploads:
            wanted.add(key[len(UPLOAD_PREFIX) :])
        for key in wanted:
            if not key.isdigit() or int(key) not in requirements:
                continue
            requirement = requirements[int(key)]
            entry = plan.get(key) if isinstance(plan.get(key), dict) else {}
            upload = uploads.get(f"{UPLOAD_PREFIX}{key}")
            mode = entry.get("mode") or ("upload" if upload else "")
            choice = RequirementChoice.objects.create(
                application=application,
                requirement=requirement,
                route=mode if mode in ("oots", "upload") else "",
                country=str(entry.get("country") or "")[:2],
            )
            if mode == "oots":
                found = {
                    str(e.public_id): e
                    for e in EvidenceRequest.objects.filter(
                        application=application, public_id__in=[str(p) for p in entry.get("exchanges", [])]
                    )
                }
                position = 0
                for public_id in entry.get("exchanges", []):
                    exchange = found.get(str(public_id))
                    if exchange is None:
                        continue
                    EvidenceItem.objects.create(
                        choice=choice,
                        position=position,
                        title=exchange.evidence_type_title[:500],
                        evidence_type=exchange.evidence_type_classification[:300],
                        exchange=exchange,
                    )
                    position += 1
            elif upload is not None:
                EvidenceItem.objects.create(
                    choice=choice, position=0, title=requirement.name[:500], upload=upload
                )
            if upload is not None:
                upload.field_key = ""
                upload.save(update_fields=["field_key"])
        if isinstance(application.data, dict) and PLAN_KEY in application.data:
            application.data = {k: v for k, v in application.data.items() if k != PLAN_KEY}
            application.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0003_incoming_checks_and_delivery"),
        ("procedures", "0006_authority_notifications"),
    ]

    operations = [
        migrations.CreateModel(
            name="DirectoryAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=20, verbose_name="question")),
                ("label", models.CharField(blank=True, max_length=500, verbose_name="question text")),
                ("value", models.CharField(max_length=300, verbose_name="answer")),
                ("value_label", models.CharField(blank=True, max_length=500, verbose_name="answer text")),
            ],
            options={
                "verbose_name": "directory answer",
                "verbose_name_plural": "directory answers",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="EvidenceItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("title", models.CharField(max_length=500, verbose_name="evidence")),
                ("evidence_type", models.CharField(blank=True, max_length=300, verbose_name="evidence type")),
            ],
            options={
                "verbose_name": "evidence item",
                "verbose_name_plural": "evidence items",
                "ordering": ["position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="RequirementChoice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "route",
                    models.CharField(
                        blank=True,
                        choices=[("oots", "Requested through OOTS"), ("upload", "Uploaded by the applicant")],
                        max_length=10,
                        verbose_name="route",
                    ),
                ),
                ("country", models.CharField(blank=True, max_length=2, verbose_name="country")),
                (
                    "alternative",
                    models.CharField(blank=True, max_length=300, verbose_name="evidence type list"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
            ],
            options={
                "verbose_name": "requirement choice",
                "verbose_name_plural": "requirement choices",
            },
        ),
        migrations.RemoveConstraint(
            model_name="applicationfile",
            name="one_file_per_field",
        ),
        migrations.AddField(
            model_name="procedure",
            name="form_position",
            field=models.CharField(
                choices=[("before", "Before the evidence"), ("after", "After the evidence")],
                default="after",
                help_text="Whether citizens fill in the form before or after they provide the evidence.",
                max_length=10,
                verbose_name="form position",
            ),
        ),
        migrations.AddConstraint(
            model_name="applicationfile",
            constraint=models.UniqueConstraint(
                condition=models.Q(("field_key", ""), _negated=True),
                fields=("application", "field_key"),
                name="one_file_per_field",
            ),
        ),
        migrations.AddField(
            model_name="evidenceitem",
            name="exchange",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="exchanges.evidencerequest",
            ),
        ),
        migrations.AddField(
            model_name="evidenceitem",
            name="upload",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="evidence_item",
                to="procedures.applicationfile",
            ),
        ),
        migrations.AddField(
            model_name="requirementchoice",
            name="application",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="requirement_choices",
                to="procedures.application",
            ),
        ),
        migrations.AddField(
            model_name="requirementchoice",
            name="requirement",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="procedures.requirement"
            ),
        ),
        migrations.AddField(
            model_name="evidenceitem",
            name="choice",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="items",
                to="procedures.requirementchoice",
            ),
        ),
        migrations.AddField(
            model_name="directoryanswer",
            name="choice",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="answers",
                to="procedures.requirementchoice",
            ),
        ),
        migrations.AddConstraint(
            model_name="requirementchoice",
            constraint=models.UniqueConstraint(
                fields=("application", "requirement"), name="one_choice_per_requirement"
            ),
        ),
        migrations.AddConstraint(
            model_name="evidenceitem",
            constraint=models.UniqueConstraint(fields=("choice", "position"), name="one_item_per_position"),
        ),
        migrations.AddConstraint(
            model_name="directoryanswer",
            constraint=models.UniqueConstraint(fields=("choice", "name"), name="one_answer_per_question"),
        ),
        migrations.RunPython(move_journey_into_rows, migrations.RunPython.noop),
    ]
