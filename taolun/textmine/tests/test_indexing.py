"""Each saved text gets its signature and search entry after commit; edits and deletes follow."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from taolun.textmine import copies, indexing
from taolun.textmine.models import SearchEntry, TextSignature
from taolun.textmine.sources import source_named
from taolun.textmine.tests.copy_factories import (
    COPY,
    ORIGINAL,
    UNRELATED,
    brief,
    opinion,
    record,
    reflection,
    statement,
)

pytestmark = pytest.mark.django_db


def rows(obj) -> tuple[TextSignature | None, SearchEntry | None]:
    content_type = ContentType.objects.get_for_model(obj)
    key = {"content_type": content_type, "object_id": obj.pk}
    return TextSignature.objects.filter(**key).first(), SearchEntry.objects.filter(**key).first()


def make(kind: str, org):
    """One text of each copied kind, written by member1 (or contact1) in branch1."""
    if kind == "reflection":
        return reflection(org, org.member1, ORIGINAL), org.member1
    if kind == "opinion":
        return opinion(org, org.member1, ORIGINAL), org.member1
    if kind == "brief":
        return brief(org, org.branch1, org.contact1, ORIGINAL), org.contact1
    if kind == "record":
        return record(org, org.branch1, org.contact1, ORIGINAL), org.contact1
    return statement(org, org.member1, ORIGINAL), org.member1


KINDS = ["reflection", "opinion", "brief", "record", "statement"]


@pytest.mark.parametrize("kind", KINDS)
def test_saving_a_text_signs_and_indexes_it_after_commit(
    org, kind, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        obj, author = make(kind, org)
    signature, entry = rows(obj)
    assert signature is not None and entry is not None
    for row in (signature, entry):
        assert (row.campaign_id, row.unit_id, row.author_id) == (
            org.campaign.pk,
            org.branch1.pk,
            author.pk,
        )
    assert signature.signature == copies.signature(ORIGINAL)
    assert signature.chars == len(copies.normalise(ORIGINAL))
    assert ORIGINAL in entry.text and "<p>" not in entry.text
    assert "形式主义" in entry.tokens.split()


def test_nothing_is_indexed_before_the_commit(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        obj = reflection(org, org.member1, ORIGINAL)
    assert callbacks and rows(obj) == (None, None)


@pytest.mark.parametrize("kind", KINDS)
def test_editing_a_text_updates_its_rows(org, kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        obj, _author = make(kind, org)
    field = {"record": "content", "statement": "text"}.get(kind, "body")
    setattr(obj, field, f"<p>{UNRELATED}</p>")
    with django_capture_on_commit_callbacks(execute=True):
        obj.save()
    signature, entry = rows(obj)
    assert signature.signature == copies.signature(UNRELATED)
    assert UNRELATED in entry.text and ORIGINAL not in entry.text
    assert (
        TextSignature.objects.filter(object_id=obj.pk, content_type=signature.content_type).count()
        == 1
    )


@pytest.mark.parametrize("kind", KINDS)
def test_deleting_a_text_removes_its_rows(org, kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        obj, _author = make(kind, org)
        other = reflection(org, org.member1, COPY)
    obj.delete()
    assert rows(obj) == (None, None)
    assert rows(other) != (None, None)


def test_an_anonymous_opinion_has_no_author_nor_unit(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        obj = opinion(org, org.member1, ORIGINAL, anonymous=True)
    signature, entry = rows(obj)
    assert signature.author_id is None and entry.author_id is None
    # Nor a unit: it would narrow down who wrote it.
    assert signature.unit_id is None and entry.unit_id is None


def test_a_short_text_has_no_signature_but_is_searchable(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        obj = reflection(org, org.member1, "同意。已学习。")
    signature, entry = rows(obj)
    assert signature is not None and signature.signature is None and signature.chars == 5
    assert entry.text == "同意。已学习。"


def test_a_search_only_kind_gets_no_signature(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        org.campaign.main_tasks = f"<p>{ORIGINAL}</p>"
        org.campaign.save()
    signature, entry = rows(org.campaign)
    assert signature is None and ORIGINAL in entry.text


def test_rebuild_reads_everything_once_and_is_idempotent(org):
    """Texts saved without their tasks (a bulk load) are read by ``rebuild``; again, it
    changes nothing."""
    texts = [
        reflection(org, org.member1, ORIGINAL),
        opinion(org, org.member1, COPY, anonymous=True),
        brief(org, org.branch2, org.contact2, UNRELATED),
        record(org, org.branch1, org.contact1, ORIGINAL),
        statement(org, org.member1, COPY),
    ]
    assert not TextSignature.objects.exists()
    seen: list[tuple[str, int]] = []
    total = indexing.rebuild(progress=lambda source, n: seen.append((source.label, n)))
    assert total == SearchEntry.objects.count() == sum(n for _label, n in seen)
    # The statement's meeting has a record of its own, with no text to sign.
    assert TextSignature.objects.filter(signature__isnull=False).count() == len(texts)
    before = sorted(
        TextSignature.objects.values_list(
            "pk", "content_type", "object_id", "unit", "author", "signature", "chars"
        )
    )
    entries = sorted(SearchEntry.objects.values_list("pk", "object_id", "text", "tokens"))
    assert indexing.rebuild() == total
    assert (
        sorted(
            TextSignature.objects.values_list(
                "pk", "content_type", "object_id", "unit", "author", "signature", "chars"
            )
        )
        == before
    )
    assert sorted(SearchEntry.objects.values_list("pk", "object_id", "text", "tokens")) == entries


def test_rebuild_of_one_kind_only(org):
    reflection(org, org.member1, ORIGINAL)
    opinion(org, org.member1, COPY)
    indexing.rebuild([source_named("discussion.Opinion")], batch=1)
    assert list(TextSignature.objects.values_list("content_type__model", flat=True)) == ["opinion"]


def test_refresh_of_a_deleted_text_forgets_it(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        obj = reflection(org, org.member1, ORIGINAL)
    pk = obj.pk
    type(obj).objects.filter(pk=pk).delete()  # a queryset delete still sends post_delete
    TextSignature.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=pk,
        written_at=obj.created_at,
    )
    assert indexing.refresh(source_named("study.Reflection"), pk) is False
    assert rows(obj) == (None, None)


def test_rebuild_texts_command(org, capsys):
    reflection(org, org.member1, ORIGINAL)
    opinion(org, org.member1, COPY)
    call_command("rebuild_texts", "--kind", "study.Reflection", "--no-progress")
    out = capsys.readouterr().out
    assert "Read 1 texts of 1 kinds." in out
    assert list(TextSignature.objects.values_list("content_type__model", flat=True)) == [
        "reflection"
    ]
    call_command("rebuild_texts", "--no-progress")
    assert TextSignature.objects.count() == 2


def test_rebuild_texts_refuses_an_unknown_kind(org):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"study\.Nothing"):
        call_command("rebuild_texts", "--kind", "study.Nothing")
