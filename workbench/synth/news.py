"""One synthetic news article: headline, byline, paragraphs of claims and filler, furniture.

:func:`article` is a pure function of ``(seed, index)``; it lays out the page and records
where its check-worthy sentences are, which :mod:`workbench.synth.grammar` writes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from workbench.schemas import DocumentIn
from workbench.synth.grammar import Facts, cap, person
from workbench.synth.vocabulary import (
    FURNITURE_NEWSLETTER,
    FURNITURE_SHARE,
    OUTLETS,
    TOPICS,
)

# Reviews are dated from here on, over REVIEW_WEEKS weeks: fixed, so a seed gives the same rows.
EPOCH = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
# Share of an article's sentences that are check-worthy claims: about 18 claims an article.
CLAIM_SHARE = 0.62


class _Writer:
    """Assembles one article and remembers where its claims are."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.parts: list[str] = []
        self.size = 0
        self.claims: list[tuple[int, int, str | None]] = []

    def add(self, piece: str, *, claim: bool = False, speaker: str | None = None) -> None:
        if claim:
            self.claims.append((self.size, self.size + len(piece), speaker))
        self.parts.append(piece)
        self.size += len(piece)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True)
class SynthClaim:
    char_start: int
    char_end: int
    speaker: str | None
    score: float


@dataclass(frozen=True)
class Article:
    """One synthetic article and its check-worthy sentences."""

    index: int
    title: str
    text: str
    url: str
    source: str
    published: datetime
    outlet: str
    topic: str
    claims: tuple[SynthClaim, ...]

    def document(self) -> DocumentIn:
        """As a reader would produce it, for the real ingest path."""
        return DocumentIn(
            text=self.text,
            title=self.title,
            source=self.source,
            url=self.url,
            published=self.published,
            metadata={"synth": True, "outlet": self.outlet, "topic": self.topic},
        )


def article(seed: int, index: int, *, size: int = 5000) -> Article:
    """Article ``index`` of the corpus ``seed``: about ``size`` characters (±15%)."""
    rng = random.Random(f"synth:{seed}:{index}")
    facts = Facts(rng, seed, index)
    outlet, domain = rng.choice(OUTLETS)
    reporter = person(rng)
    published = EPOCH - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1439))
    headline = f"{facts.town}: {rng.choice(facts.topic.headlines)}"
    w = _Writer(rng)
    w.add(f"{headline}\n\n")
    w.add(f"By {reporter} | {published:%b} {published.day}, {published.year}\n\n")
    if rng.random() < 0.5:
        w.add(f"{rng.choice(FURNITURE_SHARE)}\n\n")
    if rng.random() < 0.6:
        w.add(f"{facts.caption(outlet)}\n\n")
    target = size * rng.uniform(0.85, 1.15)
    first = True
    newsletter = rng.random() < 0.6
    while w.size < target:
        if not first:
            roll = rng.random()
            if roll < 0.08:
                w.add(f"{facts.caption(outlet)}\n\n")
            elif roll < 0.13:
                others = rng.sample(rng.choice(TOPICS).headlines, rng.randint(1, 3))
                w.add("".join(f"Read more: {other}\n" for other in others) + "\n")
            elif roll < 0.16 and newsletter:
                w.add(f"{facts.pick(FURNITURE_NEWSLETTER)}\n\n")
                newsletter = False
            elif roll < 0.19:
                w.add("Advertisement\n\n")
        sentences = rng.randint(1, 4)
        for i in range(sentences):
            if i:
                w.add(" ")
            if first:
                w.add(f"{facts.town.upper()} — ")
            if first or rng.random() < CLAIM_SHARE:
                sentence, speaker = facts.claim_sentence()
                w.add(sentence, claim=True, speaker=speaker)
            else:
                w.add(facts.filler())
            first = False
        w.add("\n\n")
    if rng.random() < 0.4:
        w.add(f"(Reporting by {reporter}; editing by {person(rng)})\n\n")
    if rng.random() < 0.5:
        tags = rng.sample(facts.topic.measures, 2)
        w.add(f"Tags: {facts.topic.name.title()}, {facts.town}, {cap(tags[0])}, {cap(tags[1])}\n\n")
    if rng.random() < 0.5:
        w.add(f"© {published.year} {outlet}. All rights reserved.\n")
    body = w.text().rstrip("\n") + "\n"
    slug = "-".join(headline.lower().replace(":", "").split()[:8])
    claims = tuple(
        SynthClaim(start, end, speaker, round(rng.uniform(0.3, 0.99), 4))
        for start, end, speaker in w.claims
    )
    return Article(
        index=index,
        title=headline,
        text=body,
        url=f"https://{domain}/{facts.topic.name}/{slug}-{seed}-{index}",
        source=f"synth://{seed}/{index}",
        published=published,
        outlet=outlet,
        topic=facts.topic.name,
        claims=claims,
    )


def articles(seed: int, count: int, *, start: int = 0) -> Iterator[Article]:
    for index in range(start, start + count):
        yield article(seed, index)
