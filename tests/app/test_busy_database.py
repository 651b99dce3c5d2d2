"""The Review page when another process holds the database: a sentence, never a traceback."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.app.support import sign_in
from tests.transfer.support import row_counts
from tests.transfer.test_contention import impatient, writer

__all__ = ["impatient", "writer"]  # fixtures


@pytest.mark.backends("sqlite")
def test_the_review_page_shows_a_busy_database_as_a_sentence(
    seeded: Engine,
    impatient: Engine,
    writer: sqlite3.Connection,
    app: Any,
) -> None:
    at = sign_in(app())
    writer.execute("BEGIN IMMEDIATE")
    at.button(key="verdict_verified").click()
    at.run(timeout=30)
    writer.execute("ROLLBACK")
    assert not at.exception
    assert any("The database is busy" in str(e.value) for e in at.error)
    assert row_counts(seeded)["reviews"] == 0  # nothing half-saved
