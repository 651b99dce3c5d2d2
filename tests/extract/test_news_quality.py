"""Extraction quality on the labelled news set must not regress (bench/extraction_quality.py).

The floors sit a little below what was measured when they were set (2026-12-05, issue 16: 23
articles, 278 labelled claims, 116 opinions and predictions, 254 furniture lines). Default
scorer linear@1: claims P 0.89 / R 0.91 / F1 0.90, no leak, speakers strict 0.948 / lenient
0.948 over 252 matched claims, fact-vs-opinion AUC 0.941, 19 of 116 opinions kept. With 32
articles (held-aside rounds 4 and 5 added): claims P 0.87 / R 0.91, no leak, speakers strict
0.957 / lenient 0.963 over 352 matched claims, AUC 0.925 (within articles 0.921), 34 of 145
opinions kept. The speaker floor holds on the whole set but NOT on fresh articles (0.59-0.79
per held-aside round at first look): the floor guards against regressions, it does not show
the target is met. Issue
16's targets are speakers >= 0.9, AUC >= 0.85 and no furniture kept; the floors below are
tighter than the targets where the measurement allows, so a regression shows before a target
is lost. Claim precision and recall are mostly the scorer's doing, so their floors are loose
and may be moved when the default scorer changes; the speaker and furniture figures are the
segmenter's, the furniture rules' and the attribution's, and the ranking is the scorer's plus
workbench.extract.stance.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    # bench/ is a folder of scripts, not a package: load the script by its path.
    path = ROOT / "bench" / "extraction_quality.py"
    spec = importlib.util.spec_from_file_location("extraction_quality", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bench = _bench()


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    result: dict[str, Any] = bench.evaluate()
    return result


def test_every_label_is_found_in_its_article() -> None:
    articles = bench.load_set()
    assert len(articles) >= 17
    assert len(bench.load_set(part="held_aside")) >= 3
    for article in articles:
        for span in (*article.claims, *article.furniture, *article.opinions):
            assert article.text[span.start : span.end].split() == span.text.split()


def test_claims_are_found_with_loose_floors_that_follow_the_scorer(
    report: dict[str, Any],
) -> None:
    claims = report["claims"]
    assert claims["precision"] >= 0.70
    assert claims["recall"] >= 0.80
    assert claims["f1"] >= 0.75


def test_no_page_furniture_comes_out_as_a_claim(report: dict[str, Any]) -> None:
    assert report["furniture_labelled"] >= 200
    assert report["boilerplate_leaks"] == 0, report["errors"]


def test_speakers_of_found_claims_are_right(report: dict[str, Any]) -> None:
    speaker = report["speaker"]
    assert speaker["pairs"] >= 200
    assert speaker["strict"] >= 0.92  # target 0.9
    assert speaker["lenient"] >= 0.93
    assert speaker["attributed_lenient"] >= 0.90


def test_facts_rank_above_opinions_and_predictions(report: dict[str, Any]) -> None:
    ranking = report["ranking"]
    assert ranking["facts"] >= 200 and ranking["opinions"] >= 80
    assert ranking["auc"] >= 0.92  # target 0.85
    assert ranking["auc_within_articles"] >= 0.90
    # 0.2 until rounds 4 and 5 were added: their fresh opinions were kept far more often
    # (7 of 18, 8 of 11) by the same stance rules (34 of 145 with the rules before round 4
    # too), so this is the stance cues not generalising, not a regression; 0.25 guards the
    # 34 of 145 (0.23) measured now.
    assert ranking["opinions_kept"] <= 0.25 * ranking["opinions"]


def test_the_first_claim_of_the_opinion_column_is_a_labelled_fact() -> None:
    # The demo ingests the sample articles in name order, and its queue starts with the
    # first kept claim of 000 (an opinion column) in reading order: it was an opinion.
    article = next(a for a in bench.load_set() if a.name.startswith("000"))
    first = bench.default_extractor().extract(article.text)[0]
    where = (first.char_start, first.char_end)
    assert any(bench.matches(where, (c.start, c.end)) for c in article.claims), first.text
    assert not any(bench.matches(where, (o.start, o.end)) for o in article.opinions)


def test_auc_counts_pairs_ranked_right_and_ties_as_half() -> None:
    assert bench.auc([0.9, 0.8], [0.1]) == 1.0
    assert bench.auc([0.5], [0.5, 0.9]) == 0.25
    assert bench.auc([], [0.1]) is None


def test_parts_split_the_set() -> None:
    every = {a.name for a in bench.load_set()}
    dev = {a.name for a in bench.load_set(part="dev")}
    held = {a.name for a in bench.load_set(part="held_aside")}
    assert dev | held == every and not dev & held


def test_matching_needs_half_of_the_shorter_span() -> None:
    assert bench.matches((0, 100), (40, 90))  # a prediction inside a longer label
    assert bench.matches((0, 10), (5, 30))  # half of the shorter one
    assert not bench.matches((0, 100), (96, 130))  # merely touching


def test_speaker_comparison_strict_and_lenient() -> None:
    assert bench.speaker_strict("the WHO", "WHO")
    assert bench.speaker_strict(None, None)
    assert not bench.speaker_strict("Dmitry Peskov", "Kremlin spokesman Dmitry Peskov")
    assert bench.speaker_lenient("Dmitry Peskov", "Kremlin spokesman Dmitry Peskov")
    assert bench.speaker_lenient("ministry", "Foreign Ministry")
    assert not bench.speaker_lenient("Russia", None)
    assert not bench.speaker_lenient(None, "Russia")
