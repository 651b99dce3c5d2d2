"""A realistic synthetic corpus for benchmarks and demos: articles, claims, reviewers, reviews.

Two parts:

* :func:`article` makes one news article of about 5 KB from a sentence grammar and a
  vocabulary of fictional places, people and organisations: a headline, a byline, a dateline,
  paragraphs of claims (figures, percentages, dates, plans, comparisons, attributed in a dozen
  ways) and narration, and page furniture (photo captions, share bars, related links, a
  newsletter prompt, tags, a copyright line) at the rate of tests/data/news. Names, towns,
  streets and firms are made from parts and sentences from independently drawn pieces, so
  that articles share about as little wording as real news does (bench/ingest.py measures it
  against tests/data/news: the share of claim pairs the similarity screen lets through), while
  each news cycle of 100 articles has 25 statements that several of its articles report,
  each with its own attribution, for the similar-claims links to find. It is a pure function
  of ``(seed, index)``: the same pair gives the same article on every machine and in every
  process, so a benchmark can make its texts anywhere. Each article also lists the spans of
  its check-worthy sentences (with their speakers), known by construction.
* :func:`synthesize` fills a database with ``documents`` such articles, their claims taken from
  those known spans (no extraction: that is what makes 100,000 claims a matter of seconds;
  ``claim.text == document.text[char_start:char_end]`` holds as for extracted claims, and the
  extractor is recorded as ``synth@1``), ``reviewers`` reviewer accounts without passwords, and
  ``reviews_per_claim`` reviews per claim. Each claim has a latent true verdict drawn from the
  verdict mix; each reviewer gives it with probability ``agreement``, else one of the other
  two. Claims whose reviews all agree get the automatic final verdict (``single`` for one
  review a claim, else ``consensus``); a share of the others is adjudicated by the admin
  ``synth-admin`` (the majority verdict, with a reason), the rest wait for adjudication.
  Rows go in with SQLAlchemy Core bulk inserts and explicit ids, a few thousand rows per
  statement and one transaction per batch of documents. No history entries are written for
  the synthetic reviews (the history shows what happens afterwards), and no similarity
  sketches (``workbench rebuild-similarity`` computes them if wanted).
"""

from workbench.synth.fill import (
    ADMIN,
    DEFAULT_ADJUDICATED,
    DEFAULT_AGREEMENT,
    DEFAULT_MIX,
    EXTRACTOR,
    SynthReport,
    latent_mix,
    synthesize,
)
from workbench.synth.news import Article, SynthClaim, article, articles

__all__ = [
    "ADMIN",
    "DEFAULT_ADJUDICATED",
    "DEFAULT_AGREEMENT",
    "DEFAULT_MIX",
    "EXTRACTOR",
    "Article",
    "SynthClaim",
    "SynthReport",
    "article",
    "articles",
    "latent_mix",
    "synthesize",
]
