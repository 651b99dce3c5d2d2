"""`workbench init` killed with SIGKILL in the middle of migration 0015 on a SQLite file.

On SQLite the migrations run in one transaction with foreign keys off
(workbench/db/migrations/env.py): 0015 rebuilds the documents table by copying it. A kill
mid-copy must leave the file as it was, at 0014 with every row, foreign keys on again for
the next connection (the pragma is the connection's, never the file's), and a second
`workbench init` must upgrade it fully. The file is large enough (about 60 MB of document
text) that the copy takes a while; the kill lands once the copy has spilled pages into the
write-ahead log, which only a migration's writes do.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from tests.test_faults import kill_when, workbench
from workbench.db.migrate import alembic_config, current_revision, head_revision
from workbench.db.open import open_database
from workbench.db.session import forget, get_engine
from workbench.synth import synthesize

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

FILLER_DOCUMENTS = 1_200
FILLER_BYTES = 25_000  # hex(randomblob(n)): 2n characters of text each
SPILLED = 1 << 20  # bytes of write-ahead log: the migration's copy is under way


def _at_0014(db: Path) -> None:
    """A database of the release before projects: made at head, taken down to 0014, then
    filled with large documents (raw SQL: the 0014 schema, not today's models)."""
    url = f"sqlite:///{db}"
    engine = open_database(url)
    synthesize(engine, documents=20, reviewers=3, reviews_per_claim=2, seed=5)
    command.downgrade(alembic_config(engine), "0014")
    assert current_revision(engine) == "0014"
    with engine.begin() as connection:
        columns = [
            row[1] for row in connection.exec_driver_sql("PRAGMA table_info(documents)").all()
        ]
        made = {
            "sha256": "lower(hex(randomblob(32)))",
            "text": f"hex(randomblob({FILLER_BYTES}))",
            "title": "'filler ' || n.i",
        }
        names = [c for c in columns if c != "id"]
        values = [made.get(c, f"d.{c}") for c in names]
        connection.execute(
            text(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                f"WHERE i < {FILLER_DOCUMENTS}) "
                f"INSERT INTO documents ({', '.join(names)}) "
                f"SELECT {', '.join(values)} FROM n, "
                "(SELECT * FROM documents ORDER BY id LIMIT 1) AS d"
            )
        )
    engine.dispose()
    forget(url)


def _fingerprint(db: Path) -> dict[str, object]:
    """Every table's row count, and a digest of every document's id, sha256 and text."""
    with sqlite3.connect(db) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        found: dict[str, object] = {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in sorted(tables)
        }
        digest = hashlib.sha256()
        for row in connection.execute("SELECT id, sha256, text FROM documents ORDER BY id"):
            digest.update(repr(row).encode())
        found["documents digest"] = digest.hexdigest()
        found["revision"] = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return found


def _wal(db: Path) -> int:
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_init_killed_mid_migration_leaves_0014_whole_and_a_rerun_upgrades(
    tmp_path: Path,
) -> None:
    db = tmp_path / "old.sqlite"
    _at_0014(db)
    before = _fingerprint(db)
    documents = before["documents"]
    assert before["revision"] == ("0014",)
    assert isinstance(documents, int) and documents > FILLER_DOCUMENTS
    assert _wal(db) == 0  # checkpointed when the last connection closed

    kill_when(["init", "--db", f"sqlite:///{db}"], lambda: _wal(db) > SPILLED)

    # Opening the file rolls the killed transaction back (its frames never committed).
    assert _fingerprint(db) == before
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        connection.execute("PRAGMA foreign_keys=ON")
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    url = f"sqlite:///{db}"
    engine = get_engine(url)
    with engine.connect() as connection:
        # The pragma belongs to the connection: the migration's "off" died with the process.
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    assert current_revision(engine) == "0014"
    engine.dispose()
    forget(url)

    workbench("init", "--db", url)

    engine = get_engine(url)
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        documents = connection.exec_driver_sql("SELECT count(*) FROM documents").scalar_one()
        projects = connection.exec_driver_sql("SELECT DISTINCT project_id FROM documents").scalars()
        assert documents == before["documents"] and list(projects) == [1]
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    engine.dispose()
    forget(url)
    after = _fingerprint(db)
    for table in ("documents", "claims", "reviews", "final_verdicts", "history", "users"):
        assert after[table] == before[table], table
    assert after["documents digest"] == before["documents digest"]
