"""The text side's tasks. Reading a saved text: jieba and MinHash take milliseconds per
text, which a bulk import of thousands of records should not spend inside its request. A
copy scan: a province's texts take tens of seconds, far too long for a page."""

from __future__ import annotations

from django_tasks import task

from taolun.textmine import indexing
from taolun.textmine.sources import source_named


@task()
def refresh_text(label: str, pk: int) -> bool:
    """Recompute the signature and search entry of text ``pk`` of the model ``label``."""
    return indexing.refresh(source_named(label), pk)


@task()
def refresh_texts(label: str, pks: list[int]) -> int:
    """Read again the texts ``pks`` of the model ``label``, written in bulk without saving
    each (a ledger import): returns how many were read."""
    return indexing.rebuild([source_named(label)], pks=pks)


@task()
def run_copy_scan(scan_id: int) -> str:
    """Run the queued scan ``scan_id``; returns its final state ("gone" if it was deleted)."""
    from taolun.textmine.models import CopyScan
    from taolun.textmine.scan import run_scan

    scan = CopyScan.objects.select_related("campaign", "unit").filter(pk=scan_id).first()
    if scan is None:
        return "gone"
    return run_scan(scan).state
