"""Fixtures for driving the Streamlit app with AppTest against a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

HOME = Path(__file__).parents[2] / "workbench" / "app" / "Home.py"


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], AppTest]]:
    """A factory of AppTests of the review app, pointed at this test's database."""
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", db_url)
    st.cache_resource.clear()

    def make() -> AppTest:
        return AppTest.from_file(str(HOME), default_timeout=30)

    yield make
    st.cache_resource.clear()
