"""The full-text index over ``SearchEntry.tokens``, one per database vendor.

``tokens`` holds jieba's words joined by spaces, so the database only has to split on
spaces: on SQLite an FTS5 table with the ``unicode61`` tokenizer (CJK letters are token
characters to it, spaces and punctuation separate), kept in step with the entries by
triggers and reading its text from the entries' table (external content, stored once); on
PostgreSQL a GIN index over ``to_tsvector('simple', tokens)`` (no stemming, no stop words:
the words are Chinese). Hand-written because the model cannot describe either.
"""

from django.db import migrations

FTS = "textmine_search_fts"
TABLE = "textmine_searchentry"

SQLITE_FORWARD = [
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
        tokens, content='{TABLE}', content_rowid='id', tokenize='unicode61'
    )""",
    f"""CREATE TRIGGER {FTS}_ai AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS}(rowid, tokens) VALUES (new.id, new.tokens);
    END""",
    f"""CREATE TRIGGER {FTS}_ad AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, tokens) VALUES ('delete', old.id, old.tokens);
    END""",
    f"""CREATE TRIGGER {FTS}_au AFTER UPDATE OF tokens ON {TABLE} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, tokens) VALUES ('delete', old.id, old.tokens);
        INSERT INTO {FTS}(rowid, tokens) VALUES (new.id, new.tokens);
    END""",
    # Entries written before this migration.
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TABLE IF EXISTS {FTS}",
]
POSTGRES_FORWARD = [
    f"CREATE INDEX textmine_search_tsv ON {TABLE} USING gin (to_tsvector('simple', tokens))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS textmine_search_tsv"]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("textmine", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
