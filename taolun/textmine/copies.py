"""Near-copy detection: find groups of almost identical texts among many.

Units copy each other's reflections and reports (形式主义, 走过场). Comparing every text with
every other is quadratic, so each text gets a *signature* once, when it is saved: a MinHash
of the set of its character k-shingles (Chinese has no spaces, so characters, not words).
A scan then reads only the stored signatures, finds candidate pairs through MinHash LSH
buckets (datasketch), keeps the pairs whose estimated similarity reaches the threshold and
joins them into groups (connected components). For the groups a page shows,
:func:`shared_passages` finds the passages two texts share, as spans of the original strings.

Usage::

    sig = signature(text)                     # bytes for a BinaryField, or None if too short
    groups = find_groups((pk, sig) for pk, sig in stored)   # list[Group]
    groups[0].members, groups[0].pairs        # keys, and (k1, k2, similarity) edges
    shared_passages(text_a, text_b)           # [(a_start, a_end, b_start, b_end), ...]

Texts are compared after :func:`normalise`: HTML tags dropped, entities decoded, NFKC
folded (full-width digits and letters), case folded, and only letters and digits kept,
so a copy with other punctuation, spacing or markup still matches.

Parameters, measured with ``bench/text_copies.py`` (generated reflections of 500–1,500
characters on the campaign's themes, planted copies; figures in docs/benchmarks.md):

* ``K = 5``: with 4-character shingles, unrelated reflections on the same theme share many
  set phrases (全面从严治党, 形式主义) and their Jaccard rises towards the copies'; 5
  characters span word boundaries, so shared vocabulary alone stays far below 0.8 while a
  copy with a changed name or a swapped sentence keeps most of its shingles. Longer shingles
  would make each one-character edit destroy more shingles and push light copies under 0.8.
* ``NUM_PERM = 256``: the standard error of the estimate is sqrt(J(1-J)/n), 0.025 at J = 0.8
  (0.035 with 128). Pairs near the threshold are the ones a scan gets wrong: on the
  benchmark, where many planted copies sit within 0.05 of 0.8 on purpose, the estimate
  alone reaches recall 0.91 and precision 0.90; verifying the candidates with the exact
  Jaccard (``find_groups(..., verify=...)``) gives 0.998 and 1.0. Signing stays fast
  (about 1,500 texts a second here) and a signature is 1 + 13 + 4·256 = 1,038 bytes.
* LSH with 32 bands of 8 rows (:func:`lsh_params`): a pair at exactly 0.8 shares a bucket
  with probability 0.997, while unrelated same-theme texts (Jaccard about 0.1) almost never
  do, so the 100,000-text scan stays linear (42 s here, 10.8 × the 10,000-text scan).
* ``MIN_CHARS = 50``: short texts (同意。已学习。) are legitimately identical across people,
  and a MinHash over a few dozen shingles is too noisy to judge; neither is a copy worth an
  office's time, so they get no signature.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

K = 5
"""Shingle length in characters of the normalised text."""

NUM_PERM = 256
"""Number of MinHash permutations (signature length)."""

SEED = 20190222
"""Seed of the MinHash permutations; changing it (or K, or the shingle hash) needs a new
:data:`SIGNATURE_VERSION` and every stored signature recomputed."""

MIN_CHARS = 50
"""Texts with fewer normalised characters get no signature (see the module docstring)."""

VERIFY_MARGIN = 0.1
"""Candidates estimated this far under the threshold are not even verified: four standard
errors of the estimate at 0.8 with 256 permutations, so a true pair is almost never lost."""

SIGNATURE_VERSION = 1
"""First byte of every signature; bump it whenever the bytes of a signature would change."""

_SCHEME = "affine32"
_BYTEORDER = "<"

K_ = TypeVar("K_", bound=Hashable)

# A tag starts with a letter, "/" or "!" after "<", so "a < b" in plain text survives.
_MARKUP = re.compile(
    r"<[A-Za-z/!][^>]*>|&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)

# Fixed random constants of the shingle hash (never Python's hash(): it is salted per process).
_RNG = np.random.Generator(np.random.PCG64(SEED))
_CHAR_SALT = np.uint64(_RNG.integers(0, 2**63, dtype=np.uint64))
_POSITION_MULTIPLIERS = (
    _RNG.integers(0, 2**62, size=K, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
).astype(np.uint64)
del _RNG


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The MinHash permutation parameters, generated once by datasketch from :data:`SEED`."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=_SCHEME).permutations


_PERMUTATIONS = _permutations()


def _header() -> bytes:
    """The bytes every current signature starts with (version, seed, size, scheme)."""
    lean = LeanMinHash(seed=SEED, hashvalues=np.zeros(NUM_PERM, dtype=np.uint32), scheme=_SCHEME)
    buf = bytearray(lean.bytesize(_BYTEORDER))
    lean.serialize(buf, _BYTEORDER)
    return bytes([SIGNATURE_VERSION]) + bytes(buf[: len(buf) - 4 * NUM_PERM])


_HEADER = _header()
SIGNATURE_BYTES = len(_HEADER) + 4 * NUM_PERM
"""Length of every signature: a version byte, then a datasketch ``LeanMinHash`` serialised
little-endian (8-byte seed, 4-byte negated size, 1-byte scheme code, 4 bytes per value)."""


def _fold_char(char: str) -> str:
    """What one character of text contributes to the normalised text (often nothing)."""
    folded = unicodedata.normalize("NFKC", char).casefold()
    return "".join(c for c in folded if c.isalnum())


class _FoldTable(dict[int, str]):
    """``str.translate`` table computing each code point's folding once, on first sight."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD = _FoldTable()


def _segments(text: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, content) pieces of ``text``: one per character, one per entity; tags skipped."""
    position = 0
    for match in _MARKUP.finditer(text):
        for index in range(position, match.start()):
            yield index, index + 1, text[index]
        if match.group(0).startswith("&"):
            yield match.start(), match.end(), html.unescape(match.group(0))
        position = match.end()
    for index in range(position, len(text)):
        yield index, index + 1, text[index]


def _normalise_mapped(text: str) -> tuple[str, list[int], list[int]]:
    """The normalised text and, per normalised character, its span [start, end) in ``text``."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end, content in _segments(text):
        for char in content:
            for kept in _FOLD[ord(char)]:
                chars.append(kept)
                starts.append(start)
                ends.append(end)
    return "".join(chars), starts, ends


def normalise(text: str) -> str:
    """Keep what carries content, so that a copy differing only in form still matches.

    ``text`` is sanitised HTML or plain text: tags are dropped, entities decoded, each
    character NFKC- and case-folded, and only letters (CJK included) and digits kept;
    whitespace and punctuation, Chinese or Western, disappear.
    """
    return _MARKUP.sub(_unmark, text).translate(_FOLD)


def _unmark(match: re.Match[str]) -> str:
    """A tag gives nothing, an entity its character(s): the same pieces as :func:`_segments`."""
    token = match.group(0)
    return html.unescape(token) if token.startswith("&") else ""


def _shingle_hashes(normalised: str) -> np.ndarray:
    """32-bit hashes of the K-character shingles of ``normalised``, computed in numpy.

    Each code point is mixed (MurmurHash3's 64-bit finaliser), the K mixed values of a
    shingle are combined with fixed odd multipliers per position, and the sum mixed again;
    the top 32 bits are the shingle's hash. Deterministic across processes and platforms.
    """
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    mixed = _fmix64(codes ^ _CHAR_SALT)
    count = len(codes) - K + 1
    combined = np.zeros(count, dtype=np.uint64)
    for position in range(K):
        combined += mixed[position : position + count] * _POSITION_MULTIPLIERS[position]
    return (_fmix64(combined) >> np.uint64(32)).astype(np.uint32)


def _fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, an avalanching bijection (wrapping uint64 arithmetic)."""
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser: datasketch's pre-mix for the "affine32" scheme."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def _minhash_values(hashes: np.ndarray) -> np.ndarray:
    """MinHash values of a set of 32-bit hashes, in numpy, one matrix for all permutations.

    Exactly what ``datasketch.MinHash(seed=SEED, num_perm=NUM_PERM, scheme="affine32",
    hashfunc=<identity>).update_batch(hashes)`` computes (a test holds us to it), without
    its Python call per shingle and with one preallocated matrix instead of temporaries.
    """
    slopes, offsets = _PERMUTATIONS
    products = np.empty((len(hashes), NUM_PERM), dtype=np.uint32)
    np.multiply(_fmix32(hashes)[:, None], slopes, out=products)
    np.add(products, offsets, out=products)
    return products.min(axis=0)


def signature(text: str) -> bytes | None:
    """The MinHash signature of ``text``'s shingles, as :data:`SIGNATURE_BYTES` bytes.

    Stable across processes, runs and machines (fixed seed, own shingle hash, little-endian
    bytes), so it can be computed when a text is saved and compared years later. The bytes
    are a version byte and a datasketch ``LeanMinHash`` serialised with byte order "<".
    Returns ``None`` for texts under :data:`MIN_CHARS` normalised characters: those are not
    worth flagging and too short for a reliable estimate.
    """
    normalised = normalise(text)
    if len(normalised) < max(MIN_CHARS, K):
        return None
    values = _minhash_values(_shingle_hashes(normalised))
    return _HEADER + values.astype("<u4", copy=False).tobytes()


def is_current(sig: bytes | None) -> bool:
    """Whether ``sig`` was made by this version of :func:`signature` (else recompute it)."""
    return sig is not None and len(sig) == SIGNATURE_BYTES and sig.startswith(_HEADER)


def _hashvalues(sig: bytes) -> np.ndarray:
    """The MinHash values stored in a signature, without copying."""
    if not is_current(sig):
        raise ValueError("not a current copy-detection signature; recompute it with signature()")
    return np.frombuffer(sig, dtype="<u4", offset=len(_HEADER))


def estimated_similarity(sig_a: bytes, sig_b: bytes) -> float:
    """The Jaccard similarity of two texts as estimated from their signatures."""
    return float(np.mean(_hashvalues(sig_a) == _hashvalues(sig_b)))


def lsh_params(
    threshold: float, num_perm: int = NUM_PERM, recall_at_threshold: float = 0.99
) -> tuple[int, int]:
    """LSH bands and rows for a scan at ``threshold``.

    A pair of similarity s shares a bucket with probability 1 - (1 - s^r)^b. We take the
    longest bands (fewest unrelated candidates, so the scan stays linear) for which a pair
    *at* the threshold is still a candidate with probability ``recall_at_threshold``;
    pairs above it are more likely still. datasketch's own optimiser weighs false negatives
    and positives over the whole curve instead and, at 0.8, accepts missing 5 % of pairs
    right at the threshold.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    for rows in range(num_perm // 2, 0, -1):
        bands = num_perm // rows
        if bands >= 2 and 1.0 - (1.0 - threshold**rows) ** bands >= recall_at_threshold:
            return bands, rows
    return num_perm, 1


@dataclass
class Group(Generic[K_]):
    """Texts that are near-copies of one another, joined through the pairs that qualified.

    ``members`` keep the order in which the keys were given (callers pass them oldest first,
    so ``members[0]`` wrote first); ``pairs`` are the qualifying pairs, (key, key, similarity)
    with the keys in that same order, most similar first. Two members need not form a pair
    themselves: A copied B and C copied A joins all three.
    """

    members: list[K_]
    pairs: list[tuple[K_, K_, float]] = field(default_factory=list)

    @property
    def similarity(self) -> float:
        """The highest similarity of a pair in the group."""
        return max((similarity for _, _, similarity in self.pairs), default=1.0)


def _candidate_pairs(matrix: np.ndarray, threshold: float) -> np.ndarray:
    """Index pairs (i < j) that share at least one LSH bucket, as an (n, 2) array."""
    bands, rows = lsh_params(threshold, matrix.shape[1])
    lsh = MinHashLSH(num_perm=matrix.shape[1], params=(bands, rows))
    sketches = [LeanMinHash(seed=SEED, hashvalues=row, scheme=_SCHEME) for row in matrix]
    with lsh.insertion_session() as session:
        for index, sketch in enumerate(sketches):
            session.insert(index, sketch, check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for index, sketch in enumerate(sketches):
        for other in lsh.query(sketch):
            if other > index:
                pairs.add((index, other))
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    return np.array(sorted(pairs), dtype=np.int64)


def _find(parents: list[int], node: int) -> int:
    """Union–find root of ``node``, halving the path on the way."""
    while parents[node] != node:
        parents[node] = parents[parents[node]]
        node = parents[node]
    return node


def find_groups(
    signatures: Iterable[tuple[K_, bytes | None]],
    threshold: float = 0.8,
    verify: Callable[[K_, K_], float] | None = None,
) -> list[Group[K_]]:
    """Groups of near-copies among the signed texts, largest similarity first.

    Candidate pairs come from MinHash LSH buckets (see :func:`lsh_params`), never from all
    pairs, so time grows about linearly with the number of texts. A candidate qualifies if
    its similarity reaches ``threshold``: the estimate from the signatures, or, when
    ``verify(k1, k2)`` is given, the value it returns (e.g. the exact :func:`jaccard` of the
    two texts; it is called only for candidates estimated within :data:`VERIFY_MARGIN` of
    the threshold). The estimate alone errs on pairs near the threshold (standard error
    0.025 at 0.8); verifying makes the kept pairs exact at the cost of reading a few texts.
    Keys without a signature (``None``) are skipped; a duplicate key or a stale signature is
    a ValueError.
    """
    keys: list[K_] = []
    rows: list[np.ndarray] = []
    seen: set[K_] = set()
    for key, sig in signatures:
        if sig is None:
            continue
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen.add(key)
        keys.append(key)
        rows.append(_hashvalues(sig))
    if len(keys) < 2:
        return []
    matrix = np.vstack(rows)
    candidates = _candidate_pairs(matrix, threshold)
    estimates = (matrix[candidates[:, 0]] == matrix[candidates[:, 1]]).mean(axis=1)

    parents = list(range(len(keys)))
    edges: list[tuple[int, int, float]] = []
    for (left, right), estimate in zip(candidates.tolist(), estimates.tolist(), strict=True):
        if verify is None:
            similarity = estimate
        elif estimate >= threshold - VERIFY_MARGIN:
            similarity = verify(keys[left], keys[right])
        else:
            continue
        if similarity >= threshold:
            edges.append((left, right, float(similarity)))
            parents[_find(parents, left)] = _find(parents, right)

    pairs: dict[int, list[tuple[int, int, float]]] = {}
    for left, right, similarity in edges:
        pairs.setdefault(_find(parents, left), []).append((left, right, similarity))
    members: dict[int, list[int]] = {root: [] for root in pairs}
    for index in range(len(keys)):
        root = _find(parents, index)
        if root in members:
            members[root].append(index)
    ordered = sorted(
        pairs, key=lambda root: (-max(edge[2] for edge in pairs[root]), members[root][0])
    )
    groups = [
        Group(
            members=[keys[index] for index in members[root]],
            pairs=[
                (keys[left], keys[right], similarity)
                for left, right, similarity in sorted(
                    pairs[root], key=lambda edge: (-edge[2], edge[0], edge[1])
                )
            ],
        )
        for root in ordered
    ]
    return groups


def shingles(text: str) -> set[str]:
    """The set of K-character shingles of the normalised text (empty if it is shorter)."""
    normalised = normalise(text)
    return {normalised[index : index + K] for index in range(len(normalised) - K + 1)}


def jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of the two texts' shingle sets: the truth MinHash estimates.

    Texts with no shingle at all (fewer than K normalised characters) are similar to
    nothing, themselves included: 0.0.
    """
    left, right = shingles(a), shingles(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def shared_passages(a: str, b: str, min_chars: int = 10) -> list[tuple[int, int, int, int]]:
    """Passages the two texts share, as (a_start, a_end, b_start, b_end) of the ORIGINAL strings.

    Matching runs on the normalised texts (difflib's SequenceMatcher, autojunk off, so
    frequent characters still count), and each match of at least ``min_chars`` normalised
    characters is mapped back, so ``a[a_start:a_end]`` can be wrapped in ``<mark>`` and
    normalises to the same content as ``b[b_start:b_end]``. Matches come in order of ``a``
    and never cross (a moved sentence is matched in one of its two places). SequenceMatcher
    is quadratic in the worst case: fine for texts of a few thousand characters.
    """
    if min_chars < 1:
        raise ValueError("min_chars must be at least 1")
    norm_a, starts_a, ends_a = _normalise_mapped(a)
    norm_b, starts_b, ends_b = _normalise_mapped(b)
    matcher = difflib.SequenceMatcher(None, norm_a, norm_b, autojunk=False)
    spans = []
    for block in matcher.get_matching_blocks():
        if block.size >= min_chars:
            last = block.size - 1
            spans.append(
                (
                    starts_a[block.a],
                    ends_a[block.a + last],
                    starts_b[block.b],
                    ends_b[block.b + last],
                )
            )
    return spans


__all__ = [
    "MIN_CHARS",
    "NUM_PERM",
    "SIGNATURE_BYTES",
    "SIGNATURE_VERSION",
    "VERIFY_MARGIN",
    "Group",
    "K",
    "estimated_similarity",
    "find_groups",
    "is_current",
    "jaccard",
    "lsh_params",
    "normalise",
    "shared_passages",
    "shingles",
    "signature",
]
