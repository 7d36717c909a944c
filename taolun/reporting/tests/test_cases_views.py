"""The typical-case pages: list, nominate, edit, decide, photo; scope and kept input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from taolun.activities.tests.files import PNG, pdf, png
from taolun.reporting.models import CaseKind, CaseState, TypicalCase
from taolun.reporting.tests.factories import make_case

D = dt.date


@pytest.fixture(autouse=True)
def _april(travel):
    travel(D(2019, 4, 10))


def url(name, *args):
    return reverse(f"reporting:{name}", args=args)


def as_user(client, user):
    client.force_login(user)
    return client


def form_data(levels, **kw):
    data = {
        "unit": levels.branch1.pk,
        "kind": CaseKind.PRACTICE,
        "name": "服务窗口“一站式”办理",
        "summary": "办事群众少跑腿",
        "story": "<p>窗口把八项业务合并为一站办理。</p>",
        "nominate": "1",
    }
    data.update(kw)
    return data


def test_a_contact_nominates_from_the_page_and_the_office_approves(levels, client):
    as_user(client, levels.contact1)
    page = client.get(url("case_create", "fed")).content.decode()
    assert 'for="id_story"' in page and "Nominate a typical case" in page
    response = client.post(url("case_create", "fed"), {**form_data(levels), "photo": png()})
    case = TypicalCase.objects.get()
    assert response.status_code == 302 and response.url == url("case_detail", case.pk)
    assert case.state == CaseState.NOMINATED and case.original_name == "现场照片.png"
    detail = client.get(url("case_detail", case.pk)).content.decode()
    assert "窗口把八项业务" in detail and url("case_photo", case.pk) in detail
    assert "Record the decision" not in detail  # the contact does not decide
    photo = client.get(url("case_photo", case.pk))
    assert b"".join(photo.streaming_content) == PNG
    as_user(client, levels.office)
    assert "Record the decision" in client.get(url("case_detail", case.pk)).content.decode()
    response = client.post(url("case_decide", case.pk), {"decision": "approve"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED and case.decided_by == levels.office
    history = client.get(url("case_detail", case.pk)).content.decode()
    assert "Nominated → Approved" in history and "办公室" in history


def test_bad_input_is_named_and_kept(levels, client):
    as_user(client, levels.contact1)
    response = client.post(
        url("case_create", "fed"),
        form_data(levels, story="", name="我的草稿名", summary="保留这句话", photo=pdf()),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["form"].errors.keys() >= {"story", "photo"}
    assert "我的草稿名" in page and "保留这句话" in page
    assert "please choose it again" in page
    assert not TypicalCase.objects.exists()


def test_returning_needs_a_comment_and_keeps_it(levels, client):
    case = make_case(levels.campaign, levels.branch1, levels.contact1)
    as_user(client, levels.office)
    response = client.post(url("case_decide", case.pk), {"decision": "return", "comment": ""})
    assert response.status_code == 200
    assert "comment" in response.context["decide_form"].errors
    case.refresh_from_db()
    assert case.state == CaseState.NOMINATED
    client.post(url("case_decide", case.pk), {"decision": "return", "comment": "请补充数据"})
    case.refresh_from_db()
    assert case.state == CaseState.RETURNED
    # The nominator sees the comments, edits and nominates again.
    as_user(client, levels.contact1)
    assert "请补充数据" in client.get(url("case_edit", case.pk)).content.decode()
    response = client.post(
        url("case_edit", case.pk),
        form_data(levels, kind=CaseKind.PERSON, name=case.name, story="<p>补充：服务二百人。</p>"),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.NOMINATED and "二百人" in case.story


def test_permissions_on_the_pages(levels, client):
    case = make_case(levels.campaign, levels.branch1, levels.contact1)
    as_user(client, levels.member1)
    assert client.get(url("case_create", "fed")).status_code == 403
    assert client.get(url("case_detail", case.pk)).status_code == 404  # not approved yet
    as_user(client, levels.contact1)
    assert client.post(url("case_decide", case.pk), {"decision": "approve"}).status_code == 403
    assert client.get(url("case_edit", case.pk)).status_code == 403  # not returned
    as_user(client, levels.contact2)
    assert client.get(url("case_detail", case.pk)).status_code == 404
    assert client.get(url("case_photo", case.pk)).status_code == 404
    as_user(client, levels.outsider)
    assert client.get(url("cases", "fed")).status_code == 404


def test_the_list_filters_and_shows_state_in_words(levels, client):
    make_case(levels.campaign, levels.branch1, levels.contact1, name="一支部典型")
    make_case(
        levels.campaign,
        levels.branch2,
        levels.contact2,
        name="二支部做法",
        kind=CaseKind.PRACTICE,
        state=CaseState.APPROVED,
    )
    as_user(client, levels.office)
    page = client.get(url("cases", "fed")).content.decode()
    assert "一支部典型" in page and "二支部做法" in page
    assert "Nominated" in page and "Approved" in page and "<caption" in page
    page = client.get(url("cases", "fed"), {"state": "approved"}).content.decode()
    assert "一支部典型" not in page and "二支部做法" in page
    page = client.get(url("cases", "fed"), {"unit": levels.branch1.pk}).content.decode()
    assert "一支部典型" in page and "二支部做法" not in page
    page = client.get(url("cases", "fed"), {"kind": "practice"}).content.decode()
    assert "一支部典型" not in page and "二支部做法" in page
    # A member sees the approved case only.
    as_user(client, levels.member1)
    page = client.get(url("cases", "fed")).content.decode()
    assert "一支部典型" not in page and "二支部做法" in page
    assert "Nominate a typical case" not in page


def test_the_story_is_rendered_sanitised(levels, client):
    as_user(client, levels.contact1)
    client.post(
        url("case_create", "fed"),
        form_data(levels, story='<p onclick="x()">好</p><script>alert(1)</script>'),
    )
    case = TypicalCase.objects.get()
    page = client.get(url("case_detail", case.pk)).content.decode()
    assert "<script>alert(1)" not in page and "onclick" not in page


def test_list_query_count_does_not_grow_with_rows(levels, client, django_assert_max_num_queries):
    as_user(client, levels.office)

    def add(n):
        for i in range(n):
            unit = levels.branch1 if i % 2 else levels.branch2
            make_case(levels.campaign, unit, levels.contact1, name=f"典型{i}")

    add(2)
    client.get(url("cases", "fed"))  # warm the session and caches
    with django_assert_max_num_queries(16) as small:
        client.get(url("cases", "fed"))
    add(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("cases", "fed"))
    assert "32 typical cases" in response.content.decode()


def test_the_office_picks_a_unit_first_then_chooses_one_of_its_people(levels, client):
    as_user(client, levels.office)
    page = client.get(url("case_create", "fed"))
    assert list(page.context["form"].fields["person"].queryset) == []
    response = client.post(
        url("case_create", "fed"),
        {
            "unit": levels.branch1.pk,
            "kind": "person",
            "story": "<p>我写的故事</p>",
            "pick_unit": "1",
        },
    )
    assert response.status_code == 200 and not TypicalCase.objects.exists()
    people = set(response.context["form"].fields["person"].queryset)
    assert levels.member1 in people and levels.contact2 not in people
    assert "我写的故事" in response.content.decode()
    response = client.post(
        url("case_create", "fed"),
        form_data(levels, kind="person", name="", person=levels.member1.pk),
    )
    assert response.status_code == 302
    assert TypicalCase.objects.get().person == levels.member1
