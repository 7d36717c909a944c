"""Benchmark: near-copy detection (taolun.textmine.copies) on generated reflections.

    .venv/bin/python bench/text_copies.py              # 100,000 texts (about 10 minutes here)
    .venv/bin/python bench/text_copies.py --n 10000    # while iterating

Generates N reflections of 500–1,500 characters (bench/textgen.py, seeded) with planted
near-copies (about 2.5 % of the texts, groups of 2–5, each copy with names changed, a slogan,
swapped sentences, other punctuation, sometimes HTML, and 0–30 % of its sentences rewritten,
so some pairs fall under Jaccard 0.8 on purpose). Then measures:

1. signing: signatures per second (happens once per text, when it is saved);
2. the scan, ``find_groups`` over the stored signatures, of the first 10,000 texts and of
   all N, in the same run;
3. recall and precision against exact Jaccard ≥ 0.8, over all pairs of a 5,000-text sample
   that holds every planted text (so there are positives) and random others. The truth is
   computed exactly over all pairs (overlaps as a sparse/dense matrix product), checked
   against brute force on a subsample.
   A predicted pair is a qualifying pair (an edge) of the N-text scan with both texts in the
   sample. The scan verifies candidates with the exact Jaccard of the two texts (``verify``,
   the texts read for candidates only); the estimate-only scan and co-membership of a group
   are reported too, for information.
4. shared_passages on two copies of 1,500 and of 5,000 characters.

Targets (issue 7): recall ≥ 0.95, precision ≥ 0.95, scan of 100,000 under 2 minutes,
time(100k) / time(10k) ≤ 12. Exits 1 if one is missed. No Django needed.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from textgen import ReflectionGenerator  # noqa: E402

from taolun.textmine import copies  # noqa: E402

THRESHOLD = 0.8
SAMPLE = 5000
SMALL = 10_000
COMMON_COLUMNS = 6000
COMMON_MIN_DF = 40


def cpu_model() -> str:
    """The CPU model named in /proc/cpuinfo (or what platform knows elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def similar_pairs_exact(sets: list[set[str]], threshold: float) -> set[tuple[int, int]]:
    """All index pairs (i < j) with Jaccard ≥ threshold, computed exactly over ALL pairs.

    The overlap of every pair is a matrix product of the text × shingle incidence matrix
    with itself: shingles found in many texts (set phrases) as a dense block through BLAS,
    the rest sparse, so neither part is slow. Counts are integers (exact in float32 below
    2^24); the Jaccard is then the same IEEE division as ``len(x & y) / len(x | y)``.
    """
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    for row, tokens in enumerate(sets):
        for token in tokens:
            rows.append(row)
            columns.append(vocabulary.setdefault(token, len(vocabulary)))
    incidence = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(len(sets), len(vocabulary))
    )
    frequency = np.asarray(incidence.sum(axis=0)).ravel()
    by_frequency = np.argsort(-frequency, kind="stable")
    common = by_frequency[: min(COMMON_COLUMNS, int(np.sum(frequency >= COMMON_MIN_DF)))]
    rare = np.setdiff1d(np.arange(len(vocabulary)), common)
    dense = incidence[:, common].toarray()
    rest = incidence[:, rare].tocsr()
    sizes = np.array([len(tokens) for tokens in sets], dtype=np.float64)
    found: set[tuple[int, int]] = set()
    for begin in range(0, len(sets), 500):
        stop = min(begin + 500, len(sets))
        overlap = (dense[begin:stop] @ dense.T + (rest[begin:stop] @ rest.T).toarray()).astype(
            np.float64
        )
        union = sizes[begin:stop, None] + sizes[None, :] - overlap
        with np.errstate(invalid="ignore", divide="ignore"):
            similar = (overlap / union >= threshold) & (union > 0)
        for i, j in zip(*np.nonzero(similar), strict=True):
            if begin + i < j:
                found.add((int(begin + i), int(j)))
    return found


def brute_force(sets: list[set[str]], threshold: float) -> set[tuple[int, int]]:
    """All pairs, compared one by one: the check of :func:`similar_pairs_exact`."""
    return {
        (i, j)
        for i, j in itertools.combinations(range(len(sets)), 2)
        if sets[i] and sets[j] and len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= threshold
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="texts in the big run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--copy-share", type=float, default=0.025)
    args = parser.parse_args(argv)
    n = args.n
    small = min(SMALL, n)

    generator = ReflectionGenerator(seed=args.seed)
    started = time.perf_counter()
    texts: list[str] = []
    group_of: list[int | None] = []
    for text, group in generator.corpus(n, copy_share=args.copy_share):
        texts.append(text)
        group_of.append(group)
    generate_s = time.perf_counter() - started
    planted = [i for i, group in enumerate(group_of) if group is not None]
    print(
        f"generated {n:,} texts in {generate_s:.1f} s, {len(planted):,} in planted groups",
        flush=True,
    )

    started = time.perf_counter()
    signatures = [copies.signature(text) for text in texts]
    sign_s = time.perf_counter() - started
    print(f"signed in {sign_s:.1f} s", flush=True)

    def exact(left: int, right: int) -> float:
        """The verify callback: exact Jaccard from the two texts, as a scan would read them."""
        return copies.jaccard(texts[left], texts[right])

    started = time.perf_counter()
    copies.find_groups(
        zip(range(small), signatures[:small], strict=True), threshold=THRESHOLD, verify=exact
    )
    scan_small_s = time.perf_counter() - started
    started = time.perf_counter()
    groups = copies.find_groups(enumerate(signatures), threshold=THRESHOLD, verify=exact)
    scan_big_s = time.perf_counter() - started
    print(f"scanned {small:,} in {scan_small_s:.2f} s and {n:,} in {scan_big_s:.2f} s", flush=True)
    started = time.perf_counter()
    estimated_groups = copies.find_groups(enumerate(signatures), threshold=THRESHOLD)
    scan_estimated_s = time.perf_counter() - started

    rng = random.Random(args.seed)
    chosen = planted[: SAMPLE // 2]
    others = [i for i in range(n) if group_of[i] is None]
    chosen += rng.sample(others, min(SAMPLE - len(chosen), len(others)))
    chosen.sort()
    position = {text_index: k for k, text_index in enumerate(chosen)}
    sets = [copies.shingles(texts[i]) for i in chosen]
    started = time.perf_counter()
    truth = {(chosen[a], chosen[b]) for a, b in similar_pairs_exact(sets, THRESHOLD)}
    truth_s = time.perf_counter() - started
    check = sets[:300] + sets[-100:]
    if similar_pairs_exact(check, THRESHOLD) != brute_force(check, THRESHOLD):
        print("the prefix filter disagrees with brute force", file=sys.stderr)
        return 2

    def edges(found: list[copies.Group[int]]) -> set[tuple[int, int]]:
        """The qualifying pairs of a scan with both texts in the sample."""
        return {
            (min(left, right), max(left, right))
            for group in found
            for left, right, _ in group.pairs
            if left in position and right in position
        }

    predicted = edges(groups)
    together: set[tuple[int, int]] = set()
    for group in groups:
        inside = [member for member in group.members if member in position]
        together.update(itertools.combinations(sorted(inside), 2))
    hits = len(predicted & truth)
    recall = hits / len(truth) if truth else 1.0
    precision = hits / len(predicted) if predicted else 1.0
    together_precision = len(together & truth) / len(together) if together else 1.0
    estimated = edges(estimated_groups)
    estimated_recall = len(estimated & truth) / len(truth) if truth else 1.0
    estimated_precision = len(estimated & truth) / len(estimated) if estimated else 1.0
    sampled_groups = len({group_of[i] for i in chosen if group_of[i] is not None})

    pair = generator.reflection(1400, 1500)
    copy = generator.near_copy(pair, strength=0.1)
    started = time.perf_counter()
    copies.shared_passages(pair, copy)
    passages_s = time.perf_counter() - started
    long_text = "".join(generator.reflection(1400, 1500) for _ in range(4))[:5000]
    long_copy = generator.near_copy(long_text, strength=0.1)
    started = time.perf_counter()
    copies.shared_passages(long_text, long_copy)
    passages_long_s = time.perf_counter() - started

    ratio = scan_big_s / scan_small_s if scan_small_s else float("inf")
    checks = [
        ("recall vs exact Jaccard ≥ 0.8", f"{recall:.3f}", "≥ 0.95", recall >= 0.95),
        ("precision (qualifying pairs)", f"{precision:.3f}", "≥ 0.95", precision >= 0.95),
        (f"scan of {n:,} texts", f"{scan_big_s:.2f} s", "< 120 s", scan_big_s < 120),
        (f"time({n:,}) / time({small:,})", f"{ratio:.1f}", "≤ 12", ratio <= 12),
    ]
    bands, rows = copies.lsh_params(THRESHOLD)
    print()
    print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()}")
    print(
        f"parameters: K={copies.K}, NUM_PERM={copies.NUM_PERM}, LSH {bands} bands × {rows} rows, ",
        end="",
    )
    print(f"MIN_CHARS={copies.MIN_CHARS}, signature {copies.SIGNATURE_BYTES} bytes")
    print(f"{'measure':<34} {'value':>12}  target")
    print(f"{'-' * 34} {'-' * 12}  ------")
    rows_out = [
        ("texts generated", f"{n:,}", ""),
        (
            "texts in planted groups",
            f"{len(planted):,}",
            f"{sampled_groups:,} groups in the sample",
        ),
        ("signing", f"{n / sign_s:,.0f} /s", "(at save time)"),
        (f"scan of {small:,} texts", f"{scan_small_s:.2f} s", ""),
        ("groups found", f"{len(groups):,}", ""),
        (
            "sample: texts / true pairs",
            f"{len(chosen):,} / {len(truth):,}",
            f"(exact truth in {truth_s:.1f} s)",
        ),
        ("sample: predicted pairs", f"{len(predicted):,}", ""),
        ("precision (group co-membership)", f"{together_precision:.3f}", "(information)"),
        (f"estimate only: scan of {n:,}", f"{scan_estimated_s:.2f} s", "(no verify, information)"),
        ("estimate only: recall", f"{estimated_recall:.3f}", "(information)"),
        ("estimate only: precision", f"{estimated_precision:.3f}", "(information)"),
        ("shared_passages 1,500 chars", f"{passages_s * 1000:.0f} ms", ""),
        ("shared_passages 5,000 chars", f"{passages_long_s * 1000:.0f} ms", ""),
    ]
    for name, value, note in rows_out:
        print(f"{name:<34} {value:>12}  {note}")
    failed = False
    for name, value, target, ok in checks:
        failed |= not ok
        print(f"{name:<34} {value:>12}  {target} {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
