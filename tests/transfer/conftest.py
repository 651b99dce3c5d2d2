"""A second database beside the test's own, on the same backend, for import round trips."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from tests.transfer.support import ingest_reversed
from workbench.db.open import open_database
from workbench.db.session import dispose_all


@pytest.fixture
def other_url(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database on the backend of ``db_url``: a second file, or a second schema."""
    if make_url(db_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'other.sqlite'}"
        return
    postgres = request.getfixturevalue("postgres")
    schema = postgres.migrated_schema()
    label = postgres.label()
    try:
        yield postgres.url(schema, label)
    finally:
        dispose_all()
        postgres.release(schema, label)


@pytest.fixture
def other(other_url: str, sample_dir: Path) -> Engine:
    """The same five articles as ``seeded``, ingested in the opposite order: same texts,
    sha256 and offsets, different ids."""
    engine = open_database(other_url)
    ingest_reversed(engine, sample_dir)
    return engine
