"""Helpers shared by the extractor tests."""

from __future__ import annotations

from importlib.resources import files


def sample(name: str) -> str:
    """One sample article, read the way the package reads it."""
    return (files("workbench") / "sample_data" / name).read_text(encoding="utf-8")
