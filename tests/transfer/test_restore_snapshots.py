"""A restore drops the stored page figures: the version they are keyed by can repeat."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select

from tests.transfer.test_backup import fill
from workbench.auth.policy import SYSTEM
from workbench.db import snapshots
from workbench.db.models import FigureSnapshot
from workbench.db.open import open_database
from workbench.transfer.backup import export_backup, restore_backup


def test_a_restore_forgets_figures_stored_under_the_version_it_reproduces(
    engine: Engine, other_url: str, tmp_path: Path
) -> None:
    fill(engine)
    path = tmp_path / "backup.jsonl"
    export_backup(engine, path, actor=SYSTEM)
    restored_version = snapshots.version(engine)
    target = open_database(other_url)
    # Figures of other data that happen to carry the version the restore will reproduce
    # (the newest ids): without the restore dropping them they would pass for current.
    snapshots.store(target, "agreement:blind:all", restored_version, b'{"stale": true}')
    snapshots.store(target, "progress", "0.0.0.0.0", b"{}")

    report = restore_backup(target, path, actor=SYSTEM)

    assert report.written
    assert snapshots.version(target) == restored_version
    assert snapshots.load(target, "agreement:blind:all", restored_version) is None
    with target.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(FigureSnapshot)) == 0


def test_a_refused_restore_keeps_the_figures(engine: Engine, tmp_path: Path) -> None:
    # A restore into a database holding data writes nothing without --add-missing: the
    # figures there stay as valid as they were.
    fill(engine)
    path = tmp_path / "backup.jsonl"
    export_backup(engine, path, actor=SYSTEM)
    now = snapshots.version(engine)
    snapshots.store(engine, "agreement:blind:all", now, b"{}")
    assert not restore_backup(engine, path, actor=SYSTEM).written
    assert snapshots.load(engine, "agreement:blind:all", now) == b"{}"
