"""The campaign's plan and leading group list, as a reader of the .docx finds them."""

from __future__ import annotations

import pytest
from django.utils import translation

from taolun.campaigns.models import Campaign
from taolun.core.demo import ACTIONS, STAGES, THEMES
from taolun.documents.campaign_docs import leading_group_document, plan_document
from taolun.documents.docx import chinese_date
from taolun.documents.tests.helpers import open_docx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def texts(doc) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in open_docx(doc.to_bytes()).paragraphs]


def test_plan_has_the_four_parts_then_themes_and_stages_and_the_signature(demo_campaign):
    doc = plan_document(demo_campaign)
    assert doc.title == "camp 大讨论 implementation plan"
    paragraphs = texts(doc)
    level1 = [text for style, text in paragraphs if style == "Heading 1"]
    assert level1 == [
        "一、General requirements",
        "二、Main tasks",
        "三、Methods and steps",
        "四、Organisation and leadership",
        "Annex: themes",
        "Annex: stages and prescribed actions",
    ]
    body = [text for style, text in paragraphs if style == "Body Text"]
    for number, (break_with, focus_on, adhere_to) in enumerate(THEMES, 1):
        assert f"{number}.{break_with}，{focus_on}，{adhere_to}。" in body
    level2 = [text for style, text in paragraphs if style == "Heading 2"]
    assert level2[0] == "（一）动员（2019年2月18日 to 2019年3月10日）：打响动员的“第一枪”"
    assert [h.split("（")[1].split("）")[1] for h in level2] == [n for n, *_rest in STAGES]
    assert "1.召开动员部署会（due 2019年2月28日）" in body
    for number, (_stage, name, _description, due) in enumerate(ACTIONS, 1):
        assert f"{number}.{name}（due {chinese_date(due)}）" in body
    # The plan's own list (the 2019 work targets) comes out numbered.
    assert "1.坚持精准扶贫,坚决打赢贫困残疾人脱贫攻坚战" in body
    assert [text for _style, text in paragraphs[-2:]] == ["省残联", "2019年2月22日"]
    assert open_docx(doc.to_bytes()).core_properties.author == "省残联"


def test_plan_leaves_out_empty_parts_and_numbers_the_rest_in_order(demo_campaign):
    Campaign.objects.filter(pk=demo_campaign.pk).update(general_requirements="", methods=" ")
    demo_campaign.refresh_from_db()
    level1 = [t for s, t in texts(plan_document(demo_campaign)) if s == "Heading 1"]
    assert level1[:2] == ["一、Main tasks", "二、Organisation and leadership"]


def test_plan_text_stored_unsafe_is_cleaned_on_the_way_out(demo_campaign):
    Campaign.objects.filter(pk=demo_campaign.pk).update(
        main_tasks='<p onclick="x()">任务<script>alert(1)</script></p>'
    )
    demo_campaign.refresh_from_db()
    data = plan_document(demo_campaign).to_bytes()
    assert b"alert" not in data
    assert ("Body Text", "任务") in texts(plan_document(demo_campaign))


def test_plan_in_chinese_uses_the_translated_part_names(demo_campaign):
    with translation.override("zh-hans"):
        level1 = [t for s, t in texts(plan_document(demo_campaign)) if s == "Heading 1"]
    assert level1[:4] == ["一、总体要求", "二、主要任务", "三、方法步骤", "四、组织领导"]


def test_leading_group_lists_roles_names_posts_duties_and_the_office(demo_campaign, org):
    doc = leading_group_document(demo_campaign)
    assert doc.title == "省残联大讨论领导小组: members and division of duties"
    paragraphs = texts(doc)
    level1 = [t for s, t in paragraphs if s == "Heading 1"]
    assert level1 == [
        "一、List of members",
        "二、Division of duties",
        "三、The office of the leading group",
    ]
    body = [t for s, t in paragraphs if s == "Body Text"]
    assert body[0] == f"Head：{org.leader.name}\u3000省残联党组书记、理事长"
    assert body[1] == f"Deputy head：{org.office.name}\u3000省残联党组成员、副理事长、机关党委书记"
    assert body[2].startswith(f"Member：{org.contact1.name}\u3000省残联机关第一党支部书记")
    # Later members line up under the first; the unnamed one is shown as such.
    assert body[3].startswith("\u3000" * len("Member："))
    assert any(
        t.endswith("(to be named)\u3000省残疾人就业服务指导中心党支部书记、主任") for t in body
    )
    assert any(t.startswith(f"{org.leader.name}（Head）：省残联党组坚决扛起主体责任") for t in body)
    assert any(t.startswith("省残疾人就业服务指导中心党支部书记、主任（Member）：") for t in body)
    assert "The leading group has an office, seated in 机关." in body
    assert f"{org.contact2.name}（机关党委专职副书记） directs the office." in body
    # The office director is not listed among the members.
    assert not any(t.endswith("机关党委专职副书记") for t in body[:8])


def test_leading_group_of_a_campaign_without_one_is_just_the_title_and_signature(org):
    doc = leading_group_document(org.campaign)
    assert doc.title == "camp 大讨论 leading group: members and division of duties"
    # The blank line, the unit and the date.
    assert [s for s, _t in texts(doc)] == ["Title"] + ["Official Signature"] * 3
