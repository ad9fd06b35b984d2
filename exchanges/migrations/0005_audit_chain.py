"""The audit trail (docs/audit.md): the exchange log becomes one hash chain (the entries already there are
chained in their order), the explicit request's record, the chain's head and checkpoints, the exchanges'
subject reference (empty for the exchanges made before: their identity was not kept in a comparable form)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def chain_existing_entries(apps, schema_editor):
    from exchanges.audit import GENESIS_HASH, HEAD_PK, _content, entry_hash

    exchange_log = apps.get_model("exchanges", "ExchangeLog")
    head = apps.get_model("exchanges", "AuditChainHead")
    previous, sequence = GENESIS_HASH, 0
    for entry in (
        exchange_log.objects.select_related("evidence_request").order_by("created_at", "id").iterator()
    ):
        sequence += 1
        if entry.evidence_request is not None:
            entry.exchange_public_id = entry.evidence_request.public_id
        entry.sequence = sequence
        entry.previous_hash = previous
        entry.entry_hash = entry_hash(previous, _content(entry))
        entry.save(update_fields=["exchange_public_id", "sequence", "previous_hash", "entry_hash"])
        previous = entry.entry_hash
    head.objects.create(pk=HEAD_PK, sequence=sequence, last_hash=previous)


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0004_versions_error_exceptions_required_loa"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                ("last_hash", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "audit chain head",
            },
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(unique=True)),
                ("last_hash", models.CharField(max_length=64)),
                ("entries_purged", models.PositiveBigIntegerField()),
                ("purged_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "audit checkpoint",
                "verbose_name_plural": "audit checkpoints",
                "ordering": ["sequence"],
            },
        ),
        migrations.AlterModelOptions(
            name="exchangelog",
            options={
                "ordering": ["sequence"],
                "verbose_name": "exchange log entry",
                "verbose_name_plural": "exchange log",
            },
        ),
        migrations.AddField(
            model_name="evidencerequest",
            name="subject_reference",
            field=models.CharField(blank=True, max_length=64, verbose_name="subject reference"),
        ),
        migrations.AddField(
            model_name="exchangelog",
            name="entry_hash",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.AddField(
            model_name="exchangelog",
            name="exchange_public_id",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="exchangelog",
            name="facts",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="exchangelog",
            name="previous_hash",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.AddField(
            model_name="exchangelog",
            name="sequence",
            field=models.PositiveBigIntegerField(null=True, unique=True),
        ),
        migrations.AddField(
            model_name="exchangelog",
            name="subject_reference",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="exchangelog",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="exchangelog",
            name="sequence",
            field=models.PositiveBigIntegerField(unique=True),
        ),
        migrations.AlterField(
            model_name="exchangelog",
            name="previous_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="exchangelog",
            name="entry_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.CreateModel(
            name="ExplicitRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("exchange_public_id", models.UUIDField(verbose_name="exchange")),
                ("conversation_id", models.CharField(max_length=100)),
                (
                    "subject_reference",
                    models.CharField(db_index=True, max_length=64, verbose_name="subject reference"),
                ),
                (
                    "representative_reference",
                    models.CharField(blank=True, max_length=64, verbose_name="representative reference"),
                ),
                ("given_at", models.DateTimeField(db_index=True, verbose_name="given at")),
                ("language", models.CharField(max_length=10, verbose_name="language of the page")),
                ("procedure", models.CharField(blank=True, max_length=20, verbose_name="procedure")),
                (
                    "evidence_type_identifier",
                    models.CharField(max_length=300, verbose_name="evidence type identifier"),
                ),
                (
                    "evidence_type_classification",
                    models.CharField(max_length=300, verbose_name="evidence type classification"),
                ),
                (
                    "evidence_type_title",
                    models.CharField(max_length=500, verbose_name="evidence type as shown"),
                ),
                ("provider_identifier", models.CharField(max_length=200, verbose_name="provider identifier")),
                (
                    "provider_scheme",
                    models.CharField(max_length=200, verbose_name="provider identifier scheme"),
                ),
                ("provider_name", models.CharField(max_length=500, verbose_name="provider as shown")),
                (
                    "provider_country",
                    models.CharField(blank=True, max_length=2, verbose_name="provider country"),
                ),
                (
                    "requirement_identifier",
                    models.CharField(blank=True, max_length=300, verbose_name="requirement identifier"),
                ),
                (
                    "requirement_name",
                    models.CharField(blank=True, max_length=500, verbose_name="requirement as shown"),
                ),
                ("preview_possible", models.BooleanField(verbose_name="preview possible")),
                (
                    "preview_required_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="preview required at"),
                ),
                (
                    "preview_decision",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("continued", "Came back from the preview; the evidence was asked for again"),
                            ("declined", "Chose not to use OOTS for this evidence"),
                            ("expired", "Did not come back before the deadline"),
                        ],
                        max_length=20,
                        verbose_name="preview decision",
                    ),
                ),
                (
                    "preview_decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="preview decided at"),
                ),
                (
                    "evidence_request",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="explicit_request",
                        to="exchanges.evidencerequest",
                    ),
                ),
                (
                    "log_entry",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="exchanges.exchangelog",
                    ),
                ),
            ],
            options={
                "verbose_name": "explicit request",
                "verbose_name_plural": "explicit requests",
                "ordering": ["given_at", "id"],
            },
        ),
    ]
