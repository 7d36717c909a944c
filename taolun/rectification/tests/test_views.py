"""The ledger pages: scope, permissions, the whole flow, bad input, filters, queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from taolun.activities.services import record_create
from taolun.activities.tests.files import PNG, fake_pdf, png
from taolun.rectification.models import (
    ExtensionRequest,
    ExtensionState,
    Measure,
    Problem,
    ProblemKind,
    ProblemSource,
    ProblemState,
    ProgressAttachment,
    ProgressUpdate,
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
from taolun.rectification.tests.factories import evidence, make_problem, put

D = dt.date
S = ProblemState
TODAY = D(2019, 3, 10)


@pytest.fixture
def march(travel):
    return travel(TODAY)


def as_user(client, user):
    client.force_login(user)
    return client


def url(name, *args):
    return reverse(f"rectification:{name}", args=args)


def ledger_url(**query):
    base = url("ledger", "camp")
    if not query:
        return base
    return base + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def form_data(**overrides):
    data = {
        "unit": "",
        "ledger_number": "",
        "description": "理论学习不够深入",
        "source": ProblemSource.SELF_EXAMINATION,
        "source_note": "支部自查",
        "theme": "",
        "level": "unit",
        "kind": ProblemKind.DEADLINE,
        "deadline": "2019-04-30",
        "target_standard": "每月集中学习两次",
        "responsible_leader": "",
        "person_in_charge": "",
        "measures-TOTAL_FORMS": "1",
        "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "0",
        "measures-MAX_NUM_FORMS": "100",
        "measures-0-text": "制定学习计划",
        "measures-0-deadline": "2019-03-31",
    }
    data.update(overrides)
    return data


def numbers(page: str) -> list[str]:
    """Ledger numbers of the ledger table's rows, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row" class="text-nowrap"><a href="[^"]+">([^<]+)</a>', body)


# ---------------------------------------------------------------- the whole flow


def test_whole_flow_through_the_pages(org, march, client):
    as_user(client, org.contact1)
    create = url("problem_create", "camp")
    page = client.get(create).content.decode()
    assert "Save as draft" in page and "Save and put on the ledger" in page
    response = client.post(create, form_data(unit=org.branch1.pk, open="1"))
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == url("problem", problem.pk)
    assert problem.state == S.OPEN and problem.ledger_number == "CAMP-BRANCH1-001"
    assert [m.text for m in problem.measures.all()] == ["制定学习计划"]

    detail = client.get(url("problem", problem.pk)).content.decode()
    assert "The problem was put on the ledger." in detail
    assert "CAMP-BRANCH1-001" in detail and "On track" in detail
    assert 'name="verify-comment"' not in detail  # a contact does not sign off

    response = client.post(
        url("problem_progress", problem.pk),
        {"progress-text": "已制定学习计划", "progress-files": [png("学习计划.png")]},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    attachment = ProgressAttachment.objects.get()
    assert problem.state == S.IN_PROGRESS and attachment.original_name == "学习计划.png"
    detail = client.get(url("problem", problem.pk)).content.decode()
    assert "学习计划.png" in detail and url("attachment", attachment.pk) in detail

    response = client.post(url("problem_complete", problem.pk), {"complete-note": "全部完成"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.state == S.COMPLETED and problem.completed_on == TODAY

    as_user(client, org.office)
    detail = client.get(url("problem", problem.pk)).content.decode()
    assert 'name="verify-comment"' in detail and 'name="send_back-comment"' in detail
    response = client.post(url("problem_verify", problem.pk), {"verify-comment": "同意销号"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.state, problem.verified_by) == (S.VERIFIED, org.office)
    ledger_page = client.get(ledger_url()).content.decode()
    assert "CAMP-BRANCH1-001" in ledger_page and "Verified" in ledger_page

    response = client.post(url("problem_evaluation_open", problem.pk))
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.evaluation_open and problem.evaluation_round == 1

    as_user(client, org.member1)
    detail = client.get(url("problem", problem.pk)).content.decode()
    assert "<legend" in detail and 'name="vote-rating"' in detail
    response = client.post(
        url("problem_vote", problem.pk), {"vote-rating": "unsatisfied", "vote-comment": "流于形式"}
    )
    assert response.status_code == 302
    detail = client.get(url("problem", problem.pk)).content.decode()
    assert "You said: Unsatisfied." in detail and "流于形式" in detail
    assert "Most members are unsatisfied with this fix." in detail
    assert "consider reopening" not in detail  # the banner is the office's
    assert "党员一" not in detail.split('id="evaluation-heading"')[1].split("</section>")[0]

    as_user(client, org.office)
    detail = client.get(url("problem", problem.pk)).content.decode()
    assert "Most members are unsatisfied: consider reopening." in detail
    assert 'name="vote-rating"' not in detail  # the office is no member of branch1
    ledger_page = client.get(ledger_url()).content.decode()
    assert "Most members unsatisfied" in ledger_page
    response = client.post(url("problem_reopen", problem.pk), {"reopen-reason": "群众不满意"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.state, problem.reopen_count, problem.evaluation_open) == (
        S.IN_PROGRESS,
        1,
        False,
    )
    detail = client.get(url("problem", problem.pk)).content.decode()
    assert "群众不满意" in detail

    history = detail.split('id="history-heading"')[1]
    assert (
        "State: Draft → Open" in history
        and "State: Completed, awaiting verification → Verified" in history
    )
    assert "Attachment: 学习计划.png" in history


def test_draft_then_open_from_the_problem_page(org, march, client):
    as_user(client, org.contact1)
    client.post(url("problem_create", "camp"), form_data(unit=org.branch1.pk, save="1"))
    problem = Problem.objects.get()
    assert problem.state == S.DRAFT
    page = client.get(url("problem", problem.pk)).content.decode()
    assert "Put on the ledger" in page
    assert client.post(url("problem_open", problem.pk)).status_code == 302
    problem.refresh_from_db()
    assert problem.state == S.OPEN
    assert client.get(url("problem_open", problem.pk)).status_code == 405


# ---------------------------------------------------------------- scope and permissions


def test_another_branchs_contact_gets_404_everywhere(org, march, client):
    problem = make_problem(org, open_now=True, measures=[MeasureInput("m", D(2019, 4, 1))])
    progress_add(actor=org.contact1, problem=problem, text="进展", files=[png()])
    extension = extension_request(
        actor=org.contact1, problem=problem, reason="需要时间", requested_deadline=D(2019, 6, 1)
    )
    attachment = ProgressAttachment.objects.get()
    as_user(client, org.contact2)
    assert client.get(url("problem", problem.pk)).status_code == 404
    assert client.get(url("problem_edit", problem.pk)).status_code == 404
    assert client.post(url("problem_edit", problem.pk), form_data()).status_code == 404
    assert client.get(url("attachment", attachment.pk)).status_code == 404
    for name in (
        "open",
        "progress",
        "complete",
        "send_back",
        "verify",
        "carry_over",
        "reopen",
        "extension",
        "evaluation_open",
        "evaluation_close",
        "vote",
    ):
        assert client.post(url(f"problem_{name}", problem.pk), {}).status_code == 404, name
    assert client.post(url("problem_measures", problem.pk), {"done": "1"}).status_code == 404
    assert (
        client.post(url("extension_decide", extension.pk), {"decision": "grant"}).status_code == 404
    )
    page = client.get(ledger_url()).content.decode()
    assert problem.ledger_number not in page
    problem.refresh_from_db()
    assert problem.state == S.IN_PROGRESS and problem.updates.count() == 1
    assert ExtensionRequest.objects.get().state == ExtensionState.REQUESTED


def test_contact_cannot_verify_no_button_and_403(org, march, client):
    problem = make_problem(org, open_now=True)
    evidence(problem, org.contact1)
    put(problem, S.COMPLETED, completed_on=TODAY)
    as_user(client, org.contact1)
    page = client.get(url("problem", problem.pk)).content.decode()
    assert url("problem_verify", problem.pk) not in page
    assert client.post(url("problem_verify", problem.pk), {}).status_code == 403
    problem.refresh_from_db()
    assert problem.state == S.COMPLETED


def test_supervisor_reads_but_is_offered_nothing(org, march, client):
    problem = make_problem(org, open_now=True)
    as_user(client, org.supervisor)
    page = client.get(url("problem", problem.pk)).content.decode()
    assert "What you can do" not in page and "Edit problem" not in page
    assert client.get(url("problem_edit", problem.pk)).status_code == 403
    assert client.get(url("problem_create", "camp")).status_code == 403
    assert "Record a problem" not in client.get(ledger_url()).content.decode()
    response = client.post(url("problem_progress", problem.pk), {"progress-text": "x"})
    assert response.status_code == 403


def test_office_cannot_vote_unless_a_member_of_the_units_concerned(org, march, client):
    problem = make_problem(org, open_now=True)
    evidence(problem, org.contact1)
    put(problem, S.VERIFIED, verified_on=TODAY)
    evaluation_open(actor=org.office, problem=problem)
    as_user(client, org.office)
    assert 'name="vote-rating"' not in client.get(url("problem", problem.pk)).content.decode()
    response = client.post(url("problem_vote", problem.pk), {"vote-rating": "satisfied"})
    assert response.status_code == 403
    assert not SatisfactionVote.objects.exists()


def test_vote_without_a_rating_names_the_field(org, march, client):
    problem = make_problem(org, open_now=True)
    evidence(problem, org.contact1)
    put(problem, S.VERIFIED, verified_on=TODAY)
    evaluation_open(actor=org.office, problem=problem)
    as_user(client, org.member1)
    response = client.post(url("problem_vote", problem.pk), {"vote-comment": "我的意见"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose satisfied, basically satisfied or unsatisfied." in page
    assert "我的意见" in page
    assert not SatisfactionVote.objects.exists()
    client.post(url("problem_vote", problem.pk), {"vote-rating": "satisfied"})
    response = client.post(url("problem_vote", problem.pk), {"vote-rating": "unsatisfied"})
    assert "You have already evaluated this problem." in response.content.decode()
    assert SatisfactionVote.objects.get().rating == "satisfied"


def test_anonymous_is_sent_to_login(org, client):
    response = client.get(url("index"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# ---------------------------------------------------------------- bad input


def test_no_description_names_the_field_and_keeps_the_input(org, march, client):
    as_user(client, org.contact1)
    response = client.post(
        url("problem_create", "camp"),
        form_data(unit=org.branch1.pk, description="", source_note="我写的来源", open="1"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_description_error"' in page
    assert 'href="#id_description" class="alert-link">Description of the problem</a>' in page
    assert "我写的来源" in page and "制定学习计划" in page
    assert not Problem.objects.exists()


def test_missing_deadline_for_a_deadline_kind_names_the_field(org, march, client):
    as_user(client, org.contact1)
    response = client.post(
        url("problem_create", "camp"),
        form_data(unit=org.branch1.pk, deadline="", description="没有期限的问题"),
    )
    page = response.content.decode()
    assert "Give a deadline; only a long-term problem may have none." in page
    assert 'id="id_deadline_error"' in page and "没有期限的问题" in page
    assert not Problem.objects.exists()
    # A long-term problem needs none.
    client.post(
        url("problem_create", "camp"),
        form_data(
            unit=org.branch1.pk,
            deadline="",
            kind=ProblemKind.LONG_TERM,
            **{"measures-0-text": "", "measures-0-deadline": ""},
        ),
    )
    assert Problem.objects.get().deadline is None


def test_measure_after_the_deadline_is_named_by_its_row(org, march, client):
    as_user(client, org.contact1)
    response = client.post(
        url("problem_create", "camp"),
        form_data(
            unit=org.branch1.pk,
            **{
                "measures-TOTAL_FORMS": "2",
                "measures-1-text": "太晚的措施",
                "measures-1-deadline": "2019-05-31",
            },
        ),
    )
    page = response.content.decode()
    assert "Measure 2: its deadline is after the problem&#x27;s deadline (2019-04-30)." in page
    assert "太晚的措施" in page and 'value="2019-05-31"' in page
    assert not Problem.objects.exists() and not Measure.objects.exists()


def test_half_filled_measure_row_names_the_missing_cell(org, march, client):
    as_user(client, org.contact1)
    response = client.post(
        url("problem_create", "camp"),
        form_data(unit=org.branch1.pk, **{"measures-0-deadline": ""}),
    )
    page = response.content.decode()
    assert "Measure 1, Deadline" in page and "Give this measure a deadline." in page
    assert not Problem.objects.exists()


def test_add_a_measure_keeps_everything_typed_and_saves_nothing(org, march, client):
    as_user(client, org.contact1)
    response = client.post(
        url("problem_create", "camp"),
        form_data(unit=org.branch1.pk, description="", add_measure="1"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="measures-TOTAL_FORMS" value="2"' in page
    assert 'name="measures-1-text"' in page and "制定学习计划" in page
    assert "支部自查" in page and "每月集中学习两次" in page
    assert "Please correct" not in page  # not checked yet: the user is still typing
    assert f'<option value="{org.branch1.pk}" selected>' in page
    assert not Problem.objects.exists()


def test_fake_pdf_progress_is_refused_naming_the_file(org, march, client):
    problem = make_problem(org, open_now=True)
    as_user(client, org.contact1)
    response = client.post(
        url("problem_progress", problem.pk),
        {"progress-text": "我的进展", "progress-files": [fake_pdf("整改报告.pdf")]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "“整改报告.pdf” is not an accepted file" in page
    assert 'id="id_progress-files_error"' in page
    assert "我的进展" in page and "choose your files again" in page
    assert not ProgressUpdate.objects.exists() and not ProgressAttachment.objects.exists()
    problem.refresh_from_db()
    assert problem.state == S.OPEN


def test_send_back_needs_a_comment_and_reaches_the_contact(org, march, client):
    problem = make_problem(org, open_now=True)
    evidence(problem, org.contact1)
    put(problem, S.COMPLETED, completed_on=TODAY)
    as_user(client, org.leader)
    response = client.post(url("problem_send_back", problem.pk), {"send_back-comment": " "})
    assert response.status_code == 200
    assert "Say what is still missing" in response.content.decode()
    problem.refresh_from_db()
    assert problem.state == S.COMPLETED
    client.post(url("problem_send_back", problem.pk), {"send_back-comment": "缺少照片"})
    problem.refresh_from_db()
    assert (problem.state, problem.review_comment) == (S.IN_PROGRESS, "缺少照片")
    as_user(client, org.contact1)
    assert "缺少照片" in client.get(url("problem", problem.pk)).content.decode()


def test_illegal_move_is_refused_with_a_message(org, march, client):
    problem = make_problem(org)  # a draft
    as_user(client, org.office)
    response = client.post(url("problem_verify", problem.pk), {"verify-comment": ""})
    assert response.status_code == 200
    assert "cannot become “Verified”" in response.content.decode()
    problem.refresh_from_db()
    assert problem.state == S.DRAFT


# ---------------------------------------------------------------- editing


def test_edit_an_open_problem_keeps_number_and_deadline(org, march, client):
    problem = make_problem(
        org, open_now=True, measures=[MeasureInput("第一条", D(2019, 4, 1))], theme=None
    )
    as_user(client, org.contact1)
    response = client.get(url("problem_edit", problem.pk))
    page = response.content.decode()
    assert re.search(r'name="deadline"[^>]*disabled', page)
    assert "moves only by a granted extension" in page
    data = form_data(
        version=response.context["form"]["version"].value(),
        description="改写后的描述",
        deadline="2019-12-31",
        ledger_number="HACK-1",
        **{
            "measures-INITIAL_FORMS": "1",
            "measures-0-text": "第一条",
            "measures-0-deadline": "2019-04-01",
            "measures-0-done": "on",
        },
    )
    response = client.post(url("problem_edit", problem.pk), data)
    assert response.status_code == 302
    problem.refresh_from_db()
    assert "改写后的描述" in problem.description
    assert (problem.deadline, problem.ledger_number) == (D(2019, 4, 30), "CAMP-BRANCH1-001")
    assert problem.measures.get().done
    history = (
        client.get(url("problem", problem.pk)).content.decode().split('id="history-heading"')[1]
    )
    assert "Description of the problem" in history
    assert re.search(r"Measure: 第一条</td>\s*<td>deleted</td>", history)  # replaced by the edit
    # Saving again with the same measures leaves them (and the history) alone.
    entries = history.count("<tr>")
    data["version"] = client.get(url("problem_edit", problem.pk)).context["form"]["version"].value()
    assert client.post(url("problem_edit", problem.pk), data).status_code == 302
    history = (
        client.get(url("problem", problem.pk)).content.decode().split('id="history-heading"')[1]
    )
    assert history.count("<tr>") == entries


def test_verified_problem_cannot_be_edited(org, march, client):
    problem = make_problem(org, open_now=True)
    put(problem, S.VERIFIED)
    as_user(client, org.contact1)
    assert client.get(url("problem_edit", problem.pk)).status_code == 403


def test_measures_ticks(org, march, client):
    problem = make_problem(
        org,
        open_now=True,
        measures=[MeasureInput("一", D(2019, 4, 1)), MeasureInput("二", D(2019, 4, 2))],
    )
    _first, second = problem.measures.order_by("order")
    as_user(client, org.contact1)
    response = client.post(url("problem_measures", problem.pk), {"done": [str(second.pk)]})
    assert response.status_code == 302
    assert list(problem.measures.order_by("order").values_list("done", flat=True)) == [
        False,
        True,
    ]
    as_user(client, org.member1)
    assert client.post(url("problem_measures", problem.pk), {"done": []}).status_code == 403


# ---------------------------------------------------------------- extensions


def test_extension_requested_granted_and_counted(org, march, client):
    problem = make_problem(org, open_now=True)
    as_user(client, org.contact1)
    response = client.post(
        url("problem_extension", problem.pk),
        {"extension-reason": "资金未到位", "extension-progress_so_far": "已完成一半"},
    )
    assert "Give the new deadline." in response.content.decode()
    assert "资金未到位" in response.content.decode()
    response = client.post(
        url("problem_extension", problem.pk),
        {"extension-reason": "资金未到位", "extension-requested_deadline": "2019-04-01"},
    )
    assert "must be after the current one" in response.content.decode()
    client.post(
        url("problem_extension", problem.pk),
        {"extension-reason": "资金未到位", "extension-requested_deadline": "2019-05-31"},
    )
    extension = ExtensionRequest.objects.get()
    as_user(client, org.office)
    page = client.get(url("problem", problem.pk)).content.decode()
    assert url("extension_decide", extension.pk) in page
    response = client.post(url("extension_decide", extension.pk), {"decision": "refuse"})
    assert "Say why the extension is refused." in response.content.decode()
    response = client.post(url("extension_decide", extension.pk), {"decision": "grant"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.deadline, problem.extension_count) == (D(2019, 5, 31), 1)
    page = client.get(url("problem", problem.pk)).content.decode()
    assert "1 extension granted" in page and "资金未到位" in page
    response = client.post(url("extension_decide", extension.pk), {"decision": "refuse"})
    assert "This request has already been decided." in response.content.decode()
    assert ExtensionRequest.objects.get().state == ExtensionState.GRANTED
    as_user(client, org.contact1)
    response = client.post(url("extension_decide", extension.pk), {"decision": "grant"})
    assert response.status_code == 403


# ---------------------------------------------------------------- attachments


def test_attachment_download_is_scoped_and_safe(org, march, client):
    problem = make_problem(org, open_now=True)
    progress_add(actor=org.contact1, problem=problem, text="", files=[png("现场照片.png")])
    attachment = ProgressAttachment.objects.get()
    as_user(client, org.supervisor)
    response = client.get(url("attachment", attachment.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


# ---------------------------------------------------------------- sources


def test_record_a_problem_found_in_a_record(org, march, client):
    action = org.campaign.actions.get(kind="prescribed", number=1)
    record = record_create(
        actor=org.contact1, action=action, unit=org.branch1, title="组织生活会", held_on=TODAY
    )
    as_user(client, org.contact1)
    record_page = client.get(record.get_absolute_url()).content.decode()
    link = re.search(r'href="([^"]+)">Record a problem found here', record_page).group(1)
    link = link.replace("&amp;", "&")
    form_page = client.get(link).content.decode()
    assert "Found in" in form_page and 'value="activities.activityrecord:' in form_page
    origin = re.search(r'name="origin" value="([^"]+)"', form_page).group(1)
    client.post(link, form_data(unit=org.branch1.pk, origin=origin, open="1"))
    problem = Problem.objects.get()
    assert problem.source_object == record
    detail = client.get(url("problem", problem.pk)).content.decode()
    assert record.get_absolute_url() in detail
    record_page = client.get(record.get_absolute_url()).content.decode()
    assert problem.ledger_number in record_page

    as_user(client, org.contact2)  # cannot read the record: no form for it
    assert client.get(link).status_code == 404


# ---------------------------------------------------------------- the ledger


@pytest.fixture
def rows(org, travel):
    """Five problems seen on 2019-04-10 (see test_selectors.ledger_rows)."""
    travel(D(2019, 3, 1))
    theme = org.campaign.themes.get()
    made = {
        "b1-late": make_problem(org, deadline=D(2019, 4, 1), theme=theme, open_now=True),
        "b1-soon": make_problem(
            org, deadline=D(2019, 4, 12), source=ProblemSource.STAFF_OPINION, open_now=True
        ),
        "b2-far": make_problem(
            org, unit="branch2", deadline=D(2019, 6, 1), responsible_leader=org.leader
        ),
        "b2-ontime": make_problem(org, unit="branch2", deadline=D(2019, 4, 1)),
        "b2-late": make_problem(org, unit="branch2", deadline=D(2019, 4, 2)),
    }
    put(made["b2-far"], S.IN_PROGRESS)
    put(made["b2-ontime"], S.VERIFIED, completed_on=D(2019, 3, 30))
    put(made["b2-late"], S.VERIFIED, completed_on=D(2019, 4, 3))
    travel(D(2019, 4, 10))
    return {name: p.ledger_number for name, p in made.items()}


def test_ledger_filters(org, rows, client):
    as_user(client, org.office)

    def shown(**query):
        return set(numbers(client.get(ledger_url(**query)).content.decode()))

    everything = set(rows.values())
    assert shown() == everything
    assert shown(unit="branch1") == {rows["b1-late"], rows["b1-soon"]}
    assert shown(unit="organ") == everything
    assert shown(theme=org.campaign.themes.get().pk) == {rows["b1-late"]}
    assert shown(source="staff_opinion") == {rows["b1-soon"]}
    assert shown(state="verified") == {rows["b2-ontime"], rows["b2-late"]}
    assert shown(overdue="yes") == {rows["b1-late"]}
    assert rows["b1-late"] not in shown(overdue="no")
    assert shown(light="yellow") == {rows["b1-soon"]}
    assert shown(deadline_from="2019-04-02", deadline_to="2019-05-01") == {
        rows["b1-soon"],
        rows["b2-late"],
    }
    assert shown(responsible_leader=org.leader.pk) == {rows["b2-far"]}
    assert shown(unit="nowhere") == everything  # an unknown value is dropped, not refused


def test_ledger_caption_counts_the_rows_the_filters_keep(org, rows, client, settings):
    """Without a state, light or overdue filter the caption reuses the counts above the
    table; with one (``overdue=no`` included) it counts the rows shown."""
    as_user(client, org.office)

    def caption(**query):
        page = client.get(ledger_url(**query)).content.decode()
        return re.search(r"<caption>(\d+) problems?", page).group(1)

    assert caption() == str(len(rows))
    assert caption(unit="branch1") == "2"
    assert caption(overdue="no") == str(len(rows) - 1)
    assert caption(overdue="yes") == caption(light="red") == "1"
    assert caption(state="verified", unit="branch2") == "2"
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]  # the Chinese page: its own full stop
    page = client.get(ledger_url()).content.decode()
    assert f"<caption>共 {len(rows)} 个问题。警示灯状态截至 2019-04-10。</caption>" in page


def test_ledger_unit_filter_lists_whole_levels_and_the_chosen_unit(org, rows, client, monkeypatch):
    """A province reaches thousands of villages: the list stops at the levels that fit, and
    a deeper unit chosen from a row's link is still offered, selected, and filters."""
    monkeypatch.setattr("taolun.rectification.forms.UNIT_CHOICES", 2)
    as_user(client, org.office)

    def offered(page):
        select = page.split('name="unit"')[1].split("</select>")[0]
        return re.findall(r'<option value="([^"]*)"( selected)?', select)

    page = client.get(ledger_url()).content.decode()
    assert [value for value, _selected in offered(page)] == ["", "root", "organ"]
    assert "Units further down: choose one from its row in the ledger" in page
    assert 'href="?unit=branch1' in page  # the row's link that reaches it

    page = client.get(ledger_url(unit="branch1")).content.decode()
    assert offered(page) == [("", ""), ("root", ""), ("organ", ""), ("branch1", " selected")]
    assert set(numbers(page)) == {rows["b1-late"], rows["b1-soon"]}

    monkeypatch.setattr("taolun.rectification.forms.UNIT_CHOICES", 300)
    page = client.get(ledger_url()).content.decode()
    assert [v for v, _s in offered(page)] == ["", "root", "organ", "branch1", "branch2"]
    assert "Units further down" not in page


def test_ledger_sorting_and_aria_sort(org, rows, client):
    as_user(client, org.office)
    page = client.get(ledger_url(sort="light")).content.decode()
    assert numbers(page)[:3] == [rows["b1-late"], rows["b1-soon"], rows["b2-far"]]
    assert re.search(r'<th scope="col" aria-sort="ascending"><a href="\?sort=-light">', page)
    page = client.get(ledger_url(sort="-deadline")).content.decode()
    assert numbers(page)[0] == rows["b2-far"]
    assert 'aria-sort="descending"' in page
    page = client.get(ledger_url()).content.decode()  # by deadline, the default
    assert numbers(page)[-1] == rows["b2-far"]
    # Sort links keep the filters.
    page = client.get(ledger_url(unit="branch1")).content.decode()
    assert 'href="?unit=branch1&amp;sort=number"' in page


def test_ledger_counts_link_to_their_filter(org, rows, client):
    as_user(client, org.office)
    page = client.get(ledger_url(unit="branch2")).content.decode()
    counts = page.split('id="counts-heading"')[1].split("</section>")[0]
    assert "3 problems within the other filters" in counts
    assert re.search(
        r'href="\?unit=branch2&amp;state=verified">Verified <span[^>]*>2</span>', counts
    )
    assert re.search(r'href="\?unit=branch2&amp;light=green">.*?On track.*?>1</span>', counts, re.S)
    # Overdue rows are marked, and the light says its meaning in words.
    page = client.get(ledger_url()).content.decode()
    assert page.count('class="ledger-overdue"') == 1
    assert "Overdue</span>" in page and "Due soon</span>" in page


def test_contacts_ledger_holds_only_its_branch(org, rows, client):
    as_user(client, org.contact2)
    page = client.get(ledger_url()).content.decode()
    assert set(numbers(page)) == {rows["b2-far"], rows["b2-ontime"], rows["b2-late"]}
    assert "Record a problem" in page and url("ledger_import", "camp") in page
    assert url("ledger_export", "camp") in page


def test_ledger_shows_latest_progress_and_export_keeps_filters(org, march, client):
    problem = make_problem(org, open_now=True)
    evidence(problem, org.contact1, "第一次汇报")
    evidence(problem, org.contact1, "最新进展汇报")
    as_user(client, org.office)
    page = client.get(ledger_url(state="open")).content.decode()
    assert "最新进展汇报" in page and "第一次汇报" not in page
    assert f"{url('ledger_export', 'camp')}?state=open" in page


def test_ledger_is_paginated(org, march, client):
    from taolun.rectification.views import PAGE_SIZE

    for i in range(PAGE_SIZE + 1):
        make_problem(org, description=f"问题{i}")
    as_user(client, org.office)
    page = client.get(ledger_url()).content.decode()
    assert f"{PAGE_SIZE + 1} problems" in page and "Next page" in page
    assert len(numbers(page)) == PAGE_SIZE
    assert len(numbers(client.get(ledger_url(page=2)).content.decode())) == 1


def test_index_lists_campaigns_or_goes_to_the_only_one(org, march, client):
    from taolun.campaigns.tests.factories import make_campaign
    from taolun.org.tests.factories import make_unit

    make_problem(org, open_now=True)
    as_user(client, org.contact1)
    response = client.get(url("index"))
    assert response.status_code == 302 and response["Location"] == ledger_url()
    make_campaign(make_unit("其他", "other", org.root), "other")
    as_user(client, org.office)
    page = client.get(url("index")).content.decode()
    assert ledger_url() in page and url("ledger", "other") in page
    assert client.get(url("ledger", "nope")).status_code == 404


def test_ledger_renders_in_chinese(org, march, client, settings):
    make_problem(org, open_now=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    as_user(client, org.office)
    response = client.get(ledger_url())
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode().lower()


# ---------------------------------------------------------------- queries


def _queries(client, path, django_assert_max_num_queries, limit) -> int:
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def _many(org, n):
    theme = org.campaign.themes.get()
    for i in range(n):
        unit = "branch1" if i % 2 else "branch2"
        problem = make_problem(
            org,
            unit=unit,
            theme=theme,
            responsible_leader=org.leader,
            person_in_charge=org.member1,
            open_now=True,
            supporting_units=[org.branch2] if unit == "branch1" else [],
            measures=[MeasureInput("措施", D(2019, 4, 1))],
        )
        evidence(problem, org.contact1, f"进展{i}")


def test_ledger_query_count_does_not_grow(org, march, client, django_assert_max_num_queries):
    _many(org, 3)
    as_user(client, org.office)
    client.get(ledger_url())
    few = _queries(client, ledger_url(sort="light"), django_assert_max_num_queries, 20)
    _many(org, 27)
    assert Problem.objects.count() == 30
    many = _queries(client, ledger_url(sort="light"), django_assert_max_num_queries, few)
    assert many == few


def _round(org, problem, *, files: int, votes: list[tuple[object, str]]):
    """One cycle of work: progress with files, an extension granted, sign-off, evaluation."""
    from taolun.rectification.services import extension_decide

    for i in range(files):
        progress_add(actor=org.contact1, problem=problem, text=f"进展{i}", files=[png(), png()])
    problem.refresh_from_db()
    request = extension_request(
        actor=org.contact1,
        problem=problem,
        reason="需要时间",
        requested_deadline=problem.deadline + dt.timedelta(days=30),
    )
    extension_decide(actor=org.office, extension=request, grant=True)
    problem_complete(actor=org.contact1, problem=problem, note="完成")
    problem_verify(actor=org.office, problem=problem)
    evaluation_open(actor=org.office, problem=problem)
    for voter, rating in votes:
        vote_cast(actor=voter, problem=problem, rating=rating, comment="意见")


def test_problem_page_query_count_does_not_grow(org, march, client, django_assert_max_num_queries):
    from taolun.rectification.services import problem_reopen

    problem = make_problem(
        org,
        open_now=True,
        supporting_units=[org.branch2],
        measures=[MeasureInput("一", D(2019, 4, 1))],
        responsible_leader=org.leader,
    )
    _round(org, problem, files=1, votes=[(org.member1, "satisfied")])
    as_user(client, org.office)
    client.get(url("problem", problem.pk))
    few = _queries(client, url("problem", problem.pk), django_assert_max_num_queries, 30)

    problem_reopen(actor=org.office, problem=problem, reason="不满意")
    _round(
        org,
        problem,
        files=6,
        votes=[
            (org.member1, "unsatisfied"),
            (org.contact1, "unsatisfied"),
            (org.contact2, "satisfied"),
        ],
    )
    page = client.get(url("problem", problem.pk)).content.decode()
    assert "Most members are unsatisfied" in page and "2 extensions granted" in page
    assert _queries(client, url("problem", problem.pk), django_assert_max_num_queries, few) == few


# ---------------------------------------------------------------- the problem page


def test_problem_page_shows_every_field(org, march, client):
    theme = org.campaign.themes.get()
    problem = make_problem(
        org,
        description="<p>学习<strong>不深入</strong></p>",
        target_standard="<p>每月两次</p>",
        source=ProblemSource.DEMOCRATIC_LIFE_MEETING,
        source_note="三月组织生活会",
        theme=theme,
        kind=ProblemKind.IMMEDIATE,
        level="individual",
        responsible_leader=org.leader,
        person_in_charge=org.member1,
        supporting_units=[org.branch2],
        measures=[MeasureInput("建立台账", D(2019, 3, 31))],
        open_now=True,
    )
    as_user(client, org.office)
    page = client.get(url("problem", problem.pk)).content.decode()
    for text in (
        "CAMP-BRANCH1-001",
        "学习<strong>不深入</strong>",
        "每月两次",
        "Democratic life meeting",
        "三月组织生活会",
        theme.break_with,
        "Fix at once",
        "Individual",
        "领导",
        "党员一",
        "机关第二党支部",
        "建立台账",
        "2019-04-30",
        "On track",
        "Open",
    ):
        assert text in page, text


def test_office_carries_over_and_closes_an_evaluation(org, march, client):
    problem = make_problem(org, open_now=True)
    as_user(client, org.office)
    response = client.post(url("problem_carry_over", problem.pk), {"carry_over-reason": ""})
    assert "Say why the problem is carried over." in response.content.decode()
    client.post(url("problem_carry_over", problem.pk), {"carry_over-reason": "需上级协调"})
    problem.refresh_from_db()
    assert (problem.state, problem.carried_over_reason) == (S.CARRIED_OVER, "需上级协调")
    assert "需上级协调" in client.get(url("problem", problem.pk)).content.decode()

    other = make_problem(org, open_now=True)
    evidence(other, org.contact1)
    put(other, S.VERIFIED, verified_on=TODAY)
    evaluation_open(actor=org.office, problem=other)
    assert client.post(url("problem_evaluation_close", other.pk)).status_code == 302
    other.refresh_from_db()
    assert not other.evaluation_open
    as_user(client, org.contact1)  # contacts neither carry over nor run evaluations
    assert client.post(url("problem_evaluation_open", other.pk)).status_code == 403
