"""Where a problem came from: links to the record it was found in, checked and scoped."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import translation

from taolun.activities.models import ActivityRecord
from taolun.activities.services import record_create
from taolun.campaigns.tests.factories import make_campaign
from taolun.discussion.models import Opinion
from taolun.discussion.services import opinion_classify, opinion_post, topic_create
from taolun.discussion.tests.factories import make_topic, post
from taolun.org.models import Unit
from taolun.rectification.models import Problem, ProblemSource
from taolun.rectification.selectors import get_source_for_user
from taolun.rectification.services import problem_update
from taolun.rectification.sources import (
    SOURCE_KINDS,
    is_source_kind,
    kind_of,
    problems_from,
    source_for_user,
)
from taolun.rectification.tests.factories import make_problem

D = dt.date


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 3, 15))


def record(org, unit: str, who: str, campaign=None) -> ActivityRecord:
    campaign = campaign or org.campaign
    return record_create(
        actor=getattr(org, who),
        action=campaign.actions.get(number=1),
        unit=getattr(org, unit),
        title=f"{unit} 专题组织生活会",
        held_on=D(2019, 3, 1),
    )


@pytest.fixture
def records(org):
    other_campaign = make_campaign(org.root, "camp2")
    return {
        "b1": record(org, "branch1", "contact1"),
        "b2": record(org, "branch2", "contact2"),
        "other": record(org, "branch1", "contact1", campaign=other_campaign),
    }


def source_error(call) -> list[str]:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        call()
    assert set(exc.value.message_dict) == {"source_object"}
    return exc.value.message_dict["source_object"]


def test_records_opinions_and_findings_are_the_kinds_of_source(org, records):
    assert [k.model for k in SOURCE_KINDS] == [
        "activities.ActivityRecord",
        "discussion.Opinion",
        "supervision.Finding",
    ]
    assert kind_of(records["b1"]).model_class() is ActivityRecord
    assert is_source_kind(records["b1"])
    assert not is_source_kind(org.branch1)
    assert kind_of(org.contact1) is None


def test_a_readable_record_of_the_campaign_is_accepted(org, records):
    problem = make_problem(org, source="organisational_life_meeting", source_object=records["b1"])
    problem.refresh_from_db()
    assert problem.source_object == records["b1"]
    assert problem.source_type == ContentType.objects.get_for_model(ActivityRecord)
    assert list(problems_from(records["b1"])) == [problem]
    assert not problems_from(records["b2"]).exists()


def test_the_office_links_any_record_in_its_scope(org, records):
    problem = make_problem(org, unit="branch2", who="office", source_object=records["b1"])
    assert problem.source_id == records["b1"].pk


def test_another_campaigns_record_is_refused(org, records):
    messages = source_error(lambda: make_problem(org, source_object=records["other"]))
    assert messages == ["The source belongs to another campaign."]
    assert not Problem.objects.exists()


def test_a_record_the_actor_cannot_read_is_refused(org, records):
    messages = source_error(lambda: make_problem(org, source_object=records["b2"]))
    assert messages == ["Choose a source you can see."]
    assert not Problem.objects.exists()


@pytest.mark.parametrize("what", ["unit", "person", "theme", "problem"])
def test_an_object_that_is_no_source_is_refused(org, what):
    existing = make_problem(org)
    obj = {
        "unit": org.branch1,
        "person": org.contact1,
        "theme": org.campaign.themes.first(),
        "problem": existing,
    }[what]
    messages = source_error(lambda: make_problem(org, source_object=obj))
    assert messages == ["A problem cannot come from this kind of object."]
    assert list(Problem.objects.all()) == [existing]


def test_update_checks_a_new_source_and_keeps_the_old_one_on_error(org, records):
    problem = make_problem(org, open_now=True)
    problem_update(actor=org.contact1, problem=problem, source_object=records["b1"])
    problem.refresh_from_db()
    assert problem.source_object == records["b1"]
    for bad, message in (
        (records["b2"], "Choose a source you can see."),
        (records["other"], "The source belongs to another campaign."),
        (org.branch2, "A problem cannot come from this kind of object."),
    ):
        assert source_error(
            lambda bad=bad: problem_update(
                actor=org.contact1, problem=problem, source_object=bad, source_note="改"
            )
        ) == [message]
        problem.refresh_from_db()
        assert (problem.source_id, problem.source_note) == (records["b1"].pk, "")
    problem_update(actor=org.contact1, problem=problem, source_object=None)
    problem.refresh_from_db()
    assert problem.source_type is None and problem.source_id is None


def test_source_for_user_hides_what_the_viewer_cannot_read(org, records):
    linked = make_problem(org, unit="branch2", who="office", source_object=records["b1"])
    assert source_for_user(org.office, linked) == records["b1"]
    assert source_for_user(org.supervisor, linked) == records["b1"]
    # branch2's contact sees its own problem, not branch1's record it came from.
    assert source_for_user(org.contact2, linked) is None
    assert source_for_user(org.outsider, linked) is None
    assert source_for_user(org.office, make_problem(org)) is None


def test_source_for_user_ignores_links_to_kinds_that_are_no_source(org, records):
    problem = make_problem(org)
    # A link written around the service (an old import, a removed kind) shows nothing.
    Problem.objects.filter(pk=problem.pk).update(
        source_type=ContentType.objects.get_for_model(Unit), source_id=org.branch1.pk
    )
    problem.refresh_from_db()
    assert source_for_user(org.office, problem) is None


def test_problems_from_matches_the_kind_as_well_as_the_id(org, records):
    linked = make_problem(org, source_object=records["b1"])
    same_id = make_problem(org)
    Problem.objects.filter(pk=same_id.pk).update(
        source_type=ContentType.objects.get_for_model(Unit), source_id=records["b1"].pk
    )
    assert list(problems_from(records["b1"])) == [linked]


def test_source_for_user_is_one_query(org, records, django_assert_num_queries):
    problem = make_problem(org, source_object=records["b1"])
    ContentType.objects.get_for_model(ActivityRecord)  # the content type cache is warm
    with django_assert_num_queries(1):
        assert source_for_user(org.contact1, problem) == records["b1"]


# ---------------------------------------------------------------- what a source suggests


def test_a_record_suggests_its_name_and_unit(org, records):
    record_ = records["b2"]
    assert kind_of(record_).initial(record_) == {
        "source_note": str(record_),
        "unit": org.branch2.pk,
    }


@pytest.fixture
def opinion(org):
    topic = make_topic(org, who="contact1", unit="branch1", question="学习怎样才不流于形式？")
    made = post(org, topic, body="集中学习<script>x</script>太少", anonymous=True)
    opinion_classify(actor=org.office, opinion=made, theme=org.campaign.themes.get())
    made.refresh_from_db()
    return made


def test_an_opinion_suggests_its_text_theme_and_topic_never_its_author(org, opinion):
    assert kind_of(opinion).initial(opinion) == {
        "description": "集中学习太少",
        "source": ProblemSource.STAFF_OPINION,
        "theme": org.campaign.themes.get().pk,
        "unit": org.branch1.pk,
        "source_note": "学习怎样才不流于形式？",
    }


def test_an_opinion_is_a_source_of_its_campaign_for_those_who_read_it(org, opinion):
    readable = Opinion.objects.get(pk=opinion.pk)
    problem = make_problem(org, who="office", source_object=readable)
    assert problem.source_object == opinion
    assert source_for_user(org.contact1, problem) == opinion
    assert source_for_user(org.contact2, problem) is None  # branch2 cannot read branch1's topic
    # contact2 may record for branch2 but cannot take branch1's opinion as a source.
    messages = source_error(lambda: make_problem(org, unit="branch2", source_object=readable))
    assert messages == ["Choose a source you can see."]


def test_an_opinion_of_another_campaign_is_refused(org):
    other = make_campaign(org.root, "camp2")
    topic = topic_create(
        actor=org.office,
        campaign=other,
        unit=org.root,
        question="别的讨论",
        opens_on=D(2019, 3, 1),
        closes_on=D(2019, 3, 31),
    )
    opinion = opinion_post(actor=org.member1, topic=topic, body="意见")
    source = get_source_for_user(org.office, f"discussion.opinion:{opinion.pk}")
    messages = source_error(lambda: make_problem(org, who="office", source_object=source))
    assert messages == ["The source belongs to another campaign."]


# ---------------------------------------------------------------- supervision findings


@pytest.fixture
def findings(org):
    from taolun.supervision.inspections import finding_add, inspection_create
    from taolun.supervision.models import FindingKind

    inspection = inspection_create(
        actor=org.supervisor,
        campaign=org.campaign,
        unit=org.branch1,
        visited_on=D(2019, 3, 10),
        checked="<p>台账</p>",
    )
    return {
        "problem": finding_add(actor=org.supervisor, inspection=inspection, text="<p>记录不全</p>"),
        "good": finding_add(
            actor=org.supervisor,
            inspection=inspection,
            kind=FindingKind.GOOD_PRACTICE,
            text="<p>做法好</p>",
        ),
    }


def test_the_ledgers_form_puts_a_finding_on_the_ledger_once(org, findings):
    from taolun.supervision.inspections import finding_to_problem

    finding = findings["problem"]
    first = make_problem(org, source_object=finding)
    assert first.source_object == finding
    messages = source_error(lambda: make_problem(org, source_object=finding))
    assert messages == [f"Finding 1 is already on the ledger as problem {first.ledger_number}."]
    # The inspection's one step says the same, in the same words.
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        finding_to_problem(actor=org.contact1, finding=finding)
    assert exc.value.messages == messages
    assert list(problems_from(finding)) == [first]


def test_the_ledgers_form_refuses_a_good_practice(org, findings):
    messages = source_error(lambda: make_problem(org, source_object=findings["good"]))
    assert messages == ["Finding 2 is a good practice, not a problem."]
    assert not Problem.objects.exists()


def test_a_problem_keeps_its_finding_but_takes_none_already_on_the_ledger(org, findings):
    finding = findings["problem"]
    first = make_problem(org, source_object=finding)
    # Saving the link it has is no second problem.
    problem_update(actor=org.contact1, problem=first, source_object=finding, source_note="改")
    first.refresh_from_db()
    assert (first.source_id, first.source_note) == (finding.pk, "改")
    other = make_problem(org)
    messages = source_error(
        lambda: problem_update(actor=org.contact1, problem=other, source_object=finding)
    )
    assert messages == [f"Finding 1 is already on the ledger as problem {first.ledger_number}."]
    other.refresh_from_db()
    assert other.source_id is None
    assert source_error(
        lambda: problem_update(actor=org.contact1, problem=other, source_object=findings["good"])
    ) == ["Finding 2 is a good practice, not a problem."]


def test_a_finding_is_checked_locked(org, findings, monkeypatch):
    """Two problems written at once from one finding wait for each other's check."""
    from django.db.models import QuerySet

    from taolun.rectification import sources

    locked: list[str] = []
    select_for_update = QuerySet.select_for_update

    def recording(self, *args, **kwargs):
        locked.append(self.model._meta.label)
        return select_for_update(self, *args, **kwargs)

    seen: list[tuple[int, bool]] = []
    kind = kind_of(findings["problem"])

    def check(source, problem):
        seen.append((source.pk, "supervision.Finding" in locked))
        return kind.check(source, problem)

    monkeypatch.setattr(QuerySet, "select_for_update", recording)
    monkeypatch.setattr(
        sources,
        "SOURCE_KINDS",
        tuple(k if k is not kind else dataclasses.replace(k, check=check) for k in SOURCE_KINDS),
    )
    make_problem(org, source_object=findings["problem"])
    assert seen == [(findings["problem"].pk, True)]


def test_a_record_has_no_rule_of_its_own(org, records):
    # Records and opinions may be the source of several problems.
    make_problem(org, source_object=records["b1"])
    make_problem(org, source_object=records["b1"])
    assert problems_from(records["b1"]).count() == 2
