"""Keeping each text's signature and search entry in step with the text.

A text is read again whenever it is saved (``refresh``, run as a task after the commit, see
``tasks.py`` and ``signals.py``) and its rows go when it goes (``forget``). ``rebuild`` reads
every text of some kinds in batches, for a database filled before the text side existed or
by a bulk loader that bypasses saving one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from taolun.textmine import words
from taolun.textmine.models import SearchEntry, TextSignature
from taolun.textmine.sources import SOURCES, Extract, TextSource

_SHARED = ("campaign_id", "unit_id", "author_id", "written_at")
_TITLE_LENGTH = SearchEntry._meta.get_field("title").max_length


def _rows(
    source: TextSource, content_type: ContentType, obj: models.Model
) -> tuple[TextSignature | None, SearchEntry]:
    # Here, not at the top: numpy and datasketch take most of a second to import, and this
    # module is imported when the app starts (signals), in every process and command.
    from taolun.textmine import copies

    extract: Extract = source.read(obj)
    shared = {name: getattr(extract, name) for name in _SHARED}
    key = {"content_type": content_type, "object_id": obj.pk}
    entry = SearchEntry(
        **key,
        **shared,
        title=extract.title[:_TITLE_LENGTH],
        text=extract.text,
        tokens=words.tokens(f"{extract.title}\n{extract.text}"),
    )
    if not source.copies:
        return None, entry
    signature = TextSignature(
        **key,
        **shared,
        signature=copies.signature(extract.text),
        chars=len(copies.normalise(extract.text)),
    )
    return signature, entry


_SIGNATURE_FIELDS = [*_SHARED, "signature", "chars"]
_ENTRY_FIELDS = [*_SHARED, "title", "text", "tokens"]
_UNIQUE = ["content_type", "object_id"]


def _save(signatures: list[TextSignature], entries: list[SearchEntry]) -> None:
    with transaction.atomic():
        if signatures:
            TextSignature.objects.bulk_create(
                signatures,
                update_conflicts=True,
                unique_fields=_UNIQUE,
                update_fields=[*_SIGNATURE_FIELDS, "updated_at"],
            )
        if entries:
            SearchEntry.objects.bulk_create(
                entries,
                update_conflicts=True,
                unique_fields=_UNIQUE,
                update_fields=[*_ENTRY_FIELDS, "updated_at"],
            )


def refresh(source: TextSource, pk: int) -> bool:
    """Read the text ``pk`` of ``source`` again; False when it no longer exists."""
    obj = source.queryset().filter(pk=pk).first()
    if obj is None:
        forget(source.content_type(), pk)
        return False
    signature, entry = _rows(source, source.content_type(), obj)
    _save([signature] if signature else [], [entry])
    return True


def forget(content_type: ContentType, pk: int) -> None:
    """Drop the rows derived from a text that was deleted."""
    TextSignature.objects.filter(content_type=content_type, object_id=pk).delete()
    SearchEntry.objects.filter(content_type=content_type, object_id=pk).delete()


def rebuild(
    sources: Iterable[TextSource] = SOURCES,
    *,
    batch: int = 500,
    progress: Callable[[TextSource, int], None] | None = None,
    pks: Collection[int] | None = None,
) -> int:
    """Read every text of ``sources`` (or only those numbered ``pks``) again, ``batch`` at
    a time; returns how many were read.

    ``progress(source, n)`` is called after each batch with the number just read."""
    total = 0
    for source in sources:
        content_type = source.content_type()
        signatures: list[TextSignature] = []
        entries: list[SearchEntry] = []
        rows = source.queryset().order_by("pk")
        if pks is not None:
            rows = rows.filter(pk__in=pks)
        for obj in rows.iterator(chunk_size=batch):
            signature, entry = _rows(source, content_type, obj)
            if signature is not None:
                signatures.append(signature)
            entries.append(entry)
            if len(entries) >= batch:
                _save(signatures, entries)
                total += len(entries)
                if progress:
                    progress(source, len(entries))
                signatures, entries = [], []
        if entries:
            _save(signatures, entries)
            total += len(entries)
            if progress:
                progress(source, len(entries))
    return total
