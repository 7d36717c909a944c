"""Every page of the Foundation issue passes axe-core (WCAG 2.1 A/AA) as the people who use it
see it, on the seed's demo; the record form works by keyboard alone; pages fit a phone.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taolun.activities.models import ActivityRecord
from taolun.activities.services import record_update
from taolun.campaigns.models import Action, ActionKind, Approval
from taolun.org.models import User
from taolun.textmine.models import CopyScan
from tests.browser.conftest import (
    DEMO_CAMPAIGN,
    FOCUSABLE,
    PHONE,
    Page,
    axe_check,
    check_pages,
    fits_a_phone,
    focus_document_start,
    is_focused,
    open_page,
    page_basics,
    tiny_pdf,
    tiny_png,
    users_of,
)

pytestmark = pytest.mark.browser

CAMPAIGN = f"/campaigns/{DEMO_CAMPAIGN}"
UNIT = "sxdpf-branch-1"


def not_started_action() -> int:
    """统筹谋划年度工作… : never recorded by 机关第一党支部 at the demo's day."""
    return Action.objects.get(campaign__slug=DEMO_CAMPAIGN, kind=ActionKind.PRESCRIBED, number=6).pk


def pending_action() -> int:
    """The rehabilitation centre branch's self-selected action, awaiting the office."""
    return Action.objects.get(
        campaign__slug=DEMO_CAMPAIGN, kind=ActionKind.SELF_SELECTED, approval=Approval.PROPOSED
    ).pk


def record(title: str) -> int:
    return ActivityRecord.objects.get(title=title).pk


def draft_with_files() -> int:
    """机关第一党支部's draft, with a photo and a PDF attached (the demo's records have none)."""
    draft = ActivityRecord.objects.get(title=DRAFT)
    record_update(
        actor=User.objects.get(username="contact1"),
        record=draft,
        files=[
            SimpleUploadedFile("会场照片.png", tiny_png(), "image/png"),
            SimpleUploadedFile("会议记录.pdf", tiny_pdf(), "application/pdf"),
        ],
    )
    return draft.pk


def demo_scan() -> int:
    """The demo's scan for near-copies (one group: a reflection handed in twice)."""
    return CopyScan.objects.get(campaign__slug=DEMO_CAMPAIGN).pk


SUBMITTED = "省康复研究中心党支部专题组织生活会"
RETURNED = "机关第二党支部专题组织生活会"
DRAFT = "机关第一党支部专题组织生活会"
MOBILISATION = "省残联“改革创新、奋发有为”大讨论动员部署会"


PAGES = [
    Page("home-contact", "contact1", lambda: "/"),
    Page("home-office", "office", lambda: "/"),
    Page("unit-tree", "office", lambda: "/units/"),
    Page("unit-contact", "contact1", lambda: f"/units/{UNIT}/?campaign={DEMO_CAMPAIGN}"),
    Page(
        "unit-office",
        "office",
        lambda: f"/units/sxdpf-rehab-centre-branch/?campaign={DEMO_CAMPAIGN}",
    ),
    Page("unit-default-campaign-member", "member", lambda: f"/units/{UNIT}/"),
    Page("campaign-list", "office", lambda: "/campaigns/"),
    Page("campaign-detail", "office", lambda: f"{CAMPAIGN}/"),
    Page("campaign-detail-parent", "province", lambda: "/campaigns/shanxi-2019/"),
    Page("campaign-overview", "office", lambda: f"{CAMPAIGN}/matrix/"),
    Page("plan-edit", "contact1", lambda: f"{CAMPAIGN}/units/{UNIT}/plan/"),
    Page("action-propose", "contact1", lambda: f"{CAMPAIGN}/units/{UNIT}/actions/new/"),
    Page("action-decide", "office", lambda: f"/campaigns/actions/{pending_action()}/decide/"),
    Page("record-list", "office", lambda: "/records/"),
    Page("record-create", "contact1", lambda: f"/records/new/{UNIT}/{not_started_action()}/"),
    Page(
        "record-detail-review",
        "office",
        lambda: reverse("activities:detail", args=[record(SUBMITTED)]),
    ),
    Page(
        "record-detail-draft",
        "contact1",
        lambda: reverse("activities:detail", args=[record(DRAFT)]),
    ),
    Page(
        "record-detail-mobilisation",
        "leader",
        lambda: reverse("activities:detail", args=[record(MOBILISATION)]),
    ),
    Page(
        "record-edit-returned",
        "contact2",
        lambda: reverse("activities:edit", args=[record(RETURNED)]),
    ),
    Page(
        "record-edit-attachments",
        "contact1",
        lambda: reverse("activities:edit", args=[draft_with_files()]),
        writes=True,
    ),
    Page("todo-office", "office", lambda: "/todo/"),
    Page("todo-contact", "contact2", lambda: "/todo/"),
    Page("todo-empty", "supervisor", lambda: "/todo/"),
    Page("document-plan-print", "member", lambda: f"{CAMPAIGN}/documents/plan/"),
    Page("document-group-print", "office", lambda: f"{CAMPAIGN}/documents/leading_group/"),
    Page("copies", "office", lambda: f"/text/{DEMO_CAMPAIGN}/copies/"),
    Page("search", "office", lambda: "/text/search/?q=残疾人就业"),
    Page("search-empty", "member", lambda: "/text/search/?q=不存在的词语组合"),
    Page("copies-group", "office", lambda: f"/text/{DEMO_CAMPAIGN}/copies/{demo_scan()}/1/"),
    # Forms sent back with their errors shown.
    Page(
        "record-create-errors",
        "contact1",
        lambda: f"/records/new/{UNIT}/{not_started_action()}/",
        empty=("#id_title", "#id_held_on"),
    ),
    Page(
        "plan-edit-errors",
        "contact1",
        lambda: f"{CAMPAIGN}/units/{UNIT}/plan/",
        empty=("#id_title",),
    ),
    Page(
        "action-propose-errors",
        "contact1",
        lambda: f"{CAMPAIGN}/units/{UNIT}/actions/new/",
        empty=("#id_name",),
    ),
    # Returning a record needs a comment.
    Page(
        "record-review-errors",
        "office",
        lambda: reverse("activities:detail", args=[record(SUBMITTED)]),
        empty=("#id_comment",),
        button="main button[value=return]",
    ),
]


@pytest.mark.parametrize("user", users_of(PAGES))
def test_pages_pass_axe(page, live_server, demo, user):
    """Each of the person's pages (forms also sent back with their errors) is in Chinese, has
    one h1 and passes axe."""

    def check(page, spec: Page) -> None:
        page_basics(page, spec, unique_ids=False)
        axe_check(page)

    check_pages(page, live_server, [p for p in PAGES if p.user == user], check)


ACTIVE = """async () => {
  const look = () => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
      key: el.id || el.name || el.textContent.trim(),
      inForm: !!el.closest('main form'),
      outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
      shadow: style.boxShadow !== 'none',
    };
  };
  // Focus styles may fade in (Bootstrap's box-shadow transition): give them a few frames.
  for (let frame = 0; frame < 30; frame++) {
    const now = look();
    if (!now.inForm || now.outline || now.shadow) return now;
    await new Promise(resolve => requestAnimationFrame(resolve));
  }
  return look();
}"""


def test_record_form_by_keyboard(page, live_server, demo):
    open_page(page, live_server, next(p for p in PAGES if p.name == "record-create"))
    focus_document_start(page)

    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert is_focused(skip)
    assert skip.bounding_box()["width"] > 1
    page.keyboard.press("Enter")
    assert is_focused(page.locator("main#main"))

    # Tab from the top of main through the form: every field and button, in order, each
    # with a visible focus indicator. A date input takes several Tabs (day, month, year).
    form = page.locator("main form[enctype]")
    expected = form.evaluate(FOCUSABLE)
    assert {
        "title",
        "held_on",
        "place",
        "participant_count",
        "participants",
        "content",
        "attachments",
    } <= {key.removeprefix("id_") for key in expected}
    visited: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if not active["inForm"]:
            if visited:
                break
            continue
        if visited and visited[-1] == active["key"]:
            continue  # still in a date input, moving between its day, month and year
        assert active["outline"] or active["shadow"], f"no visible focus on {active['key']}"
        visited.append(active["key"])
    assert visited == expected


PHONE_PAGES = ["unit-contact", "campaign-detail", "campaign-overview", "record-create"]


def test_pages_fit_a_phone(new_page, live_server, demo):
    page = new_page(viewport=PHONE)
    check_pages(page, live_server, [p for p in PAGES if p.name in PHONE_PAGES], fits_a_phone)
