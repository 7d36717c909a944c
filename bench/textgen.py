"""Deterministic generator of Chinese reflections (心得体会) for benchmarks.

Sentences are assembled from a few hundred phrase fragments on the campaign's themes
(形式主义, 官僚主义, 作风建设, 理论学习, 为民服务, 担当作为), slot by slot, so two unrelated
texts share vocabulary and set phrases but almost never a whole sentence: the hard case for
copy detection and a realistic one for search. Everything comes from ``random.Random(seed)``:
the same seed gives the same texts on any machine and Python version.

    gen = ReflectionGenerator(seed=1)
    text = gen.reflection()                       # 500–1,500 characters
    copy = gen.near_copy(text, strength=0.1)      # swapped sentences, new names, a slogan, …
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国俊文斌宇浩凯健海波红梅"
UNITS = [
    "机关第一党支部",
    "机关第二党支部",
    "教育局党支部",
    "卫健委党支部",
    "财政局党支部",
    "城关镇党委",
    "河西乡党委",
    "东关村党支部",
    "西街社区党支部",
    "县医院党总支",
    "第一中学党支部",
    "交通局党支部",
    "农业农村局党支部",
    "市场监管局党支部",
    "供电公司党支部",
    "税务局党支部",
]
OPENERS = [
    "通过这次专题学习",
    "经过一段时间的集中学习",
    "在这次主题教育中",
    "结合近期开展的专项整治",
    "对照党章党规",
    "在支部组织的专题研讨中",
    "联系自身工作实际",
    "回顾近年来的工作",
    "通过认真研读原文",
    "在参加集中培训期间",
    "通过观看警示教育片",
    "结合调研中发现的问题",
    "在听取群众意见之后",
    "对照上级部署要求",
    "通过开展谈心谈话",
    "在这次民主生活会前",
]
SUBJECTS = [
    "我",
    "我们",
    "班子成员",
    "支部党员",
    "机关干部",
    "基层党员",
    "全体同志",
    "领导干部",
    "我们支部",
    "我本人",
    "单位同事",
    "身边的同志",
]
ADVERBS = [
    "深刻",
    "切实",
    "进一步",
    "更加清醒地",
    "真正",
    "逐步",
    "再一次",
    "实实在在地",
    "从思想上",
    "从根本上",
    "比较系统地",
    "清楚地",
]
VERBS = [
    "认识到",
    "体会到",
    "感受到",
    "意识到",
    "明白了",
    "领会到",
    "看清了",
    "理解了",
]
INSIGHTS = [
    "形式主义官僚主义的危害",
    "作风建设永远在路上",
    "为民服务是根本宗旨",
    "理论学习必须常学常新",
    "担当作为是干部的本分",
    "纪律规矩是不可逾越的底线",
    "调查研究是谋事之基",
    "群众满意是最高标准",
    "抓落实必须久久为功",
    "全面从严治党的重要意义",
    "思想解放是一切工作的先导",
    "基层减负的紧迫性",
    "文山会海对基层的困扰",
    "层层加码的不良影响",
    "痕迹管理过多的弊端",
    "只表态不落实的危害",
    "坚持实事求是的极端重要性",
    "密切联系群众的优良传统",
    "履职尽责的具体要求",
    "改革创新的时代要求",
]
CONNECTIVES = [
    "必须",
    "应当",
    "一定要",
    "今后要",
    "下一步要",
    "始终要",
    "务必",
    "还要",
]
ACTIONS = [
    "坚决破除",
    "着力解决",
    "持续整治",
    "认真查摆",
    "深入剖析",
    "切实纠正",
    "主动克服",
    "彻底改变",
    "全面排查",
    "严格防止",
]
PROBLEMS = [
    "作风漂浮的问题",
    "工作不实的问题",
    "文风会风不正的问题",
    "调研走过场的问题",
    "重留痕轻实绩的问题",
    "脱离群众的问题",
    "推诿扯皮的问题",
    "庸懒散拖的问题",
    "简单粗暴的问题",
    "敷衍塞责的问题",
    "思想僵化的问题",
    "本领恐慌的问题",
    "不敢担当的问题",
    "学用脱节的问题",
    "照搬照抄的问题",
    "会议多文件多的问题",
    "检查考核过频的问题",
    "台账资料过多的问题",
]
MANIFEST = [
    "有时满足于开会发文件",
    "有时习惯于坐在办公室听汇报",
    "对群众反映的诉求回应不够及时",
    "学习上存在浅尝辄止的现象",
    "工作中有等靠要的思想",
    "抓落实的韧劲还不够",
    "调研时看盆景多看全景少",
    "对新知识新技能掌握不够",
    "遇到难题有畏难情绪",
    "工作标准不够高",
    "批评与自我批评不够大胆",
    "对分管领域的情况掌握不够全面",
    "把材料写得好当成工作干得好",
    "解决实际问题的办法不多",
    "联系服务群众的次数偏少",
    "执行制度有时打折扣",
]
REASONS = [
    "理想信念不够坚定",
    "宗旨意识有所淡化",
    "党性修养还需加强",
    "理论学习不够深入",
    "纪律观念还不够牢",
    "担当精神有所弱化",
    "进取意识不够强烈",
    "政绩观存在偏差",
    "群众观念还不够牢固",
    "自我要求有所放松",
]
MEASURES = [
    "把理论学习作为第一要务",
    "每月至少深入基层调研两次",
    "建立问题清单和整改台账",
    "带头精简会议和文件",
    "坚持把群众的事当成自己的事",
    "主动认领整改任务",
    "定期向支部报告整改进展",
    "坚持一线工作法",
    "认真开展谈心谈话",
    "严格落实首问负责制",
    "把整改成效交给群众评判",
    "坚持每周集中学习一次",
    "持续跟踪问题销号",
    "推动制度建设常态长效",
    "用好批评与自我批评的武器",
    "结合岗位职责细化措施",
]
IDIOMS = [
    "求真务实",
    "真抓实干",
    "立行立改",
    "久久为功",
    "善作善成",
    "担当作为",
    "履职尽责",
    "以上率下",
    "动真碰硬",
    "举一反三",
    "标本兼治",
    "真刀真枪",
    "持之以恒",
    "一以贯之",
    "务求实效",
    "善始善终",
    "严字当头",
    "实字托底",
    "知行合一",
    "凝心聚力",
]
EVENTS = [
    "支部主题党日",
    "专题组织生活会",
    "集中学习研讨",
    "警示教育大会",
    "入户走访活动",
    "民主评议党员",
    "三会一课",
    "专题党课",
    "志愿服务活动",
    "结对帮扶活动",
]
SLOGANS = [
    "不忘初心，牢记使命！",
    "坚决反对形式主义、官僚主义！",
    "以钉钉子精神抓好整改落实！",
    "撸起袖子加油干！",
    "为人民服务！",
    "把作风建设进行到底！",
]

_SENTENCE_END = re.compile(r"(?<=[。！？])")


class ReflectionGenerator:
    """Reflections, near-copies and unrelated texts, all determined by one seed."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)

    def name(self) -> str:
        """A person's name (two or three characters)."""
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    def sentence(self) -> str:
        """One sentence on the campaign's themes, assembled slot by slot."""
        rng = self.rng
        shape = rng.randrange(8)
        if shape == 0:
            return (
                f"{rng.choice(OPENERS)}，{rng.choice(SUBJECTS)}{rng.choice(ADVERBS)}"
                f"{rng.choice(VERBS)}{rng.choice(INSIGHTS)}。"
            )
        if shape == 1:
            return (
                f"{rng.choice(SUBJECTS)}{rng.choice(CONNECTIVES)}{rng.choice(ACTIONS)}{rng.choice(PROBLEMS)}，"
                "做到{}、{}。".format(*rng.sample(IDIOMS, 2))
            )
        if shape == 2:
            return (
                f"对照检查，{rng.choice(SUBJECTS)}还存在{rng.choice(PROBLEMS)}，"
                "主要表现为{}，{}。".format(*rng.sample(MANIFEST, 2))
            )
        if shape == 3:
            return "究其原因，在于{}，{}。".format(*rng.sample(REASONS, 2))
        if shape == 4:
            return (
                f"下一步，{rng.choice(SUBJECTS)}将"
                + "{}，{}，".format(*rng.sample(MEASURES, 2))
                + f"以{rng.choice(IDIOMS)}的态度抓好落实。"
            )
        if shape == 5:
            return (
                f"在{rng.randint(1, 12)}月{rng.randint(1, 28)}日的{rng.choice(EVENTS)}上，"
                f"{self.name()}同志谈到{rng.choice(INSIGHTS)}，让{rng.choice(SUBJECTS)}很受触动。"
            )
        if shape == 6:
            return (
                f"{rng.choice(UNITS)}共有{rng.randint(5, 80)}名党员参加{rng.choice(EVENTS)}，"
                f"查摆问题{rng.randint(2, 30)}条，已整改{rng.randint(1, 20)}条。"
            )
        subject = rng.choice(SUBJECTS)
        return f"{rng.choice(OPENERS)}，{subject}{rng.choice(CONNECTIVES)}{rng.choice(MEASURES)}。"

    def reflection(self, min_chars: int = 500, max_chars: int = 1500) -> str:
        """A reflection of ``min_chars``–``max_chars`` characters in paragraphs of 3–6 sentences."""
        rng = self.rng
        target = rng.randint(min_chars, max_chars)
        author = f"{rng.choice(UNITS)}{self.name()}"
        paragraphs: list[str] = []
        length = len(author) + 4
        while True:
            paragraph = "".join(self.sentence() for _ in range(rng.randint(3, 6)))
            if length + len(paragraph) + 2 > max_chars:
                break
            paragraphs.append(paragraph)
            length += len(paragraph) + 2
            if length >= target:
                break
        text = f"{author}的心得体会\n\n" + "\n\n".join(paragraphs)
        while len(text) < min_chars:
            text += self.sentence()
        return text[:max_chars]

    def near_copy(self, text: str, strength: float) -> str:
        """A near-copy of ``text`` as a unit would make it.

        Always: the names changed (every name in the text, so 张三 → 李四), a slogan added at
        the start or the end, two sentences swapped, the punctuation and spacing changed
        and, half the time, HTML markup added. Then a fraction ``strength`` of the sentences
        rewritten with new ones: 0 gives an almost exact copy, 0.3 a text whose Jaccard
        with the original is about 0.5.
        """
        rng = self.rng
        for surname in set(re.findall(rf"[{SURNAMES}][{GIVEN}]{{1,2}}(?=同志|的心得)", text)):
            text = text.replace(surname, self.name())
        sentences = [part for part in _SENTENCE_END.split(text) if part]
        if len(sentences) > 3:
            i, j = rng.sample(range(1, len(sentences)), 2)
            sentences[i], sentences[j] = sentences[j], sentences[i]
        for index in range(1, len(sentences)):
            if rng.random() < strength:
                sentences[index] = self.sentence() + (
                    "\n\n" if sentences[index].endswith("\n\n") else ""
                )
        body = "".join(sentences)
        slogan = rng.choice(SLOGANS)
        body = f"{slogan}\n{body}" if rng.random() < 0.5 else f"{body}\n{slogan}"
        body = body.replace("，", rng.choice((", ", "， ", " ,", "、"))).replace(
            "。", rng.choice(("。 ", ". ", "。\n"))
        )
        if rng.random() < 0.5:
            body = "".join(f"<p>{para}</p>" for para in body.split("\n\n"))
            body = body.replace("问题", "<strong>问题</strong>", 1).replace("&", "&amp;")
        return body

    def corpus(self, count: int, copy_share: float = 0.025) -> Iterator[tuple[str, int | None]]:
        """``count`` texts as (text, group id or None), about ``copy_share`` of them planted copies.

        Planted groups have 2–5 members: an original and copies of it, each copy with its own
        edit strength drawn from 0–0.3 so some pairs fall under Jaccard 0.8 on purpose.
        Members of a group come out together, at a random position in the corpus.
        """
        rng = self.rng
        made = 0
        group = 0
        while made < count:
            if rng.random() < copy_share / 3.5:
                size = min(rng.randint(2, 5), count - made)
                original = self.reflection()
                yield original, group
                for _ in range(size - 1):
                    yield self.near_copy(original, strength=rng.uniform(0.0, 0.3)), group
                group += 1
                made += size
            else:
                yield self.reflection(), None
                made += 1
