"""Fact-check annotation workbench: ingest articles, extract claims, review, export."""

__version__ = "0.1.0"
