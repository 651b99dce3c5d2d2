"""Fixtures for the extractor tests: the sample articles shipped with the package."""

from __future__ import annotations

import pytest

from tests.extract.support import sample


@pytest.fixture
def sample_text() -> str:
    return sample("001_47d5f9f377217e8c.txt")
