"""Heavy ledger work runs as a task: applying an import may write 100,000 rows."""

from __future__ import annotations

from django_tasks import task

from taolun.rectification.ledger_io import ledger_import_apply
from taolun.rectification.models import LedgerImport


@task()
def apply_ledger_import(import_id: int, digest: str) -> dict:
    """Apply a previewed import if it still plans to what was previewed (``digest``).

    Returns what happened, for the page that enqueued it: ``applied``, ``stale`` (the
    ledger changed since the preview: nothing written) and a message for the uploader.
    """
    record = LedgerImport.objects.get(pk=import_id)
    outcome = ledger_import_apply(ledger_import=record, digest=digest)
    return {"applied": outcome.applied, "stale": outcome.stale, "message": outcome.message}
