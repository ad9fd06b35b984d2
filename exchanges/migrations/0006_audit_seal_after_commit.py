"""The exchange log is sealed after commit (docs/audit.md, ADR 0007 amended): an entry is written without its
place in the chain (``sequence`` NULL, hashes empty) and sealed once its transaction has committed, so that
no transaction holds the chain's head for longer than the seal. A partial index finds the unsealed entries.

Every entry already there is sealed, so nothing is migrated forward. Backward, the entries awaiting their
seal are sealed first (the portal stopped: nothing else appends meanwhile), then ``sequence`` is NOT NULL
again. PostgreSQL and SQLite both let NULLs repeat in a unique column."""

from django.db import migrations, models


def seal_everything(apps, schema_editor):
    """``exchanges.audit.chain_seal`` on the historical models: number and hash the unsealed entries on from
    the head, in id order."""
    from exchanges.audit import GENESIS_HASH, HEAD_PK, _content, entry_hash

    exchange_log = apps.get_model("exchanges", "ExchangeLog")
    head_model = apps.get_model("exchanges", "AuditChainHead")
    head, _ = head_model.objects.select_for_update().get_or_create(
        pk=HEAD_PK, defaults={"sequence": 0, "last_hash": GENESIS_HASH}
    )
    sequence, previous = head.sequence, head.last_hash
    for entry in exchange_log.objects.filter(sequence__isnull=True).order_by("id").iterator():
        sequence += 1
        entry.sequence = sequence
        entry.previous_hash = previous
        entry.entry_hash = entry_hash(previous, _content(entry))
        entry.save(update_fields=["sequence", "previous_hash", "entry_hash"])
        previous = entry.entry_hash
    head_model.objects.filter(pk=HEAD_PK).update(sequence=sequence, last_hash=previous)


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0005_audit_chain"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="exchangelog",
            options={
                "ordering": [models.OrderBy(models.F("sequence"), nulls_last=True), "id"],
                "verbose_name": "exchange log entry",
                "verbose_name_plural": "exchange log",
            },
        ),
        migrations.AlterField(
            model_name="exchangelog",
            name="entry_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="exchangelog",
            name="previous_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="exchangelog",
            name="sequence",
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="exchangelog",
            index=models.Index(
                condition=models.Q(("sequence__isnull", True)), fields=["id"], name="exchangelog_unsealed"
            ),
        ),
        # Last forward, so first backward: every entry sealed before sequence becomes NOT NULL again.
        migrations.RunPython(migrations.RunPython.noop, seal_everything),
    ]
