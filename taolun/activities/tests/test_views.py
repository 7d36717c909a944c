import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from taolun.activities.models import ActivityRecord, Attachment, RecordStatus
from taolun.activities.services import record_create, record_submit
from taolun.activities.tests.files import PNG, fake_pdf, png
from taolun.campaigns.models import ActionStatus, CellStatus
from taolun.core import clock

D = dt.date
TODAY = D(2019, 3, 10)


@pytest.fixture
def action1(org):
    return org.campaign.actions.get(kind="prescribed", number=1)


@pytest.fixture
def march(travel):
    return travel(TODAY)


def as_user(client, user):
    client.force_login(user)
    return client


def create_url(org, action, unit="branch1"):
    return reverse(
        "activities:create", kwargs={"unit_slug": getattr(org, unit).slug, "action_pk": action.pk}
    )


def make(org, action, *, who="contact1", unit="branch1", **kw):
    kw.setdefault("title", "召开动员部署会")
    kw.setdefault("held_on", D(2019, 3, 1))
    return record_create(actor=getattr(org, who), action=action, unit=getattr(org, unit), **kw)


def form_data(**overrides):
    data = {
        "title": "支部动员会",
        "held_on": "2019-03-05",
        "place": "三楼会议室",
        "participant_count": "12",
        "content": "学习了实施方案。",
    }
    data.update(overrides)
    return data


def test_contact_records_and_submits_office_accepts_and_the_cell_turns_done(
    org, action1, march, client, django_capture_on_commit_callbacks
):
    as_user(client, org.contact1)
    page = client.get(create_url(org, action1))
    assert page.status_code == 200
    assert 'value="2019-03-10"' in page.content.decode()  # the clock's today is the default
    assert "Save and submit for review" in page.content.decode()

    data = form_data(participants=[org.member1.pk], attachments=[png("现场照片.png")], submit="1")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create_url(org, action1), data)
    record = ActivityRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert record.status == RecordStatus.SUBMITTED and record.unit == org.branch1
    assert list(record.participants.all()) == [org.member1]
    attachment = record.attachments.get()
    assert (attachment.original_name, attachment.content_type) == ("现场照片.png", "image/png")
    assert attachment.file.name.endswith(".png") and "现场照片" not in attachment.file.name
    assert [m.to for m in mail.outbox] == [[org.office.email]]

    row = ActionStatus.objects.get(unit=org.branch1, action=action1)
    assert row.status(clock.today()) == CellStatus.AWAITING_REVIEW

    as_user(client, org.office)
    detail = client.get(record.get_absolute_url()).content.decode()
    assert 'name="decision" value="accept"' in detail
    assert "现场照片.png" in detail and "联络员一" in detail
    response = client.post(
        reverse("activities:review", args=[record.pk]), {"decision": "accept", "comment": ""}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.ACCEPTED and record.reviewed_by == org.office
    row.refresh_from_db()
    assert row.status(clock.today()) == CellStatus.DONE


def test_save_draft_then_edit_and_submit(org, action1, march, client):
    as_user(client, org.contact1)
    client.post(create_url(org, action1), form_data(save="1"))
    record = ActivityRecord.objects.get()
    assert record.status == RecordStatus.DRAFT
    edit_url = reverse("activities:edit", args=[record.pk])
    page = client.get(edit_url).content.decode()
    assert 'value="支部动员会"' in page
    response = client.post(edit_url, form_data(title="支部动员部署会", submit="1"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.title, record.status) == ("支部动员部署会", RecordStatus.SUBMITTED)
    # Once submitted it can no longer be edited.
    assert client.get(edit_url).status_code == 403


def test_submit_button_sends_a_draft_for_review(org, action1, march, client):
    record = make(org, action1)
    as_user(client, org.contact1)
    assert "Submit for review" in client.get(record.get_absolute_url()).content.decode()
    response = client.post(reverse("activities:submit", args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED
    assert client.get(reverse("activities:submit", args=[record.pk])).status_code == 405


def test_return_requires_a_comment(org, action1, march, client):
    record = make(org, action1, submit=True)
    as_user(client, org.office)
    url = reverse("activities:review", args=[record.pk])
    response = client.post(url, {"decision": "return", "comment": "  "})
    assert response.status_code == 200
    assert "Say what must change" in response.content.decode()
    assert 'id="id_comment_error"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED

    response = client.post(url, {"decision": "return", "comment": "请补充会议照片。"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.review_comment) == (RecordStatus.RETURNED, "请补充会议照片。")
    as_user(client, org.contact1)
    page = client.get(record.get_absolute_url()).content.decode()
    assert "请补充会议照片。" in page and "Edit record" in page


def test_review_without_a_decision_changes_nothing(org, action1, march, client):
    record = make(org, action1, submit=True)
    as_user(client, org.office)
    response = client.post(reverse("activities:review", args=[record.pk]), {"comment": "x"})
    assert response.status_code == 200
    assert "Choose whether to accept or return" in response.content.decode()
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED


def test_another_units_contact_gets_404_everywhere(org, action1, march, client):
    record = make(org, action1, files=[png()])
    attachment = record.attachments.get()
    as_user(client, org.contact2)
    assert client.get(record.get_absolute_url()).status_code == 404
    assert client.get(reverse("activities:edit", args=[record.pk])).status_code == 404
    assert client.post(reverse("activities:submit", args=[record.pk])).status_code == 404
    assert (
        client.post(
            reverse("activities:review", args=[record.pk]), {"decision": "accept"}
        ).status_code
        == 404
    )
    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("activities:attachment_delete", args=[attachment.pk])).status_code
        == 404
    )
    assert client.get(create_url(org, action1, "branch1")).status_code == 404
    assert client.post(create_url(org, action1, "branch1"), form_data()).status_code == 404
    assert "召开动员部署会" not in client.get(reverse("activities:list")).content.decode()
    record.refresh_from_db()
    assert record.status == RecordStatus.DRAFT and Attachment.objects.count() == 1


def test_unknown_action_or_unit_is_404(org, action1, march, client):
    as_user(client, org.contact1)
    assert (
        client.get(
            reverse("activities:create", kwargs={"unit_slug": "branch1", "action_pk": 99999})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("activities:create", kwargs={"unit_slug": "nowhere", "action_pk": action1.pk})
        ).status_code
        == 404
    )
    as_user(client, org.outsider)
    assert client.get(create_url(org, action1)).status_code == 404


def test_member_gets_403_on_create(org, action1, march, client):
    as_user(client, org.member1)
    assert client.get(create_url(org, action1)).status_code == 403
    assert client.post(create_url(org, action1), form_data()).status_code == 403
    assert not ActivityRecord.objects.exists()


def test_supervisor_can_view_but_not_review(org, action1, march, client):
    record = make(org, action1, submit=True)
    as_user(client, org.supervisor)
    page = client.get(record.get_absolute_url())
    assert page.status_code == 200
    assert 'name="decision"' not in page.content.decode()
    assert "Edit record" not in page.content.decode()
    response = client.post(
        reverse("activities:review", args=[record.pk]), {"decision": "accept", "comment": ""}
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED


def test_anonymous_is_sent_to_login(org, action1, client):
    response = client.get(reverse("activities:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_fake_pdf_is_refused_naming_the_file_and_nothing_is_saved(
    org, action1, march, client, settings
):
    as_user(client, org.contact1)
    response = client.post(
        create_url(org, action1), form_data(attachments=[png("ok.png"), fake_pdf("会议纪要.pdf")])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "“会议纪要.pdf” is not an accepted file" in page
    assert "choose your files again" in page
    assert 'value="支部动员会"' in page and "学习了实施方案。" in page
    assert not ActivityRecord.objects.exists() and not Attachment.objects.exists()
    uploads = settings.MEDIA_ROOT
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_too_large_file_is_refused(org, action1, march, client, settings):
    settings.TAOLUN_UPLOAD_MAX_BYTES = len(PNG) - 1
    as_user(client, org.contact1)
    response = client.post(create_url(org, action1), form_data(attachments=[png("大图.png")]))
    assert response.status_code == 200
    assert "“大图.png” is" in response.content.decode()
    assert "at most" in response.content.decode()
    assert not ActivityRecord.objects.exists()


def test_future_date_is_refused_naming_the_field_and_keeping_the_title(org, action1, march, client):
    as_user(client, org.contact1)
    response = client.post(
        create_url(org, action1), form_data(title="我写的标题", held_on="2999-01-01")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be in the future" in page
    assert 'href="#id_held_on" class="alert-link">Date carried out</a>' in page
    assert 'id="id_held_on_error"' in page
    assert 'value="我写的标题"' in page and 'value="2999-01-01"' in page
    assert not ActivityRecord.objects.exists()


def test_missing_title_and_bad_date_name_the_fields(org, action1, march, client):
    as_user(client, org.contact1)
    response = client.post(
        create_url(org, action1), form_data(title="", held_on="not a date", place="礼堂")
    )
    page = response.content.decode()
    assert 'id="id_title_error"' in page and 'id="id_held_on_error"' in page
    assert 'value="礼堂"' in page
    assert not ActivityRecord.objects.exists()


def test_participants_are_limited_to_the_units_people(org, action1, march, client):
    as_user(client, org.contact1)
    page = client.get(create_url(org, action1)).content.decode()
    assert "党员一" in page and "联络员二" not in page
    response = client.post(create_url(org, action1), form_data(participants=[org.contact2.pk]))
    assert response.status_code == 200 and 'id="id_participants_error"' in response.content.decode()
    assert not ActivityRecord.objects.exists()


def test_script_tags_in_content_are_stripped(org, action1, march, client):
    as_user(client, org.contact1)
    client.post(
        create_url(org, action1),
        form_data(
            content="<p>会议<strong>纪要</strong></p><script>alert(1)</script>"
            '<a href="javascript:alert(2)">x</a>'
        ),
    )
    record = ActivityRecord.objects.get()
    assert "<script" not in record.content and "javascript:" not in record.content
    assert "<strong>纪要</strong>" in record.content
    page = client.get(record.get_absolute_url()).content.decode()
    assert "<strong>纪要</strong>" in page
    assert "alert(1)" not in page and "javascript:alert" not in page


def test_download_is_an_attachment_with_the_stored_type(org, action1, march, client):
    record = make(org, action1, files=[png("现场照片.png")])
    attachment = record.attachments.get()
    as_user(client, org.supervisor)
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.png"
        in response["Content-Disposition"]
    )
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_attachments_can_be_removed_from_editable_records_only(org, action1, march, client):
    record = make(org, action1, files=[png("a.png"), png("b.png")])
    first, second = record.attachments.order_by("id")
    as_user(client, org.contact1)
    edit_url = reverse("activities:edit", args=[record.pk])
    assert "Remove “a.png”" in client.get(edit_url).content.decode()
    response = client.post(
        reverse("activities:attachment_delete", args=[first.pk]), {"next": edit_url}
    )
    assert response.status_code == 302 and response["Location"] == edit_url
    assert list(record.attachments.all()) == [second]
    response = client.post(
        reverse("activities:attachment_delete", args=[second.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == record.get_absolute_url()

    other = make(org, action1, files=[png("c.png")], submit=True).attachments.get()
    response = client.post(reverse("activities:attachment_delete", args=[other.pk]))
    assert response.status_code == 403
    assert Attachment.objects.filter(pk=other.pk).exists()


def test_detail_shows_the_history(org, action1, march, client):
    as_user(client, org.contact1)
    client.post(create_url(org, action1), form_data(submit="1"))
    record = ActivityRecord.objects.get()
    as_user(client, org.office)
    client.post(
        reverse("activities:review", args=[record.pk]),
        {"decision": "return", "comment": "补充材料"},
    )
    as_user(client, org.contact1)
    page = client.get(record.get_absolute_url()).content.decode()
    history = page.split('id="history-heading"')[1]
    rows = re.findall(r"<tr>(.*?)</tr>", history, re.S)[1:]
    assert len(rows) == 3
    assert "联络员一" in rows[0] and "create" in rows[0]
    assert "Status: Draft → Awaiting review" in rows[1]
    assert "办公室" in rows[2] and "Status: Awaiting review → Returned" in rows[2]
    assert "Review comment" in rows[2]


def test_list_filters(org, action1, march, client):
    action2 = org.campaign.actions.get(kind="prescribed", number=2)
    make(org, action1, title="一支部草稿")
    make(org, action2, title="一支部已提交", submit=True)
    make(org, action1, who="contact2", unit="branch2", title="二支部草稿")
    as_user(client, org.office)
    url = reverse("activities:list")
    page = client.get(url).content.decode()
    assert all(t in page for t in ("一支部草稿", "一支部已提交", "二支部草稿"))
    page = client.get(url, {"status": "submitted"}).content.decode()
    assert "一支部已提交" in page and "一支部草稿" not in page
    page = client.get(url, {"unit": "branch2"}).content.decode()
    assert "二支部草稿" in page and "一支部草稿" not in page
    page = client.get(url, {"unit": "organ"}).content.decode()  # a unit and everything below it
    assert all(t in page for t in ("一支部草稿", "一支部已提交", "二支部草稿"))
    page = client.get(url, {"campaign": "camp", "action": action2.pk}).content.decode()
    assert "一支部已提交" in page and "二支部草稿" not in page
    response = client.get(url, {"unit": "nowhere"})
    assert "No unit with this code" in response.content.decode()
    assert "二支部草稿" not in response.content.decode()

    as_user(client, org.contact2)
    page = client.get(url, {"unit": "branch1"}).content.decode()
    assert "No unit with this code" in page and "一支部草稿" not in page


def test_list_is_paginated(org, action1, march, client):
    for i in range(51):
        make(org, action1, title=f"记录{i:02d}")
    as_user(client, org.office)
    page = client.get(reverse("activities:list")).content.decode()
    assert "51 records" in page and "Next page" in page
    page2 = client.get(reverse("activities:list"), {"page": 2}).content.decode()
    assert len(re.findall(r'href="/records/\d+-[a-z2-7]+/"', page2)) == 1


def _query_count(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow(org, action1, march, client, django_assert_max_num_queries):
    make(org, action1, files=[png()])
    as_user(client, org.office)
    url = reverse("activities:list") + "?campaign=camp"
    few = _query_count(client, url, django_assert_max_num_queries, 12)
    for i in range(10):
        make(
            org,
            action1,
            who="contact2",
            unit="branch2",
            title=f"二{i}",
            files=[png()],
            submit=i % 2 == 0,
        )
    assert _query_count(client, url, django_assert_max_num_queries, 12) == few


def test_detail_query_count_does_not_grow(
    org, action1, march, client, django_assert_max_num_queries
):
    record = make(org, action1, files=[png()], participants=[org.member1])
    as_user(client, org.office)
    few = _query_count(client, record.get_absolute_url(), django_assert_max_num_queries, 13)
    from taolun.activities.services import record_update

    for i in range(5):
        record_update(
            actor=org.contact1,
            record=record,
            title=f"改{i}",
            files=[png()],
            participants=[org.member1, org.contact1],
        )
    record_submit(actor=org.contact1, record=record)
    assert _query_count(client, record.get_absolute_url(), django_assert_max_num_queries, 13) == few
