"""Chance-corrected agreement coefficients for nominal verdicts.

Every function takes the same table: ``ratings``, a float64 array of shape
``(n_items, n_raters)`` (claims × reviewers) whose cells are category codes
``0 .. n_categories - 1``, or ``NaN`` where that reviewer did not review that claim.

Missing reviews are the normal case (each claim is reviewed by a few of the team), so every
coefficient here uses the form of it that allows them:

- items (claims) with fewer than two ratings say nothing about agreement: they are left out of
  the observed agreement everywhere;
- Fleiss' kappa and Gwet's AC1 follow Gwet (*Handbook of Inter-Rater Reliability*, 4th ed.,
  2014) and irrCAC: the category prevalences behind chance agreement are averaged over every
  item with at least one rating;
- Krippendorff's alpha counts pairable values only, as Krippendorff defines it.

A coefficient that is undefined for the data (no item with two ratings, every rating in one
category, ...) is ``nan``; only malformed input (wrong shape, codes that are not categories,
fewer than two categories) raises ``ValueError``.
"""

from __future__ import annotations

import numbers

import krippendorff
import numpy as np
from numpy.typing import NDArray

__all__ = [
    "alpha_bootstrap",
    "alpha_from_coincidences",
    "cohen_kappa",
    "coincidences",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "observed_agreement",
    "pairable",
    "pairwise_cohen",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

NAN = float("nan")

# Bound on the elements of a scratch buffer (draws of a bootstrap chunk, one-hot rows of a
# pairwise chunk): 2**20 float64 is 8 MiB whatever the size of the table, and small enough
# to stay in cache-friendly territory (larger chunks measured slower, not faster).
_CHUNK_ELEMENTS = 1 << 20


# --- input ----------------------------------------------------------------------------------


def _check_n_categories(n_categories: int) -> int:
    if isinstance(n_categories, bool) or not isinstance(n_categories, numbers.Integral):
        raise ValueError(f"n_categories must be an integer, not {n_categories!r}")
    if n_categories < 2:
        raise ValueError(f"n_categories must be at least 2, not {n_categories}")
    return int(n_categories)


def _check_codes(values: FloatArray, n_categories: int) -> None:
    rated = values[~np.isnan(values)]
    # Written so that ±inf fails too: inf >= n_categories, -inf < 0.
    bad = (rated < 0) | (rated >= n_categories) | (rated != np.floor(rated))
    if bad.any():
        raise ValueError(
            f"ratings must be category codes 0..{n_categories - 1} or NaN; found {rated[bad][0]!r}"
        )


def _check_ratings(ratings: FloatArray, n_categories: int) -> tuple[FloatArray, int]:
    n_categories = _check_n_categories(n_categories)
    values = np.asarray(ratings, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(
            f"ratings must be 2-D (items × raters), not {values.ndim}-D of shape {values.shape}"
        )
    _check_codes(values, n_categories)
    return values, n_categories


def category_counts(values: FloatArray, n_categories: int) -> IntArray:
    """``counts[i, k]``: how many raters put item ``i`` in category ``k`` (``values`` checked
    by the caller). Every coefficient here is a function of these counts; the ``*_of``
    functions take them, so that a caller computing several coefficients counts once."""
    rated = ~np.isnan(values)
    rows = np.nonzero(rated)[0]  # row-major, the same order as values[rated]
    codes = values[rated].astype(np.int64)
    n_items = values.shape[0]
    flat = np.bincount(rows * n_categories + codes, minlength=n_items * n_categories)
    return flat.reshape(n_items, n_categories).astype(np.int64, copy=False)


def agreement_of(counts: IntArray) -> tuple[int, float, FloatArray]:
    """(categories, observed agreement ``P_a``, prevalences ``pi_k``) of :func:`category_counts`:
    what :func:`observed_agreement`, :func:`fleiss_kappa_of` and :func:`gwet_ac1_of` use."""
    return _agreement_and_prevalences_of(counts)


def checked_counts(ratings: FloatArray, n_categories: int) -> IntArray:
    """:func:`category_counts` of ``ratings``, checked as every coefficient checks them."""
    values, n_categories = _check_ratings(ratings, n_categories)
    return category_counts(values, n_categories)


def pairable(ratings: FloatArray) -> tuple[int, int]:
    """(items with at least two ratings, number of ratings in those items).

    These are the pairable values Krippendorff's alpha rests on: an item rated once cannot
    show agreement or disagreement, so it does not count.
    """
    values = np.asarray(ratings, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(
            f"ratings must be 2-D (items × raters), not {values.ndim}-D of shape {values.shape}"
        )
    per_item = (~np.isnan(values)).sum(axis=1)
    kept = per_item >= 2
    return int(kept.sum()), int(per_item[kept].sum())


# --- percent agreement, Fleiss, Gwet ---------------------------------------------------------


def _pair_agreement(counts: IntArray) -> float:
    """Fleiss' P-bar over the items with at least two ratings, each item weighing the same."""
    per_item = counts.sum(axis=1)
    kept = per_item >= 2
    if not kept.any():
        return NAN
    m = per_item[kept].astype(np.float64)
    agreeing = (counts[kept] * (counts[kept] - 1)).sum(axis=1)
    return float(np.mean(agreeing / (m * (m - 1))))


def _prevalences(counts: IntArray) -> FloatArray:
    """pi_k: the share of category k within an item, averaged over items with a rating."""
    per_item = counts.sum(axis=1)
    kept = per_item >= 1
    shares = counts[kept] / per_item[kept, np.newaxis]
    return np.asarray(shares.mean(axis=0), dtype=np.float64)


def _agreement_and_prevalences(
    ratings: FloatArray, n_categories: int
) -> tuple[int, float, FloatArray]:
    """What Fleiss' kappa and Gwet's AC1 both start from: the number of categories (checked),
    the observed pairwise agreement ``P_a`` and the category prevalences ``pi_k`` (zeros when
    ``P_a`` is nan: no item has two ratings, and an empty mean would only warn)."""
    values, n_categories = _check_ratings(ratings, n_categories)
    return _agreement_and_prevalences_of(category_counts(values, n_categories))


def _agreement_and_prevalences_of(counts: IntArray) -> tuple[int, float, FloatArray]:
    n_categories = counts.shape[1]
    p_a = _pair_agreement(counts)
    if np.isnan(p_a):
        return n_categories, p_a, np.zeros(n_categories, dtype=np.float64)
    return n_categories, p_a, _prevalences(counts)


def observed_agreement(ratings: FloatArray, n_categories: int) -> float:
    """Proportion of agreeing pairs of ratings within an item, items weighted equally.

    ``P_a = (1/n') · Σ_i Σ_k r_ik (r_ik − 1) / (r_i (r_i − 1))`` over the ``n'`` items with
    ``r_i >= 2`` ratings (``r_ik`` of them in category ``k``): Fleiss' P-bar with a varying
    number of raters per item. ``nan`` when no item has two ratings.
    """
    values, n_categories = _check_ratings(ratings, n_categories)
    return _pair_agreement(category_counts(values, n_categories))


def fleiss_kappa(ratings: FloatArray, n_categories: int) -> float:
    """Fleiss' (1971) kappa, generalised to missing ratings as Gwet (2014) and irrCAC do.

    With ``r_ik`` the raters who put item ``i`` in category ``k`` and ``r_i = Σ_k r_ik``::

        P_a   = (1/n') Σ_{i: r_i >= 2} Σ_k r_ik (r_ik − 1) / (r_i (r_i − 1))
        pi_k  = (1/n)  Σ_{i: r_i >= 1} r_ik / r_i
        P_e   = Σ_k pi_k²
        kappa = (P_a − P_e) / (1 − P_e)

    ``n'`` counts the items with two ratings or more, ``n`` those with at least one. With
    every item rated by the same number of raters this is exactly Fleiss' kappa.

    ``nan`` when no item has two ratings or when every rating is in one category (P_e = 1).
    Within [-1, 1] when every rated item has two ratings or more; items rated once enter
    ``pi_k`` but not ``P_a``, so with many of them the value can fall below -1.
    """
    return fleiss_kappa_of(*_agreement_and_prevalences(ratings, n_categories))


def fleiss_kappa_of(n_categories: int, p_a: float, pi: FloatArray) -> float:
    """:func:`fleiss_kappa` from what :func:`agreement_of` returns."""
    if np.isnan(p_a):
        return NAN
    if np.count_nonzero(pi) < 2:  # one category only: P_e is exactly 1
        return NAN
    p_e = float(np.sum(pi * pi))
    return (p_a - p_e) / (1.0 - p_e)


def gwet_ac1(ratings: FloatArray, n_categories: int) -> float:
    """Gwet's (2008) AC1 for many raters with missing ratings, as in irrCAC's ``CAC.gwet``.

    With ``q = n_categories`` and ``P_a``, ``pi_k`` as in :func:`fleiss_kappa`::

        P_e = (1 / (q − 1)) Σ_k pi_k (1 − pi_k)
        AC1 = (P_a − P_e) / (1 − P_e)

    (irrCAC writes ``P_e = T_w / (q (q − 1)) Σ_k pi_k (1 − pi_k)`` with ``T_w`` the sum of the
    weights; unweighted, ``T_w = q``.) ``P_e <= 1/q``, so AC1 is defined whenever ``P_a`` is:
    ``nan`` only when no item has two ratings. Categories nobody used still count in ``q``.
    """
    return gwet_ac1_of(*_agreement_and_prevalences(ratings, n_categories))


def gwet_ac1_of(n_categories: int, p_a: float, pi: FloatArray) -> float:
    """:func:`gwet_ac1` from what :func:`agreement_of` returns."""
    if np.isnan(p_a):
        return NAN
    p_e = float(np.sum(pi * (1.0 - pi))) / (n_categories - 1)
    return (p_a - p_e) / (1.0 - p_e)


# --- Cohen -----------------------------------------------------------------------------------


def _kappa_from_tables(
    agree: FloatArray, rows: FloatArray, cols: FloatArray, shared: FloatArray
) -> FloatArray:
    """Cohen's kappa from stacked contingency summaries; nan where undefined.

    ``agree``: items both raters put in the same category; ``rows``/``cols``: each rater's
    category counts over the shared items (last axis the category); ``shared``: shared items.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = agree / shared
        p_e = np.sum(rows * cols, axis=-1) / (shared * shared)
        kappa = (p_o - p_e) / (1.0 - p_e)
    # P_e is 1 exactly when both raters used one and the same category throughout.
    same_single = (np.max(rows, axis=-1) == shared) & (np.max(cols, axis=-1) == shared)
    same_single &= np.argmax(rows, axis=-1) == np.argmax(cols, axis=-1)
    undefined = (shared < 1) | same_single
    return np.where(undefined, np.nan, kappa)


def cohen_kappa(a: FloatArray, b: FloatArray, n_categories: int) -> float:
    """Cohen's (1960) kappa between two raters, over the items both rated.

    ``kappa = (p_o − p_e) / (1 − p_e)`` with ``p_o`` the share of shared items on which they
    agree and ``p_e = Σ_k p_a(k) p_b(k)`` from each rater's own category shares over those
    items. ``nan`` when they share no item or both used the same single category (p_e = 1).
    """
    n_categories = _check_n_categories(n_categories)
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.ndim != 1 or y.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"a and b must be 1-D of the same length, not shapes {x.shape} and {y.shape}"
        )
    _check_codes(x, n_categories)
    _check_codes(y, n_categories)
    both = ~np.isnan(x) & ~np.isnan(y)
    codes_x = x[both].astype(np.int64)
    codes_y = y[both].astype(np.int64)
    table = np.bincount(
        codes_x * n_categories + codes_y, minlength=n_categories * n_categories
    ).reshape(n_categories, n_categories)
    return cohen_kappa_of(table)


def cohen_kappa_of(table: IntArray) -> float:
    """:func:`cohen_kappa` from the two raters' contingency table (``K × K``, rows: a's
    category, columns: b's, over the items both rated), for a caller that has it already."""
    kappa = _kappa_from_tables(
        np.asarray(np.trace(table), dtype=np.float64),
        table.sum(axis=1).astype(np.float64),
        table.sum(axis=0).astype(np.float64),
        np.asarray(table.sum(), dtype=np.float64),
    )
    return float(kappa)


def pairwise_cohen(ratings: FloatArray, n_categories: int) -> tuple[FloatArray, IntArray]:
    """Cohen's kappa for every pair of raters, and how many items each pair shares.

    Returns ``(kappa, shared)``, both ``n_raters × n_raters`` and symmetric: ``kappa[a, b]``
    is :func:`cohen_kappa` of raters ``a`` and ``b`` (``nan`` where undefined, and on the
    diagonal); ``shared[a, b]`` the number of items both rated, so ``shared[a, a]`` is the
    number rater ``a`` rated.
    """
    values, n_categories = _check_ratings(ratings, n_categories)
    n_items, n_raters = values.shape
    width = n_raters * n_categories
    # One product of one-hot codes gives every pair's contingency table at once: block (a, b)
    # of X.T @ X counts the items a put in c and b put in d (X is zero where a rating is
    # missing, so only shared items count).
    joint = np.zeros((width, width), dtype=np.float64)
    step = max(1, _CHUNK_ELEMENTS // max(width, 1))
    for start in range(0, n_items, step):
        block = values[start : start + step]
        rated = ~np.isnan(block)
        rows, raters = np.nonzero(rated)
        onehot = np.zeros((block.shape[0], width), dtype=np.float64)
        onehot[rows, raters * n_categories + block[rated].astype(np.int64)] = 1.0
        joint += onehot.T @ onehot
    tables = joint.reshape(n_raters, n_categories, n_raters, n_categories)
    agree = np.einsum("akbk->ab", tables)
    rows_by_pair = tables.sum(axis=3).transpose(0, 2, 1)  # [a, b, c]: a's counts
    cols_by_pair = tables.sum(axis=1)  # [a, b, d]: b's counts
    shared = tables.sum(axis=(1, 3))
    kappa = _kappa_from_tables(agree, rows_by_pair, cols_by_pair, shared)
    # Mirror the upper triangle so that the matrix is symmetric to the last bit.
    upper = np.triu(kappa, k=1)
    kappa = np.where(np.triu(np.ones_like(kappa, dtype=bool), k=1), upper, upper.T)
    np.fill_diagonal(kappa, np.nan)
    return kappa.astype(np.float64), np.rint(shared).astype(np.int64)


# --- Krippendorff ----------------------------------------------------------------------------


def _alpha_from_stacked(o: FloatArray) -> FloatArray:
    """Nominal alpha for each of a stack of coincidence matrices ``(..., K, K)``.

    ``alpha = 1 − (n − 1) (n − Σ_c o_cc) / (n² − Σ_c n_c²)`` with ``n_c`` the margins of
    ``o`` and ``n = Σ_c n_c``: Krippendorff's ``1 − D_o / D_e`` with the nominal metric
    written out. ``nan`` where every pairable value is in one category (D_e = 0) or there
    are fewer than two pairable values.
    """
    n_c = o.sum(axis=-1)
    n = n_c.sum(axis=-1)
    observed = n - np.trace(o, axis1=-2, axis2=-1)
    expected = n * n - np.sum(n_c * n_c, axis=-1)
    undefined = (np.count_nonzero(n_c > 0, axis=-1) < 2) | (n < 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * observed / expected
    return np.asarray(np.where(undefined, np.nan, alpha), dtype=np.float64)


def alpha_from_coincidences(o: FloatArray) -> float:
    """Nominal Krippendorff's alpha from a coincidence matrix (``K × K``, see :func:`coincidences`).

    ``nan`` when undefined (fewer than two pairable values, or all in one category).
    """
    matrix = np.asarray(o, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] < 2:
        raise ValueError(f"a coincidence matrix must be K × K with K >= 2, not {matrix.shape}")
    return float(_alpha_from_stacked(matrix))


def _item_coincidences(counts: IntArray) -> FloatArray:
    """Each pairable item's share of the coincidence matrix, flattened: ``(n_items, K*K)``.

    Item ``u`` with category counts ``c`` and ``m = Σ c >= 2`` ratings adds
    ``(c cᵀ − diag(c)) / (m − 1)``: its ``m (m − 1)`` ordered pairs of ratings, each worth
    ``1 / (m − 1)`` so that the item adds ``m`` to the total, one per pairable value.
    """
    n_items, n_categories = counts.shape
    m = counts.sum(axis=1).astype(np.float64)
    c = counts.astype(np.float64)
    pairs = c[:, :, np.newaxis] * c[:, np.newaxis, :]
    diagonal = np.arange(n_categories)
    pairs[:, diagonal, diagonal] -= c
    pairs /= (m - 1.0)[:, np.newaxis, np.newaxis]
    return pairs.reshape(n_items, n_categories * n_categories)


def coincidences(ratings: FloatArray, n_categories: int) -> FloatArray:
    """Krippendorff's coincidence matrix ``o`` (``K × K``) over the pairable items."""
    values, n_categories = _check_ratings(ratings, n_categories)
    counts = category_counts(values, n_categories)
    counts = counts[counts.sum(axis=1) >= 2]
    summed = _item_coincidences(counts).sum(axis=0)
    return np.asarray(summed.reshape(n_categories, n_categories), dtype=np.float64)


def _alpha_defined(counts: IntArray) -> bool:
    pairable_counts = counts[counts.sum(axis=1) >= 2]
    return bool(np.count_nonzero(pairable_counts.sum(axis=0)) >= 2)


def krippendorff_alpha(ratings: FloatArray, n_categories: int) -> float:
    """Krippendorff's alpha, nominal, computed by the ``krippendorff`` reference library.

    ``nan`` when undefined: no item with two ratings (fewer than two pairable values), or
    every pairable value in one category (no expected disagreement).
    """
    values, n_categories = _check_ratings(ratings, n_categories)
    return krippendorff_alpha_of(category_counts(values, n_categories))


def krippendorff_alpha_of(counts: IntArray) -> float:
    """:func:`krippendorff_alpha` from the table's :func:`category_counts`.

    The library is given the counts (its ``value_counts``): from ratings it computes the very
    same counts first, so the result is the same to the last bit, without a pass over the
    ratings for every coefficient."""
    if not _alpha_defined(counts):
        return NAN
    return float(
        krippendorff.alpha(
            value_counts=counts,
            level_of_measurement="nominal",
            value_domain=list(range(counts.shape[1])),
        )
    )


def _count_patterns(counts: IntArray) -> tuple[IntArray, IntArray]:
    """``np.unique(counts, axis=0, return_counts=True)``, the same rows in the same order,
    ten times faster: each row is read as one number in base ``max + 1`` (which orders rows
    as lexicographic order does) and the numbers are made unique in one dimension."""
    n_items, n_categories = counts.shape
    base = int(counts.max()) + 1 if n_items else 1
    if n_items == 0 or base**n_categories >= 2**62:  # too wide for one int64
        patterns, frequency = np.unique(counts, axis=0, return_counts=True)
        return patterns, frequency
    weights = base ** np.arange(n_categories - 1, -1, -1, dtype=np.int64)
    _, first, frequency = np.unique(counts @ weights, return_index=True, return_counts=True)
    return counts[first], frequency


def alpha_bootstrap(
    ratings: FloatArray,
    n_categories: int,
    *,
    samples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval for nominal alpha, resampling items (claims).

    Each replicate draws, with replacement, as many items as there are pairable ones (items
    with two ratings or more) and computes alpha from the coincidences of the items drawn.
    Items rated once or not at all are left out of the draw: they add nothing to alpha, so
    including them would only make the number of useful items per replicate random.

    Replicates on which alpha is undefined (every value drawn in one category) are dropped,
    so the interval is conditional on alpha being defined; with more than a handful of items
    this never happens. Returns ``(nan, nan)`` when alpha is undefined on the data itself,
    or no replicate gives a value. Deterministic for a given ``seed``.
    """
    values, n_categories = _check_ratings(ratings, n_categories)
    if isinstance(samples, bool) or not isinstance(samples, numbers.Integral) or samples < 1:
        raise ValueError(f"samples must be a positive integer, not {samples!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    return alpha_bootstrap_of(
        category_counts(values, n_categories), samples=samples, confidence=confidence, seed=seed
    )


def alpha_bootstrap_of(
    counts: IntArray, *, samples: int = 1000, confidence: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """:func:`alpha_bootstrap` from the table's :func:`category_counts`."""
    if isinstance(samples, bool) or not isinstance(samples, numbers.Integral) or samples < 1:
        raise ValueError(f"samples must be a positive integer, not {samples!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    n_categories = counts.shape[1]
    if not _alpha_defined(counts):
        return NAN, NAN
    counts = counts[counts.sum(axis=1) >= 2]
    # Alpha depends on the items drawn only through their category counts, and a table has
    # few distinct count vectors (56 for five reviewers and three verdicts): drawing n items
    # with replacement is the same, in distribution, as one multinomial draw of how often
    # each distinct vector comes up, with its share of the items as probability. That makes
    # a replicate a product of two short vectors instead of n random draws.
    patterns, frequency = _count_patterns(counts)
    per_pattern = _item_coincidences(patterns.astype(np.int64))
    n_items = int(frequency.sum())
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(n_items, frequency / n_items, size=int(samples))
    summed = weights.astype(np.float64) @ per_pattern
    alphas = _alpha_from_stacked(summed.reshape(int(samples), n_categories, n_categories))
    kept = alphas[~np.isnan(alphas)]
    if kept.size == 0:
        return NAN, NAN
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(kept, [tail, 1.0 - tail])
    return float(low), float(high)


def claim_disagreement(ratings: NDArray[np.float64], n_categories: int) -> NDArray[np.float64]:
    """Per claim, the share of pairs of its verdicts that differ (NaN under two verdicts)."""
    counts = np.stack([(ratings == c).sum(axis=1) for c in range(n_categories)], axis=1)
    n = counts.sum(axis=1).astype(np.float64)
    pairs = n * (n - 1) / 2
    agreeing = (counts * (counts - 1) / 2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, 1.0 - agreeing / pairs, np.nan)
