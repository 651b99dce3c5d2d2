"""Fixtures for driving the Streamlit app with AppTest against a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

HOME = Path(__file__).parents[2] / "workbench" / "app" / "Home.py"


class BrowserAppTest(AppTest):
    """AppTest whose page switches drop the address's query, as the browser's do.

    The browser's navigation opens a page at its own address (``/queue``, no ``?claim=``:
    tests/browser/test_review_browser.py checks it); AppTest keeps ``query_params`` across
    ``switch_page``, which would hand the Review page's ``?claim=`` to the next page.
    """

    def switch_page(self, page_path: str) -> AppTest:
        self.query_params.clear()
        return super().switch_page(page_path)


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], AppTest]]:
    """A factory of AppTests of the review app, pointed at this test's database."""
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", db_url)
    st.cache_resource.clear()

    def make() -> AppTest:
        at = AppTest.from_file(str(HOME), default_timeout=30)
        at.__class__ = BrowserAppTest  # (from_file makes an AppTest, whatever the class)
        return at

    yield make
    st.cache_resource.clear()
