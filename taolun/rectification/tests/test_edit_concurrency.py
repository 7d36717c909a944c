"""Two people edit the same problem: the second save is refused, nothing is overwritten, and
what the second typed comes back with the reason; the API's writes do not take part."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from taolun.api.tokens import token_create
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.rectification.models import Problem, ProblemState
from taolun.rectification.services import MeasureInput, measure_set_done, problem_update
from taolun.rectification.tests.factories import make_problem

D = dt.date


@pytest.fixture
def march(travel):
    return travel(D(2019, 3, 10))


@pytest.fixture
def problem(org, march) -> Problem:
    return make_problem(org, measures=[MeasureInput("制定学习计划", D(2019, 3, 31))])


@pytest.fixture
def second_contact(org):
    """Another contact of branch1, so that two people may edit its problems."""
    user = UserFactory(username="contact1b", name="联络员乙", unit=org.branch1)
    grant(user, org.branch1, Role.CONTACT)
    return user


def edit_url(problem: Problem) -> str:
    return reverse("rectification:problem_edit", args=[problem.pk])


def opened(client, user, problem: Problem) -> dict[str, str]:
    """Open the edit page as ``user``: the form's fields as the browser would send them."""
    client.force_login(user)
    page = client.get(edit_url(problem))
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        name: _text(form[name].value()) for name in form.fields if not form[name].field.disabled
    }
    data["supporting_units"] = []
    measures = page.context["measures"]
    data.update(
        {
            f"{measures.prefix}-TOTAL_FORMS": str(len(measures.forms)),
            f"{measures.prefix}-INITIAL_FORMS": str(measures.initial_form_count()),
            f"{measures.prefix}-MIN_NUM_FORMS": "0",
            f"{measures.prefix}-MAX_NUM_FORMS": "100",
        }
    )
    for i, row in enumerate(measures.forms):
        data[f"{measures.prefix}-{i}-text"] = _text(row["text"].value())
        data[f"{measures.prefix}-{i}-deadline"] = _text(row["deadline"].value())
        if row["done"].value():
            data[f"{measures.prefix}-{i}-done"] = "on"
    return data


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def save(client, user, problem: Problem, data: dict[str, str]):
    client.force_login(user)
    return client.post(edit_url(problem), data)


def test_the_second_of_two_editors_is_refused_and_keeps_what_they_typed(
    org, problem, second_contact, client
):
    first = opened(client, org.contact1, problem)
    second = opened(client, second_contact, problem)
    assert first["version"] and first["version"] == second["version"]

    first["description"] = "第一人改写的描述"
    assert save(client, org.contact1, problem, first).status_code == 302

    second["description"] = "第二人改写的描述"
    second["source_note"] = "第二人补充的来源"
    response = save(client, second_contact, problem, second)
    assert response.status_code == 200
    problem.refresh_from_db()
    assert "第一人改写的描述" in problem.description
    assert problem.source_note != "第二人补充的来源"
    page = response.content.decode()
    error = response.context["form"].non_field_errors()[0]
    assert re.fullmatch(
        r"联络员一 changed this problem at \d\d:\d\d, while you were editing it\. Your changes "
        r"were not saved: compare them with the current version below and save again\.",
        error,
    )
    assert "联络员一 changed this problem at" in page
    # What the second editor typed is in the form; the saved text is shown below it.
    form = response.context["form"]
    assert form["description"].value() == "第二人改写的描述"
    assert form["source_note"].value() == "第二人补充的来源"
    current = page.split('id="current-version"')[1]
    assert "第一人改写的描述" in current and "第二人改写的描述" not in current

    # The form shown again carries the current version: saving it now is deliberate.
    again = {**second, "version": form["version"].value()}
    assert again["version"] != second["version"]
    assert save(client, second_contact, problem, again).status_code == 302
    problem.refresh_from_db()
    assert "第二人改写的描述" in problem.description
    assert problem.source_note == "第二人补充的来源"


def test_a_measure_ticked_off_meanwhile_makes_the_edit_stale(org, problem, client):
    """Ticking a measure does not save the problem's row; the version still sees it."""
    stale = opened(client, org.contact1, problem)
    measure = problem.measures.get()
    problem_update(actor=org.office, problem=problem, description="办公室改过")
    problem.refresh_from_db()
    fresh = opened(client, org.contact1, problem)
    measure_set_done(actor=org.office, measure=measure, done=True)

    for data in (stale, fresh):
        data["description"] = "联络员的改写"
        response = save(client, org.contact1, problem, data)
        assert response.status_code == 200
        assert "办公室 changed this problem at" in response.context["form"].non_field_errors()[0]
    measure.refresh_from_db()
    problem.refresh_from_db()
    assert measure.done and "办公室改过" in problem.description


def test_a_save_without_a_version_is_refused_once_then_accepted(org, problem, client):
    """An old page (no version field) cannot overwrite blindly; the page shown again can."""
    data = opened(client, org.contact1, problem)
    del data["version"]
    data["description"] = "旧页面的改写"
    response = save(client, org.contact1, problem, data)
    assert response.status_code == 200
    error = response.context["form"].non_field_errors()[0]
    assert "did not say which version of this problem you started from" in error
    problem.refresh_from_db()
    assert "旧页面的改写" not in problem.description
    assert response.context["form"]["description"].value() == "旧页面的改写"
    assert '<input type="hidden" name="version"' in response.content.decode()

    again = {**data, "version": response.context["form"]["version"].value()}
    assert save(client, org.contact1, problem, again).status_code == 302
    problem.refresh_from_db()
    assert "旧页面的改写" in problem.description


def test_a_tampered_version_is_refused(org, problem, client):
    data = opened(client, org.contact1, problem)
    data["version"] = "1-0"
    data["description"] = "伪造版本"
    assert save(client, org.contact1, problem, data).status_code == 200
    problem.refresh_from_db()
    assert "伪造版本" not in problem.description


def test_adding_a_measure_row_keeps_the_version_the_editor_started_from(org, problem, client):
    data = opened(client, org.contact1, problem)
    started = data["version"]
    problem_update(actor=org.office, problem=problem, description="办公室改过")
    response = save(client, org.contact1, problem, {**data, "add_measure": "1"})
    assert response.context["form"]["version"].value() == started
    data["description"] = "联络员的改写"
    assert save(client, org.contact1, problem, data).status_code == 200
    problem.refresh_from_db()
    assert "办公室改过" in problem.description


def test_the_state_moved_meanwhile_refuses_the_edit(org, problem, client):
    """Put on the ledger by someone else: the draft-only fields are shown as they are now."""
    from taolun.rectification.services import problem_open

    data = opened(client, org.contact1, problem)
    problem_open(actor=org.office, problem=problem)
    data["deadline"] = "2019-12-31"
    response = save(client, org.contact1, problem, data)
    assert response.status_code == 200
    problem.refresh_from_db()
    assert problem.state == ProblemState.OPEN and problem.deadline == D(2019, 4, 30)
    assert response.context["form"].fields["deadline"].disabled


def test_api_writes_need_no_version_and_count_as_changes(org, march, client, second_contact):
    """The API records problems and progress without a version. A progress report touches
    the problem (it may start the work), so an edit opened before it is refused."""
    problem = make_problem(org, open_now=True)
    secret = token_create(second_contact, "test")[1]
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}

    def post(path, body):
        return client.post(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers
        )

    data = opened(client, org.contact1, problem)
    created = post(
        "/campaigns/camp/problems",
        {"unit": "branch1", "description": "接口登记的问题", "deadline": "2019-04-30"},
    )
    assert created.status_code == 201, created.content
    assert Problem.objects.filter(pk=created.json()["id"]).exists()
    response = save(client, org.contact1, problem, {**data, "description": "无关的登记之后"})
    assert response.status_code == 302, "another problem's creation is no change to this one"

    data = opened(client, org.contact1, problem)
    assert post(f"/problems/{problem.pk}/progress", {"text": "开始整改"}).status_code == 201
    response = save(client, org.contact1, problem, {**data, "description": "进展之后的改写"})
    assert response.status_code == 200
    assert "联络员乙 changed this problem" in response.context["form"].non_field_errors()[0]
    problem.refresh_from_db()
    assert problem.state == ProblemState.IN_PROGRESS
    assert "进展之后的改写" not in problem.description
