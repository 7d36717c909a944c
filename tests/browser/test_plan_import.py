"""The plan import in the browser, on the seed's demo.

The campaign office pastes the seed's speech, reads the draft campaign (the six themes, the
four stages, the leading group matched to accounts), corrects it and creates the campaign;
axe-core checks the paste page and the review page on the way. One test: the browser phase
pays for a fresh database and context once.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from taolun.campaigns.models import Campaign
from taolun.core.demo import DEMO_PASSWORD
from tests.browser.conftest import Page, axe_check, login, page_basics, zh

pytestmark = pytest.mark.browser

SEED = Path(__file__).resolve().parents[2] / "taolun" / "textmine" / "tests" / "plans" / "seed.txt"
IMPORT = "/text/plan/"
NAME = "省残联“改革创新、奋发有为”大讨论（由讲话导入）"


def test_office_pastes_the_seed_reviews_and_creates_the_campaign(page, live_server, demo):
    login(page, live_server, "office", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{IMPORT}")
    page_basics(page, Page("plan-import", "office", lambda: IMPORT))
    axe_check(page)

    page.get_by_label(zh("Text of the plan or speech")).fill(SEED.read_text(encoding="utf-8"))
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Read the plan and show the draft")).click()

    # -- the review: what was read, in fields the office can correct ----------------------
    assert page.locator("h1").inner_text() == zh("Review the draft campaign")
    page_basics(page, Page("plan-review", "office", lambda: IMPORT))
    axe_check(page)
    assert page.locator("#id_themes-0-break_with").input_value() == "破除僵化保守"
    assert page.locator("#id_themes-5-adhere_to").input_value() == "坚持以过硬作风彰显担当作为"
    assert page.locator("#id_stages-3-name").input_value() == "提升"
    assert page.locator("#id_basis_number").input_value() == "晋办发〔2019〕1号"
    assert page.get_by_test_id("action-count").inner_text() == "10个规定动作"
    assert page.locator("#id_members-0-name").input_value() == "卫国"
    assert zh("Matched") in page.get_by_test_id("member-match").first.inner_text()

    page.locator("#id_name").fill(NAME)
    page.locator("#id_ends_on").fill("2019-12-31")
    slug = page.locator("#id_slug").input_value()
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Create the campaign")).click()

    # -- the campaign page -----------------------------------------------------------------
    campaign = Campaign.objects.get(slug=slug)
    assert urlsplit(page.url).path == campaign.get_absolute_url()
    assert page.locator("h1").inner_text() == NAME
    assert campaign.themes.count() == 6 and campaign.stages.count() == 4
    assert campaign.leading_group.filter(person__name="卫国").exists()
