"""The agreement coefficients against published worked examples and reference implementations.

Published figures are checked to the precision they were published with; reference
libraries (statsmodels, scikit-learn, krippendorff) to 1e-9. Gwet's AC1 and Fleiss' kappa
with missing ratings have no unrounded reference: irrCAC rounds what it returns to 5 digits.
There a literal, loop-by-loop transcription of the published formula (below) is the second
implementation, at 1e-9, and irrCAC is checked at 1e-5 where it is installed (it is not a
declared dependency: those checks skip without it).
"""

from __future__ import annotations

import warnings

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from workbench.agreement import metrics
from workbench.agreement.metrics import (
    alpha_bootstrap,
    alpha_from_coincidences,
    cohen_kappa,
    coincidences,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    observed_agreement,
    pairable,
    pairwise_cohen,
)

NAN = np.nan

# Fleiss (1971), "Measuring nominal scale agreement among many raters", Table 1: 30 patients,
# each diagnosed by 6 psychiatrists (not the same 6 each time) into depression, personality
# disorder, schizophrenia, neurosis, other. Row = patient, column = how many put it there.
# Published kappa: 0.430.
FLEISS_1971 = np.array(
    [
        [0, 0, 0, 6, 0],
        [0, 3, 0, 0, 3],
        [0, 1, 4, 0, 1],
        [0, 0, 0, 0, 6],
        [0, 3, 0, 3, 0],
        [2, 0, 4, 0, 0],
        [0, 0, 4, 0, 2],
        [2, 0, 3, 1, 0],
        [2, 0, 0, 4, 0],
        [0, 0, 0, 0, 6],
        [1, 0, 0, 5, 0],
        [1, 1, 0, 4, 0],
        [0, 3, 3, 0, 0],
        [1, 0, 0, 5, 0],
        [0, 2, 0, 3, 1],
        [0, 0, 5, 0, 1],
        [3, 0, 0, 1, 2],
        [5, 1, 0, 0, 0],
        [0, 2, 0, 4, 0],
        [1, 0, 2, 0, 3],
        [0, 0, 0, 0, 6],
        [0, 1, 0, 5, 0],
        [0, 2, 0, 1, 3],
        [2, 0, 0, 4, 0],
        [1, 0, 0, 4, 1],
        [0, 5, 0, 1, 0],
        [4, 0, 0, 0, 2],
        [0, 2, 0, 4, 0],
        [1, 0, 5, 0, 0],
        [0, 0, 0, 0, 6],
    ]
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C (nominal data,
# any number of observers, missing data): observers A-D (rows) × units 1-12, values 1-5.
# Published nominal alpha: 0.743.
NA = NAN
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
        [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
    ]
)

# Gwet's irrCAC vignette ("irrCAC: Calculating Chance-corrected Agreement Coefficients",
# CRAN, 2019), dataset cont3x3abstractors: 100 pregnant women classified by two abstractors
# as ectopic / AIU / NIU (row: abstractor 1, column: abstractor 2). Published: Cohen's kappa
# 0.7964094, Gwet's AC1 0.8493305, Krippendorff's alpha 0.7972585, percent agreement 0.89.
ABSTRACTORS = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])


def ratings_from_counts(counts: np.ndarray) -> np.ndarray:
    """A raw table (items × raters) from per-item category counts, raters filled in order."""
    raters = int(counts.sum(axis=1).max())
    out = np.full((len(counts), raters), NAN)
    for i, row in enumerate(counts):
        codes = np.repeat(np.arange(len(row)), row)
        out[i, : len(codes)] = codes
    return out


def ratings_from_contingency(table: np.ndarray) -> np.ndarray:
    """Two raters' raw ratings (items × 2) from their contingency table."""
    size = len(table)
    pairs = [(a, b) for a in range(size) for b in range(size) for _ in range(table[a, b])]
    return np.array(pairs, dtype=np.float64)


def random_table(
    seed: int, items: int = 60, raters: int = 5, categories: int = 3, missing: float = 0.3
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, categories, size=items)
    noise = rng.integers(0, categories, size=(items, raters))
    table = np.where(rng.random((items, raters)) < 0.6, truth[:, None], noise).astype(float)
    table[rng.random((items, raters)) < missing] = NAN
    return table


def realistic_table(seed: int, items: int, raters: int = 3) -> np.ndarray:
    """Verdicts 60/25/15, reviewers right 80% of the time, a fifth of the reviews missing."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(3, size=items, p=[0.6, 0.25, 0.15])
    guess = rng.choice(3, size=(items, raters), p=[0.6, 0.25, 0.15])
    table = np.where(rng.random((items, raters)) < 0.8, truth[:, None], guess).astype(float)
    table[rng.random((items, raters)) < 0.2] = NAN
    return table


# --- a second, literal implementation of Gwet's formulas ------------------------------------


def literal_pa_pi(ratings: np.ndarray, q: int) -> tuple[float, list[float]]:
    """P_a and pi_k exactly as Gwet (2014) writes them, one item and one category at a time."""
    items = [[int(v) for v in row if not np.isnan(v)] for row in ratings]
    rated = [item for item in items if len(item) >= 1]
    pairable_items = [item for item in items if len(item) >= 2]
    p_a = 0.0
    for item in pairable_items:
        r = len(item)
        for k in range(q):
            r_k = item.count(k)
            p_a += r_k * (r_k - 1) / (r * (r - 1))
    p_a /= len(pairable_items)
    pi = []
    for k in range(q):
        pi.append(sum(item.count(k) / len(item) for item in rated) / len(rated))
    return p_a, pi


def literal_fleiss(ratings: np.ndarray, q: int) -> float:
    p_a, pi = literal_pa_pi(ratings, q)
    p_e = sum(p * p for p in pi)
    return (p_a - p_e) / (1 - p_e)


def literal_ac1(ratings: np.ndarray, q: int) -> float:
    p_a, pi = literal_pa_pi(ratings, q)
    p_e = sum(p * (1 - p) for p in pi) / (q - 1)
    return (p_a - p_e) / (1 - p_e)


def literal_coincidences(ratings: np.ndarray, q: int) -> np.ndarray:
    """Krippendorff's o_ck: every ordered pair of values in a unit, worth 1/(m_u - 1)."""
    o = np.zeros((q, q))
    for row in ratings:
        values = [int(v) for v in row if not np.isnan(v)]
        m = len(values)
        if m < 2:
            continue
        for i in range(m):
            for j in range(m):
                if i != j:
                    o[values[i], values[j]] += 1 / (m - 1)
    return o


def irrcac_value(ratings: np.ndarray, q: int, method: str) -> float:
    """irrCAC's coefficient (``"gwet"``, ``"fleiss"``), rounded to 5 digits as it returns it."""
    raw = pytest.importorskip("irrCAC.raw")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' SettingWithCopyWarning from inside irrCAC
        cac = raw.CAC(pd.DataFrame(ratings), categories=list(range(q)))
        result = getattr(cac, method)()
    return float(result["est"]["coefficient_value"])


# --- published worked examples ----------------------------------------------------------------


def test_fleiss_1971_table() -> None:
    ratings = ratings_from_counts(FLEISS_1971)
    assert ratings.shape == (30, 6)
    kappa = fleiss_kappa(ratings, 5)
    assert kappa == pytest.approx(statsmodels_fleiss(FLEISS_1971, method="fleiss"), abs=1e-9)
    assert kappa == pytest.approx(0.430, abs=1e-3)
    assert kappa == pytest.approx(literal_fleiss(ratings, 5), abs=1e-9)
    # The same table through the other coefficients, against their references.
    assert gwet_ac1(ratings, 5) == pytest.approx(literal_ac1(ratings, 5), abs=1e-9)
    assert krippendorff_alpha(ratings, 5) == pytest.approx(
        krippendorff.alpha(ratings.T, level_of_measurement="nominal"), abs=1e-9
    )


def test_fleiss_1971_table_against_irrcac() -> None:
    ratings = ratings_from_counts(FLEISS_1971)
    assert fleiss_kappa(ratings, 5) == pytest.approx(irrcac_value(ratings, 5, "fleiss"), abs=1e-5)
    assert gwet_ac1(ratings, 5) == pytest.approx(irrcac_value(ratings, 5, "gwet"), abs=1e-5)


def test_fleiss_is_invariant_to_which_psychiatrist_is_in_which_column() -> None:
    # Fleiss' raters differ from patient to patient: the columns carry no identity.
    ratings = ratings_from_counts(FLEISS_1971)
    shuffled = np.random.default_rng(3).permuted(ratings, axis=1)
    assert fleiss_kappa(shuffled, 5) == pytest.approx(fleiss_kappa(ratings, 5), abs=1e-12)


def test_krippendorff_2011_example_with_missing_values() -> None:
    ratings = KRIPPENDORFF_2011.T - 1  # units × observers, codes 0..4
    alpha = krippendorff_alpha(ratings, 5)
    assert alpha == pytest.approx(0.743, abs=1e-3)
    reference = krippendorff.alpha(
        reliability_data=KRIPPENDORFF_2011, level_of_measurement="nominal"
    )
    assert alpha == pytest.approx(reference, abs=1e-9)
    assert alpha_from_coincidences(coincidences(ratings, 5)) == pytest.approx(alpha, abs=1e-9)
    # Unit 12 has one value only: 11 pairable units, 40 pairable values (3 + 8·4 + 3 + 2).
    assert pairable(ratings) == (11, 40)
    np.testing.assert_allclose(coincidences(ratings, 5), literal_coincidences(ratings, 5))
    assert coincidences(ratings, 5).sum() == pytest.approx(40)


def test_gwet_vignette_two_abstractors() -> None:
    ratings = ratings_from_contingency(ABSTRACTORS)
    assert ratings.shape == (100, 2)
    # Published to 7 significant digits.
    assert cohen_kappa(ratings[:, 0], ratings[:, 1], 3) == pytest.approx(0.7964094, abs=1e-7)
    assert gwet_ac1(ratings, 3) == pytest.approx(0.8493305, abs=1e-7)
    assert krippendorff_alpha(ratings, 3) == pytest.approx(0.7972585, abs=1e-7)
    assert observed_agreement(ratings, 3) == pytest.approx(0.89, abs=1e-12)
    kappa, shared = pairwise_cohen(ratings, 3)
    assert kappa[0, 1] == pytest.approx(0.7964094, abs=1e-7)
    assert shared.tolist() == [[100, 100], [100, 100]]


def test_gwet_4_raters_with_missing_values() -> None:
    # Gwet (2014, p. 120) and irrCAC's raw_4raters use Krippendorff's example above (one
    # rating of unit 12 sits in another rater's column, which no coefficient here sees).
    ratings = KRIPPENDORFF_2011.T - 1
    assert gwet_ac1(ratings, 5) == pytest.approx(literal_ac1(ratings, 5), abs=1e-9)
    assert fleiss_kappa(ratings, 5) == pytest.approx(literal_fleiss(ratings, 5), abs=1e-9)
    # irrCAC's documented output for this table (the doctest of irrCAC.raw, 0.4.4), 5 digits.
    assert gwet_ac1(ratings, 5) == pytest.approx(0.77544, abs=1e-5)
    assert fleiss_kappa(ratings, 5) == pytest.approx(0.76117, abs=1e-5)
    assert observed_agreement(ratings, 5) == pytest.approx(0.81818, abs=1e-5)
    assert krippendorff_alpha(ratings, 5) == pytest.approx(0.743, abs=1e-3)


# --- reference implementations on random data ------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_gwet_and_fleiss_match_the_literal_formula(seed: int) -> None:
    q = 2 + seed % 4
    ratings = random_table(seed, items=40 + 7 * seed, raters=2 + seed % 5, categories=q)
    assert gwet_ac1(ratings, q) == pytest.approx(literal_ac1(ratings, q), abs=1e-9)
    assert fleiss_kappa(ratings, q) == pytest.approx(literal_fleiss(ratings, q), abs=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_gwet_and_fleiss_match_irrcac(seed: int) -> None:
    q = 2 + seed % 4
    ratings = random_table(seed, items=40 + 7 * seed, raters=2 + seed % 5, categories=q)
    assert gwet_ac1(ratings, q) == pytest.approx(irrcac_value(ratings, q, "gwet"), abs=1e-5)
    assert fleiss_kappa(ratings, q) == pytest.approx(irrcac_value(ratings, q, "fleiss"), abs=1e-5)


def test_ac1_counts_categories_nobody_used() -> None:
    # Gwet's q is the number of categories on offer, not the number used: an unused
    # category lowers chance agreement and so raises AC1.
    ratings = random_table(11, categories=3)
    assert gwet_ac1(ratings, 4) == pytest.approx(literal_ac1(ratings, 4), abs=1e-9)
    assert gwet_ac1(ratings, 4) > gwet_ac1(ratings, 3)
    # Fleiss and alpha depend only on the categories used.
    assert fleiss_kappa(ratings, 4) == pytest.approx(fleiss_kappa(ratings, 3), abs=1e-12)
    assert krippendorff_alpha(ratings, 4) == pytest.approx(krippendorff_alpha(ratings, 3))


def test_ac1_with_an_unused_category_against_irrcac() -> None:
    ratings = random_table(11, categories=3)
    assert gwet_ac1(ratings, 4) == pytest.approx(irrcac_value(ratings, 4, "gwet"), abs=1e-5)


@pytest.mark.parametrize("seed", range(8))
def test_cohen_matches_sklearn(seed: int) -> None:
    q = 2 + seed % 4
    ratings = random_table(seed, items=50 + 10 * seed, raters=4, categories=q, missing=0.25)
    kappa, shared = pairwise_cohen(ratings, q)
    for a in range(4):
        for b in range(4):
            both = ~np.isnan(ratings[:, a]) & ~np.isnan(ratings[:, b])
            assert shared[a, b] == both.sum()
            if a == b:
                assert np.isnan(kappa[a, b])
                continue
            reference = cohen_kappa_score(ratings[both, a], ratings[both, b])
            assert cohen_kappa(ratings[:, a], ratings[:, b], q) == pytest.approx(
                reference, abs=1e-9
            )
            assert kappa[a, b] == pytest.approx(reference, abs=1e-9)
    assert shared.dtype == np.int64


@pytest.mark.parametrize("seed", range(10))
def test_alpha_from_coincidences_matches_the_library(seed: int) -> None:
    q = 2 + seed % 5
    ratings = random_table(seed, items=30 + 13 * seed, raters=2 + seed % 6, categories=q)
    reference = krippendorff.alpha(
        reliability_data=ratings.T, level_of_measurement="nominal", value_domain=list(range(q))
    )
    o = coincidences(ratings, q)
    assert alpha_from_coincidences(o) == pytest.approx(reference, abs=1e-9)
    assert krippendorff_alpha(ratings, q) == pytest.approx(reference, abs=1e-9)
    np.testing.assert_allclose(o, literal_coincidences(ratings, q), atol=1e-12)


def test_a_bootstrap_replicate_is_the_weighted_sum_of_item_coincidences() -> None:
    # The bootstrap's shortcut: the coincidences of a resample are the per-item coincidences
    # weighted by how often each item was drawn.
    ratings = random_table(5, items=40)
    ratings = ratings[(~np.isnan(ratings)).sum(axis=1) >= 2]
    drawn = np.random.default_rng(0).integers(0, len(ratings), size=len(ratings))
    weights = np.bincount(drawn, minlength=len(ratings)).astype(float)
    per_item = metrics._item_coincidences(metrics.category_counts(ratings, 3))
    np.testing.assert_allclose(
        (weights @ per_item).reshape(3, 3), coincidences(ratings[drawn], 3), atol=1e-9
    )


# --- the bootstrap ------------------------------------------------------------------------------


def test_bootstrap_interval_contains_alpha_on_a_realistic_table() -> None:
    ratings = realistic_table(0, items=400)
    alpha = krippendorff_alpha(ratings, 3)
    low, high = alpha_bootstrap(ratings, 3, samples=500)
    assert low < alpha < high
    assert 0.01 < high - low < 0.3


def test_bootstrap_agrees_with_a_naive_bootstrap_over_the_library() -> None:
    ratings = realistic_table(1, items=150)
    ratings = ratings[(~np.isnan(ratings)).sum(axis=1) >= 2]
    rng = np.random.default_rng(99)
    naive = []
    for _ in range(1500):
        sample = ratings[rng.integers(0, len(ratings), size=len(ratings))]
        naive.append(
            krippendorff.alpha(sample.T, level_of_measurement="nominal", value_domain=[0, 1, 2])
        )
    naive_low, naive_high = np.quantile(naive, [0.025, 0.975])
    low, high = alpha_bootstrap(ratings, 3, samples=1500, seed=7)
    # Two independent Monte Carlo runs of the same bootstrap: endpoints agree closely.
    assert low == pytest.approx(naive_low, abs=0.02)
    assert high == pytest.approx(naive_high, abs=0.02)


def test_bootstrap_is_deterministic_for_a_seed() -> None:
    ratings = realistic_table(2, items=300)
    first = alpha_bootstrap(ratings, 3, samples=300, seed=42)
    assert alpha_bootstrap(ratings, 3, samples=300, seed=42) == first
    assert alpha_bootstrap(ratings, 3, samples=300, seed=43) != first


def test_bootstrap_narrows_with_more_items() -> None:
    small = alpha_bootstrap(realistic_table(3, items=200), 3, samples=400)
    large = alpha_bootstrap(realistic_table(3, items=5000), 3, samples=400)
    assert large[1] - large[0] < 0.5 * (small[1] - small[0])


def test_bootstrap_ignores_items_and_raters_alpha_ignores() -> None:
    ratings = realistic_table(4, items=200)
    base = alpha_bootstrap(ratings, 3, samples=200)
    single = np.full((5, ratings.shape[1]), NAN)
    single[:, 0] = [0, 1, 2, 1, 0]
    padded = np.vstack([ratings, single, np.full((3, ratings.shape[1]), NAN)])
    padded = np.hstack([padded, np.full((len(padded), 1), NAN)])
    assert alpha_bootstrap(padded, 3, samples=200) == base


def test_bootstrap_confidence_level_widens_the_interval() -> None:
    ratings = realistic_table(5, items=300)
    narrow = alpha_bootstrap(ratings, 3, samples=400, confidence=0.8)
    wide = alpha_bootstrap(ratings, 3, samples=400, confidence=0.99)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_bootstrap_over_several_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # A tiny chunk bound forces many chunks: the result must not depend on it beyond the
    # random stream (same draws, same order), so the figures stay the same.
    ratings = realistic_table(6, items=120)
    whole = alpha_bootstrap(ratings, 3, samples=64, seed=1)
    monkeypatch.setattr(metrics, "_CHUNK_ELEMENTS", 10 * 120)
    chunked = alpha_bootstrap(ratings, 3, samples=64, seed=1)
    assert chunked == pytest.approx(whole, abs=1e-12)


def test_bootstrap_undefined() -> None:
    one_category = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, NAN]])
    assert np.isnan(alpha_bootstrap(one_category, 2)).all()
    unpaired = np.array([[0.0, NAN], [NAN, 1.0]])
    assert np.isnan(alpha_bootstrap(unpaired, 2)).all()
    # Two pairable items, each unanimous: most resamples see one category only and are
    # dropped; the rest give alpha = 1.
    low, high = alpha_bootstrap(np.array([[0.0, 0.0], [1.0, 1.0]]), 2, samples=50)
    assert low == high == 1.0


# --- undefined and malformed input ------------------------------------------------------------


def test_undefined_coefficients_are_nan() -> None:
    empty = np.empty((0, 3))
    unpaired = np.array([[0.0, NAN, NAN], [NAN, 1.0, NAN], [NAN, NAN, NAN]])
    one_category = np.array([[2.0, 2.0, NAN], [2.0, NAN, 2.0]])
    for table in (empty, unpaired):
        assert np.isnan(observed_agreement(table, 3))
        assert np.isnan(fleiss_kappa(table, 3))
        assert np.isnan(gwet_ac1(table, 3))
        assert np.isnan(krippendorff_alpha(table, 3))
        assert np.isnan(pairwise_cohen(table, 3)[0]).all()
    assert np.isnan(fleiss_kappa(one_category, 3))
    assert np.isnan(krippendorff_alpha(one_category, 3))
    assert np.isnan(alpha_from_coincidences(coincidences(one_category, 3)))
    assert observed_agreement(one_category, 3) == 1.0
    assert gwet_ac1(one_category, 3) == 1.0  # chance agreement is 0: AC1 stays defined
    assert np.isnan(cohen_kappa(one_category[:, 0], one_category[:, 1], 3))
    assert np.isnan(cohen_kappa(np.array([0.0, NAN]), np.array([NAN, 1.0]), 3))
    assert pairable(empty) == (0, 0)
    assert pairable(unpaired) == (0, 0)


def test_alpha_needs_two_categories_among_pairable_values() -> None:
    # A second category seen only on an item rated once does not make alpha defined.
    table = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, NAN]])
    assert np.isnan(krippendorff_alpha(table, 2))
    assert fleiss_kappa(table, 2) == 1.0  # Fleiss' pi_k counts it


def test_cohen_raters_who_always_disagree_on_one_category_each() -> None:
    # p_o = p_e = 0: kappa is 0, not undefined, as in scikit-learn.
    a, b = np.zeros(5), np.ones(5)
    assert cohen_kappa(a, b, 2) == 0.0
    assert cohen_kappa_score(a, b) == 0.0


def test_fleiss_can_fall_below_minus_one_with_items_rated_once() -> None:
    # Documented: single ratings enter pi_k (so chance agreement) but not P_a.
    table = np.array([[0.0, 1.0]] + [[0.0, NAN]] * 10)
    kappa = fleiss_kappa(table, 2)
    assert kappa < -1
    assert kappa == pytest.approx(literal_fleiss(table, 2), abs=1e-12)


@pytest.mark.parametrize(
    "table",
    [
        np.array([0.0, 1.0]),
        np.zeros((2, 2, 2)),
        np.array([[0.0, 3.0]]),
        np.array([[0.0, -1.0]]),
        np.array([[0.0, 0.5]]),
        np.array([[0.0, np.inf]]),
    ],
)
def test_malformed_ratings_raise(table: np.ndarray) -> None:
    for function in (
        observed_agreement,
        fleiss_kappa,
        gwet_ac1,
        krippendorff_alpha,
        pairwise_cohen,
        coincidences,
        alpha_bootstrap,
    ):
        with pytest.raises(ValueError):
            function(table, 3)


@pytest.mark.parametrize("n_categories", [1, 0, -2, 2.0, True])
def test_bad_n_categories_raise(n_categories: object) -> None:
    table = np.zeros((3, 2))
    with pytest.raises(ValueError, match="n_categories"):
        fleiss_kappa(table, n_categories)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_categories"):
        cohen_kappa(table[:, 0], table[:, 1], n_categories)  # type: ignore[arg-type]


def test_other_malformed_input_raises() -> None:
    with pytest.raises(ValueError, match="same length"):
        cohen_kappa(np.zeros(3), np.zeros(4), 2)
    with pytest.raises(ValueError, match="1-D"):
        cohen_kappa(np.zeros((3, 1)), np.zeros((3, 1)), 2)
    with pytest.raises(ValueError, match="category codes"):
        cohen_kappa(np.array([0.0, 2.0]), np.array([0.0, 1.0]), 2)
    with pytest.raises(ValueError, match="2-D"):
        pairable(np.zeros(3))
    with pytest.raises(ValueError, match="K × K"):
        alpha_from_coincidences(np.zeros((2, 3)))
    table = np.zeros((3, 2))
    with pytest.raises(ValueError, match="samples"):
        alpha_bootstrap(table, 2, samples=0)
    with pytest.raises(ValueError, match="confidence"):
        alpha_bootstrap(table, 2, confidence=1.0)


def test_integer_input_is_accepted() -> None:
    ratings = ratings_from_counts(FLEISS_1971).astype(np.int64)
    assert fleiss_kappa(ratings, 5) == pytest.approx(0.430, abs=1e-3)  # type: ignore[arg-type]


def test_count_patterns_are_numpy_unique_rows_in_the_same_order() -> None:
    # The bootstrap's draw depends on the order of the distinct rows: it must be unique's.
    rng = np.random.default_rng(5)
    for _ in range(200):
        counts = rng.integers(
            0, rng.integers(1, 12), size=(rng.integers(0, 60), rng.integers(2, 5))
        )
        expected = np.unique(counts, axis=0, return_counts=True)
        patterns, frequency = metrics._count_patterns(counts.astype(np.int64))
        np.testing.assert_array_equal(patterns, expected[0])
        np.testing.assert_array_equal(frequency, expected[1])


def test_alpha_from_counts_is_alpha_from_ratings_to_the_bit() -> None:
    rng = np.random.default_rng(6)
    for _ in range(50):
        ratings = rng.integers(0, 3, size=(40, 5)).astype(np.float64)
        ratings[rng.random(ratings.shape) < 0.4] = np.nan
        counts = metrics.checked_counts(ratings, 3)
        expected = krippendorff.alpha(
            reliability_data=ratings.T, level_of_measurement="nominal", value_domain=[0, 1, 2]
        )
        assert metrics.krippendorff_alpha_of(counts) == float(expected)
