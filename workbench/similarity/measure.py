"""When two claims say the same thing: character 5-gram Jaccard, found through MinHash bands.

The measure is the Jaccard index of the sets of character 5-grams of the two texts after
normalisation (NFKC, case-folded, apostrophes dropped, every run of punctuation or space
made one space). Outlets reporting one statement change the attribution ("Peskov told CNN"),
the transliteration (Kiev/Kyiv), the quotation marks and the spelling (neighboring/
neighbouring); 5-grams survive all of that, and unlike TF-IDF the score needs no corpus
statistics, so a pair scored at ingest keeps its score however the corpus grows.

Two claims are *the same statement* when the Jaccard is at least :data:`THRESHOLD` and their
figures agree (:func:`numbers_agree`): "four dead and 100 wounded" and "five dead and 150
wounded" share almost every 5-gram but must not share a verdict. The threshold and its
precision and recall come from the labelled pairs in ``tests/data/similar/`` (run
``python tests/data/similar/evaluate.py``).

Comparing a new claim with every stored one would not scale, so each claim also gets a
MinHash signature of :data:`PERMUTATIONS` values; its :data:`BANDS` bands of :data:`ROWS`
values are hashed into keys stored in an indexed table, and only claims sharing a key are
candidates (the classic LSH banding). A candidate's signature gives an estimate of the
Jaccard that discards most of them before the exact score is computed from the texts.
Everything here is NumPy and the standard library; hashes are fixed, so keys computed by one
process match those of another.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from workbench.extract.slices import by_characters

NGRAM = 5
# A 5-gram Jaccard of 0.30 separates the labelled pairs best: every unrelated pair of the
# sample corpus scores below 0.14, topic-sharing "hard" negatives stay below 0.27, and all
# but one labelled restatement score 0.30 or more (see the module docstring for the command).
THRESHOLD = 0.30
# MinHash: 32 bands of 3 values. A pair with Jaccard s becomes a candidate with probability
# 1 - (1 - s**3)**32: 0.58 at s = 0.30, 0.88 at 0.40, 0.99 at 0.50, yet only 0.03 at 0.10
# and 0.004 at 0.05, which keeps the candidates of a new claim to a handful among a few
# thousand claims. Chance candidates grow with the corpus (tens per claim at 200,000 claims:
# bench/ingest.py): link.py caps the holders of a key for that reason.
BANDS = 32
ROWS = 3
PERMUTATIONS = BANDS * ROWS
# A candidate whose signature estimate is more than this below the threshold is dropped
# without scoring it exactly. Candidates share a band, so three of their values are equal
# before any other: of the pairs at Jaccard 0.30 that become candidates, 99.5% pass (99.8%
# at 0.32, 100% from 0.35), while of the chance candidates, most of a large corpus's, 21%
# at 0.15 and 68% at 0.20 are scored (75% and 97% with a margin of 0.15). Computed, for
# independent signature values, by ``python bench/screen.py``.
ESTIMATE_MARGIN = 0.10
# Changing NGRAM, the hashing or the bands changes every stored key: bump this, and rebuild.
SKETCH_VERSION = 1

Hashes = npt.NDArray[np.uint64]
Signature = npt.NDArray[np.uint32]

_APOSTROPHES = re.compile(r"['’ʼ‘`´]")
_NOT_WORD = re.compile(r"[\W_]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SEPARATORS = str.maketrans("", "", ".,")


def _splitmix64(x: Hashes) -> Hashes:
    """A fixed 64-bit mixer (SplitMix64's finaliser); arithmetic wraps modulo 2**64."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _multipliers() -> tuple[Hashes, Hashes]:
    # Fixed seeds: every process must compute the same permutations.
    rng = np.random.Generator(np.random.PCG64(20240917 + SKETCH_VERSION))
    top = np.iinfo(np.uint64).max
    a = rng.integers(0, top, size=(PERMUTATIONS, 1), dtype=np.uint64) | np.uint64(1)  # odd
    b = rng.integers(0, top, size=(PERMUTATIONS, 1), dtype=np.uint64)
    return a, b


# Permutation i maps a shingle hash x to the top 32 bits of a_i * x + b_i (mod 2**64): a
# bijection for odd a_i, and three array operations where a full mixer per permutation
# would take nine (the shingle hashes are already mixed, so this is enough).
_A, _B = _multipliers()
_BAND_SALT = _splitmix64(np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))


def normalise(text: str) -> str:
    """Case, quotes, dashes and punctuation removed; words separated by one space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NOT_WORD.sub(" ", _APOSTROPHES.sub("", folded)).strip()


def shingles(text: str) -> Hashes:
    """The sorted, distinct 64-bit hashes of the character 5-grams of ``normalise(text)``.

    The text is padded with a space at each end so first and last words count fully; a
    text shorter than a 5-gram is one shingle; a text with no letter or digit has none.
    """
    norm = normalise(text)
    if not norm:
        return np.empty(0, dtype=np.uint64)
    padded = f" {norm} "
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    windows = max(1, len(codes) - NGRAM + 1)
    hashes = np.zeros(windows, dtype=np.uint64)
    # A polynomial hash of each window, computed for all windows at once.
    for offset in range(min(NGRAM, len(codes))):
        hashes = hashes * np.uint64(1_000_003) + codes[offset : offset + windows]
    return np.unique(_splitmix64(hashes))


def jaccard(a: Hashes, b: Hashes) -> float:
    """|a ∩ b| / |a ∪ b| of two sorted distinct hash arrays; two empty sets are equal (1)."""
    if a.size == 0 and b.size == 0:
        return 1.0
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (a.size + b.size - common)


def similarity(a: str, b: str) -> float:
    """The 5-gram Jaccard of two claims, in [0, 1]; symmetric; 1 for identical texts."""
    return jaccard(shingles(a), shingles(b))


def numbers(text: str) -> frozenset[str]:
    """The figures a text states, separators dropped ("100,000" and "100000" are one)."""
    return frozenset(m.translate(_SEPARATORS) for m in _NUMBER.findall(text))


def numbers_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """False when both texts state figures and neither's figures include the other's.

    A shortened report may drop a figure, so a subset agrees; different figures do not.
    """
    return not a or not b or a <= b or b <= a


def figures_mask(figures: frozenset[str]) -> int:
    """A 64-bit summary of a text's figures, one bit per figure (0 for none).

    Figures that agree have masks that agree (:func:`masks_agree`), so comparing masks,
    one array operation for many pairs, rules out most pairs that disagree before their
    texts are read; a pair whose masks agree is still checked with the figures themselves.
    """
    mask = 0
    for figure in figures:
        mask |= 1 << (zlib.crc32(figure.encode("utf-8", "surrogatepass")) & 63)
    return mask


def masks_agree(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """For masks of :func:`figures_mask`, False only where :func:`numbers_agree` is False."""
    zero = np.uint64(0)
    agree: npt.NDArray[np.bool_] = (
        (a == zero) | (b == zero) | ((a & ~b) == zero) | ((b & ~a) == zero)
    )
    return agree


@dataclass(frozen=True)
class Sketch:
    """What the grouping needs of one claim, computed before any database work."""

    shingles: Hashes
    signature: Signature
    numbers: frozenset[str]
    band_keys: tuple[int, ...]  # signed 64-bit integers, as SQL stores them; none if empty

    def signature_bytes(self) -> bytes:
        return self.signature.astype("<u4").tobytes()


def band_keys(hashes: Hashes, signature: Signature) -> tuple[int, ...]:
    """One key per band of ``signature``: claims sharing a key agree on that whole band."""
    if hashes.size == 0:
        return ()
    return tuple(sorted(set(_band_keys(signature[np.newaxis, :])[0].tolist())))


def _band_keys(signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """The band keys of each row of ``signatures`` (claims x PERMUTATIONS), as int64."""
    bands = signatures.astype(np.uint64).reshape(len(signatures), BANDS, ROWS)
    key = np.broadcast_to(_BAND_SALT, (len(signatures), BANDS))
    for row in range(ROWS):
        key = _splitmix64(key ^ bands[:, :, row])
    return key.view(np.int64)


def signature_of(hashes: Hashes) -> Signature:
    """MinHash: for each of the fixed permutations, the least permuted hash (32 bits)."""
    if hashes.size == 0:
        return np.zeros(PERMUTATIONS, dtype=np.uint32)
    permuted = (hashes[np.newaxis, :] * _A + _B) >> np.uint64(32)
    least: Hashes = permuted.min(axis=1)
    return least.astype(np.uint32)


def many_shingles(texts: Sequence[str]) -> list[Hashes]:
    """``[shingles(t) for t in texts]``, hashed and sorted with a few array operations.

    The texts are hashed as one string, the windows that cross from one text to the next
    dropped; each text's hashes are then sorted in place and de-duplicated together.
    """
    padded = []
    for text in texts:
        norm = normalise(text)
        padded.append(f" {norm} " if norm else "")
    lengths = np.fromiter(map(len, padded), dtype=np.intp, count=len(padded))
    found: list[Hashes] = [np.empty(0, dtype=np.uint64)] * len(texts)
    # Shorter than a 5-gram: one shingle of all of it, as shingles() makes it.
    for i in np.flatnonzero((lengths > 0) & (lengths < NGRAM)).tolist():
        found[i] = shingles(texts[i])
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    windows = codes.size - NGRAM + 1
    if windows <= 0:
        return found
    hashes = np.zeros(windows, dtype=np.uint64)
    for offset in range(NGRAM):
        hashes = hashes * np.uint64(1_000_003) + codes[offset : offset + windows]
    row_of = np.repeat(np.arange(len(texts), dtype=np.intp), lengths)
    inside = row_of[:windows] == row_of[NGRAM - 1 :]
    hashes = _splitmix64(hashes[inside])
    rows = row_of[:windows][inside]
    counts = np.bincount(rows, minlength=len(texts))
    ends = np.cumsum(counts)
    for start, end in zip((ends - counts).tolist(), ends.tolist(), strict=True):
        hashes[start:end].sort()  # each text's own hashes, in place
    distinct = np.ones(hashes.size, dtype=bool)
    distinct[1:] = (hashes[1:] != hashes[:-1]) | (rows[1:] != rows[:-1])
    hashes, rows = hashes[distinct], rows[distinct]
    counts = np.bincount(rows, minlength=len(texts))
    parts = np.split(hashes, np.cumsum(counts)[:-1])
    for i in np.flatnonzero(counts).tolist():
        found[i] = parts[i]
    return found


def signatures_of(hashes: Sequence[Hashes]) -> Signature:
    """``[signature_of(h) for h in hashes]`` as one (texts x PERMUTATIONS) array.

    One permutation at a time over all the texts' hashes: a row of a few ten thousand values
    stays in the cache, where the whole (PERMUTATIONS x hashes) matrix would not. The least
    permuted value is taken before the shift to 32 bits (the shift keeps the order).
    """
    signatures = np.zeros((len(hashes), PERMUTATIONS), dtype=np.uint32)
    sized = [i for i, h in enumerate(hashes) if h.size]
    if not sized:
        return signatures
    joined = np.concatenate([hashes[i] for i in sized])
    starts = np.cumsum([0] + [hashes[i].size for i in sized[:-1]])
    least = np.empty((PERMUTATIONS, len(sized)), dtype=np.uint64)
    permuted = np.empty_like(joined)
    for p in range(PERMUTATIONS):
        np.multiply(joined, _A[p, 0], out=permuted)
        permuted += _B[p, 0]
        least[p] = np.minimum.reduceat(permuted, starts)
    least >>= np.uint64(32)
    signatures[sized] = least.T
    return signatures


# The most characters of claims sketched in one pass of array operations. The pass holds a
# signature-sized row per shingle (hundreds of bytes per character of text), so one 20 MB
# document's claims took a gigabyte at once; a chunk of normal articles' claims is a few
# hundred KB, far under this.
SKETCH_BATCH_CHARS = 500_000


def sketches(texts: Sequence[str]) -> list[Sketch]:
    """``[sketch(t) for t in texts]``, with the hashing done for many texts at once.

    Ingest sketches a chunk of documents' claims together (in its worker processes): one
    pass of array operations over all of their shingles costs far less than a few dozen
    small ones per claim. Passes take ``SKETCH_BATCH_CHARS`` at most, so memory stays flat.
    """
    return [found for part in by_characters(texts, SKETCH_BATCH_CHARS) for found in _sketches(part)]


def _sketches(texts: Sequence[str]) -> list[Sketch]:
    hashes = many_shingles(texts)
    signatures = signatures_of(hashes)
    keys: list[tuple[int, ...]] = [()] * len(texts)
    sized = [i for i, h in enumerate(hashes) if h.size]
    if sized:
        for i, row in zip(sized, _band_keys(signatures[sized]).tolist(), strict=True):
            keys[i] = tuple(sorted(set(row)))
    return [
        Sketch(shingles=h, signature=signatures[i], numbers=numbers(t), band_keys=keys[i])
        for i, (h, t) in enumerate(zip(hashes, texts, strict=True))
    ]


def sketch(text: str) -> Sketch:
    hashes = shingles(text)
    signature = signature_of(hashes)
    return Sketch(
        shingles=hashes,
        signature=signature,
        numbers=numbers(text),
        band_keys=band_keys(hashes, signature),
    )


def signature_from_bytes(raw: bytes) -> Signature:
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


def estimates(signature: Signature, others: npt.NDArray[np.uint32]) -> npt.NDArray[np.float64]:
    """The Jaccard estimated from signatures: the share of equal values, one per row."""
    if others.size == 0:
        return np.empty(0, dtype=np.float64)
    return np.asarray((others == signature[np.newaxis, :]).mean(axis=1), dtype=np.float64)


def worth_scoring(estimate: float) -> bool:
    return estimate >= THRESHOLD - ESTIMATE_MARGIN


def match(a: Sketch, b: Sketch) -> float | None:
    """The similarity of two claims if they are the same statement, else ``None``."""
    return match_sets(a.shingles, a.numbers, b.shingles, b.numbers)


def match_sets(
    a: Hashes, a_numbers: frozenset[str], b: Hashes, b_numbers: frozenset[str]
) -> float | None:
    """:func:`match` from the shingles and figures alone (all the exact measure needs)."""
    if a.size == 0 or b.size == 0 or not numbers_agree(a_numbers, b_numbers):
        return None
    score = jaccard(a, b)
    return score if score >= THRESHOLD else None


def match_many(
    a: Hashes, a_numbers: frozenset[str], others: Sequence[tuple[Hashes, frozenset[str]]]
) -> list[float | None]:
    """``[match_sets(a, a_numbers, b, b_numbers) for b, b_numbers in others]``, the
    intersections counted in one array operation for all of them."""
    result: list[float | None] = [None] * len(others)
    if a.size == 0:
        return result
    kept = [
        i
        for i, (b, b_numbers) in enumerate(others)
        if b.size and numbers_agree(a_numbers, b_numbers)
    ]
    if not kept:
        return result
    sizes = np.array([others[i][0].size for i in kept])
    joined = np.concatenate([others[i][0] for i in kept])
    # ``a`` is sorted: each of the others' hashes is looked up in it by bisection.
    at = np.minimum(np.searchsorted(a, joined), a.size - 1)
    hits = (a[at] == joined).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    common = np.add.reduceat(hits, starts).tolist()
    for i, size, shared in zip(kept, sizes.tolist(), common, strict=True):
        score = shared / (a.size + size - shared)
        if score >= THRESHOLD:
            result[i] = score
    return result


def same_statement(a: str, b: str) -> bool:
    """The grouping's decision on two texts (what the labelled pairs are scored with)."""
    return match(sketch(a), sketch(b)) is not None
