"""The bulletin issue (简报), the ledger summary and the campaign summary as official
documents: layout and fonts as a reader of the .docx finds them, who may download each,
the printable pages and the command."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from taolun.documents.campaign_docs import (
    DocumentRequest,
    brief_document,
    ledger_document,
    summary_document,
)
from taolun.documents.tests.helpers import open_docx
from taolun.rectification.models import ProblemState
from taolun.rectification.tests.factories import make_problem, put
from taolun.reporting.bulletin import issue_create, issue_publish, issue_set_items
from taolun.reporting.models import BriefReview, CampaignSummary
from taolun.reporting.summary import summary_assemble, summary_finalise
from taolun.reporting.tests.factories import make_brief

pytestmark = pytest.mark.django_db
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def size(style) -> Pt:
    while style.font.size is None:
        style = style.base_style
    return style.font.size


def east_asia(style) -> str:
    while style.element.rPr is None or style.element.rPr.rFonts is None:
        style = style.base_style
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def assert_official_page(document) -> None:
    section = document.sections[0]
    for measured, expected in (
        (section.page_width.mm, 210),
        (section.page_height.mm, 297),
        (section.top_margin.mm, 37),
        (section.bottom_margin.mm, 35),
        (section.left_margin.mm, 28),
        (section.right_margin.mm, 26),
    ):
        assert measured == pytest.approx(expected, abs=0.1)
    assert document.settings.odd_and_even_pages_header_footer is True
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == alignment
        assert paragraph.text == "— 1 —"
        assert [t.text.strip() for t in paragraph._p.iter(f"{W}instrText")] == ["PAGE"]
        assert size(paragraph.style) == Pt(14)
        assert east_asia(paragraph.style) == "宋体"


def assert_body_and_headings(document) -> None:
    body = document.styles["Body Text"]
    assert size(body) == Pt(16) and east_asia(body) == "仿宋_GB2312"
    assert east_asia(document.styles["Heading 1"]) == "黑体"
    assert east_asia(document.styles["Heading 2"]) == "楷体_GB2312"
    assert size(document.styles["Heading 1"]) == Pt(16)


@pytest.fixture
def adopted(org):
    """Two briefs adopted by the campaign's office, the second with an edited title."""
    camp = org.campaign
    org.one = make_brief(
        camp, org.branch1, org.contact1, title="一支部召开动员会", reviews=[(camp, "adopted")]
    )
    org.two = make_brief(
        camp,
        org.branch2,
        org.contact2,
        title="二支部原题",
        body="<p>二支部集中学习。</p>",
        reviews=[(camp, "adopted")],
    )
    BriefReview.objects.filter(brief=org.two).update(title="二支部开展集中学习")
    return org


def make_issue(org, *, issued: bool = True, briefs=None):
    issue = issue_create(
        actor=org.office,
        campaign=org.campaign,
        masthead="大讨论简报",
        editor="省残联大讨论办公室",
        issued_on=dt.date(2019, 4, 15),
        recipients="报：省委\n送：领导小组成员\n发：各支部",
    )
    issue_set_items(
        actor=org.office, issue=issue, brief_ids=[b.pk for b in (briefs or [org.one, org.two])]
    )
    if issued:
        issue_publish(actor=org.office, issue=issue)
    return issue


# ---------------------------------------------------------------- the bulletin


def test_the_bulletin_has_a_red_masthead_issue_line_editor_date_and_red_rule(adopted):
    document = open_docx(brief_document(make_issue(adopted), copies=30).to_bytes())
    assert_official_page(document)
    assert_body_and_headings(document)
    masthead, issue_line, editor_line = document.paragraphs[:3]
    assert masthead.text == "大讨论简报"
    assert masthead.style.name == "Official Masthead"
    assert size(masthead.style) == Pt(42)
    assert masthead.style.font.color.rgb == RGBColor(0xFF, 0x00, 0x00)
    assert east_asia(masthead.style) == "方正小标宋简体"
    assert masthead.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert issue_line.text == "第1期"
    assert issue_line.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert editor_line.text == "省残联大讨论办公室\t2019年4月15日"
    tab = editor_line.paragraph_format.tab_stops[0]
    assert tab.alignment == WD_TAB_ALIGNMENT.RIGHT  # at the type area's right edge
    assert tab.position.mm == pytest.approx(156, abs=0.2)
    rule = editor_line._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    assert document.core_properties.title == "大讨论简报第1期"


def test_bulletin_items_come_in_order_with_their_adopted_titles_and_the_foot(adopted):
    document = open_docx(brief_document(make_issue(adopted), copies=30).to_bytes())
    titles = [p for p in document.paragraphs if p.style.name == "Title"]
    assert [p.text for p in titles] == ["一支部召开动员会", "二支部开展集中学习"]
    assert size(titles[0].style) == Pt(22)
    body = [p.text for p in document.paragraphs if p.style.name == "Body Text"]
    assert "二支部集中学习。" in body
    assert body.index("(Contributed by 机关第一党支部)") < body.index("二支部集中学习。")
    assert "(Contributed by 机关第二党支部)" in body
    foot = [p.text for p in document.paragraphs if p.style.name == "Official Distribution"]
    assert foot == ["", "报：省委", "送：领导小组成员", "发：各支部", "共印30份"]
    assert size(document.styles["Official Distribution"]) == Pt(14)


def test_bulletin_without_copies_leaves_the_count_out(adopted):
    document = open_docx(brief_document(make_issue(adopted)).to_bytes())
    foot = [p.text for p in document.paragraphs if p.style.name == "Official Distribution"]
    assert foot[-1] == "发：各支部"


# ---------------------------------------------------------------- the ledger


@pytest.fixture
def problems(org):
    put(make_problem(org, ledger_number="W-1", description="<p>学习不深入</p>"), "open")
    put(make_problem(org, ledger_number="W-2"), ProblemState.VERIFIED)
    put(
        make_problem(org, unit="branch2", ledger_number="W-3", description="<p>作风不实</p>"),
        "open",
    )
    make_problem(org, ledger_number="W-4")  # a draft: not on the ledger
    return org


def test_the_ledger_summary_counts_then_lists_problems_in_a_small_table(problems, travel):
    travel(dt.date(2019, 5, 20))
    document = open_docx(ledger_document(problems.campaign, problems.office).to_bytes())
    assert_official_page(document)
    assert document.paragraphs[0].text == "camp 大讨论: summary of the rectification ledger"
    level1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert level1 == ["一、By state and light", "二、By unit", "三、The problems"]
    assert "As of 2019年5月20日, 3 problems are on the ledger." in [
        p.text for p in document.paragraphs
    ]
    by_state, by_light, by_unit, listing = document.tables
    states = {r.cells[0].text: r.cells[1].text for r in by_state.rows[1:]}
    assert states["Open"] == "2" and states["Verified"] == "1" and "Draft" not in states
    lights = {r.cells[0].text: r.cells[1].text for r in by_light.rows[1:]}
    assert lights["Overdue"] == "2" and lights["Closed"] == "1"
    assert [c.text for c in by_unit.rows[1].cells] == ["机关第一党支部", "2", "1", "1"]
    header = [c.text for c in listing.rows[0].cells]
    assert header == ["No.", "Problem", "Unit", "Deadline", "State", "Light"]
    rows = [[c.text for c in r.cells] for r in listing.rows[1:]]
    assert [r[0] for r in rows] == ["W-1", "W-2", "W-3"]
    assert rows[0][1:] == ["学习不深入", "机关第一党支部", "2019-04-30", "Open", "Overdue"]
    cell = listing.rows[1].cells[1].paragraphs[0]
    assert cell.style.name == "Official Small Table Text"
    assert size(cell.style) == Pt(12) and east_asia(cell.style) == "仿宋_GB2312"
    # Portrait A4: the table sits in the type area, no landscape section.
    assert len(document.sections) == 1 and document.sections[0].orientation == 0


def test_the_ledger_summary_is_scoped_like_the_ledger(problems):
    document = open_docx(ledger_document(problems.campaign, problems.contact2).to_bytes())
    listing = document.tables[-1]
    assert [r.cells[0].text for r in listing.rows[1:]] == ["W-3"]


# ---------------------------------------------------------------- the summary


def test_the_summary_document_carries_the_text_with_its_heading_levels(org, travel):
    travel(dt.date(2019, 6, 20))
    summary = summary_assemble(actor=org.office, campaign=org.campaign)
    document = open_docx(summary_document(org.campaign, summary).to_bytes())
    assert_official_page(document)
    assert_body_and_headings(document)
    title = document.paragraphs[0]
    assert title.text == "Summary of camp 大讨论" and title.style.name == "Title"
    assert size(title.style) == Pt(22) and east_asia(title.style) == "方正小标宋简体"
    level1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert level1[0] == "一、What each stage did" and len(level1) == 6
    level2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert level2 == ["（一）阶段1", "（二）阶段2"]
    assert [p.text for p in document.paragraphs[-2:]] == ["省残联", "2019年6月20日"]


# ---------------------------------------------------------------- downloads and pages


def docx_url(kind: str, query: str = "") -> str:
    return reverse("campaigns:document", args=["camp", kind]) + query


def print_url(kind: str, query: str = "") -> str:
    return reverse("campaigns:document_print", args=["camp", kind]) + query


def test_the_bulletin_download_is_the_latest_issued_or_the_one_asked_for(client, adopted):
    make_issue(adopted)
    make_issue(adopted, briefs=[adopted.two])
    draft = make_issue(adopted, issued=False)
    client.force_login(adopted.member1)
    response = client.get(docx_url("brief"))
    assert response.status_code == 200
    document = open_docx(b"".join(response.streaming_content))
    assert document.paragraphs[1].text == "第2期"
    response = client.get(docx_url("brief", "?issue=1"))
    assert open_docx(b"".join(response.streaming_content)).paragraphs[1].text == "第1期"
    assert client.get(docx_url("brief", f"?issue={draft.number}")).status_code == 404
    assert client.get(docx_url("brief", "?issue=x")).status_code == 404
    client.force_login(adopted.office)
    assert client.get(docx_url("brief", f"?issue={draft.number}")).status_code == 200


def test_no_bulletin_issued_yet_is_not_found(client, org):
    client.force_login(org.office)
    assert client.get(docx_url("brief")).status_code == 404
    assert client.get(print_url("brief")).status_code == 404


def test_the_summary_download_waits_for_the_final_text_except_for_the_office(client, org):
    client.force_login(org.member1)
    assert client.get(docx_url("summary")).status_code == 404
    summary = summary_assemble(actor=org.office, campaign=org.campaign)
    assert client.get(docx_url("summary")).status_code == 404
    for who in (org.office, org.leader, org.supervisor):
        client.force_login(who)
        assert client.get(docx_url("summary")).status_code == 200
    summary_finalise(actor=org.office, summary=summary)
    client.force_login(org.member1)
    assert client.get(docx_url("summary")).status_code == 200
    client.force_login(org.outsider)
    assert client.get(docx_url("summary")).status_code == 404


def test_the_ledger_download_follows_the_ledgers_readers(client, problems):
    client.force_login(problems.contact2)
    document = open_docx(b"".join(client.get(docx_url("ledger")).streaming_content))
    assert [r.cells[0].text for r in document.tables[-1].rows[1:]] == ["W-3"]
    client.force_login(problems.outsider)
    assert client.get(docx_url("ledger")).status_code == 404


def test_the_printable_bulletin_shows_the_masthead_and_the_same_items(client, adopted):
    make_issue(adopted)
    client.force_login(adopted.member1)
    html = client.get(print_url("brief", "?issue=1")).content.decode()
    assert '<h1 class="doc-masthead" id="document-title">大讨论简报' in html
    assert '<p class="doc-issue" aria-hidden="true">第1期</p>' in html
    assert '<hr class="doc-rule doc-rule-red">' in html
    assert '<h2 class="doc-item-title">二支部开展集中学习</h2>' in html
    assert "<p>报：省委</p>" in html
    assert 'href="/campaigns/camp/documents/brief.docx?issue=1"' in html


def test_the_printable_ledger_and_summary_have_captioned_tables_and_headings(client, problems):
    summary_finalise(
        actor=problems.office,
        summary=summary_assemble(actor=problems.office, campaign=problems.campaign),
    )
    client.force_login(problems.member1)
    html = client.get(print_url("ledger")).content.decode()
    assert '<table class="doc-table doc-table-small">' in html
    assert '<caption class="visually-hidden">The problems on the ledger</caption>' in html
    assert '<th scope="col">Light</th>' in html
    html = client.get(print_url("summary")).content.decode()
    assert '<h1 class="doc-title" id="document-title">Summary of camp 大讨论</h1>' in html
    assert '<h2 class="doc-h1">一、What each stage did</h2>' in html


@pytest.mark.parametrize("kind", ["brief", "ledger"])
def test_downloads_do_not_grow_with_rows(client, adopted, kind, django_assert_max_num_queries):
    make_issue(adopted)
    put(make_problem(adopted, ledger_number="P-0"), "open")
    client.force_login(adopted.office)
    client.get(docx_url(kind, "?issue=1" if kind == "brief" else ""))
    with django_assert_max_num_queries(20) as few:
        assert client.get(docx_url(kind, "?issue=1" if kind == "brief" else "")).status_code == 200
    more = [
        make_brief(
            adopted.campaign,
            adopted.branch1,
            adopted.contact1,
            title=f"加{n}",
            reviews=[(adopted.campaign, "adopted")],
        )
        for n in range(5)
    ]
    issue = issue_create(actor=adopted.office, campaign=adopted.campaign)
    issue_set_items(
        actor=adopted.office,
        issue=issue,
        brief_ids=[adopted.one.pk, adopted.two.pk, *(b.pk for b in more)],
    )
    issue_publish(actor=adopted.office, issue=issue)
    for n in range(6):
        put(make_problem(adopted, ledger_number=f"P-{n + 1}"), "open")
    query = f"?issue={issue.number}" if kind == "brief" else ""
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(docx_url(kind, query)).status_code == 200


# ---------------------------------------------------------------- the command


def test_the_command_writes_each_new_kind(tmp_path, adopted):
    make_issue(adopted)
    put(make_problem(adopted, ledger_number="P-1"), "open")
    summary_assemble(actor=adopted.office, campaign=adopted.campaign)
    out = tmp_path / "brief.docx"
    call_command(
        "make_document",
        "brief",
        campaign="camp",
        out=str(out),
        username="member1",
        issue=1,
        copies=20,
    )
    paragraphs = [p.text for p in open_docx(out.read_bytes()).paragraphs]
    assert paragraphs[:2] == ["大讨论简报", "第1期"] and "共印20份" in paragraphs
    out = tmp_path / "ledger.docx"
    call_command("make_document", "ledger", campaign="camp", out=str(out), username="office")
    assert open_docx(out.read_bytes()).tables[-1].rows[1].cells[0].text == "P-1"
    out = tmp_path / "summary.docx"
    call_command("make_document", "summary", campaign="camp", out=str(out), username="office")
    assert open_docx(out.read_bytes()).paragraphs[0].text == "Summary of camp 大讨论"


def test_the_command_says_why_there_is_nothing_to_write(tmp_path, org):
    out = tmp_path / "x.docx"
    with pytest.raises(CommandError, match="has no issued bulletin yet"):
        call_command("make_document", "brief", campaign="camp", out=str(out), username="office")
    with pytest.raises(CommandError, match="cannot read issue 3"):
        call_command(
            "make_document", "brief", campaign="camp", out=str(out), username="office", issue=3
        )
    summary_assemble(actor=org.office, campaign=org.campaign)
    with pytest.raises(CommandError, match="still a draft"):
        call_command("make_document", "summary", campaign="camp", out=str(out), username="member1")
    with pytest.raises(CommandError, match="--issue takes a number from 1 up"):
        call_command(
            "make_document", "brief", campaign="camp", out=str(out), username="office", issue=0
        )
    assert not out.exists()
    assert CampaignSummary.objects.count() == 1


# ---------------------------------------------------------------- PDF


@pytest.mark.parametrize("kind", ["brief", "ledger", "summary"])
def test_each_new_document_renders_to_a_sane_number_of_pdf_pages(tmp_path, adopted, kind):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed: the PDF rendering check runs where it is")
    issue = make_issue(adopted)
    for n in range(30):
        put(
            make_problem(adopted, ledger_number=f"P-{n}", description="<p>" + "问题" * 40 + "</p>"),
            "open",
        )
    summary = summary_assemble(actor=adopted.office, campaign=adopted.campaign)
    asked = DocumentRequest(user=adopted.office, campaign=adopted.campaign, issue=issue.number)
    builders = {
        "brief": lambda: brief_document(issue, copies=30),
        "ledger": lambda: ledger_document(asked.campaign, asked.user),
        "summary": lambda: summary_document(adopted.campaign, summary),
    }
    source = tmp_path / f"{kind}.docx"
    builders[kind]().save(source)
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        timeout=120,
        capture_output=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = (tmp_path / f"{kind}.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 15
