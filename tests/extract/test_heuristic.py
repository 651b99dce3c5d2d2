"""The check-worthiness score: in [0, 1], raised by checkable details, lowered by opinion."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.extract.heuristic import WEIGHTS, features, score

BASE = "The committee approved the new rules for the regional transport network"


def value(sentence: str) -> float:
    return score(sentence).value


@pytest.mark.parametrize(
    ("richer", "feature"),
    [
        (BASE + " with 14 votes.", "number"),
        (BASE + " on Tuesday.", "date"),
        (BASE + " in March 2021.", "date"),
        (BASE + ", Mayor Anne Hidalgo said.", "reporting_verb"),
        (BASE + ", calling them “overdue”.", "quotation"),
    ],
)
def test_a_checkable_detail_raises_the_score(richer: str, feature: str) -> None:
    assert feature in features(richer)
    assert value(richer) > value(BASE + ".")


@pytest.mark.parametrize(
    ("poorer", "feature"),
    [
        ("Perhaps the committee might approve the new rules for the regional network.", "hedge"),
        ("Did the committee approve the new rules for the regional transport network?", "question"),
        (
            "I think the committee approved the new rules for the regional network.",
            "first_person_opinion",
        ),
        (
            "Obviously the committee should approve the new rules for the transport network.",
            "evaluative",
        ),
        ("The committee approved.", "short"),
    ],
)
def test_opinion_speculation_and_fragments_lower_the_score(poorer: str, feature: str) -> None:
    assert feature in features(poorer)
    assert value(poorer) < value(BASE + ".")


def test_a_named_actor_alone_reaches_the_default_threshold() -> None:
    assert value("Biden has since refused Putin’s invitation to hold talks.") >= 0.5


def test_pure_opinion_stays_below_the_default_threshold() -> None:
    opinion = (
        "It remains uncertain whether he knew what his side was plotting, and it might not matter."
    )
    assert value(opinion) < 0.5


def test_features_are_reported_for_docs_and_debugging() -> None:
    result = score("On Monday, Russian Foreign Minister Sergey Lavrov said 4 people died.")
    assert {"number", "date", "named_actor", "reporting_verb"} <= set(result.features)
    assert set(result.features) <= set(WEIGHTS)


def test_the_sentence_opener_is_not_taken_for_a_name() -> None:
    assert "named_actor" not in features("However, the rules were approved by a wide margin.")
    assert "named_actor" in features("Moscow approved the rules by a wide margin.")


@given(st.text(max_size=300))
def test_score_is_always_within_zero_and_one(sentence: str) -> None:
    assert 0.0 <= value(sentence) <= 1.0


@given(st.text(alphabet="abc ABC.,“”?", min_size=1, max_size=80), st.integers(0, 10**6))
def test_adding_a_number_never_lowers_the_score(sentence: str, number: int) -> None:
    assert value(f"{number} {sentence}") >= value(sentence)
