"""PostgreSQL: the words' tsvector stored in its own column, indexed and ranked from there.

Computed in an expression index only, every match had to be parsed again to be ranked or
rechecked, some 1.5 s for a word found in most of 200,000 texts; stored (a generated
column, so no code writes it), ranking reads it, and the column's statistics tell the
planner how common a word is: a rare word goes through the index, a common one walks the
newest entries and stops at the first thousand. SQLite's FTS5 table already stores them.
"""

from django.db import migrations

TABLE = "textmine_searchentry"

FORWARD = [
    "DROP INDEX IF EXISTS textmine_search_tsv",
    f"""ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED""",
    f"CREATE INDEX textmine_search_vector ON {TABLE} USING gin (search_vector)",
    f"ANALYZE {TABLE}",
]
BACKWARD = [
    "DROP INDEX IF EXISTS textmine_search_vector",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
    f"CREATE INDEX textmine_search_tsv ON {TABLE} USING gin (to_tsvector('simple', tokens))",
]


def _run(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("textmine", "0002_search_index")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
