"""The plan parser on the seed, on plans of other shapes, and on any text at all."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taolun.textmine import plan as plan_module
from taolun.textmine.plan import (
    MAX_PLAN_CHARS,
    Heading,
    PlanDraft,
    PlanTextError,
    cn_number,
    parse_plan,
)

PLANS = Path(__file__).parent / "plans"


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted on their English msgids."""
    with translation.override("en"):
        yield


def read(name: str) -> str:
    return (PLANS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed() -> PlanDraft:
    return parse_plan(read("seed.txt"))


def person(draft: PlanDraft, name: str):
    matches = [p for p in draft.people if p.name == name]
    assert len(matches) == 1, [p.as_dict() for p in draft.people]
    return matches[0]


def flat(headings: list[Heading]) -> list[Heading]:
    out = []
    for heading in headings:
        out.append(heading)
        out.extend(flat(heading.children))
    return out


def assert_well_nested(headings: list[Heading], parent_level: int = 0) -> None:
    for heading in headings:
        assert heading.level > parent_level
        assert_well_nested(heading.children, heading.level)


# --- the seed ------------------------------------------------------------------------------


def test_seed_themes_word_for_word(seed):
    assert [theme.text for theme in seed.themes] == [
        "破除僵化保守,着力解决改革意识不强问题,坚持以改革破解发展难题",
        "破除因循守旧,着力解决创新精神不足问题,坚持以创新激发动力活力",
        "破除封闭狭隘,着力解决扩大开放不够问题,坚持以开放促改革促发展",
        "破除资源依赖,着力解决市场理念不浓问题,坚持以市场打开发展新通途",
        "破除随遇而安,着力解决工作标杆不高问题,坚持以一流标准创造一流业绩",
        "破除慵懒散漫,着力解决作风不实问题,坚持以过硬作风彰显担当作为",
    ]
    assert seed.themes[0].clauses == [
        "破除僵化保守",
        "着力解决改革意识不强问题",
        "坚持以改革破解发展难题",
    ]


def test_seed_stages_and_actions(seed):
    assert (seed.stage_count, seed.stage_count_text) == (4, "4个环节")
    assert (seed.action_count, seed.action_count_text) == (10, "10个规定动作")
    assert [(d.verb, d.stage, d.image) for d in seed.stage_directives] == [
        ("打响", "动员", "第一枪"),
        ("打牢", "学习", "奠基石"),
        ("抓住", "实践", "指南针"),
        ("紧盯", "提升", "加固剂"),
    ]
    assert seed.stage_directives[0].text == "要打响动员的“第一枪”"


def test_seed_document_number_dates_title_outline(seed):
    assert seed.doc_number == "晋办发〔2019〕1号"
    assert seed.dates == [dt.date(2019, 2, 22), dt.date(2019, 2, 18)]
    assert seed.issued_on == dt.date(2019, 2, 22)
    assert seed.title == "在省残联“改革创新、奋发有为”大讨论动员部署会上的讲话"
    assert [(h.level, h.marker) for h in seed.outline] == [
        (1, "一、"),
        (1, "二、"),
        (1, "三、"),
        (1, "四、"),
    ]
    assert seed.outline[1].title == "对标部署要求,重点抓好“大讨论”关键环节的有效落实"


def test_seed_leading_group(seed):
    leader = person(seed, "卫国")
    assert (leader.role, leader.posts, leader.unit) == ("组长", ["党组书记", "理事长"], "省残联")
    deputy = person(seed, "李俊温")
    assert deputy.role == "副组长"
    assert deputy.posts == ["党组成员", "副理事长", "机关党委书记"]


def test_seed_branch_secretaries(seed):
    secretaries = [(p.name, p.unit, p.posts) for p in seed.people if p.role == "党支部书记"]
    assert secretaries == [
        ("许国瑞", "省残联机关第一党支部", ["教育就业部主任"]),
        ("张晓莉", "省残联机关第二党支部", ["计划财务部主任"]),
        ("", "省残疾人就业服务指导中心党支部", ["主任"]),
        ("温建生", "省康复研究中心党支部", []),
        ("沙佳宽", "省脑瘫康复医院党支部", []),
    ]
    # Only people with campaign roles: the provincial party secretary holds none.
    assert {p.role for p in seed.people} == {"组长", "副组长", "党支部书记"}


def test_seed_parses_within_a_second():
    text = read("seed.txt")
    started = time.perf_counter()
    parse_plan(text)
    assert time.perf_counter() - started < 1.0


def test_seed_draft_is_json_ready(seed):
    data = json.loads(json.dumps(seed.as_dict(), ensure_ascii=False))
    assert data["dates"] == ["2019-02-22", "2019-02-18"]
    assert data["issued_on"] == "2019-02-22"
    assert data["people"][0] == {
        "name": "卫国",
        "role": "组长",
        "posts": ["党组书记", "理事长"],
        "unit": "省残联",
        "line": 1,
    }


# --- plans of other shapes -----------------------------------------------------------------


def test_city_plan_four_level_outline_listed_group_and_heading_themes():
    draft = parse_plan(read("city_plan.txt"))
    assert draft.title == "关于开展“学查改”专题活动的实施方案"
    assert draft.doc_number == "市委办发[2021]12号"
    assert draft.dates == [dt.date(2021, 3, 10), dt.date(2021, 3, 5)]
    assert draft.issued_on == dt.date(2021, 3, 5)
    first = draft.outline[0]
    assert (first.marker, first.title) == ("一、", "总体要求")
    assert [h.title for h in first.children] == ["指导思想", "工作目标"]
    goals = first.children[1]
    assert [(h.level, h.marker) for h in goals.children] == [(3, "1."), (3, "2.")]
    assert [h.marker for h in goals.children[1].children] == ["（1）", "（2）"]
    assert [h.title for h in draft.outline] == ["总体要求", "主要任务", "方法步骤", "组织领导"]
    # Themes listed as sibling headings of one section, word for word without the marker.
    assert [t.text for t in draft.themes] == [
        "聚焦理论武装，着力解决学习不深问题，推动学思践悟见行见效",
        "聚焦服务群众，着力解决宗旨意识淡薄问题，推动为民办事提质增效",
        "聚焦担当作为，着力解决干事动力不足问题，推动重点任务落地见效",
    ]
    assert (draft.stage_count, draft.stage_count_text) == (3, "3个阶段")
    assert draft.action_count == 8
    assert draft.stage_directives == []
    assert [e.items for e in draft.enumerations] == [["集中学习", "专题研讨", "个人自学"]]
    assert [(p.name, p.role, p.posts) for p in draft.people] == [
        ("王建国", "组长", ["市委常委", "组织部部长"]),
        ("刘芳", "副组长", ["市委组织部副部长"]),
        ("陈明", "副组长", ["市直机关工委书记"]),
        ("赵强", "成员", []),
        ("孙丽", "成员", []),
    ]


def test_county_speech_starts_deeper_has_no_themes_and_a_spaced_table():
    draft = parse_plan(read("county_speech.txt"))
    assert draft.title == "在全县作风建设推进会上的讲话"
    assert draft.doc_number == "县政办发（2020）7号"
    # 4月1日 takes the year of the date under the title; 2020.6.30 is read too.
    assert draft.dates == [dt.date(2020, 4, 8), dt.date(2020, 4, 1), dt.date(2020, 6, 30)]
    assert draft.issued_on == dt.date(2020, 4, 8)
    assert [(h.level, h.title) for h in draft.outline] == [
        (2, "关于认识问题"),
        (2, "关于工作安排"),
        (1, "下一步工作"),
    ]
    assert [h.level for h in draft.outline[0].children] == [3, 3]
    assert_well_nested(draft.outline)
    assert draft.themes == []
    assert (draft.stage_count, draft.stage_count_text) == (4, "四个阶段")
    assert draft.action_count is None
    assert [e.items for e in draft.enumerations] == [
        ["作风建设关系全局", "作风建设关系民心", "作风建设关系发展"]
    ]
    assert [(p.name, p.role, p.posts) for p in draft.people] == [
        ("刘芳", "副组长", []),
        ("李明华", "组长", ["县委书记"]),
        ("周强", "副组长", ["县委副书记", "县长"]),
    ]


def test_branch_plan_two_clause_themes_chinese_counts_numbered_document():
    draft = parse_plan(read("branch_plan.txt"))
    assert draft.doc_number == "某局机党〔2022〕第3号"
    assert [t.clauses for t in draft.themes] == [
        ["坚持政治引领", "强化理论学习"],
        ["坚持问题导向", "强化整改落实"],
        ["坚持服务大局", "强化担当作为"],
    ]
    assert (draft.stage_count, draft.action_count) == (4, 6)
    assert draft.action_count_text == "六个规定动作"
    # "支部书记要…" names no one and no unit: not a person.
    assert [(p.name, p.role, p.unit) for p in draft.people] == [
        ("赵红梅", "党支部书记", "局机关第三党支部")
    ]
    assert draft.issued_on == dt.date(2022, 5, 20)


def test_name_that_structure_cannot_end_is_found_by_jieba():
    draft = parse_plan("领导小组副组长刘芳带队督导。")
    assert [(p.name, p.role) for p in draft.people] == [("刘芳", "副组长")]
    assert plan_module._jieba_tokenizer is not None


def test_parallel_clauses_without_shared_openings_are_not_themes():
    text = (
        "要解放思想，争当改革的带头人；要敢闯敢试，争当创新的带头人；要走出封闭，争当开放的带头人。"
    )
    assert parse_plan(text).themes == []


def test_role_words_without_a_person_are_ignored():
    text = "领导小组成员名单另发。领导小组组长会议每月召开一次。党组成员要带头。"
    assert parse_plan(text).people == []


def test_dates_in_every_written_form_are_valid_and_deduplicated():
    text = "2021年1月5日开会；2021-01-05复会；2021.2.30不是日期；二〇二一年三月八日印发。"
    assert parse_plan(text).dates == [dt.date(2021, 1, 5), dt.date(2021, 3, 8)]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("4", 4),
        ("４", 4),
        ("四", 4),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("两", 2),
        ("X", None),
    ],
)
def test_cn_number(written, value):
    assert cn_number(written) == value


# --- any text -----------------------------------------------------------------------------


def test_empty_and_huge_text_are_refused_clearly():
    with pytest.raises(PlanTextError, match="empty"):
        parse_plan(" \n\t\u3000 ")
    with pytest.raises(PlanTextError, match="at most 500,000"):
        parse_plan("一" * (MAX_PLAN_CHARS + 1))


@pytest.mark.parametrize(
    "unit",
    [
        "一是甲；二是乙；",
        "领导小组组长王建国带队",
        "2019年1月2日，3月4日；",
        "一、\n（一）\n1.\n（1）\n",
    ],
)
def test_largest_accepted_text_parses_in_seconds(unit):
    text = (unit * (MAX_PLAN_CHARS // len(unit) + 1))[:MAX_PLAN_CHARS]
    started = time.perf_counter()
    parse_plan(text)
    assert time.perf_counter() - started < 10


def test_numbered_clauses_are_not_themes():
    assert (
        parse_plan("2019年1月2日，3月4日；2019年2月2日，3月5日；2019年3月2日，3月6日。").themes
        == []
    )


def check_any(text: str) -> None:
    if not text.strip():
        with pytest.raises(PlanTextError):
            parse_plan(text)
        return
    draft = parse_plan(text)
    assert_well_nested(draft.outline)
    lines = [h.line for h in flat(draft.outline)]
    assert lines == sorted(lines)
    json.dumps(draft.as_dict(), ensure_ascii=False)


FRAGMENTS = [
    "一、", "（一）", "(二)", "1.", "2、", "（1）", "十、", "\n", "，", "、", "；", "。", "：",
    "“", "”", "（", "）", "一是", "二是", "三是", "组长", "副组长", "成员", "党支部书记",
    "领导小组", "王", "李俊", "温", "卫国", "做", "主任", "党组书记", "破除", "着力解决", "坚持",
    "要打响",
    "的", "第一枪", "4个环节", "十个规定动作", "2019年2月22日", "2月30日", "〔2019〕1号", "晋办发",
    "2019.13.1", "方案", " ", "\t", "\u3000", "\r",
]  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_gives_a_well_nested_outline(text):
    check_any(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=60))
def test_plan_like_text_never_breaks_the_parser(parts):
    check_any("".join(parts))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["一、", "二、", "（一）", "（二）", "1.", "2、", "（1）", "", "  "]),
            st.text(alphabet="改革创新问题坚持破除。，、；：", max_size=15),
        ),
        max_size=30,
    )
)
def test_heading_lines_nest_under_the_nearest_smaller_level(rows):
    text = "\n".join(marker + body for marker, body in rows)
    check_any(text)
    if text.strip():
        headings = flat(parse_plan(text).outline)
        expected = [
            n for n, line in enumerate(text.split("\n"), 1) if plan_module._heading_of(line)
        ]
        assert [h.line for h in headings] == expected
