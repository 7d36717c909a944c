"""The institutional-outcome pages: list with counts and filters, record, edit, file, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from taolun.activities.tests.files import PDF, pdf, png
from taolun.rectification.tests.factories import make_problem
from taolun.reporting.models import InstitutionalOutcome, OutcomeKind
from taolun.reporting.outcomes import outcome_add, outcomes_for_problem
from taolun.reporting.tests.factories import make_outcome

D = dt.date


@pytest.fixture(autouse=True)
def _may(travel):
    travel(D(2019, 5, 20))


def url(name, *args):
    return reverse(f"reporting:{name}", args=args)


def as_user(client, user):
    client.force_login(user)
    return client


def form_data(levels, **kw):
    data = {
        "title": "机关作风建设若干规定",
        "kind": OutcomeKind.NEW,
        "unit": levels.branch1.pk,
        "document_number": "晋残联发〔2019〕12号",
        "issued_on": "2019-05-10",
        "summary": "<p>共十条。</p>",
    }
    data.update(kw)
    return data


def test_a_contact_records_a_rule_and_everyone_reads_it(levels, client):
    problem = make_problem(levels, unit="branch1")
    theme = levels.campaign.themes.order_by("number").first()
    as_user(client, levels.contact1)
    page = client.get(url("outcome_create", "fed")).content.decode()
    assert problem.ledger_number in page and 'for="id_issued_on"' in page
    response = client.post(
        url("outcome_create", "fed"),
        {
            **form_data(levels),
            "problems": [problem.pk],
            "themes": [theme.pk] if theme else [],
            "upload": pdf("规定.pdf"),
        },
    )
    outcome = InstitutionalOutcome.objects.get()
    assert response.status_code == 302 and response.url == url("outcome_detail", outcome.pk)
    as_user(client, levels.member1)
    detail = client.get(url("outcome_detail", outcome.pk)).content.decode()
    assert "晋残联发〔2019〕12号" in detail and "共十条" in detail
    assert reverse("rectification:problem", args=[problem.pk]) in detail
    assert url("outcome_edit", outcome.pk) not in detail
    download = client.get(url("outcome_file", outcome.pk))
    assert b"".join(download.streaming_content) == PDF
    as_user(client, levels.outsider)
    assert client.get(url("outcome_detail", outcome.pk)).status_code == 404
    assert client.get(url("outcome_file", outcome.pk)).status_code == 404


def test_bad_input_is_named_and_kept(levels, client):
    foreign = make_problem(levels, unit="branch2")
    as_user(client, levels.contact1)
    response = client.post(
        url("outcome_create", "fed"),
        form_data(
            levels,
            title="我输入的标题",
            kind=OutcomeKind.REVISED,
            problems=[foreign.pk],
            upload=png(),
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    # A problem outside the contact's scope is not even a choice; the file must be
    # chosen again (browsers never send it back).
    assert set(errors) == {"problems", "upload"}
    assert "choose it again" in errors["upload"][0]
    assert "我输入的标题" in response.content.decode()
    response = client.post(
        url("outcome_create", "fed"), form_data(levels, kind=OutcomeKind.REVISED, upload=png())
    )
    errors = response.context["form"].errors
    assert set(errors) == {"revises", "upload"}
    assert "not a PDF or Word document" in errors["upload"][0]
    assert not InstitutionalOutcome.objects.exists()


def test_permissions_on_the_pages(levels, client):
    outcome = make_outcome(levels.campaign, levels.branch1, levels.contact1)
    as_user(client, levels.member1)
    assert client.get(url("outcome_create", "fed")).status_code == 403
    assert client.get(url("outcome_edit", outcome.pk)).status_code == 403
    as_user(client, levels.contact2)
    assert client.get(url("outcome_edit", outcome.pk)).status_code == 403
    as_user(client, levels.contact1)
    response = client.post(
        url("outcome_edit", outcome.pk), form_data(levels, title="机关工作规则（修订）")
    )
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert outcome.title == "机关工作规则（修订）"


def test_the_list_counts_and_filters(levels, client):
    make_outcome(levels.campaign, levels.branch1, levels.contact1, title="一支部规则")
    revised = make_outcome(levels.campaign, levels.branch2, levels.contact2, title="二支部规则")
    revised.kind = OutcomeKind.REVISED
    revised.save()
    as_user(client, levels.member1)
    page = client.get(url("outcomes", "fed")).content.decode()
    assert "一支部规则" in page and "二支部规则" in page and "<caption" in page
    assert "Rules recorded: <strong>2</strong>" in page
    page = client.get(url("outcomes", "fed"), {"kind": "revised"}).content.decode()
    assert "一支部规则" not in page and "二支部规则" in page
    page = client.get(url("outcomes", "fed"), {"unit": levels.branch1.pk}).content.decode()
    assert "一支部规则" in page and "二支部规则" not in page


def test_list_query_count_does_not_grow_with_rows(levels, client, django_assert_max_num_queries):
    as_user(client, levels.office)
    theme = levels.campaign.themes.first()

    def add(n):
        for i in range(n):
            outcome = make_outcome(levels.campaign, levels.branch1, levels.contact1, title=f"规{i}")
            if theme:
                outcome.themes.add(theme)

    add(2)
    client.get(url("outcomes", "fed"))
    with django_assert_max_num_queries(20) as small:
        client.get(url("outcomes", "fed"))
    add(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("outcomes", "fed"))
    assert "Rules recorded: <strong>32</strong>" in response.content.decode()


def test_the_answers_snippet_for_the_problem_page_lists_the_rules(levels):
    problem = make_problem(levels, unit="branch1")
    outcome = outcome_add(
        actor=levels.contact1,
        campaign=levels.campaign,
        unit=levels.branch1,
        title="学习制度",
        issued_on=D(2019, 5, 1),
        document_number="一支部〔2019〕1号",
        problems=[problem],
    )
    html = render_to_string(
        "reporting/outcome_answers.html",
        {"outcomes": outcomes_for_problem(levels.member1, problem)},
    )
    assert outcome.get_absolute_url() in html and "一支部〔2019〕1号" in html
    assert outcomes_for_problem(levels.outsider, problem) == []
    assert render_to_string("reporting/outcome_answers.html", {"outcomes": []}).strip() == ""
