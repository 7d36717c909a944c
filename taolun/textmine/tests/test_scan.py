"""Copy scans: what they compare, the groups they keep, who may ask, and the command."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404

from taolun.campaigns.tests.factories import make_campaign
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.study.models import Reflection
from taolun.textmine import copies, indexing, scan
from taolun.textmine.models import CopyMatch, CopyScan, ScanState
from taolun.textmine.scan import (
    latest_scan,
    may_scan,
    pending_scan,
    run_scan,
    scan_group,
    scan_groups,
    start_scan,
)
from taolun.textmine.tests.copy_factories import (
    COPY,
    ORIGINAL,
    OTHER_UNRELATED,
    UNRELATED,
    at,
    brief,
    opinion,
    record,
    reflection,
    statement,
)

pytestmark = pytest.mark.django_db


def scanned(org, unit=None, threshold: float = 0.8) -> CopyScan:
    """A finished scan of ``unit`` (the root) after every text was indexed."""
    indexing.rebuild()
    return run_scan(
        start_scan(
            actor=None,
            campaign=org.campaign,
            unit=unit or org.root,
            threshold=threshold,
            queue=False,
        )
    )


def dated(obj, day: int):
    """Move a text's writing time (the scan orders a group by it)."""
    type(obj).objects.filter(pk=obj.pk).update(created_at=at(day))
    return obj


def test_a_copy_across_two_units_is_one_group_with_the_earlier_text_first(org):
    # The copy is saved first (lower id) but dated later: the order is by writing time.
    copy = dated(reflection(org, org.member1, COPY), 20)
    original = dated(reflection(org, org.contact2, ORIGINAL, unit=org.branch2), 5)
    reflection(org, org.contact1, UNRELATED)
    done = scanned(org)
    assert (done.state, done.texts, done.groups) == (ScanState.DONE, 3, 1)
    assert done.finished_at is not None
    [group] = scan_groups(done).groups
    assert [m.object_id for m in group.members] == [original.pk, copy.pk]
    first, second = group.members
    assert first.first and not second.first and first.similarity == 1.0
    assert first.unit == org.branch2.display_name and second.unit == org.branch1.display_name
    assert (first.author, second.author) == (str(org.contact2), str(org.member1))
    assert second.similarity == pytest.approx(copies.jaccard(ORIGINAL, COPY))
    assert 80 <= second.percent < 100
    assert group.units == 2


def test_copies_across_kinds_are_found_and_unrelated_texts_are_not(org):
    reflection(org, org.member1, ORIGINAL)
    opinion(org, org.contact2, COPY)
    brief(org, org.branch2, org.contact2, COPY.replace("三次", "四次"))
    record(org, org.branch1, org.contact1, UNRELATED)
    statement(org, org.member1, OTHER_UNRELATED)
    done = scanned(org)
    [group] = scan_groups(done).groups
    assert sorted(m.source for m in group.members) == [
        "discussion.Opinion",
        "reporting.Brief",
        "study.Reflection",
    ]
    assert done.texts == 5


def test_drafts_are_not_compared(org):
    reflection(org, org.member1, ORIGINAL)
    reflection(org, org.contact1, COPY, submitted=False)
    brief(org, org.branch2, org.contact2, COPY, reached_office=False)
    record(org, org.branch2, org.contact2, COPY, status="draft")
    statement(org, org.member1, COPY, submitted=False)
    done = scanned(org)
    assert (done.texts, done.groups) == (1, 0)
    # Handed in, the same texts are compared.
    Reflection.objects.update(submitted_at=at(1))
    assert scanned(org).groups == 1


def test_a_scan_reads_only_its_unit_subtree_and_campaign(org):
    reflection(org, org.member1, ORIGINAL)
    reflection(org, org.contact2, COPY, unit=org.branch2)
    reflection(org, org.contact1, COPY.replace("三次", "五次"))
    other_root = make_unit("另一单位", "other-root", kind="organisation")
    other_campaign = make_campaign(other_root, "other")
    author = UserFactory(username="elsewhere", unit=other_root)
    Reflection.objects.create(
        campaign=other_campaign, author=author, unit=other_root, title="抄", body=ORIGINAL
    )
    done = scanned(org, org.branch1)
    assert done.texts == 2
    [group] = scan_groups(done).groups
    assert {m.unit for m in group.members} == {org.branch1.display_name}


def test_an_anonymous_opinion_is_never_compared(org):
    """Grouped beside its author's named reflection, or found under one unit's scan and
    not another's, an anonymous opinion would say who wrote it."""
    reflection(org, org.contact2, ORIGINAL, unit=org.branch2)
    opinion(org, org.contact2, COPY, anonymous=True)
    for unit in (org.root, org.branch1, org.branch2):
        done = scanned(org, unit)
        assert done.groups == 0, unit
    signed = opinion(org, org.member1, COPY)
    [group] = scan_groups(scanned(org)).groups
    assert {m.source for m in group.members} == {"study.Reflection", "discussion.Opinion"}
    assert str(signed.author) in {m.author for m in group.members}


def test_short_texts_are_never_grouped(org):
    for who in (org.member1, org.contact1, org.contact2):
        reflection(org, who, "同意。已学习。")
    done = scanned(org)
    assert (done.texts, done.groups) == (0, 0)


def test_a_lower_threshold_joins_looser_copies(org):
    loose = ORIGINAL[: len(ORIGINAL) * 2 // 3] + UNRELATED[:40]
    reflection(org, org.member1, ORIGINAL)
    reflection(org, org.contact2, loose, unit=org.branch2)
    exact = copies.jaccard(ORIGINAL, loose)
    assert 0.3 < exact < 0.8
    assert scanned(org).groups == 0
    assert scanned(org, threshold=0.3).groups == 1


def test_the_verifier_reads_texts_only_near_the_threshold():
    sig_a, sig_b = copies.signature(ORIGINAL), copies.signature(COPY)
    read: list[int] = []
    texts = scan._Texts(where={1: (0, 0), 2: (0, 0)})
    texts.cache.update({1: ORIGINAL, 2: COPY})

    class Counting(scan._Texts):
        def __call__(self, pk: int) -> str:
            read.append(pk)
            return texts(pk)

    estimate = copies.estimated_similarity(sig_a, sig_b)
    far = scan._verifier({1: sig_a, 2: sig_b}, Counting(), estimate - 0.2)
    assert far(1, 2) == estimate and read == []
    near = scan._verifier({1: sig_a, 2: sig_b}, Counting(), estimate)
    assert near(1, 2) == copies.jaccard(ORIGINAL, COPY) and read == [1, 2]


def test_a_failed_scan_says_so(org, monkeypatch):
    reflection(org, org.member1, ORIGINAL)

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(copies, "find_groups", broken)
    done = scanned(org)
    assert done.state == ScanState.FAILED and "out of memory" in done.error
    assert done.finished_at is not None and not CopyMatch.objects.exists()
    assert latest_scan(org.campaign, org.root) == done


def test_running_a_scan_again_replaces_its_groups(org):
    reflection(org, org.member1, ORIGINAL)
    reflection(org, org.contact2, COPY, unit=org.branch2)
    done = scanned(org)
    run_scan(done)
    assert CopyMatch.objects.filter(scan=done).count() == 2


# ---------------------------------------------------------------- asking for a scan


def test_start_scan_queues_after_commit_and_runs(org, django_capture_on_commit_callbacks):
    reflection(org, org.member1, ORIGINAL)
    reflection(org, org.contact2, COPY, unit=org.branch2)
    indexing.rebuild()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        asked = start_scan(actor=org.office, campaign=org.campaign, unit=org.root)
    assert asked.state == ScanState.QUEUED and asked.requested_by == org.office
    assert pending_scan(org.campaign, org.root) == asked
    assert latest_scan(org.campaign, org.root) is None
    # Asked again while it waits: the same scan, nothing queued twice.
    assert start_scan(actor=org.supervisor, campaign=org.campaign, unit=org.root) == asked
    for callback in callbacks:
        callback()
    asked.refresh_from_db()
    assert (asked.state, asked.groups) == (ScanState.DONE, 1)
    assert latest_scan(org.campaign, org.root) == asked
    assert pending_scan(org.campaign, org.root) is None


def test_asking_for_a_scan_is_audited(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asked = start_scan(actor=org.office, campaign=org.campaign, unit=org.branch1)
    entries = LogEntry.objects.get_for_object(asked)
    assert [(e.action, e.actor_id) for e in entries] == [(LogEntry.Action.CREATE, org.office.pk)]
    asked.refresh_from_db()
    assert asked.state == ScanState.DONE  # its runs were not logged as changes


@pytest.mark.parametrize("who", ["member1", "contact1", "leader", "outsider"])
def test_only_offices_and_supervisors_may_ask(org, who):
    user = getattr(org, who)
    assert not may_scan(user, org.campaign, org.branch1)
    with pytest.raises(PermissionDenied):
        start_scan(actor=user, campaign=org.campaign, unit=org.branch1)
    assert not CopyScan.objects.exists()


def test_a_branch_office_scans_its_branch_only(org):
    office = UserFactory(username="branch-office", unit=org.branch1)
    grant(office, org.branch1, Role.OFFICE)
    assert may_scan(office, org.campaign, org.branch1)
    assert not may_scan(office, org.campaign, org.branch2)
    assert not may_scan(office, org.campaign, org.root)
    assert may_scan(org.supervisor, org.campaign, org.branch2)


def test_a_bad_threshold_is_refused(org):
    with pytest.raises(ValidationError) as error:
        start_scan(actor=org.office, campaign=org.campaign, unit=org.root, threshold=1.5)
    assert "threshold" in error.value.message_dict
    assert not CopyScan.objects.exists()


# ---------------------------------------------------------------- reading


def test_scan_groups_pages_most_similar_first(org, monkeypatch):
    monkeypatch.setattr(scan, "GROUPS_PER_PAGE", 2)
    variants = [ORIGINAL, UNRELATED, OTHER_UNRELATED]
    for text in variants:
        reflection(org, org.member1, text)
        reflection(org, org.contact2, text + "改革创新、奋发有为！", unit=org.branch2)
    done = scanned(org)
    assert done.groups == 3
    first_page = scan_groups(done, 1)
    second_page = scan_groups(done, 2)
    assert [g.number for g in first_page.groups] == [1, 2]
    assert [g.number for g in second_page.groups] == [3]
    similarities = [g.members[1].similarity for g in first_page.groups + second_page.groups]
    assert similarities == sorted(similarities, reverse=True)
    assert scan_group(done, 3).members == second_page.groups[0].members


@pytest.mark.parametrize("size", [2, 8])
def test_reading_groups_takes_the_same_queries_at_any_size(
    org, size, django_assert_max_num_queries
):
    for n in range(size):
        unit = make_unit(f"支部{n}", f"unit{n}", org.organ)
        author = UserFactory(username=f"author{n}", unit=unit)
        text = ORIGINAL if n % 2 else UNRELATED
        reflection(org, author, f"{text}第{n}稿。")
        opinion(org, author, f"{text}第{n}稿！")
    done = scanned(org)
    assert done.groups == 2
    with django_assert_max_num_queries(2):
        page = scan_groups(done)
        assert sum(len(g.members) for g in page.groups) == 2 * size


def test_a_group_whose_texts_were_deleted_is_gone(org):
    reflection(org, org.member1, ORIGINAL)
    copy = reflection(org, org.contact2, COPY, unit=org.branch2)
    done = scanned(org)
    copy.delete()
    assert scan_groups(done).groups == []
    with pytest.raises(Http404):
        scan_group(done, 1)


# ---------------------------------------------------------------- manage.py find_copies


def test_find_copies_prints_the_groups(org, capsys):
    dated(reflection(org, org.contact2, ORIGINAL, unit=org.branch2), 5)
    dated(reflection(org, org.member1, COPY), 20)
    indexing.rebuild()
    call_command("find_copies", "--campaign", "camp")
    out = capsys.readouterr().out
    assert "2 texts" in out and "1 group" in out
    assert out.index(org.branch2.display_name) < out.index(org.branch1.display_name)
    assert "first" in out and f"{round(copies.jaccard(ORIGINAL, COPY) * 100)}%" in out
    assert CopyScan.objects.get().state == ScanState.DONE


def test_find_copies_as_json(org, capsys):
    reflection(org, org.member1, ORIGINAL)
    reflection(org, org.contact2, COPY, unit=org.branch2)
    indexing.rebuild()
    call_command("find_copies", "--campaign", "camp", "--unit", "branch1", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["unit"] == "branch1" and data["texts"] == 1 and data["groups"] == []
    call_command("find_copies", "--campaign", "camp", "--threshold", "0.5", "--json")
    data = json.loads(capsys.readouterr().out)
    [group] = data["groups"]
    assert [m["first"] for m in group["members"]] == [True, False]
    assert group["members"][0]["unit"] == org.branch1.display_name
    assert data["threshold"] == 0.5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--campaign", "nope"], "--campaign"),
        (["--campaign", "camp", "--unit", "nope"], "--unit"),
        (["--campaign", "camp", "--threshold", "0"], "--threshold"),
    ],
)
def test_find_copies_refuses_bad_input(org, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("find_copies", *args)
    assert not CopyScan.objects.exists()
