"""Every endpoint: who is let in, what scope answers, bad input, and what writes leave."""

import datetime as dt

import pytest
from auditlog.models import LogEntry

from taolun.activities.models import ActivityRecord
from taolun.api.tests.conftest import field_names
from taolun.api.tokens import token_create, token_revoke
from taolun.campaigns.models import ActionStatus, CellStatus
from taolun.rectification.models import Problem, ProblemState
from taolun.rectification.services import problem_create
from taolun.reporting.briefs import brief_create
from taolun.reporting.models import Brief

D = dt.date
APRIL_END = D(2019, 4, 30)


def a_problem(org, unit, *, who=None, open_now=True, deadline=APRIL_END):
    return problem_create(
        actor=who or org.office,
        campaign=org.campaign,
        unit=unit,
        description="<p>学习走过场</p>",
        deadline=deadline,
        open_now=open_now,
    )


def a_brief(org, unit, who):
    return brief_create(
        actor=who, campaign=org.campaign, unit=unit, title="动员会", body="<p>召开</p>", phone="1"
    )


# ---------------------------------------------------------------- authentication


def test_missing_bad_revoked_and_expired_tokens_answer_401(api, ns, travel):
    org = ns.org
    assert api("get", "/campaigns").status_code == 401
    response = api("get", "/campaigns", secret="tl_not-a-token")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    assert response.data["detail"]
    token, secret = token_create(org.contact1, "t", expires_on=D(2019, 3, 31))
    assert api("get", "/campaigns", secret=secret).status_code == 200
    travel(D(2019, 4, 1))
    assert api("get", "/campaigns", secret=secret).status_code == 401
    travel(D(2019, 3, 10))
    token_revoke(org.contact1, token)
    assert api("get", "/campaigns", secret=secret).status_code == 401


def test_a_session_is_not_a_token(client, api, ns):
    client.force_login(ns.org.office)
    assert api("get", "/campaigns").status_code == 401
    assert api("post", "/records", body={}).status_code == 401


def test_many_bad_tokens_lock_no_one_out(api, ns):
    for _ in range(10):
        assert api("get", "/campaigns", secret="tl_wrong").status_code == 401
    assert api("get", "/campaigns", ns.org.contact1).status_code == 200


def test_schema_is_public_and_lists_the_operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/campaigns/{slug}/problems" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 404  # no CDN page


# ---------------------------------------------------------------- language


def test_messages_follow_accept_language_chinese_by_default(api, ns):
    body = {"unit": "branch1", "title": " ", "body": "<p>x</p>", "phone": "1"}
    chinese = api("post", "/campaigns/camp/briefs", ns.org.contact1, body, lang=None)
    english = api("post", "/campaigns/camp/briefs", ns.org.contact1, body, lang="en-GB,en;q=0.8")
    assert chinese["Content-Language"] == "zh-hans"
    assert [e["msg"] for e in chinese.data["detail"]] == ["请填写信息标题。"]
    assert [e["msg"] for e in english.data["detail"]] == ["Give the brief a title."]


def test_request_shape_errors_name_the_field_in_the_clients_language(api, ns):
    org = ns.org
    chinese = api("get", "/units", org.office, lang=None, limit=0)
    english = api("get", "/units", org.office, lang="en", limit=0)
    assert field_names(chinese) == field_names(english) == {"limit"}
    assert [e["msg"] for e in english.data["detail"]] == ["Must be at least 1."]
    assert [e["msg"] for e in chinese.data["detail"]] == ["不能小于 1。"]
    body = {"unit": "branch1", "action": "one", "held_on": "yesterday"}
    wrong = api("post", "/records", org.contact1, body, lang=None)
    messages = {e["loc"][-1]: e["msg"] for e in wrong.data["detail"]}
    assert messages["action"] == "输入整数。"
    assert messages["held_on"] == "请填写有效日期（YYYY-MM-DD）。"
    assert messages["title"] == "这个字段是必填项。"
    assert not ActivityRecord.objects.exists()


# ---------------------------------------------------------------- campaigns and units


def test_campaigns_in_scope_and_an_outsider_sees_none(api, ns):
    org = ns.org
    listed = api("get", "/campaigns", org.contact1).data
    assert listed["count"] == 1 and listed["items"][0]["slug"] == "camp"
    assert api("get", "/campaigns", org.outsider).data == {"count": 0, "items": []}
    detail = api("get", "/campaigns/camp", org.contact1).data
    assert [s["number"] for s in detail["stages"]] == [1, 2]
    assert [a["number"] for a in detail["stages"][0]["prescribed_actions"]] == [1, 2]
    assert api("get", "/campaigns/camp", org.outsider).status_code == 404


def test_units_are_scoped_and_filter_by_parent(api, ns):
    org = ns.org
    mine = api("get", "/units", org.contact1).data
    assert [u["slug"] for u in mine["items"]] == ["branch1"]
    assert mine["items"][0]["parent"] is None  # the organ lies outside the contact's scope
    children = api("get", "/units", org.office, parent="organ").data
    assert [u["slug"] for u in children["items"]] == ["branch1", "branch2"]
    assert children["items"][0]["parent"] == "organ"
    assert api("get", "/units", org.contact1, parent="organ").status_code == 404
    assert api("get", "/units/organ", org.office).data["children_count"] == 2
    assert api("get", "/units/branch2", org.contact1).status_code == 404
    assert api("get", "/units", org.outsider).data == {"count": 0, "items": []}


def test_units_page_by_limit_and_offset(api, ns):
    data = api("get", "/units", ns.org.office, limit=2, offset=1).data
    assert data["count"] == 4 and [u["slug"] for u in data["items"]] == ["organ", "branch1"]
    assert "limit" in field_names(api("get", "/units", ns.org.office, limit=0))


def test_matrix_shows_each_action_status(api, ns, travel):
    org = ns.org
    data = api("get", "/campaigns/camp/units/branch1/matrix", org.contact1).data
    cells = [c for stage in data["stages"] for c in stage["cells"]]
    assert [c["status"] for c in cells] == [CellStatus.NOT_STARTED] * 4
    travel(D(2019, 3, 25))  # past the first stage's deadline
    data = api("get", "/campaigns/camp/units/branch1/matrix", org.contact1).data
    assert data["stages"][0]["cells"][0]["status"] == CellStatus.OVERDUE
    assert data["stages"][0]["cells"][0]["status_label"] == "Overdue"
    assert api("get", "/campaigns/camp/units/branch2/matrix", org.contact1).status_code == 404
    assert api("get", "/campaigns/camp/units/branch1/matrix", org.outsider).status_code == 404


# ---------------------------------------------------------------- the ledger


def test_ledger_is_scoped_and_filtered(api, ns, travel):
    org = ns.org
    mine = a_problem(org, org.branch1)
    theirs = a_problem(org, org.branch2, deadline=D(2019, 3, 1))
    a_problem(org, org.branch1, open_now=False)
    data = api("get", "/campaigns/camp/problems", org.contact1).data
    assert data["count"] == 2 and {p["unit"] for p in data["items"]} == {"branch1"}
    assert {p["campaign"] for p in data["items"]} == {"camp"}
    opened = api("get", "/campaigns/camp/problems", org.contact1, state="open").data
    assert [p["id"] for p in opened["items"]] == [mine.pk]
    late = api("get", "/campaigns/camp/problems", org.office, overdue="true").data
    assert [(p["id"], p["light"]) for p in late["items"]] == [(theirs.pk, "red")]
    below = api("get", "/campaigns/camp/problems", org.office, unit="branch2").data
    assert [p["id"] for p in below["items"]] == [theirs.pk]
    assert api("get", "/campaigns/camp/problems", org.contact1, unit="branch2").status_code == 404
    assert "state" in field_names(api("get", "/campaigns/camp/problems", org.office, state="x"))
    assert api("get", "/campaigns/camp/problems", org.outsider).status_code == 404


def test_problem_detail_with_measures_and_404_outside_scope(api, ns):
    org = ns.org
    problem = a_problem(org, org.branch2)
    data = api("get", f"/problems/{problem.pk}", org.contact2).data
    assert data["ledger_number"] == problem.ledger_number and data["measures"] == []
    assert api("get", f"/problems/{problem.pk}", org.contact1).status_code == 404
    assert api("get", "/problems/999999", org.office).status_code == 404
    assert "pk" in field_names(api("get", "/problems/0", org.office))


# ---------------------------------------------------------------- briefs


def test_briefs_are_scoped(api, ns):
    org = ns.org
    brief = a_brief(org, org.branch1, org.contact1)
    data = api("get", "/campaigns/camp/briefs", org.contact1).data
    assert [(b["id"], b["state"], b["levels_reached"]) for b in data["items"]] == [
        (brief.pk, "draft", [])
    ]
    assert api("get", "/campaigns/camp/briefs", org.contact2).data["count"] == 0
    assert api("get", f"/briefs/{brief.pk}", org.contact1).data["body"] == "<p>召开</p>"
    assert api("get", f"/briefs/{brief.pk}", org.contact2).status_code == 404
    assert api("get", "/campaigns/camp/briefs", org.outsider).status_code == 404


# ---------------------------------------------------------------- writes


def record_body(**kw):
    body = {"unit": "branch1", "action": 0, "title": "召开动员部署会", "held_on": "2019-03-01"}
    body.update(kw)
    return body


def test_record_write_updates_the_matrix_and_is_audited(api, ns):
    org = ns.org
    body = record_body(action=ns.action1.pk, content='<p onclick="x()">好<script>1</script></p>')
    response = api("post", "/records", org.contact1, body)
    assert response.status_code == 201, response.content
    record = ActivityRecord.objects.get(pk=response.data["id"])
    assert record.content == "<p>好</p>"
    row = ActionStatus.objects.get(unit=org.branch1, action=ns.action1)
    assert row.records_count == 1
    matrix = api("get", "/campaigns/camp/units/branch1/matrix", org.contact1).data
    assert matrix["stages"][0]["cells"][0]["status"] == CellStatus.IN_PROGRESS
    assert LogEntry.objects.get_for_object(record).get().actor == org.contact1


def test_the_token_names_the_actor_even_with_someone_elses_session(client, api, ns):
    org = ns.org
    client.force_login(org.office)
    body = record_body(action=ns.action1.pk)
    response = api("post", "/records", org.contact1, body)
    assert response.status_code == 201, response.content
    record = ActivityRecord.objects.get(pk=response.data["id"])
    assert record.created_by == org.contact1
    assert LogEntry.objects.get_for_object(record).get().actor == org.contact1


def test_record_write_refuses_scope_permission_and_bad_input(api, ns):
    org = ns.org
    action = ns.action1.pk
    assert (
        api(
            "post", "/records", org.contact1, record_body(action=action, unit="branch2")
        ).status_code
        == 404
    )
    assert api("post", "/records", org.member1, record_body(action=action)).status_code == 403
    future = api("post", "/records", org.contact1, record_body(action=action, held_on="2019-12-01"))
    assert field_names(future) == {"held_on"}
    missing = api("post", "/records", org.contact1, {"unit": "branch1", "action": action})
    assert {"title", "held_on"} <= field_names(missing)
    assert not ActivityRecord.objects.exists()


def test_problem_write_appears_in_the_ledger(api, ns):
    org = ns.org
    body = {
        "unit": "branch1",
        "description": '<p>学习<a href="javascript:alert(1)">走过场</a></p>',
        "deadline": "2019-04-30",
        "theme": 1,
        "measures": [{"text": "制定学习计划", "deadline": "2019-04-01"}],
        "open": True,
    }
    response = api("post", "/campaigns/camp/problems", org.contact1, body)
    assert response.status_code == 201, response.content
    assert "javascript" not in response.data["description"]
    assert response.data["state"] == ProblemState.OPEN
    assert response.data["measures"][0]["text"] == "制定学习计划"
    listed = api("get", "/campaigns/camp/problems", org.office).data
    assert [p["id"] for p in listed["items"]] == [response.data["id"]]
    problem = Problem.objects.get()
    assert LogEntry.objects.get_for_object(problem).filter(actor=org.contact1).exists()


def test_problem_write_bad_input_names_the_fields(api, ns):
    org = ns.org
    base = {"unit": "branch1", "description": "<p>x</p>", "deadline": "2019-04-30"}
    url = "/campaigns/camp/problems"
    assert field_names(api("post", url, org.contact1, {**base, "deadline": None})) == {"deadline"}
    assert field_names(api("post", url, org.contact1, {**base, "source": "gossip"})) == {"source"}
    assert field_names(api("post", url, org.contact1, {**base, "theme": 9})) == {"theme"}
    late_measure = {**base, "measures": [{"text": "x", "deadline": "2019-06-01"}]}
    assert field_names(api("post", url, org.contact1, late_measure)) == {"measures"}
    assert api("post", url, org.contact1, {**base, "unit": "branch2"}).status_code == 404
    assert api("post", url, org.member1, base).status_code == 403
    assert not Problem.objects.exists()


def test_progress_write(api, ns):
    org = ns.org
    problem = a_problem(org, org.branch1)
    url = f"/problems/{problem.pk}/progress"
    response = api("post", url, org.contact1, {"text": "<p>已整改一半</p>"})
    assert response.status_code == 201, response.content
    problem.refresh_from_db()
    assert problem.state == ProblemState.IN_PROGRESS
    detail = api("get", f"/problems/{problem.pk}", org.contact1).data
    assert [u["text"] for u in detail["progress"]] == ["<p>已整改一半</p>"]
    assert field_names(api("post", url, org.contact1, {"text": " "})) == {"text"}
    assert api("post", url, org.contact2, {"text": "x"}).status_code == 404
    assert api("post", url, org.member1, {"text": "x"}).status_code == 403


def test_brief_write_is_a_draft_the_unit_sees(api, ns):
    org = ns.org
    body = {
        "unit": "branch1",
        "title": "动员会",
        "body": "<p>召开<script>x</script></p>",
        "phone": "0351",
    }
    response = api("post", "/campaigns/camp/briefs", org.contact1, body)
    assert response.status_code == 201, response.content
    assert response.data["state"] == "draft" and response.data["body"] == "<p>召开</p>"
    assert api("get", "/campaigns/camp/briefs", org.contact1).data["count"] == 1
    assert field_names(
        api("post", "/campaigns/camp/briefs", org.contact1, {**body, "kind": "x"})
    ) == {"kind"}
    assert "phone" in field_names(
        api(
            "post",
            "/campaigns/camp/briefs",
            org.contact1,
            {"unit": "branch1", "title": "t", "body": "b"},
        )
    )
    assert (
        api("post", "/campaigns/camp/briefs", org.contact1, {**body, "unit": "branch2"}).status_code
        == 404
    )
    assert api("post", "/campaigns/camp/briefs", org.member1, body).status_code == 403
    assert Brief.objects.count() == 1


# ---------------------------------------------------------------- query counts


@pytest.mark.parametrize(
    "path",
    ["/campaigns", "/units", "/campaigns/camp/problems", "/campaigns/camp/briefs"],
)
def test_list_queries_do_not_grow_with_rows(api, ns, path, django_assert_max_num_queries):
    org = ns.org

    def grow(n):
        for _ in range(n):
            a_problem(org, org.branch1)
            a_brief(org, org.branch1, org.office)

    api("get", path, org.office)  # the token's first use writes its last-use time
    grow(1)
    with django_assert_max_num_queries(8) as small:
        assert api("get", path, org.office).status_code == 200
    grow(12)
    with django_assert_max_num_queries(8) as large:
        assert api("get", path, org.office).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# ---------------------------------------------------------------- dashboard figures


def test_figures_roll_up_for_readers_only(api, ns):
    org = ns.org
    a_problem(org, org.branch1)
    top = api("get", "/campaigns/camp/figures", org.office).data
    assert top["unit_figures"]["unit"] == "root"
    assert [c["unit"] for c in top["child_rollups"]] == ["organ"]
    organ = api("get", "/campaigns/camp/figures", org.supervisor, unit="organ").data
    by_unit = {c["unit"]: c for c in organ["child_rollups"]}
    assert list(by_unit) == ["branch1", "branch2"]
    assert (by_unit["branch1"]["problems_total"], by_unit["branch2"]["problems_total"]) == (1, 0)
    assert organ["unit_figures"]["problems_total"] == 1
    overall = by_unit["branch1"]["prescribed"][-1]
    assert overall["stage"] is None and overall["total"] == 4
    own = api("get", "/campaigns/camp/figures", org.contact1).data  # a contact reads their unit
    assert own["unit_figures"]["unit"] == "branch1"
    assert api("get", "/campaigns/camp/figures", org.contact1, unit="organ").status_code == 404
    assert api("get", "/campaigns/camp/figures", org.member1).status_code == 404
    assert api("get", "/campaigns/camp/figures", org.outsider).status_code == 404
    assert top["figures_as_of"] is None  # a small tree is counted live


def test_figures_of_a_big_subtree_come_from_its_snapshot(api, ns, settings):
    org = ns.org
    settings.TAOLUN_ROLLUP_SNAPSHOT_UNITS = 2  # every subtree of two units or more is "big"
    first = api("get", "/campaigns/camp/figures", org.office).data
    assert first["figures_as_of"] is not None
    a_problem(org, org.branch1)  # not seen until the snapshot is refreshed
    again = api("get", "/campaigns/camp/figures", org.office).data
    assert again["unit_figures"]["problems_total"] == first["unit_figures"]["problems_total"] == 0
    assert again["figures_as_of"] == first["figures_as_of"]


# ---------------------------------------------------------------- work targets


def test_indicator_value_write(api, ns):
    from taolun.targets.models import IndicatorReport
    from taolun.targets.tests.factories import make_area, make_indicator

    org = ns.org
    indicator = make_indicator(make_area(org.campaign), org.organ)
    url = f"/indicators/{indicator.pk}/values"
    body = {"unit": "branch1", "period_start": "2019-01-01", "value": "12.50", "note": "一季度"}
    response = api("post", url, org.contact1, body)
    assert response.status_code == 201, response.content
    report = IndicatorReport.objects.get()
    assert (report.unit, str(report.value)) == (org.branch1, "12.50")
    assert LogEntry.objects.get_for_object(report).get().actor == org.contact1
    assert field_names(api("post", url, org.contact1, {**body, "period_start": "2019-02-01"})) == {
        "period_start"
    }
    assert "value" in field_names(api("post", url, org.contact1, {**body, "value": "many"}))
    assert api("post", url, org.contact1, {**body, "unit": "branch2"}).status_code == 404
    assert api("post", url, org.member1, body).status_code == 403
    assert api("post", url, org.outsider, body).status_code == 404
    assert IndicatorReport.objects.count() == 1
