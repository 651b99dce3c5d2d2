"""The opinion/prediction adjustment (workbench.extract.stance): which cues fire, which must not,
and that the adjusted score only ever goes down."""

from __future__ import annotations

import pytest

from workbench.extract import stance


@pytest.mark.parametrize(
    ("sentence", "cue"),
    [
        ("I think the plan has failed.", "belief"),
        ("In my view, the real problem is land.", "belief"),
        ("The government should act now.", "obligation"),
        ("It is time to admit the plan has failed.", "obligation"),
        ("The crisis will only get worse.", "prediction"),
        ("This will lead to further uncertainty.", "prediction"),
        ("Prices are expected to rise.", "prediction"),
        ("That claim is ridiculous.", "evaluative"),
        ("Of course, the talks went nowhere.", "evaluative"),
        ("“Please, leave your homes.", "imperative"),
        ("Why did it take nine hours to fix?", "question"),
        ("Q: The commission says overtime is out of control.", "question"),
        ("“Nobody on this council wanted to do this,” she said.", "sweeping"),
        ("But you cannot ask people to work for less.", "sweeping"),
        ("Russia might respond.", "hedge"),
        ("The move would be unprecedented.", "future"),
    ],
)
def test_a_cue_fires_on_its_minimal_example(sentence: str, cue: str) -> None:
    assert cue in stance.cues(sentence)
    assert stance.stance(sentence) > 0


@pytest.mark.parametrize(
    "sentence",
    [
        "Rents rose 16% in 2025, the office said.",
        "The ministry said 63 ships were anchored off the port.",
        "No one was injured in the fire.",  # "no one" as the subject of an event, not of a want
        "The Kremlin denied the allegations on Monday.",
        "Police arrested nine people.",
        "Must-win seats were lost.",  # the capital M is a noun phrase here, not advice
    ],
)
def test_plain_reports_of_fact_have_no_stance(sentence: str) -> None:
    assert stance.stance(sentence) == 0.0


def test_a_figure_or_a_date_cancels_a_weak_cue() -> None:
    assert stance.stance("The recount could begin soon.") > 0
    assert stance.stance("The recount could begin on June 9.") == 0.0


def test_indirect_speech_discounts_futures_and_hedges_but_not_quoted_judgement() -> None:
    # An announcement: what the minister said the government would do is a claim.
    assert stance.stance("She said the government would spend more on clinics.") == 0.0
    # Reported obligation counts half, the author's own in full.
    reported = stance.stance("He said that Russia has the right to respond.")
    own = stance.stance("Russia has the right to respond.")
    assert 0 < reported < own
    # A quoted prediction is the speaker's own words: it still counts.
    assert stance.stance("“We will win,” he told reporters.") > 0


def test_the_adjustment_only_lowers_and_keeps_the_order_of_plain_sentences() -> None:
    fact, opinion = "Rents rose 16% last year.", "The crisis will only get worse."
    assert stance.adjust(0.7, fact) == 0.7
    assert stance.adjust(0.7, opinion) < 0.7
    assert stance.adjust(0.9, opinion) > stance.adjust(0.5, opinion)  # monotone in the score
    assert stance.adjust(0.0, opinion) == 0.0
    assert 0.0 < stance.adjust(1.0, opinion) < 1.0
    # One strong cue takes a sentence scored 0.5 to about 0.17.
    assert stance.adjust(0.5, "The government should act.") == pytest.approx(0.168, abs=0.01)


def test_an_opinion_scored_like_a_fact_falls_below_it() -> None:
    scores = stance.adjust_many(
        [0.6, 0.6], ["Exports fell 12% in March.", "Europe should be worried, I fear."]
    )
    assert scores[0] > scores[1]


def test_the_quick_substring_tests_never_skip_a_match() -> None:
    """Each cue's needles are in every text its pattern matches (news set and minimal cases)."""
    from pathlib import Path

    from workbench.extract.segment import sentences

    news = Path(__file__).resolve().parents[1] / "data" / "news"
    texts = [path.read_text(encoding="utf-8") for path in sorted(news.glob("*.txt"))]
    found = [t[s:e] for t in texts for s, e in sentences(t)]
    found += ["I think so.", "Q: why?", "“Please go.", "You can’t ask that.", "It’ll be fine."]
    for sentence in found:
        lowered = sentence.lower()
        for name, pattern in (*stance._STRONG_CUES, *stance._WEAK_CUES):
            if pattern.search(lowered):
                assert any(n in lowered for n in stance._NEEDLES[name]), (name, sentence)
