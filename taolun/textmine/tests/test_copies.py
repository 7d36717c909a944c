"""Near-copy detection: planted copies found, same-theme texts not, stable signatures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taolun.textmine import copies
from taolun.textmine.copies import (
    MIN_CHARS,
    NUM_PERM,
    SIGNATURE_BYTES,
    find_groups,
    is_current,
    jaccard,
    lsh_params,
    normalise,
    shared_passages,
    signature,
)

# Sentences on one theme with the same vocabulary; texts built from disjoint sets of them
# are "unrelated texts on the same theme".
SENTENCES = [
    "通过这次专题学习，我深刻认识到形式主义官僚主义的危害。",
    "对照检查，我还存在调研走过场的问题，主要表现为习惯于坐在办公室听汇报。",
    "究其原因，在于宗旨意识有所淡化，理论学习不够深入。",
    "下一步，我将把理论学习作为第一要务，每月至少深入基层调研两次。",
    "在三月十二日的专题组织生活会上，张三同志谈到基层减负的紧迫性，让我很受触动。",
    "我们支部共有二十六名党员参加警示教育大会，查摆问题九条，已整改五条。",
    "今后要坚决破除文山会海，做到求真务实、真抓实干。",
    "联系自身工作实际，我体会到群众满意是最高标准。",
    "在支部组织的专题研讨中，班子成员更加清醒地看清了层层加码的不良影响。",
    "对照检查，我们还存在重留痕轻实绩的问题，主要表现为把材料写得好当成工作干得好。",
    "究其原因，在于政绩观存在偏差，担当精神有所弱化。",
    "下一步，我们将带头精简会议和文件，建立问题清单和整改台账。",
    "在五月八日的入户走访活动中，王五同志谈到群众反映的诉求，让大家很受触动。",
    "第一中学党支部共有十四名党员参加集中学习研讨，查摆问题六条，已整改四条。",
    "今后要着力解决推诿扯皮的问题，做到立行立改、举一反三。",
    "回顾近年来的工作，我真正明白了作风建设永远在路上。",
    "经过一段时间的集中学习，机关干部从思想上领会到纪律规矩是不可逾越的底线。",
    "对照检查，身边的同志还存在不敢担当的问题，主要表现为遇到难题有畏难情绪。",
    "究其原因，在于进取意识不够强烈，自我要求有所放松。",
    "下一步，全体同志将坚持一线工作法，把整改成效交给群众评判。",
    "在九月三日的志愿服务活动中，赵六同志谈到密切联系群众的优良传统，让我们很受触动。",
    "东关村党支部共有三十一名党员参加民主评议党员，查摆问题十二条，已整改八条。",
    "今后要持续整治会议多文件多的问题，做到久久为功、善作善成。",
    "结合调研中发现的问题，基层党员实实在在地感受到调查研究是谋事之基。",
]
ORIGINAL = "".join(SENTENCES[:8])
SAME_THEME = ["".join(SENTENCES[8:16]), "".join(SENTENCES[16:24])]

PLANTED = {
    "sentences swapped": "".join([SENTENCES[3], *SENTENCES[1:3], SENTENCES[0], *SENTENCES[4:8]]),
    "name changed": ORIGINAL.replace("张三", "李四"),
    "slogan at the start": "不忘初心，牢记使命！" + ORIGINAL,
    "slogan at the end": ORIGINAL + "坚决反对形式主义、官僚主义！",
    "punctuation and spacing": ORIGINAL.replace("，", " , ").replace("。", ".\n\n"),
    "HTML markup": "".join(
        f"<p>{s.replace('危害', '<strong>危害</strong>')}</p>" for s in SENTENCES[:8]
    ),
}


def test_normalise_keeps_letters_and_digits_only() -> None:
    text = "<p>破除&ldquo;形式主义&rdquo;，Ａ１ b2&amp;C！</p>\n\t 走过场。"
    assert normalise(text) == "破除形式主义a1b2c走过场"


def test_normalise_leaves_a_lone_less_than_sign_alone() -> None:
    assert normalise("a < b 和 c > d") == "ab和cd"


@pytest.mark.parametrize("edit", sorted(PLANTED))
def test_each_planted_copy_stays_above_the_threshold(edit: str) -> None:
    assert jaccard(ORIGINAL, PLANTED[edit]) >= 0.8


def test_planted_copies_are_grouped_and_same_theme_texts_are_not() -> None:
    texts = {"original": ORIGINAL, **PLANTED, "other-1": SAME_THEME[0], "other-2": SAME_THEME[1]}
    groups = find_groups((key, signature(text)) for key, text in texts.items())

    assert len(groups) == 1
    assert groups[0].members == ["original", *PLANTED]
    assert all(similarity >= 0.8 for _, _, similarity in groups[0].pairs)


def test_same_theme_texts_share_vocabulary_but_stay_far_below_the_threshold() -> None:
    """The negative case is not trivial: the texts do share shingles."""
    for other in SAME_THEME:
        assert 0.0 < jaccard(ORIGINAL, other) < 0.3


def test_verify_decides_which_candidates_qualify() -> None:
    sigs = [("a", signature(ORIGINAL)), ("b", signature(PLANTED["name changed"]))]
    calls: list[tuple[str, str]] = []

    def reject(left: str, right: str) -> float:
        calls.append((left, right))
        return 0.5

    assert find_groups(sigs, verify=reject) == []
    assert calls == [("a", "b")]
    groups = find_groups(sigs, verify=lambda left, right: 0.9)
    assert [(group.members, group.pairs) for group in groups] == [(["a", "b"], [("a", "b", 0.9)])]


def test_copies_of_copies_join_one_group_in_the_order_given() -> None:
    first = ORIGINAL
    second = first.replace("张三", "李四") + SENTENCES[10]
    third = second.replace("李四", "王五") + SENTENCES[12]
    groups = find_groups([(3, signature(third)), (1, signature(first)), (2, signature(second))])
    assert [group.members for group in groups] == [[3, 1, 2]]


def test_candidates_come_from_buckets_not_from_all_pairs() -> None:
    """Of 121 texts mixing the same sentences, only the planted pair becomes a candidate."""
    rng = np.random.default_rng(1)
    texts = ["".join(rng.permutation(SENTENCES)[:8]) + str(index) for index in range(120)]
    texts.append(texts[7].replace("，", "、") + "为人民服务！")
    matrix = np.vstack([copies._hashvalues(signature(text)) for text in texts])

    candidates = copies._candidate_pairs(matrix, 0.8)

    assert [7, 120] in candidates.tolist()
    assert len(candidates) < len(texts) * (len(texts) - 1) / 2 / 100


def test_texts_without_signature_are_skipped_and_bad_input_is_refused() -> None:
    assert find_groups([("short", None), ("a", signature(ORIGINAL))]) == []
    with pytest.raises(ValueError, match="duplicate key"):
        find_groups([("a", signature(ORIGINAL)), ("a", signature(ORIGINAL))])
    with pytest.raises(ValueError, match="recompute"):
        find_groups([("a", b"\x00" * SIGNATURE_BYTES), ("b", signature(ORIGINAL))])


def test_short_texts_get_no_signature() -> None:
    assert signature("") is None
    assert signature("同意。") is None
    assert signature("<p>" + "字" * (MIN_CHARS - 1) + "，。！</p>") is None
    assert signature("字" * MIN_CHARS) is not None


def test_signature_is_deterministic_compact_and_datasketch_compatible() -> None:
    sig = signature(ORIGINAL)
    assert sig == signature(ORIGINAL)
    assert sig is not None and len(sig) == 1038 == SIGNATURE_BYTES
    assert sig[0] == copies.SIGNATURE_VERSION and is_current(sig)

    lean = LeanMinHash.deserialize(sig[1:], "<")
    assert (lean.seed, lean.scheme, len(lean)) == (copies.SEED, "affine32", NUM_PERM)
    reference = MinHash(
        num_perm=NUM_PERM, seed=copies.SEED, hashfunc=lambda value: value, scheme="affine32"
    )
    reference.update_batch(copies._shingle_hashes(normalise(ORIGINAL)).tolist())
    assert np.array_equal(lean.hashvalues, reference.hashvalues)


def test_signature_is_the_same_in_another_process_with_another_hash_seed() -> None:
    code = (
        "import sys; from taolun.textmine.copies import signature as s; print(s(sys.argv[1]).hex())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, ORIGINAL],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
        cwd=Path(copies.__file__).resolve().parents[2],
    )
    assert bytes.fromhex(result.stdout.strip()) == signature(ORIGINAL)


def test_estimated_similarity_tracks_the_exact_jaccard() -> None:
    for text in [*PLANTED.values(), *SAME_THEME]:
        estimate = copies.estimated_similarity(signature(ORIGINAL), signature(text))
        assert abs(estimate - jaccard(ORIGINAL, text)) < 0.1


def test_lsh_parameters_catch_pairs_at_the_threshold() -> None:
    for threshold in (0.5, 0.8, 0.9):
        bands, rows = lsh_params(threshold)
        assert bands * rows <= NUM_PERM
        assert 1 - (1 - threshold**rows) ** bands >= 0.99
    with pytest.raises(ValueError):
        lsh_params(0.0)


def test_shared_passages_point_into_the_original_strings() -> None:
    copy = PLANTED["HTML markup"].replace("，", " ， ")
    spans = shared_passages(ORIGINAL, copy)
    assert spans
    for a_start, a_end, b_start, b_end in spans:
        assert normalise(ORIGINAL[a_start:a_end]) == normalise(copy[b_start:b_end])
        assert len(normalise(ORIGINAL[a_start:a_end])) >= 10
    assert sum(len(normalise(ORIGINAL[a:b])) for a, b, _, _ in spans) > 0.9 * len(
        normalise(ORIGINAL)
    )


def test_shared_passages_respects_min_chars() -> None:
    assert shared_passages(SAME_THEME[0], SAME_THEME[1], min_chars=40) == []
    with pytest.raises(ValueError):
        shared_passages("a", "b", min_chars=0)


any_text = st.text(
    alphabet=st.one_of(
        st.characters(), st.sampled_from(list("<p></p>&amp;&#20013;，。 形式主义走过场"))
    ),
    max_size=300,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text, any_text)
def test_nothing_raises_on_any_text(a: str, b: str) -> None:
    normalise(a)
    sig = signature(a + b)
    assert sig is None or len(sig) == SIGNATURE_BYTES
    for a_start, a_end, b_start, b_end in shared_passages(a, a + b, min_chars=1):
        assert normalise(a[a_start:a_end]) == normalise((a + b)[b_start:b_end])


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=MIN_CHARS, max_size=400))
def test_a_text_with_a_signature_is_identical_to_itself(text: str) -> None:
    if signature(text) is not None:
        assert jaccard(text, text) == 1.0
        assert copies.estimated_similarity(signature(text), signature(text)) == 1.0
