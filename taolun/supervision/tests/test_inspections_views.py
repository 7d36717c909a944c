"""The inspection pages: scope, permissions, kept input, the ledger button, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.rectification.models import Problem
from taolun.supervision import inspections as svc
from taolun.supervision.models import Finding, FindingKind, Inspection

D = dt.date


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 4, 15))


def url(name, *args):
    return reverse(f"supervision:{name}", args=args)


def as_user(client, user):
    client.force_login(user)
    return client


def visit(org, unit=None, **fields):
    return svc.inspection_create(
        actor=org.supervisor,
        campaign=org.campaign,
        unit=unit or org.branch1,
        visited_on=fields.pop("visited_on", D(2019, 4, 10)),
        checked=fields.pop("checked", "<p>台账</p>"),
        **fields,
    )


def find(org, inspection, **fields):
    fields.setdefault("text", "<p>学习记录不全</p>")
    return svc.finding_add(actor=org.supervisor, inspection=inspection, **fields)


@pytest.fixture
def sup1(org):
    user = UserFactory(username="sup1", name="督导一", unit=org.branch1)
    grant(user, org.branch1, Role.SUPERVISOR)
    return user


# ---------------------------------------------------------------- recording


def test_a_supervisor_records_a_visit_and_is_sent_to_add_findings(client, org):
    c = as_user(client, org.supervisor)
    assert c.get(url("inspection_new", "camp")).status_code == 200
    response = c.post(
        url("inspection_new", "camp"),
        {
            "unit": "branch2",
            "visited_on": "2019-04-12",
            "team_name": "第一督导组",
            "members": [org.supervisor.pk],
            "other_members": "王某",
            "checked": "<p>学习记录<script>x()</script></p>",
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("inspection", inspection.pk) + "#add-finding"
    assert inspection.unit == org.branch2 and "script" not in inspection.checked
    page = c.get(url("inspection", inspection.pk)).content.decode()
    assert "第一督导组" in page and "王某" in page and "x()" not in page


@pytest.mark.parametrize("who", ["contact1", "member1", "leader", "outsider"])
def test_others_may_not_record(client, org, who):
    response = as_user(client, getattr(org, who)).get(url("inspection_new", "camp"))
    assert response.status_code in (403, 404)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"unit": "branch2"}, "unit", "No unit with the code “branch2”"),
        ({"unit": "nowhere"}, "unit", "No unit with the code"),
        ({"visited_on": "2019-05-01"}, "visited_on", "later than today"),
        ({"visited_on": "not a date"}, "visited_on", "Enter a valid date"),
        ({"checked": ""}, "checked", "Say what was checked"),
    ],
)
def test_bad_input_names_the_field_and_keeps_the_typing(client, org, sup1, data, field, message):
    posted = {
        "unit": "branch1",
        "visited_on": "2019-04-12",
        "team_name": "保留的组名",
        "checked": "保留的检查内容",
        **data,
    }
    response = as_user(client, sup1).post(url("inspection_new", "camp"), posted)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors and message in str(form.errors[field])
    page = response.content.decode()
    assert "保留的组名" in page
    if field != "checked":
        assert "保留的检查内容" in page
    assert not Inspection.objects.exists()


def test_the_unit_select_holds_only_units_in_reach(client, org, sup1):
    page = as_user(client, sup1).get(url("inspection_new", "camp")).content.decode()
    assert 'value="branch1"' in page and 'value="branch2"' not in page


# ---------------------------------------------------------------- reading


def test_scope_of_the_inspection_page(client, org):
    b1 = visit(org)
    find(org, b1)
    assert as_user(client, org.contact1).get(url("inspection", b1.pk)).status_code == 200
    for who in ("contact2", "outsider", "member1"):
        assert as_user(client, getattr(org, who)).get(url("inspection", b1.pk)).status_code == 404
    # A contact reads but does not edit.
    page = as_user(client, org.contact1).get(url("inspection", b1.pk)).content.decode()
    assert url("inspection_edit", b1.pk) not in page
    assert as_user(client, org.contact1).get(url("inspection_edit", b1.pk)).status_code == 403


def test_the_list_shows_counts_and_filters(client, org):
    b1 = visit(org)
    find(org, b1)
    svc.finding_to_problem(actor=org.office, finding=find(org, b1))
    visit(org, unit=org.branch2, visited_on=D(2019, 3, 1))
    c = as_user(client, org.office)
    response = c.get(url("inspections", "camp"))
    rows = list(response.context["page_obj"])
    assert [r.unit for r in rows] == [org.branch1, org.branch2]  # newest first
    assert (rows[0].finding_count, rows[0].problem_count) == (2, 1)
    response = c.get(url("inspections", "camp"), {"under": "branch2"})
    assert [r.unit for r in response.context["page_obj"]] == [org.branch2]
    response = c.get(url("inspections", "camp"), {"date_from": "2019-04-01"})
    assert [r.unit for r in response.context["page_obj"]] == [org.branch1]
    response = c.get(
        url("inspections", "camp"), {"date_from": "2019-04-02", "date_to": "2019-04-01"}
    )
    assert "date_to" in response.context["form"].errors
    contact = as_user(client, org.contact2).get(url("inspections", "camp"))
    assert [r.unit for r in contact.context["page_obj"]] == [org.branch2]


@pytest.mark.parametrize("n", [2, 8])
def test_list_queries_do_not_grow_with_rows(client, org, n, django_assert_max_num_queries):
    for _ in range(n):
        inspection = visit(org)
        find(org, inspection)
    c = as_user(client, org.supervisor)
    with django_assert_max_num_queries(12):
        assert c.get(url("inspections", "camp")).status_code == 200


@pytest.mark.parametrize("n", [2, 8])
def test_detail_queries_do_not_grow_with_findings(client, org, n, django_assert_max_num_queries):
    inspection = visit(org, members=[org.supervisor])
    for i in range(n):
        finding = find(org, inspection, theme=org.campaign.themes.get())
        if i % 2:
            svc.finding_to_problem(actor=org.office, finding=finding)
    c = as_user(client, org.office)
    with django_assert_max_num_queries(24):
        assert c.get(url("inspection", inspection.pk)).status_code == 200


# ---------------------------------------------------------------- findings


def test_a_bad_finding_names_its_field_and_keeps_the_typing(client, org):
    inspection = visit(org, unit=org.organ)
    c = as_user(client, org.supervisor)
    response = c.post(
        url("finding_add", inspection.pk),
        {
            "finding-kind": "good_practice",
            "finding-text": "保留的发现",
            "finding-unit": "root",
            "finding-deduction": "-1",
        },
    )
    assert response.status_code == 200
    form = response.context["finding_form"]
    assert {"unit", "deduction"} <= set(form.errors)
    assert "保留的发现" in response.content.decode()
    response = c.post(
        url("finding_add", inspection.pk),
        {"finding-kind": "good_practice", "finding-text": "好", "finding-deduction": "3"},
    )
    assert "Only a problem found takes points off" in str(
        response.context["finding_form"].errors["deduction"]
    )
    assert not Finding.objects.exists()
    response = c.post(
        url("finding_add", inspection.pk),
        {"finding-kind": "problem", "finding-text": "二支部问题", "finding-unit": "branch2"},
    )
    finding = Finding.objects.get()
    assert response["Location"] == url("inspection", inspection.pk) + "#finding-1"
    assert finding.unit == org.branch2


def test_edit_and_delete_a_finding(client, org):
    inspection = visit(org)
    finding = find(org, inspection)
    c = as_user(client, org.supervisor)
    response = c.post(
        url("finding_edit", finding.pk),
        {"finding-kind": "problem", "finding-text": "<p>改过的</p>", "finding-unit": ""},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.text == "<p>改过的</p>" and finding.unit == org.branch1
    assert as_user(client, org.contact1).post(url("finding_delete", finding.pk)).status_code == 403
    c = as_user(client, org.supervisor)
    c.post(url("finding_delete", finding.pk))
    assert not Finding.objects.exists()


def test_add_to_the_ledger_in_one_step(client, org):
    inspection = visit(org)
    finding = find(org, inspection, theme=org.campaign.themes.get())
    good = find(org, inspection, kind=FindingKind.GOOD_PRACTICE, text="好做法")
    # A supervisor sees the finding but does not keep the unit's ledger.
    page = as_user(client, org.supervisor).get(url("inspection", inspection.pk)).content.decode()
    assert url("finding_to_problem", finding.pk) not in page
    assert "the unit's contact or the campaign office adds it" in page
    response = client.post(url("finding_to_problem", finding.pk))
    assert response.status_code == 403
    c = as_user(client, org.contact1)
    page = c.get(url("inspection", inspection.pk)).content.decode()
    assert url("finding_to_problem", finding.pk) in page
    assert url("finding_to_problem", good.pk) not in page
    response = c.post(url("finding_to_problem", finding.pk))
    problem = Problem.objects.get()
    assert response["Location"] == reverse("rectification:problem_edit", args=[problem.pk])
    assert problem.source_object == finding
    # The problem's page links back to the finding; the finding's page to the problem.
    page = c.get(problem.get_absolute_url()).content.decode()
    assert "Supervision finding" in page
    page = c.get(url("inspection", inspection.pk)).content.decode()
    assert problem.get_absolute_url() in page
    response = c.post(url("finding_to_problem", finding.pk), follow=True)
    assert "already on the ledger" in response.content.decode()
    assert Problem.objects.count() == 1
    # Frozen now: the inspector may neither edit nor delete it, and is told why.
    c = as_user(client, org.supervisor)
    response = c.post(url("finding_delete", finding.pk), follow=True)
    assert "can no longer be changed or deleted" in response.content.decode()
    assert Finding.objects.filter(pk=finding.pk).exists()


def test_pages_outside_scope_answer_404(client, org):
    inspection = visit(org)
    finding = find(org, inspection)
    c = as_user(client, org.contact2)
    assert c.get(url("finding_edit", finding.pk)).status_code == 404
    assert c.post(url("finding_to_problem", finding.pk)).status_code == 404
    assert c.post(url("finding_add", inspection.pk)).status_code == 404
    assert as_user(client, org.outsider).get(url("inspections", "camp")).status_code == 404


# ---------------------------------------------------------------- review fixes


def test_a_contact_below_the_unit_visited_sees_only_their_findings(client, org):
    inspection = visit(
        org,
        unit=org.organ,
        team_name="第一督导组",
        members=[org.supervisor],
        other_members="王某",
        checked="<p>机关台账检查</p>",
        summary="<p>机关总体评价</p>",
    )
    find(org, inspection, unit=org.branch2, text="<p>二支部的问题</p>")
    find(org, inspection, unit=org.organ, text="<p>机关的问题</p>")
    svc.finding_update(
        actor=org.supervisor, finding=Finding.objects.get(number=2), text="<p>机关改过</p>"
    )
    page = as_user(client, org.contact2).get(url("inspection", inspection.pk)).content.decode()
    assert "第一督导组" in page and "2019-04-10" in page and "二支部的问题" in page
    for hidden in ("机关台账检查", "机关总体评价", "王某", "机关的问题", "机关改过", "Finding 2"):
        assert hidden not in page
    # Whoever reads the unit visited sees it all.
    page = as_user(client, org.leader).get(url("inspection", inspection.pk)).content.decode()
    for shown in ("机关台账检查", "机关总体评价", "王某", "机关改过", "Finding 2"):
        assert shown in page


def test_the_list_counts_a_finding_on_the_ledger(client, org):
    from taolun.rectification.tests.factories import make_problem

    for _i in range(3):  # so that no problem shares its id with the visit
        make_problem(org)
    inspection = visit(org, unit=org.branch2)
    svc.finding_to_problem(actor=org.office, finding=find(org, inspection, unit=org.branch2))
    find(org, inspection, unit=org.branch2)
    response = as_user(client, org.office).get(url("inspections", "camp"))
    (row,) = response.context["page_obj"]
    assert (row.finding_count, row.problem_count) == (2, 1)
    assert '<td class="text-end">1</td>' in response.content.decode()


def test_the_ledgers_own_form_keeps_a_finding_to_one_problem(client, org):
    from taolun.rectification.tests.test_views import form_data

    inspection = visit(org)
    finding = find(org, inspection)
    good = find(org, inspection, kind=FindingKind.GOOD_PRACTICE, text="好做法")
    c = as_user(client, org.contact1)
    create = reverse("rectification:problem_create", args=["camp"])
    data = form_data(unit=org.branch1.pk, description="从表单来的问题")
    response = c.post(create, {**data, "origin": f"supervision.finding:{finding.pk}"})
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert problem.source_object == finding
    for source, message in (
        (finding, f"already on the ledger as problem {problem.ledger_number}"),
        (good, "is a good practice, not a problem"),
    ):
        response = c.post(create, {**data, "origin": f"supervision.finding:{source.pk}"})
        assert response.status_code == 200
        page = response.content.decode()
        assert message in page and "从表单来的问题" in page
    assert Problem.objects.count() == 1
