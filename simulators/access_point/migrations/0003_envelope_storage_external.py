"""Envelopes (base64 evidence behind an XML header) are stored uncompressed on PostgreSQL.

PostgreSQL compresses large values (TOAST, pglz) when their first kilobyte compresses, which an XML header
does; the base64 behind it barely does, so every megabyte was compressed for nothing: about 20 ms of a 1 MB
evidence's delivery. ``STORAGE EXTERNAL`` keeps the value out of line without compressing it.
"""

from django.db import migrations


def storage(mode: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model("sim_access_point", "ApMessage")._meta.db_table
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(table)} ALTER COLUMN envelope SET STORAGE {mode}"
        )

    return run


class Migration(migrations.Migration):
    dependencies = [("sim_access_point", "0002_apnotification_next_attempt_at")]

    operations = [migrations.RunPython(storage("EXTERNAL"), storage("EXTENDED"))]
