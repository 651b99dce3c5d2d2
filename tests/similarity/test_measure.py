"""The similarity measure behind "N similar claims": its properties and its figures."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.similarity import measure as sim

PAIRS = Path(__file__).parents[1] / "data" / "similar" / "pairs.jsonl"
EXPECTED_SIGNATURE = [27074854, 4944360, 36153027, 27520802]
EXPECTED_KEYS = [-8881183516862121482, -8429953370119779703, -7334367940072729942]

texts = st.text(max_size=300)
sentences = st.lists(
    st.sampled_from(["Kremlin", "said", "Kyiv", "Washington", "100", "the", "war", "—", "“no”"]),
    max_size=30,
).map(" ".join)


@given(texts | sentences, texts | sentences)
def test_similarity_is_symmetric_and_in_the_unit_interval(a: str, b: str) -> None:
    score = sim.similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert score == sim.similarity(b, a)


@given(texts | sentences)
def test_a_text_is_fully_similar_to_itself(a: str) -> None:
    assert sim.similarity(a, a) == 1.0


@given(texts | sentences)
def test_case_quotes_and_punctuation_do_not_count(a: str) -> None:
    noisy = f"“{a.upper()}!”"
    assert sim.similarity(a, noisy) == sim.similarity(a.upper(), a)


@settings(max_examples=50)
@given(sentences, sentences)
def test_the_signature_estimate_tracks_the_jaccard(a: str, b: str) -> None:
    sa, sb = sim.sketch(a), sim.sketch(b)
    exact = sim.jaccard(sa.shingles, sb.shingles)
    if sa.shingles.size and sb.shingles.size:
        estimate = float(sim.estimates(sa.signature, sb.signature[None, :])[0])
        # 96 permutations: an error past 0.35 would be a broken hash, not bad luck.
        assert abs(estimate - exact) <= 0.35


def test_normalise_drops_case_quotes_apostrophes_and_punctuation() -> None:
    assert sim.normalise("“Kyiv’s  WAR,” he—said.") == "kyivs war he said"
    assert sim.normalise("…!?") == ""


def test_texts_without_letters_have_no_shingles_and_no_keys() -> None:
    empty = sim.sketch("— … —")
    assert empty.shingles.size == 0 and empty.band_keys == ()
    assert sim.match(empty, empty) is None  # nothing to compare is not "the same"
    assert sim.similarity("", "—") == 1.0  # both normalise to nothing: identical


def test_figures_must_agree() -> None:
    assert sim.numbers("nearly 100,000 troops in 2022") == frozenset({"100000", "2022"})
    assert sim.numbers_agree(sim.numbers("100 wounded"), sim.numbers("100 wounded in 2024"))
    assert sim.numbers_agree(sim.numbers("no figures"), sim.numbers("150 wounded"))
    assert not sim.numbers_agree(sim.numbers("100 wounded"), sim.numbers("150 wounded"))
    same_words = "leaving four Russians dead and well over {} wounded in the strikes on Crimea"
    assert sim.similarity(same_words.format(100), same_words.format(150)) > 0.8
    assert not sim.same_statement(same_words.format(100), same_words.format(150))
    assert sim.same_statement(same_words.format(100), same_words.format(100))


def test_identical_claims_share_every_band_key() -> None:
    a = sim.sketch("Security is already strengthened for obvious reasons, regardless of incidents.")
    b = sim.sketch(
        "“Security is already strengthened for obvious reasons, regardless of incidents”"
    )
    assert a.band_keys == b.band_keys and len(a.band_keys) == sim.BANDS


def test_hashes_are_fixed_across_processes() -> None:
    # Stored keys must match the keys of claims ingested later, by any process: a change
    # here needs a new SKETCH_VERSION and a rebuild_similarity of every database.
    s = sim.sketch(
        "Peskov said decisions on such terrorist attacks are not made in Kyiv but in Washington."
    )
    assert s.signature[:4].tolist() == EXPECTED_SIGNATURE
    assert list(s.band_keys[:3]) == EXPECTED_KEYS


def labelled() -> list[tuple[str, str, bool]]:
    rows = [json.loads(line) for line in PAIRS.read_text().splitlines() if line.strip()]
    return [(r["a"], r["b"], bool(r["same"])) for r in rows]


def test_the_labelled_pairs_are_grouped_with_high_precision_and_recall() -> None:
    """The figures behind THRESHOLD (tests/data/similar/evaluate.py prints the full table)."""
    pairs = labelled()
    assert sum(same for _, _, same in pairs) >= 40 and sum(not s for _, _, s in pairs) >= 25
    predicted = [(sim.same_statement(a, b), same) for a, b, same in pairs]
    tp = sum(p and s for p, s in predicted)
    fp = sum(p and not s for p, s in predicted)
    fn = sum(s and not p for p, s in predicted)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    # On the hard pairs alone (all negatives share a speaker, topic or most of their words).
    assert precision >= 0.90, (tp, fp)
    assert recall >= 0.95, (tp, fn)


@settings(max_examples=200)
@given(st.lists(texts | sentences, max_size=8))
def test_sketching_many_texts_at_once_gives_the_same_sketches(batch: list[str]) -> None:
    for one, many in zip([sim.sketch(t) for t in batch], sim.sketches(batch), strict=True):
        assert one.shingles.tolist() == many.shingles.tolist()
        assert one.signature.tolist() == many.signature.tolist()
        assert one.band_keys == many.band_keys and one.numbers == many.numbers
