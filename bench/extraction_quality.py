"""How well the claim extractor does on the labelled news set in tests/data/news/.

Runs ``workbench.extract.default_extractor()`` (whatever scorer is the default at the time)
over every article that has a label file, and prints:

* claim precision, recall and F1, micro-averaged over all articles and per article;
* boilerplate leaks: labelled furniture (headlines, bylines, captions, share bars, ...) that
  came out as a claim;
* speaker accuracy over matched claims, strict and lenient;
* ranking: the ROC AUC of labelled facts against labelled opinions and predictions, i.e. the
  share of (fact, opinion) pairs in which the fact's score is the higher (ties count half).
  Every labelled sentence is scored, kept or not (a sentence dropped as furniture scores 0),
  since the question is whether the score puts facts first. Pooled over the whole set (the
  figure the target is about) and within articles (pairs from one article only).

``--part dev`` or ``--part held_aside`` measures only the articles whose label file has that
``split``: the held-aside articles were not looked at while the rules were changed, so their
figures say how the rules generalise.

Matching rule. Labels give text, not offsets: a label is located in its article by searching
for its text (any run of whitespace matches any other, so a label typed with a plain space
finds a no-break space), taking the ``occurrence``-th hit (default 1). A predicted claim and a
labelled span *match* when their character overlap is at least half of the shorter of the
two. This tolerates a segmenter that cuts a quotation differently from the labeller while
still refusing a prediction that merely touches a labelled sentence. Matching is many-to-many:
precision counts predicted claims that match at least one labelled claim, recall counts
labelled claims matched by at least one predicted claim. A leak is a labelled furniture span
matched by a predicted claim.

Speakers are compared on each recalled labelled claim against the predicted claim that
overlaps it most. Strict: equal after case-folding, collapsing whitespace, unifying
apostrophes and dropping a leading "the" ("the WHO" = "WHO"); None equals only None. Lenient:
when the label is None the prediction must be None; otherwise the prediction must contain the
label's last word ("Kremlin spokesman Dmitry Peskov" accepts "Dmitry Peskov" and "Peskov",
"Foreign Ministry" accepts "ministry").

Usage:
    python bench/extraction_quality.py            # table
    python bench/extraction_quality.py --json     # one JSON object
    python bench/extraction_quality.py --errors   # table, then every miss and wrong speaker
    python bench/extraction_quality.py --scorer heuristic --part held_aside
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workbench.extract import Extractor, default_extractor
from workbench.extract.evaluation import Evaluation, ratio

NEWS_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "news"
MATCH_OVERLAP = 0.5


@dataclass(frozen=True)
class Span:
    """A labelled stretch of an article: a claim (with its speaker) or a piece of furniture."""

    text: str
    start: int
    end: int
    speaker: str | None = None
    kind: str = "claim"  # "claim", a furniture kind, or "opinion" / "prediction"


@dataclass(frozen=True)
class Article:
    name: str
    text: str
    claims: tuple[Span, ...]
    furniture: tuple[Span, ...]
    opinions: tuple[Span, ...] = ()  # sentences that must rank below the claims
    split: str = "dev"


def locate(text: str, label: str, occurrence: int = 1) -> tuple[int, int]:
    """Offsets of the ``occurrence``-th appearance of ``label`` in ``text``."""
    pattern = r"\s+".join(re.escape(word) for word in label.split())
    found = list(re.finditer(pattern, text))
    if len(found) < occurrence:
        raise ValueError(f"label not found in the article (occurrence {occurrence}): {label!r}")
    match = found[occurrence - 1]
    return match.start(), match.end()


def load_article(label_path: Path) -> Article:
    """An article and its labels; the article is the label file's ``article`` beside it."""
    labels = json.loads(label_path.read_text(encoding="utf-8"))
    text = (label_path.parent / labels["article"]).read_text(encoding="utf-8")

    def span(item: dict[str, Any], kind: str) -> Span:
        start, end = locate(text, item["text"], item.get("occurrence", 1))
        return Span(item["text"], start, end, item.get("speaker"), kind)

    return Article(
        name=labels["article"],
        text=text,
        claims=tuple(span(item, "claim") for item in labels["claims"]),
        furniture=tuple(span(item, item["kind"]) for item in labels["furniture"]),
        opinions=tuple(span(item, item["kind"]) for item in labels.get("opinions", ())),
        split=labels.get("split", "dev"),
    )


def load_set(directory: Path = NEWS_DIR, part: str = "all") -> list[Article]:
    """The labelled articles; ``part`` "dev" or "held_aside" keeps only that split."""
    articles = [load_article(path) for path in sorted(directory.glob("*.json"))]
    return [a for a in articles if part in {"all", a.split}]


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def matches(a: tuple[int, int], b: tuple[int, int]) -> bool:
    shorter = min(a[1] - a[0], b[1] - b[0])
    return shorter > 0 and overlap(a, b) >= MATCH_OVERLAP * shorter


def normalise_speaker(speaker: str) -> str:
    folded = " ".join(speaker.replace("’", "'").casefold().split())
    return folded.removeprefix("the ")


def speaker_strict(predicted: str | None, labelled: str | None) -> bool:
    if predicted is None or labelled is None:
        return predicted is labelled
    return normalise_speaker(predicted) == normalise_speaker(labelled)


def speaker_lenient(predicted: str | None, labelled: str | None) -> bool:
    if labelled is None or predicted is None:
        return predicted is labelled
    surname = normalise_speaker(labelled).split()[-1].removesuffix("'s")
    return surname in normalise_speaker(predicted)


@dataclass
class ArticleScore:
    name: str
    predicted: int = 0
    labelled: int = 0
    correct_predictions: int = 0  # predicted claims matching a labelled claim
    found: int = 0  # labelled claims matched by a prediction
    leaks: list[str] = field(default_factory=list)
    speaker_pairs: int = 0
    speaker_strict: int = 0
    speaker_lenient: int = 0
    attributed_pairs: int = 0  # pairs whose labelled speaker is not None
    attributed_strict: int = 0
    attributed_lenient: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    # Scores of the labelled facts and of the labelled opinions/predictions, for the AUC.
    fact_scores: list[float] = field(default_factory=list)
    opinion_scores: list[float] = field(default_factory=list)

    @property
    def claims(self) -> Evaluation:
        return Evaluation.from_counts(
            true_positives=self.correct_predictions,
            predicted=self.predicted,
            labelled=self.labelled,
            found=self.found,
        )

    @property
    def precision(self) -> float:
        return self.claims.precision

    @property
    def recall(self) -> float:
        return self.claims.recall

    @property
    def f1(self) -> float:
        return self.claims.f1


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """Share of (positive, negative) pairs ranked right, ties counting half; None if no pair."""
    if not positives or not negatives:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def _ranking_scores(article: Article, extractor: Extractor, score: ArticleScore) -> None:
    """The extractor's score for every labelled fact and opinion, kept or not."""
    explain = getattr(extractor, "explain", None)
    if explain is None or not article.opinions:
        return
    decisions = explain(article.text, with_features=False)
    for labels, into in (
        (article.claims, score.fact_scores),
        (article.opinions, score.opinion_scores),
    ):
        for label in labels:
            where = (label.start, label.end)
            hits = [(overlap((d.start, d.end), where), d) for d in decisions]
            best = max(hits, key=lambda hit: hit[0], default=(0, None))
            if best[1] is None or best[0] == 0:
                continue
            into.append(best[1].score if best[1].score is not None else 0.0)
            if labels is article.opinions and best[1].kept:
                score.errors.append(
                    {"error": "opinion_kept", "kind": label.kind, "text": label.text}
                )


def score_article(article: Article, extractor: Extractor) -> ArticleScore:
    claims = extractor.extract(article.text)
    predicted = [((c.char_start, c.char_end), c) for c in claims]
    score = ArticleScore(article.name, predicted=len(claims), labelled=len(article.claims))
    for span, claim in predicted:
        if any(matches(span, (lab.start, lab.end)) for lab in article.claims):
            score.correct_predictions += 1
        elif not any(matches(span, (f.start, f.end)) for f in article.furniture):
            score.errors.append({"error": "false_positive", "text": claim.text})
    for furniture in article.furniture:
        where = (furniture.start, furniture.end)
        if any(matches(span, where) for span, _ in predicted):
            score.leaks.append(furniture.text)
            score.errors.append({"error": "leak", "kind": furniture.kind, "text": furniture.text})
    for label in article.claims:
        where = (label.start, label.end)
        hits = [(overlap(span, where), claim) for span, claim in predicted if matches(span, where)]
        if not hits:
            score.errors.append({"error": "missed", "text": label.text})
            continue
        score.found += 1
        best = max(hits, key=lambda hit: hit[0])[1]
        strict = speaker_strict(best.speaker, label.speaker)
        lenient = speaker_lenient(best.speaker, label.speaker)
        score.speaker_pairs += 1
        score.speaker_strict += strict
        score.speaker_lenient += lenient
        if label.speaker is not None:
            score.attributed_pairs += 1
            score.attributed_strict += strict
            score.attributed_lenient += lenient
        if not strict:
            score.errors.append(
                {
                    "error": "speaker" if not lenient else "speaker_form",
                    "text": label.text,
                    "labelled": label.speaker,
                    "predicted": best.speaker,
                }
            )
    _ranking_scores(article, extractor, score)
    return score


def evaluate(
    directory: Path = NEWS_DIR,
    extractor: Extractor | None = None,
    part: str = "all",
) -> dict[str, Any]:
    """Every figure of the report, as plain data (what ``--json`` prints)."""
    extractor = extractor or default_extractor()
    articles = load_set(directory, part)
    scores = [score_article(article, extractor) for article in articles]

    def total(attribute: str) -> int:
        return sum(int(getattr(score, attribute)) for score in scores)

    claims = Evaluation.from_counts(
        true_positives=total("correct_predictions"),
        predicted=total("predicted"),
        labelled=total("labelled"),
        found=total("found"),
    )
    facts = [v for score in scores for v in score.fact_scores]
    opinions = [v for score in scores for v in score.opinion_scores]
    within = [
        (p > n) + 0.5 * (p == n)
        for score in scores
        for p in score.fact_scores
        for n in score.opinion_scores
    ]
    return {
        "extractor": extractor.name,
        "part": part,
        "articles": len(scores),
        "claims": {
            "labelled": total("labelled"),
            "predicted": total("predicted"),
            "precision": claims.precision,
            "recall": claims.recall,
            "f1": claims.f1,
        },
        "boilerplate_leaks": sum(len(score.leaks) for score in scores),
        "furniture_labelled": sum(len(article.furniture) for article in articles),
        "speaker": {
            "pairs": total("speaker_pairs"),
            "strict": ratio(total("speaker_strict"), total("speaker_pairs")),
            "lenient": ratio(total("speaker_lenient"), total("speaker_pairs")),
            "attributed_pairs": total("attributed_pairs"),
            "attributed_strict": ratio(total("attributed_strict"), total("attributed_pairs")),
            "attributed_lenient": ratio(total("attributed_lenient"), total("attributed_pairs")),
        },
        "ranking": {
            "facts": len(facts),
            "opinions": len(opinions),
            "auc": auc(facts, opinions),
            "auc_within_articles": sum(within) / len(within) if within else None,
            "opinions_kept": sum(
                1 for score in scores for e in score.errors if e["error"] == "opinion_kept"
            ),
        },
        "per_article": [
            {
                **{
                    k: v
                    for k, v in asdict(score).items()
                    if k not in {"errors", "fact_scores", "opinion_scores"}
                },
                "precision": score.precision,
                "recall": score.recall,
                "f1": score.f1,
            }
            for score in scores
        ],
        "errors": {score.name: score.errors for score in scores},
    }


def render(report: dict[str, Any], errors: bool = False) -> str:
    claims, speaker, ranking = report["claims"], report["speaker"], report["ranking"]
    lines = [
        f"extractor {report['extractor']} on {report['articles']} articles ({report['part']}, "
        f"{claims['labelled']} labelled claims, {report['furniture_labelled']} furniture)",
        "",
        f"{'article':32} {'pred':>4} {'gold':>4} {'P':>5} {'R':>5} {'F1':>5} {'leaks':>5} "
        f"{'spk':>7}",
    ]
    for row in report["per_article"]:
        pairs = row["speaker_pairs"]
        lines.append(
            f"{row['name']:32} {row['predicted']:4d} {row['labelled']:4d} "
            f"{row['precision']:5.2f} {row['recall']:5.2f} {row['f1']:5.2f} "
            f"{len(row['leaks']):5d} {row['speaker_strict']:3d}/{pairs:<3d}"
        )
    lines += [
        f"{'micro':32} {claims['predicted']:4d} {claims['labelled']:4d} "
        f"{claims['precision']:5.2f} {claims['recall']:5.2f} {claims['f1']:5.2f} "
        f"{report['boilerplate_leaks']:5d}",
        "",
        f"speaker accuracy over {speaker['pairs']} matched claims: "
        f"strict {speaker['strict']:.3f}, lenient {speaker['lenient']:.3f}",
        f"  of which {speaker['attributed_pairs']} have a labelled speaker: "
        f"strict {speaker['attributed_strict']:.3f}, lenient {speaker['attributed_lenient']:.3f}",
        f"ranking, {ranking['facts']} facts vs {ranking['opinions']} opinions/predictions: "
        f"AUC {_fmt(ranking['auc'])} (within articles {_fmt(ranking['auc_within_articles'])}), "
        f"{ranking['opinions_kept']} opinions kept",
    ]
    if errors:
        for name, found in report["errors"].items():
            for error in found:
                detail = {k: v for k, v in error.items() if k not in {"error", "text"}}
                lines.append(f"{name[:3]} {error['error']:14} {error['text'][:90]!r} {detail}")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--errors", action="store_true", help="list misses and wrong speakers")
    parser.add_argument("--dir", type=Path, default=NEWS_DIR, help="labelled set directory")
    parser.add_argument(
        "--scorer", default=None, help="scorer name (default: the configured one, see scorers.py)"
    )
    parser.add_argument(
        "--part",
        choices=("all", "dev", "held_aside"),
        default="all",
        help="which split of the set to measure (the label files' split field)",
    )
    args = parser.parse_args(argv)
    report = evaluate(args.dir, default_extractor(scorer=args.scorer), args.part)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(render(report, errors=args.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
