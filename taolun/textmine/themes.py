"""Suggested themes for an opinion or a problem, from the campaign's own words.

Each theme of a campaign is one "document": its three clauses (破除…，着力解决…问题，坚持…)
and, once the office has filed texts under it, those texts too. The filed texts teach the
matcher the campaign's own vocabulary: a theme's text says 慵懒散漫 and 作风不实, the
opinions the office files under it say 迟到早退, 推诿扯皮, 办事拖拉, and the next opinion
that says so finds the theme through them. Only the latest ``FILED_PER_THEME`` filed texts
of each kind count, so a campaign with thousands of classified opinions builds as fast as a
small one and follows how the office files today.

Terms are jieba's words (``taolun.textmine.words``) minus a short list of function words,
plus the single characters of the text: theme clauses are a dozen characters long, and people
write 保守 or 闭门造车 where a theme says 僵化保守 or 封闭狭隘, so whole words alone miss
nearly half of the texts (measured on the labelled set in ``tests/themes_labelled.json``:
words alone 37% top-1 with 44% of texts left without a suggestion; words and characters 47%
with 10%; character bigrams added nothing). Weights are TF-IDF over the campaign's themes
(a term every theme shares, such as 破除 or 问题, weighs nothing), with sublinear term
frequency so that a theme with many filed texts does not drown the others; the score is the
cosine between the text and the theme, from 0 to 1.

A matcher is built once per campaign per process and kept while the campaign's themes and
the texts filed under them are unchanged: the check is one query, the build three (themes,
filed opinions, filed problems) and the segmenting of up to ``FILED_PER_THEME`` texts per
theme and kind. Segmented filed texts are kept too, so the rebuild that follows the office's
next classification segments one new text, not all of them (measured with 2,400 filed texts:
about 5 s cold on this shared machine, 150 ms after one more filing).
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber

from taolun.campaigns.models import Campaign, Theme
from taolun.textmine.words import plain, words

# How many of the latest texts filed under a theme teach the matcher, per kind of text.
FILED_PER_THEME = 200
# A theme's own clauses count as this many filed texts: they are what the office wrote.
THEME_TEXT_WEIGHT = 2
# Below this cosine a theme shares no more than a stray character with the text.
MIN_SCORE = 0.05
# A theme must share a word, or two characters, with the text to be suggested at all.
MIN_EVIDENCE = 2

# Function words and the words every text to the office carries (希望, 建议, 问题 …):
# general Chinese, nothing taken from any campaign's themes.
STOP_WORDS = frozenset(
    """
    的 了 和 与 及 是 在 有 我 我们 你 你们 他 她 它 他们 这 那 这个 那个 这些 那些 都 也 就
    要 把 被 对 从 向 以 为 而 并 或 等 中 上 下 个 一些 一个 很 太 还 又 再 更 着 过 得 地
    啊 吧 呢 吗 让 给 将 于 之 其 所 些 么 什么 怎么 如何 自己 本人 大家 同志 建议 希望
    可以 应该 应当 存在 问题 工作 方面 情况 一直 已经 现在 目前 进行 开展 加强 进一步
    """.split()  # noqa: SIM905 (a paragraph of words reads better than 90 quoted strings)
)
_CHAR_RE = re.compile(r"\w", re.UNICODE)
_CHAR_PREFIX = "\x00"  # keeps a single character apart from the one-character word


def terms(text: str) -> list[str]:
    """The words of ``text`` without function words, then its characters (see module doc)."""
    found = [w for w in words(text) if w not in STOP_WORDS]
    found.extend(
        _CHAR_PREFIX + c for c in text.lower() if _CHAR_RE.match(c) and c not in STOP_WORDS
    )
    return found


@lru_cache(maxsize=2_400)
def _filed_terms(text: str) -> frozenset[str]:
    """A filed text's terms, kept: a rebuild after one more filing segments only that text.

    As many as one campaign's matcher reads (200 per theme and kind, six themes); a text's
    terms take some 30 KB, so the cache stays under 100 MB a process."""
    return frozenset(terms(text))


def theme_text(theme: Theme) -> str:
    return f"{theme.break_with}，{theme.focus_on}，{theme.adhere_to}"


@dataclass(frozen=True)
class Suggestion:
    theme: Theme
    score: float  # cosine similarity, 0 to 1


class ThemeMatcher:
    """Scores a text against each theme of one campaign; see the module docstring."""

    def __init__(
        self, themes: Sequence[Theme], filed: Mapping[int, Iterable[str]] | None = None
    ) -> None:
        """``filed`` maps a theme's number to the (plain) texts filed under it."""
        self.themes = list(themes)
        filed = filed or {}
        counts: list[Counter[str]] = []
        for theme in self.themes:
            count: Counter[str] = Counter()
            for term in terms(theme_text(theme)):
                count[term] += THEME_TEXT_WEIGHT
            for text in filed.get(theme.number, ()):
                # Once per text: one long opinion must not outweigh ten short ones.
                count.update(_filed_terms(text))
            counts.append(count)
        n = len(counts)
        df = Counter(term for count in counts for term in count)
        # Zero for a term every theme has, largest for a term only one theme has; a campaign
        # of one theme has nothing to tell apart, so its terms all count the same.
        self.idf = {
            t: math.log((n + 1) / (d + 0.5)) - math.log((n + 1) / (n + 0.5)) if n > 1 else 1.0
            for t, d in df.items()
        }
        self.vectors = [self._unit({t: c for t, c in count.items()}) for count in counts]

    def _unit(self, counts: Mapping[str, int]) -> dict[str, float]:
        weights = {
            t: (1 + math.log(c)) * self.idf[t] for t, c in counts.items() if self.idf.get(t, 0) > 0
        }
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {t: w / norm for t, w in weights.items()} if norm else {}

    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        """The ``k`` best themes for ``text``, best first; empty when no theme scores.

        A text that shares nothing with any theme gets no suggestion rather than a guess.
        """
        query = self._unit(Counter(terms(plain(text))))
        if not query:
            return []
        scored = []
        for theme, vector in zip(self.themes, self.vectors, strict=True):
            shared = [t for t in query if t in vector]
            # One stray character in common (散步 and 慵懒散漫) is no evidence; a word is.
            evidence = sum(1 if t.startswith(_CHAR_PREFIX) else 2 for t in shared)
            score = sum(query[t] * vector[t] for t in shared)
            if evidence >= MIN_EVIDENCE and score >= MIN_SCORE:
                scored.append(Suggestion(theme, round(score, 2)))
        scored.sort(key=lambda s: (-s.score, s.theme.number))
        return scored[:k]

    # ------------------------------------------------------------ from the database

    @classmethod
    def for_campaign(cls, campaign: Campaign | int) -> ThemeMatcher:
        """The campaign's matcher, built once per process while its themes and filings last.

        One query checks the themes and what is filed under them; a rebuild takes two more.
        """
        campaign_id = campaign if isinstance(campaign, int) else campaign.pk
        themes = list(_themes_with_filings(campaign_id))
        key = tuple(
            (t.pk, t.number, t.break_with, t.focus_on, t.adhere_to, *t.filing_key) for t in themes
        )
        with _lock:
            cached = _cache.get(campaign_id)
            if cached is not None and cached[0] == key:
                _cache.move_to_end(campaign_id)
                return cached[1]
        matcher = cls(themes, _filed_texts(campaign_id, themes))
        with _lock:
            _cache[campaign_id] = (key, matcher)
            _cache.move_to_end(campaign_id)
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        return matcher


_CACHE_SIZE = 64
_cache: OrderedDict[int, tuple[tuple, ThemeMatcher]] = OrderedDict()
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every built matcher (tests; a process never needs it)."""
    with _lock:
        _cache.clear()


def _filing(model, stamp: str) -> dict[str, Subquery]:
    """Count, latest stamp and highest id of ``model``'s rows filed under the outer theme."""
    rows = model.objects.filter(theme=OuterRef("pk")).order_by().values("theme")
    name = model._meta.model_name
    return {
        f"{name}_n": Coalesce(
            Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0, output_field=IntegerField()
        ),
        f"{name}_last": Subquery(rows.annotate(m=Max(stamp)).values("m")[:1]),
        f"{name}_top": Subquery(rows.annotate(m=Max("pk")).values("m")[:1]),
    }


def _themes_with_filings(campaign_id: int) -> list[Theme]:
    """The campaign's themes, each with ``filing_key``: what changes when a filing changes."""
    from taolun.discussion.models import Opinion
    from taolun.rectification.models import Problem

    themes = list(
        Theme.objects.filter(campaign_id=campaign_id)
        .annotate(**_filing(Opinion, "classified_at"), **_filing(Problem, "updated_at"))
        .order_by("number")
    )
    for t in themes:
        t.filing_key = (
            t.opinion_n,
            t.opinion_last,
            t.opinion_top,
            t.problem_n,
            t.problem_last,
            t.problem_top,
        )
    return themes


def _latest(qs, stamp: str):
    """The latest ``FILED_PER_THEME`` rows per theme, in one query."""
    ranked = qs.annotate(
        rank=Window(
            RowNumber(),
            partition_by=F("theme_id"),
            order_by=(F(stamp).desc(nulls_last=True), F("pk").desc()),
        )
    )
    return ranked.filter(rank__lte=FILED_PER_THEME)


def _filed_texts(campaign_id: int, themes: Sequence[Theme]) -> dict[int, list[str]]:
    from taolun.discussion.models import Opinion
    from taolun.rectification.models import Problem

    number = {t.pk: t.number for t in themes}
    filed: dict[int, list[str]] = {t.number: [] for t in themes}
    opinions = _latest(
        Opinion.objects.filter(theme__campaign_id=campaign_id), "classified_at"
    ).values_list("theme_id", "body")
    problems = _latest(
        Problem.objects.filter(Q(theme__campaign_id=campaign_id)), "updated_at"
    ).values_list("theme_id", "description", "target_standard")
    for theme_id, body in opinions:
        filed[number[theme_id]].append(plain(body))
    for theme_id, description, target in problems:
        filed[number[theme_id]].append(f"{plain(description)}\n{plain(target)}")
    return filed


def suggestions_for(
    campaign: Campaign | int, texts: Mapping[int, str], k: int = 3
) -> dict[int, list[Suggestion]]:
    """Suggestions for many texts of one campaign (keyed as given): one matcher for the page."""
    if not texts:
        return {}
    matcher = ThemeMatcher.for_campaign(campaign)
    return {key: matcher.suggest(text, k) for key, text in texts.items()}
