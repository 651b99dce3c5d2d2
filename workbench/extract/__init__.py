"""Claim extraction: find check-worthy sentences in a document, with offsets and speakers."""

from workbench.extract.pipeline import Extractor, HeuristicExtractor, default_extractor

__all__ = ["Extractor", "HeuristicExtractor", "default_extractor"]
