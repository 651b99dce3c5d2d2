"""Slices of texts bounded by characters: every text once, in order, none split."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workbench.extract.slices import by_characters


@given(st.lists(st.text(max_size=30), max_size=40), st.integers(1, 60))
def test_slices_keep_every_text_in_order_within_the_limit(texts: list[str], limit: int) -> None:
    parts = list(by_characters(texts, limit))
    assert [t for part in parts for t in part] == texts
    for part in parts:
        assert part  # no empty slice
        assert len(part) == 1 or sum(map(len, part)) <= limit
