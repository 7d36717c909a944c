"""The back office for the ledger: scoped, states and evidence read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin

from taolun.core.tests.admin_utils import make_staff, url
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.rectification.models import (
    ExtensionRequest,
    ImportState,
    LedgerImport,
    Measure,
    Problem,
    ProblemState,
    ProgressUpdate,
    Rating,
    SatisfactionVote,
)
from taolun.rectification.services import (
    MeasureInput,
    evaluation_open,
    extension_request,
    problem_complete,
    problem_verify,
    progress_add,
    vote_cast,
)
from taolun.rectification.tests.factories import make_problem

pytestmark = pytest.mark.django_db
D = dt.date
PERMS = (
    "rectification.view_problem",
    "rectification.change_problem",
    "rectification.view_measure",
    "rectification.view_progressupdate",
    "rectification.view_extensionrequest",
)


@pytest.fixture
def problems(org, travel):
    travel(D(2019, 3, 15))
    made = {
        "branch1": make_problem(
            org, open_now=True, measures=[MeasureInput("制定计划", D(2019, 4, 1))]
        ),
        "branch2": make_problem(org, unit="branch2", open_now=True),
    }
    for problem, who in ((made["branch1"], org.contact1), (made["branch2"], org.contact2)):
        progress_add(actor=who, problem=problem, text="进展")
        extension_request(
            actor=who, problem=problem, reason="理由", requested_deadline=D(2019, 5, 31)
        )
    return made


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", name="超级管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def staff1(org, client):
    # Back-office writes need the office role over the unit; a contact only reads there.
    grant(org.contact1, org.branch1, Role.OFFICE)
    user = make_staff(org.contact1, *PERMS)
    client.force_login(user)
    return user


def problem_form(problem: Problem, **overrides) -> dict:
    data = {
        "description": problem.description,
        "source": problem.source,
        "source_note": problem.source_note,
        "theme": problem.theme_id or "",
        "level": problem.level,
        "kind": problem.kind,
        "target_standard": problem.target_standard,
        "responsible_leader": problem.responsible_leader_id or "",
        "person_in_charge": problem.person_in_charge_id or "",
    }
    for prefix, rows in (
        ("measures", list(problem.measures.all())),
        ("updates", list(problem.updates.all())),
        ("extensions", list(problem.extensions.all())),
    ):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": len(rows),
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-problem"] = problem.pk
            if prefix == "measures":
                data.update(
                    {
                        f"{prefix}-{i}-order": row.order,
                        f"{prefix}-{i}-text": row.text,
                        f"{prefix}-{i}-deadline": row.deadline.isoformat(),
                    }
                )
    data.update(overrides)
    return data


def test_models_are_registered():
    for model in (Problem, Measure, ProgressUpdate, ExtensionRequest):
        assert model in admin.site._registry


def test_superuser_sees_everything_but_adds_nothing(org, problems, superuser, client):
    client.force_login(superuser)
    for model in (Problem, ProgressUpdate, ExtensionRequest):
        response = client.get(url(model))
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == 2
        assert client.get(url(model, "add")).status_code == 403
    assert client.get(url(Problem, "change", problems["branch2"].pk)).status_code == 200


def test_staff_see_only_their_units(org, problems, staff1, client):
    shown = list(client.get(url(Problem)).context["cl"].result_list)
    assert shown == [problems["branch1"]]
    for model in (ProgressUpdate, ExtensionRequest, Measure):
        rows = client.get(url(model)).context["cl"].result_list
        assert {r.problem_id for r in rows} == {problems["branch1"].pk}
    other = problems["branch2"]
    for view in ("change", "delete", "history"):
        assert client.get(url(Problem, view, other.pk)).status_code == 404, view
    assert client.get(url(ProgressUpdate, "change", other.updates.get().pk)).status_code == 404


def test_state_and_sign_off_are_read_only_and_text_is_sanitised(org, problems, staff1, client):
    problem = problems["branch1"]
    form = client.get(url(Problem, "change", problem.pk)).context["adminform"].form
    for name in ("state", "ledger_number", "deadline", "unit", "verified_by", "extension_count"):
        assert name not in form.fields
    response = client.post(
        url(Problem, "change", problem.pk),
        problem_form(
            problem,
            description="<p>更正</p><script>x()</script>",
            state=ProblemState.VERIFIED,
            deadline="2020-01-01",
            ledger_number="X",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    problem.refresh_from_db()
    assert problem.description == "<p>更正</p>"
    assert problem.state == ProblemState.IN_PROGRESS
    assert problem.deadline == D(2019, 4, 30) and problem.ledger_number == "CAMP-BRANCH1-001"


def test_theme_choices_are_the_problems_campaign(org, problems, superuser, client):
    client.force_login(superuser)
    form = client.get(url(Problem, "change", problems["branch1"].pk)).context["adminform"].form
    assert list(form.fields["theme"].queryset) == list(org.campaign.themes.all())


def test_changelist_queries_do_not_grow(org, staff1, client, travel, django_assert_max_num_queries):
    travel(D(2019, 3, 15))
    for _ in range(2):
        make_problem(org)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url(Problem)).status_code == 200
    for _ in range(10):
        make_problem(org)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(Problem)).status_code == 200


# ---------------------------------------------------------------- votes and imports


@pytest.fixture
def voted(org, travel):
    """A verified problem per branch, each evaluated by a member of its branch."""
    travel(D(2019, 3, 15))
    made = {}
    for unit, contact in (("branch1", org.contact1), ("branch2", org.contact2)):
        problem = make_problem(org, unit=unit, open_now=True)
        progress_add(actor=contact, problem=problem, text="进展")
        problem_complete(actor=contact, problem=problem)
        problem_verify(actor=org.office, problem=problem)
        evaluation_open(actor=org.office, problem=problem)
        made[unit] = problem
    vote_cast(
        actor=org.member1, problem=made["branch1"], rating=Rating.UNSATISFIED, comment="走过场"
    )
    vote_cast(actor=org.contact2, problem=made["branch2"], rating=Rating.SATISFIED)
    return made


@pytest.fixture
def imports(org):
    def make(unit, name: str, **kw) -> LedgerImport:
        return LedgerImport.objects.create(
            campaign=org.campaign,
            unit=unit,
            original_name=name,
            sha256="0" * 64,
            uploaded_by=org.office,
            **kw,
        )

    return {
        "branch1": make(
            org.branch1,
            "第一支部台账.xlsx",
            state=ImportState.FAILED,
            errors=[{"row": 7, "column": "责任单位", "message": "未知单位“宣传部”"}],
        ),
        "branch2": make(org.branch2, "第二支部台账.xlsx", state=ImportState.APPLIED, added=3),
    }


@pytest.fixture
def reader1(org, client):
    """A staff member over branch1 with view permissions only on votes and imports."""
    user = make_staff(
        org.contact1, "rectification.view_satisfactionvote", "rectification.view_ledgerimport"
    )
    client.force_login(user)
    return user


def test_votes_and_imports_are_registered_read_only(org, voted, imports, superuser, client):
    client.force_login(superuser)
    for model, obj in (
        (SatisfactionVote, SatisfactionVote.objects.first()),
        (LedgerImport, imports["branch1"]),
    ):
        assert model in admin.site._registry
        assert client.get(url(model)).status_code == 200
        assert client.get(url(model, "add")).status_code == 403
        page = client.get(url(model, "change", obj.pk))
        assert page.status_code == 200
        assert not page.context["adminform"].form.fields  # nothing to edit
        assert client.post(url(model, "change", obj.pk), {}).status_code == 403
        assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert SatisfactionVote.objects.count() == 2
    assert LedgerImport.objects.count() == 2


def test_only_superusers_see_who_voted(org, voted, superuser, reader1, client):
    vote = SatisfactionVote.objects.get(problem=voted["branch1"])
    listing = client.get(url(SatisfactionVote))
    assert [v.pk for v in listing.context["cl"].result_list] == [vote.pk]
    assert "voter" not in listing.context["cl"].list_display
    page = client.get(url(SatisfactionVote, "change", vote.pk)).content.decode()
    assert "走过场" in page
    for html in (listing.content.decode(), page):
        assert org.member1.name not in html and org.member1.username not in html
    other = SatisfactionVote.objects.get(problem=voted["branch2"])
    assert client.get(url(SatisfactionVote, "change", other.pk)).status_code == 404

    client.force_login(superuser)
    listing = client.get(url(SatisfactionVote))
    assert "voter" in listing.context["cl"].list_display
    assert org.member1.name in client.get(url(SatisfactionVote, "change", vote.pk)).content.decode()


def test_imports_are_scoped_and_show_their_errors(org, imports, reader1, client):
    listing = client.get(url(LedgerImport))
    assert list(listing.context["cl"].result_list) == [imports["branch1"]]
    page = client.get(url(LedgerImport, "change", imports["branch1"].pk)).content.decode()
    assert "责任单位" in page and "未知单位“宣传部”" in page
    assert "/media/" not in page  # the workbook is named, never linked
    assert client.get(url(LedgerImport, "change", imports["branch2"].pk)).status_code == 404
