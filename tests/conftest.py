"""Shared fixtures: a real SQLite file per test, optionally filled with the sample corpus."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import as_file, files
from pathlib import Path

import pytest
from sqlalchemy import Engine

from workbench.database import open_database
from workbench.db.session import dispose_all


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'workbench.sqlite'}"
    dispose_all()


@pytest.fixture
def engine(db_url: str) -> Engine:
    """An empty database with the current schema, migrated by Alembic."""
    return open_database(db_url)


@pytest.fixture
def sample_dir() -> Iterator[Path]:
    with as_file(files("workbench") / "sample_data") as path:
        yield Path(path)


@pytest.fixture
def seeded(engine: Engine, sample_dir: Path) -> Engine:
    """The database after `workbench ingest` of the five sample articles."""
    from workbench.extract import default_extractor
    from workbench.ingest.service import ingest_paths

    report = ingest_paths(engine, [sample_dir], default_extractor(), max_bytes=10**7)
    assert report.added == 5 and not report.errors
    return engine
