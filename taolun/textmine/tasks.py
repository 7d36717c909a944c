"""Reading a saved text is a task: jieba and MinHash take milliseconds per text, which a
bulk import of thousands of records should not spend inside its request."""

from __future__ import annotations

from django_tasks import task

from taolun.textmine import indexing
from taolun.textmine.sources import source_named


@task()
def refresh_text(label: str, pk: int) -> bool:
    """Recompute the signature and search entry of text ``pk`` of the model ``label``."""
    return indexing.refresh(source_named(label), pk)
