"""Faults: a real `workbench` process killed with SIGKILL mid-way, then run again.

What a kill leaves: a consistent database (ingest commits a document with all its claims, an
import commits whole batches, a restore is one transaction) and no export file at the target
(only a hidden ``.part`` file, which the next export to the same target removes). Running the
command again finishes the job without duplicates.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.files.manifest import manifest_path, verify
from workbench.synth import articles

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

COMMAND = str(Path(sys.executable).parent / "workbench")


def workbench(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [COMMAND, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stderr
    return result


def count(db: Path, query: str) -> int:
    with sqlite3.connect(db, timeout=10) as connection:
        return int(connection.execute(query).fetchone()[0])


def kill_when(args: list[str], ready: Callable[[], bool], limit: float = 60) -> None:
    """Start `workbench ARGS`, SIGKILL it as soon as ``ready()``; it must not have finished."""
    process = subprocess.Popen(
        [COMMAND, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + limit
    try:
        while not ready():
            assert process.poll() is None, "finished before it could be killed"
            assert time.monotonic() < deadline, "made no progress"
            time.sleep(0.02)
        assert process.poll() is None, "finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL


def consistent(db: Path) -> None:
    with sqlite3.connect(db, timeout=10) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        # Every document was stored with its claims (ingest commits them together).
        assert not connection.execute(
            "SELECT count(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM claims c WHERE c.document_id = d.id)"
        ).fetchone()[0]
        # A single/consensus final verdict follows from decided reviews.
        assert not connection.execute(
            "SELECT count(*) FROM final_verdicts f WHERE f.source <> 'adjudicated' AND NOT "
            "EXISTS (SELECT 1 FROM reviews r WHERE r.claim_id = f.claim_id "
            "AND r.verdict IS NOT NULL)"
        ).fetchone()[0]


def test_a_killed_ingest_leaves_whole_documents_and_a_rerun_finishes(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for article in articles(5, 60):
        (folder / f"a{article.index:04d}.txt").write_text(
            f"{article.title}\n\n{article.text}", encoding="utf-8"
        )
    db = tmp_path / "wb.sqlite"
    url = f"sqlite:///{db}"
    workbench("init", "--db", url)
    # Batches of 10 documents: a kill can land between commits (200 would be one commit).
    args = ["ingest", str(folder), "--db", url, "--no-progress", "--workers", "1", "--batch", "10"]
    kill_when(args, lambda: count(db, "SELECT count(*) FROM documents") >= 3)
    consistent(db)
    kept = count(db, "SELECT count(*) FROM documents")
    claims_kept = count(db, "SELECT count(*) FROM claims")
    assert 3 <= kept < 60

    workbench(*args)
    consistent(db)
    assert count(db, "SELECT count(*) FROM documents") == 60
    assert count(db, "SELECT count(DISTINCT sha256) FROM documents") == 60
    # The documents stored before the kill kept exactly their claims.
    assert count(db, f"SELECT count(*) FROM claims WHERE document_id <= {kept}") == claims_kept


def test_a_killed_import_keeps_whole_batches_and_a_rerun_adds_the_rest(tmp_path: Path) -> None:
    source = tmp_path / "source.sqlite"
    target = tmp_path / "target.sqlite"
    synth = ["synth", "--documents", "30", "--reviewers", "5", "--seed", "4", "--no-progress"]
    workbench("init", "--db", f"sqlite:///{source}")
    workbench("init", "--db", f"sqlite:///{target}")
    workbench(*synth, "--reviews-per-claim", "1", "--db", f"sqlite:///{source}")
    workbench(*synth, "--reviews-per-claim", "0", "--db", f"sqlite:///{target}")
    reviews = tmp_path / "reviews.jsonl"
    workbench("export", "--format", "jsonl", "--out", str(reviews), "--db", f"sqlite:///{source}")
    expected = count(source, "SELECT count(*) FROM reviews")

    args = ["import", str(reviews), "--db", f"sqlite:///{target}"]
    kill_when(args, lambda: count(target, "SELECT count(*) FROM reviews") > 0)
    consistent(target)
    assert 0 < count(target, "SELECT count(*) FROM reviews") < expected

    workbench(*args)
    consistent(target)
    assert count(target, "SELECT count(*) FROM reviews") == expected
    assert count(target, "SELECT count(*) FROM evidence") == count(
        source, "SELECT count(*) FROM evidence"
    )


@pytest.mark.parametrize("backup", [False, True], ids=["jsonl", "all"])
def test_a_killed_export_leaves_no_file_and_a_rerun_writes_it(tmp_path: Path, backup: bool) -> None:
    db = tmp_path / "wb.sqlite"
    workbench("init", "--db", f"sqlite:///{db}")
    workbench(
        "synth",
        "--documents",
        "150",
        "--reviewers",
        "5",
        "--reviews-per-claim",
        "2",
        "--no-progress",
        "--db",
        f"sqlite:///{db}",
    )
    out = tmp_path / "out" / "export.jsonl"
    args = ["export", "--format", "jsonl", "--out", str(out), "--db", f"sqlite:///{db}"]
    if backup:
        args.append("--all")

    def parts() -> list[Path]:
        return list(out.parent.glob(".export.jsonl.*.part")) if out.parent.exists() else []

    kill_when(args, lambda: any(p.stat().st_size > 0 for p in parts()))
    assert not out.exists() and not manifest_path(out).exists()
    consistent(db)

    workbench(*args)
    assert verify(out)
    assert parts() == []  # the killed run's leftover is gone


def test_a_killed_restore_leaves_the_database_empty_and_a_rerun_restores_it(
    tmp_path: Path,
) -> None:
    source = tmp_path / "source.sqlite"
    target = tmp_path / "target.sqlite"
    workbench("init", "--db", f"sqlite:///{source}")
    workbench(
        "synth",
        "--documents",
        "150",
        "--reviewers",
        "5",
        "--reviews-per-claim",
        "2",
        "--no-progress",
        "--db",
        f"sqlite:///{source}",
    )
    backup = tmp_path / "backup.jsonl"
    workbench(
        "export", "--format", "jsonl", "--all", "--out", str(backup), "--db", f"sqlite:///{source}"
    )
    workbench("init", "--db", f"sqlite:///{target}")
    wal = target.with_name(target.name + "-wal")

    def writing() -> bool:  # the restore's one transaction is being written to the WAL
        return wal.exists() and wal.stat().st_size > 500_000

    args = ["import", str(backup), "--db", f"sqlite:///{target}"]
    kill_when(args, writing)
    consistent(target)
    for table in ("users", "documents", "claims", "reviews", "history"):
        assert count(target, f"SELECT count(*) FROM {table}") == 0

    workbench(*args)
    consistent(target)
    for table in ("users", "documents", "claims", "reviews", "evidence", "history"):
        query = f"SELECT count(*) FROM {table}"
        assert count(target, query) == count(source, query)
