"""Properties every agreement coefficient must have, on small random tables (Hypothesis)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from workbench.agreement.metrics import (
    alpha_from_coincidences,
    cohen_kappa,
    coincidences,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    observed_agreement,
    pairwise_cohen,
)

Table = tuple[np.ndarray, int]
Coefficient = Callable[[np.ndarray, int], float]

COEFFICIENTS: dict[str, Coefficient] = {
    "observed": observed_agreement,
    "fleiss": fleiss_kappa,
    "ac1": gwet_ac1,
    "alpha": krippendorff_alpha,
}

PROPERTY = settings(max_examples=60, deadline=None)


@st.composite
def tables(draw: st.DrawFn, max_items: int = 10, max_raters: int = 5) -> Table:
    """A claims × reviewers table of codes, some of them missing."""
    n_categories = draw(st.integers(2, 4))
    items = draw(st.integers(1, max_items))
    raters = draw(st.integers(2, max_raters))
    codes = draw(arrays(np.int64, (items, raters), elements=st.integers(0, n_categories - 1)))
    missing = draw(arrays(np.bool_, (items, raters)))
    ratings = codes.astype(np.float64)
    ratings[missing] = np.nan
    return ratings, n_categories


@st.composite
def unanimous_tables(draw: st.DrawFn) -> Table:
    """Every reviewer of a claim gives it the same verdict, and two verdicts appear among
    claims that all reviewers rated (so every coefficient is defined)."""
    n_categories = draw(st.integers(2, 4))
    items = draw(st.integers(2, 10))
    raters = draw(st.integers(2, 5))
    labels = draw(arrays(np.int64, items, elements=st.integers(0, n_categories - 1)))
    first, second = draw(
        st.lists(st.integers(0, n_categories - 1), min_size=2, max_size=2, unique=True)
    )
    labels[0], labels[1] = first, second
    missing = draw(arrays(np.bool_, (items, raters)))
    missing[:2] = False
    ratings = np.repeat(labels[:, np.newaxis].astype(np.float64), raters, axis=1)
    ratings[missing] = np.nan
    order = draw(st.permutations(range(items)))
    return ratings[list(order)], n_categories


def same(a: float, b: float, tolerance: float = 1e-9) -> bool:
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return abs(a - b) <= tolerance


def all_figures(ratings: np.ndarray, n_categories: int) -> dict[str, float]:
    return {name: f(ratings, n_categories) for name, f in COEFFICIENTS.items()}


@PROPERTY
@given(unanimous_tables())
def test_perfect_agreement_is_one(table: Table) -> None:
    ratings, k = table
    for name, value in all_figures(ratings, k).items():
        assert value == 1.0 or abs(value - 1.0) < 1e-12, name
    # Raters 0 and 1 both rated the two claims with different verdicts.
    assert abs(cohen_kappa(ratings[:, 0], ratings[:, 1], k) - 1.0) < 1e-12
    kappa, _ = pairwise_cohen(ratings, k)
    defined = kappa[~np.isnan(kappa)]
    np.testing.assert_allclose(defined, 1.0, atol=1e-12)


@PROPERTY
@given(tables(), st.integers(0, 2**32 - 1))
def test_permuting_items_or_raters_changes_nothing(table: Table, seed: int) -> None:
    ratings, k = table
    rng = np.random.default_rng(seed)
    rows = rng.permutation(ratings.shape[0])
    cols = rng.permutation(ratings.shape[1])
    before = all_figures(ratings, k)
    after = all_figures(ratings[rows][:, cols], k)
    for name in before:
        assert same(before[name], after[name]), (name, before[name], after[name])
    kappa, shared = pairwise_cohen(ratings, k)
    kappa_after, shared_after = pairwise_cohen(ratings[rows][:, cols], k)
    np.testing.assert_allclose(kappa_after, kappa[cols][:, cols], atol=1e-9, equal_nan=True)
    np.testing.assert_array_equal(shared_after, shared[cols][:, cols])


@PROPERTY
@given(tables(), st.integers(0, 2**32 - 1))
def test_relabelling_categories_changes_nothing(table: Table, seed: int) -> None:
    ratings, k = table
    rng = np.random.default_rng(seed)
    relabel = rng.permutation(k).astype(np.float64)
    rated = ~np.isnan(ratings)
    relabelled = ratings.copy()
    relabelled[rated] = relabel[ratings[rated].astype(np.int64)]
    before = all_figures(ratings, k)
    after = all_figures(relabelled, k)
    for name in before:
        assert same(before[name], after[name]), (name, before[name], after[name])
    np.testing.assert_allclose(
        pairwise_cohen(relabelled, k)[0], pairwise_cohen(ratings, k)[0], atol=1e-9, equal_nan=True
    )


@PROPERTY
@given(tables(), st.integers(0, 3))
def test_a_rater_who_rated_nothing_changes_nothing(table: Table, where: int) -> None:
    ratings, k = table
    column = min(where, ratings.shape[1])
    padded = np.insert(ratings, column, np.nan, axis=1)
    before, after = all_figures(ratings, k), all_figures(padded, k)
    for name in before:
        assert same(before[name], after[name]), (name, before[name], after[name])


@PROPERTY
@given(tables(), st.integers(0, 3), st.integers(0, 10))
def test_an_item_rated_once_changes_nothing_for_alpha(table: Table, code: int, where: int) -> None:
    ratings, k = table
    single = np.full(ratings.shape[1], np.nan)
    single[where % ratings.shape[1]] = code % k
    padded = np.insert(ratings, min(where, ratings.shape[0]), single, axis=0)
    assert same(krippendorff_alpha(ratings, k), krippendorff_alpha(padded, k))
    assert same(observed_agreement(ratings, k), observed_agreement(padded, k))
    # Not Fleiss nor AC1: a single rating counts in their chance agreement (Gwet's pi_k).


@PROPERTY
@given(tables())
def test_values_within_bounds_when_defined(table: Table) -> None:
    ratings, k = table
    figures = all_figures(ratings, k)
    assert np.isnan(figures["observed"]) or 0.0 <= figures["observed"] <= 1.0
    for name in ("alpha", "ac1"):
        assert np.isnan(figures[name]) or -1.0 - 1e-12 <= figures[name] <= 1.0 + 1e-12, name
    assert np.isnan(figures["fleiss"]) or figures["fleiss"] <= 1.0 + 1e-12
    kappa, _ = pairwise_cohen(ratings, k)
    defined = kappa[~np.isnan(kappa)]
    assert ((defined >= -1.0 - 1e-12) & (defined <= 1.0 + 1e-12)).all()


@PROPERTY
@given(tables())
def test_fleiss_within_bounds_when_no_item_is_rated_once(table: Table) -> None:
    ratings, k = table
    once = (~np.isnan(ratings)).sum(axis=1) == 1
    kappa = fleiss_kappa(ratings[~once], k)
    assert np.isnan(kappa) or -1.0 - 1e-12 <= kappa <= 1.0 + 1e-12


@PROPERTY
@given(tables())
def test_cohen_is_symmetric(table: Table) -> None:
    ratings, k = table
    a, b = ratings[:, 0], ratings[:, 1]
    assert same(cohen_kappa(a, b, k), cohen_kappa(b, a, k), tolerance=0.0)
    kappa, shared = pairwise_cohen(ratings, k)
    np.testing.assert_array_equal(kappa, kappa.T)
    np.testing.assert_array_equal(shared, shared.T)
    assert np.isnan(np.diag(kappa)).all()


@PROPERTY
@given(tables())
def test_pairwise_cohen_is_cohen_for_each_pair(table: Table) -> None:
    ratings, k = table
    kappa, shared = pairwise_cohen(ratings, k)
    raters = ratings.shape[1]
    for a in range(raters):
        for b in range(raters):
            both = ~np.isnan(ratings[:, a]) & ~np.isnan(ratings[:, b])
            assert shared[a, b] == both.sum()
            if a != b:
                assert same(kappa[a, b], cohen_kappa(ratings[:, a], ratings[:, b], k))


@PROPERTY
@given(tables())
def test_alpha_from_coincidences_is_the_library_alpha(table: Table) -> None:
    ratings, k = table
    assert same(alpha_from_coincidences(coincidences(ratings, k)), krippendorff_alpha(ratings, k))
