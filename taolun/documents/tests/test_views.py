"""Document downloads, printable pages and the command: scope, kinds, what they carry."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command
from django.urls import reverse

from taolun.campaigns.models import LeadingGroupMember, LeadingGroupRole
from taolun.campaigns.tests.factories import make_campaign
from taolun.documents.tests.helpers import open_docx
from taolun.documents.views import DOCX_CONTENT_TYPE, docx_filename

pytestmark = pytest.mark.django_db


def docx_url(slug: str, kind: str) -> str:
    return reverse("campaigns:document", args=[slug, kind])


def print_url(slug: str, kind: str) -> str:
    return reverse("campaigns:document_print", args=[slug, kind])


def test_paths_are_where_the_campaign_is():
    assert docx_url("camp", "plan") == "/campaigns/camp/documents/plan.docx"
    assert print_url("camp", "leading_group") == "/campaigns/camp/documents/leading_group/"


@pytest.mark.parametrize("kind", ["plan", "leading_group"])
def test_a_member_downloads_the_document_as_word(client, demo_campaign, org, kind):
    client.force_login(org.member1)
    response = client.get(docx_url("camp", kind))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    document = open_docx(b"".join(response.streaming_content))
    title = document.paragraphs[0].text
    assert quote(docx_filename(title)) in disposition  # the Chinese title, encoded
    assert title == document.core_properties.title


def test_the_file_name_drops_characters_windows_refuses():
    assert docx_filename('a/b:c*"d"') == "a_b_c__d_.docx"


@pytest.mark.parametrize("view", [docx_url, print_url])
def test_an_unknown_kind_is_not_found(client, org, view):
    client.force_login(org.office)
    assert client.get(view("camp", "minutes")).status_code == 404


@pytest.mark.parametrize("view", [docx_url, print_url])
@pytest.mark.parametrize("kind", ["plan", "leading_group"])
def test_a_campaign_out_of_scope_is_not_found(client, org, view, kind):
    make_campaign(org.branch2, "other")
    client.force_login(org.member1)
    assert client.get(view("other", kind)).status_code == 404
    client.force_login(org.outsider)
    assert client.get(view("camp", kind)).status_code == 404
    client.force_login(org.contact2)
    assert client.get(view("other", kind)).status_code == 200


@pytest.mark.parametrize("view", [docx_url, print_url])
def test_anonymous_visitors_are_sent_to_log_in(client, org, view):
    response = client.get(view("camp", "plan"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_documents_are_read_only(client, org):
    client.force_login(org.office)
    assert client.post(docx_url("camp", "plan")).status_code == 405
    assert client.post(print_url("camp", "plan")).status_code == 405


def test_the_printable_plan_shows_the_same_document(client, demo_campaign, org):
    client.force_login(org.member1)
    response = client.get(print_url("camp", "plan"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="doc-title" id="document-title">camp 大讨论 implementation plan</h1>' in html
    assert '<h2 class="doc-h1">一、General requirements' in html
    assert '<h3 class="doc-h2">（一）动员' in html
    assert "1.破除僵化保守，着力解决改革意识不强问题，坚持以改革破解发展难题。" in html
    assert "documents/official.css" in html
    assert 'class="breadcrumb-item"><a href="/campaigns/camp/">camp 大讨论</a>' in html
    assert 'href="/campaigns/camp/documents/plan.docx"' in html
    assert (
        '<div class="doc-signature"><div class="doc-signature-lines"><p>省残联</p>'
        "<p>2019年2月22日</p></div></div>" in html
    )


def test_the_printable_page_escapes_what_users_wrote(client, demo_campaign, org):
    LeadingGroupMember.objects.filter(campaign=demo_campaign).update(
        position="<b>书记</b>", duties="<img src=x onerror=alert(1)>"
    )
    client.force_login(org.office)
    html = client.get(print_url("camp", "leading_group")).content.decode()
    assert "<img" not in html
    assert "&lt;b&gt;书记&lt;/b&gt;" in html


def test_the_print_stylesheet_sets_a4_the_margins_and_hides_the_site():
    css = Path(finders.find("documents/official.css")).read_text(encoding="utf-8")
    assert "size: A4; margin: 37mm 26mm 35mm 28mm;" in css
    assert "font-size: 22pt" in css
    assert "font-size: 16pt" in css
    assert "line-height: var(--doc-line)" in css and "--doc-line: 28.9pt" in css
    assert "body > header, body > footer" in css


def test_the_campaign_page_links_to_both_forms_of_each_document(client, org):
    client.force_login(org.member1)
    html = client.get(reverse("campaigns:detail", args=["camp"])).content.decode()
    assert 'id="documents"' in html
    for kind in ("plan", "leading_group"):
        assert f'href="{docx_url("camp", kind)}"' in html
        assert f'href="{print_url("camp", kind)}"' in html


@pytest.mark.parametrize("kind", ["plan", "leading_group"])
@pytest.mark.parametrize("view", [docx_url, print_url])
def test_queries_do_not_grow_with_the_leading_group(
    client, demo_campaign, org, kind, view, django_assert_max_num_queries
):
    client.force_login(org.office)
    client.get(view("camp", kind))  # warm the session and the user's scope
    with django_assert_max_num_queries(15) as few:
        assert client.get(view("camp", kind)).status_code == 200
    LeadingGroupMember.objects.bulk_create(
        LeadingGroupMember(
            campaign=demo_campaign,
            role=LeadingGroupRole.MEMBER,
            order=50 + n,
            person=org.member1,
            position=f"成员{n}",
            duties="职责",
        )
        for n in range(20)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(view("camp", kind)).status_code == 200


def test_the_command_writes_the_plan_as_the_named_user(tmp_path, demo_campaign, org, capsys):
    out = tmp_path / "plan.docx"
    call_command("make_document", "plan", campaign="camp", out=str(out), username="member1")
    document = open_docx(out.read_bytes())
    assert document.paragraphs[0].text.startswith("camp 大讨论")
    assert "written to" in capsys.readouterr().out


def test_the_command_writes_the_leading_group(tmp_path, demo_campaign, org):
    out = tmp_path / "group.docx"
    call_command("make_document", "leading_group", campaign="camp", out=str(out), username="office")
    assert "省残联大讨论领导小组" in open_docx(out.read_bytes()).paragraphs[0].text


def test_the_command_refuses_an_unknown_user_or_campaign(tmp_path, org):
    out = str(tmp_path / "x.docx")
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        call_command("make_document", "plan", campaign="camp", out=out, username="nobody")
    with pytest.raises(CommandError, match="No campaign with slug 'nope'"):
        call_command("make_document", "plan", campaign="nope", out=out, username="office")


def test_the_command_refuses_a_user_who_cannot_see_the_campaign(tmp_path, org):
    make_campaign(org.branch2, "other")
    out = tmp_path / "x.docx"
    with pytest.raises(CommandError, match="member1 may not see the campaign 'other'"):
        call_command("make_document", "plan", campaign="other", out=str(out), username="member1")
    assert not out.exists()


def test_the_command_reports_a_file_it_cannot_write(tmp_path, org):
    out = tmp_path / "missing" / "x.docx"
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("make_document", "plan", campaign="camp", out=str(out), username="office")
