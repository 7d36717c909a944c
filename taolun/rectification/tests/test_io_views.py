"""The ledger's export download and the import pages: upload, preview, apply, cancel."""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taolun.rectification.models import ImportState, LedgerImport, Problem
from taolun.rectification.services import MeasureInput
from taolun.rectification.tests.factories import make_problem
from taolun.rectification.tests.test_ledger_io import (
    PDF,
    row,
    sheet_rows,
    snapshot,
    workbook,
)

D = dt.date
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 3, 15))


def export_url(slug: str = "camp", **query) -> str:
    url = reverse("rectification:ledger_export", args=[slug])
    if query:
        url += "?" + "&".join(f"{k}={quote(str(v))}" for k, v in query.items())
    return url


def import_url(slug: str = "camp") -> str:
    return reverse("rectification:ledger_import", args=[slug])


def upload(data: bytes, name: str = "台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def post_file(client, user, data: bytes, unit: str = "branch1", name: str = "台账.xlsx"):
    client.force_login(user)
    return client.post(import_url(), {"unit": unit, "file": upload(data, name)})


# ---------------------------------------------------------------- export


def test_export_downloads_the_scoped_ledger(client, org):
    mine = make_problem(org, measures=[MeasureInput("措施", D(2019, 4, 1))])
    theirs = make_problem(org, unit="branch2")
    client.force_login(org.contact1)
    response = client.get(export_url())
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="camp-ledger-2019-03-15.xlsx"'
    numbers = {r[1] for r in sheet_rows(downloaded(response))[3:]}
    assert mine.ledger_number in numbers and theirs.ledger_number not in numbers


def test_export_follows_the_page_filters(client, org):
    draft = make_problem(org)
    opened = make_problem(org, open_now=True)
    client.force_login(org.office)
    response = client.get(export_url(state="open"))
    numbers = {r[1] for r in sheet_rows(downloaded(response))[3:]}
    assert numbers == {opened.ledger_number}
    assert draft.ledger_number not in numbers


def test_export_is_for_people_of_the_campaign(client, org):
    client.force_login(org.outsider)
    assert client.get(export_url()).status_code == 404
    client.logout()
    assert client.get(export_url()).status_code == 302  # to the login page


def test_export_queries_do_not_grow_with_rows(client, org, django_assert_max_num_queries):
    client.force_login(org.office)
    make_problem(org)
    with django_assert_max_num_queries(30) as few:
        downloaded(client.get(export_url()))
    for i in range(15):
        make_problem(org, description=f"问题{i}", measures=[MeasureInput("措施", D(2019, 4, 1))])
    with django_assert_max_num_queries(len(few.captured_queries)):
        downloaded(client.get(export_url()))


# ---------------------------------------------------------------- the upload page


def test_upload_page_offers_the_units_where_the_user_records_problems(client, org):
    client.force_login(org.contact1)
    response = client.get(import_url())
    assert response.status_code == 200
    choices = response.context["form"].fields["unit"].choices
    assert [slug for slug, _label in choices] == ["branch1"]
    client.force_login(org.office)
    choices = client.get(import_url()).context["form"].fields["unit"].choices
    assert [slug for slug, _label in choices] == ["root", "organ", "branch1", "branch2"]
    client.force_login(org.member1)
    assert client.get(import_url()).status_code == 403
    client.force_login(org.outsider)
    assert client.get(import_url()).status_code == 404


def test_a_contact_cannot_post_for_another_branch(client, org):
    response = post_file(client, org.contact1, workbook([row()]), unit="branch2")
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["form"].errors["unit"][0]
    assert not LedgerImport.objects.exists()


def test_upload_preview_apply(client, org):
    existing = make_problem(org, measures=[MeasureInput("旧措施", D(2019, 4, 1))])
    data = workbook(
        [
            row(ledger_number=existing.ledger_number, description="理论学习不够深入，已补充"),
            row(description="新问题"),
        ]
    )
    response = post_file(client, org.contact1, data)
    record = LedgerImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("rectification:ledger_import_preview", args=[record.pk])
    assert record.state == ImportState.PREVIEWED and record.file
    assert (record.added, record.changed, record.unchanged) == (1, 1, 0)
    assert Problem.objects.count() == 1  # nothing written yet
    page = client.get(response["Location"])
    content = page.content.decode()
    assert "新问题" in content and "CAMP-BRANCH1-002" in content
    assert "理论学习不够深入" in content and "理论学习不够深入，已补充" in content  # old → new
    assert "旧措施" in content and "每周集中学习一次" in content
    assert "Apply the import" in content
    response = client.post(reverse("rectification:ledger_import_apply", args=[record.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("rectification:ledger", args=["camp"])
    record.refresh_from_db()
    assert record.state == ImportState.APPLIED and record.applied_at and not record.file
    existing.refresh_from_db()
    assert existing.description == "<p>理论学习不够深入，已补充</p>"
    assert existing.measures.get().text == "每周集中学习一次"
    assert Problem.objects.get(ledger_number="CAMP-BRANCH1-002").created_by == org.contact1
    follow = client.get(response["Location"])
    assert "1 added, 1 changed, 0 unchanged" in follow.content.decode()


def test_the_preview_shows_each_changed_column_old_and_new(client, org):
    existing = make_problem(org, open_now=True)
    keys = ["ledger_number", "description", "unit", "deadline", "source", "state", "progress"]
    data = workbook(
        [
            row(
                ledger_number=existing.ledger_number,
                source="民主生活会",
                state="in_progress",
                progress="已召开专题会议",
            )
        ],
        keys,
    )
    response = post_file(client, org.contact1, data)
    content = client.get(response["Location"]).content.decode()
    for cell in ("问题来源", "Other", "Democratic life meeting", "状态", "Open", "In progress"):
        assert cell in content
    assert "最新进展" in content and "已召开专题会议" in content


def test_row_errors_are_shown_and_nothing_can_be_applied(client, org):
    before = snapshot()
    data = workbook([row(unit="机关第二党支部"), row(deadline="明年")])
    response = post_file(client, org.contact1, data)
    record = LedgerImport.objects.get()
    assert record.state == ImportState.FAILED and not record.file
    page = client.get(response["Location"])
    content = page.content.decode()
    assert "The file has 2 errors: nothing can be imported." in content
    assert "Unknown unit “机关第二党支部”" in content
    assert "“明年” is not a date; write it as 2019-04-30." in content
    assert "Apply the import" not in content
    assert "Upload a corrected file" in content
    response = client.post(reverse("rectification:ledger_import_apply", args=[record.pk]))
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (PDF, "台账.xlsx", "“台账.xlsx” is a PDF file, not an Excel workbook (.xlsx)."),
        (
            workbook([row()], ["description", "unit", "measure"]),
            "台账.xlsx",
            "The sheet has no “Deadline” column (row 2 is read as the header).",
        ),
    ],
)
def test_bad_files_are_refused_on_the_form(client, org, data, name, message):
    before = snapshot()
    response = post_file(client, org.contact1, data, name=name)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [message]
    assert message in response.content.decode()
    assert not LedgerImport.objects.exists()
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_refused(client, org, settings):
    settings.TAOLUN_LEDGER_IMPORT_MAX_BYTES = 2048
    response = post_file(client, org.contact1, workbook([row()] * 5))
    [message] = response.context["form"].errors["file"]
    assert message.startswith("“台账.xlsx” is ") and "a ledger file may be at most 2.0" in message
    assert not LedgerImport.objects.exists()


def test_only_the_uploader_sees_and_applies_an_import(client, org):
    post_file(client, org.contact1, workbook([row()]))
    record = LedgerImport.objects.get()
    for user in (org.contact2, org.office):
        client.force_login(user)
        preview = reverse("rectification:ledger_import_preview", args=[record.pk])
        assert client.get(preview).status_code == 404
        for action in ("ledger_import_apply", "ledger_import_cancel"):
            url = reverse(f"rectification:{action}", args=[record.pk])
            assert client.post(url).status_code == 404
    assert not Problem.objects.exists()
    record.refresh_from_db()
    assert record.state == ImportState.PREVIEWED


def test_apply_is_refused_when_the_ledger_moved_since_the_preview(client, org):
    data = workbook([row(description="新问题")])
    response = post_file(client, org.contact1, data)
    record = LedgerImport.objects.get()
    make_problem(org)  # takes CAMP-BRANCH1-001, the number the preview promised
    response = client.post(reverse("rectification:ledger_import_apply", args=[record.pk]))
    assert response["Location"] == reverse("rectification:ledger_import_preview", args=[record.pk])
    assert Problem.objects.count() == 1
    page = client.get(response["Location"])
    content = page.content.decode()
    assert "The ledger changed since the preview" in content
    assert "CAMP-BRANCH1-002" in content  # the fresh preview
    client.post(reverse("rectification:ledger_import_apply", args=[record.pk]))
    assert Problem.objects.filter(ledger_number="CAMP-BRANCH1-002").exists()


def test_cancel_drops_the_import_and_its_file(client, org):
    post_file(client, org.contact1, workbook([row()]))
    record = LedgerImport.objects.get()
    stored = record.file.path
    response = client.post(reverse("rectification:ledger_import_cancel", args=[record.pk]))
    assert response["Location"] == import_url()
    record.refresh_from_db()
    assert record.state == ImportState.CANCELLED and not record.file
    assert not os.path.exists(stored)
    assert not Problem.objects.exists()


def test_the_preview_page_does_not_grow_with_rows(client, org, django_assert_max_num_queries):
    for n in (3, 60):
        post_file(client, org.contact1, workbook([row(description=f"问题{i}") for i in range(n)]))
        record = LedgerImport.objects.latest("id")
        url = reverse("rectification:ledger_import_preview", args=[record.pk])
        with django_assert_max_num_queries(12):
            page = client.get(url)
        assert page.status_code == 200 and f"问题{n - 1}" in page.content.decode()


def test_the_preview_works_from_another_session(client, org, settings):
    post_file(client, org.contact1, workbook([row(description="新问题")]))
    record = LedgerImport.objects.get()
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(org.contact1)
    page = client.get(reverse("rectification:ledger_import_preview", args=[record.pk]))
    assert "新问题" in page.content.decode() and "Apply the import" in page.content.decode()


def test_an_exported_ledger_imports_back_unchanged(client, org):
    make_problem(org, measures=[MeasureInput("措施一", D(2019, 4, 1))], open_now=True)
    client.force_login(org.contact1)
    data = downloaded(client.get(export_url()))
    response = post_file(client, org.contact1, data)
    record = LedgerImport.objects.get()
    assert (record.added, record.changed, record.unchanged) == (0, 0, 1)
    content = client.get(response["Location"]).content.decode()
    assert "The file matches the ledger: there is nothing to import." in content


def test_import_pages_render_in_chinese(client, org, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(org.contact1)
    page = client.get(import_url())
    assert page.status_code == 200 and 'lang="zh-Hans"' in page.content.decode()
