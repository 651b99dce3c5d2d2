"""Claim extraction: find check-worthy sentences in a document, with offsets and speakers."""

from workbench.extract.pipeline import (
    Extractor,
    HeuristicExtractor,
    SentenceExtractor,
    default_extractor,
    ingest_extractor,
)
from workbench.extract.scorers import SentenceScorer, load_scorer

__all__ = [
    "Extractor",
    "HeuristicExtractor",
    "SentenceExtractor",
    "SentenceScorer",
    "default_extractor",
    "ingest_extractor",
    "load_scorer",
]
