"""Every export gets a manifest, written after the data; a failed export leaves nothing.

The full disk is real: `workbench export` runs in a child process whose file size limit
(RLIMIT_FSIZE) is below the export's size, so its writes fail with EFBIG the way they fail with
ENOSPC on a full disk (SIGXFSZ, which would kill it, is ignored as a shell's `ulimit -f` would
not; the export must then handle the error itself).
"""

from __future__ import annotations

import errno
import hashlib
import importlib.metadata
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from tests.export.conftest import Reviewed
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.db.models import Claim
from workbench.export import ExportFormat, export_to_file
from workbench.export.rows import RowBatch, iter_records, iter_row_batches
from workbench.export.service import export_history_to_file
from workbench.files.manifest import manifest_path, read_manifest, verify


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_the_manifest_describes_the_file(
    reviewed: Reviewed, tmp_path: Path, fmt: ExportFormat
) -> None:
    path = tmp_path / f"out.{fmt.value}"
    result = export_to_file(reviewed.engine, fmt, path, actor=SYSTEM)
    assert result.manifest == tmp_path / f"out.{fmt.value}.manifest.json"
    data = path.read_bytes()
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest() == result.sha256
    assert manifest["bytes"] == len(data)
    assert manifest["file"] == path.name
    assert manifest["format"] == fmt.value
    assert manifest["schema_version"] == 5
    assert manifest["software"] == {
        "name": "factcheck-workbench",
        "version": importlib.metadata.version("factcheck-workbench"),
    }
    records = list(iter_records(reviewed.engine))
    finals = [r for r in records if r.final_verdict]
    if fmt is ExportFormat.claimreview:
        assert (manifest["claims"], manifest["reviews"], manifest["rows"]) == (len(finals), 0, 3)
        assert manifest["filters"]["final_only"] is True
    else:
        reviews = sum(len(r.reviews) for r in records)
        assert (manifest["claims"], manifest["reviews"]) == (len(records), reviews)
        rows = {
            ExportFormat.csv: reviews + sum(1 for r in records if not r.reviews),
            ExportFormat.jsonl: len(records),
            ExportFormat.parquet: len(records),
        }[fmt]
        assert manifest["rows"] == rows == result.rows
        assert manifest["filters"]["final_only"] is False
    assert verify(path)
    path.write_bytes(data[:-1] + b"X")
    assert not verify(path)


def test_the_history_export_has_a_manifest_too(reviewed: Reviewed, tmp_path: Path) -> None:
    result = export_history_to_file(reviewed.engine, tmp_path / "h.jsonl", actor=SYSTEM)
    manifest = read_manifest(tmp_path / "h.jsonl")
    assert manifest.format == "history" and manifest.rows == result.rows > 0
    assert manifest.claims is None and verify(tmp_path / "h.jsonl")


def test_the_history_export_is_readable_by_its_owner_only(
    reviewed: Reviewed, tmp_path: Path
) -> None:
    # It holds the accounts' changes (names, roles, who disabled whom): not for everyone.
    previous = os.umask(0o022)
    try:
        history = tmp_path / "h.jsonl"
        history.write_text("an older file, world-readable\n", encoding="utf-8")
        export_history_to_file(reviewed.engine, history, actor=SYSTEM)
        claims = tmp_path / "claims.jsonl"
        export_to_file(reviewed.engine, ExportFormat.jsonl, claims, actor=SYSTEM)
    finally:
        os.umask(previous)
    assert history.stat().st_mode & 0o777 == 0o600  # the replaced file's mode went with it
    assert claims.stat().st_mode & 0o777 == 0o644  # an export stays readable by the team


def test_a_second_export_replaces_file_and_manifest(reviewed: Reviewed, tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    export_to_file(reviewed.engine, ExportFormat.jsonl, path, actor=SYSTEM)
    first = read_manifest(path)
    with reviewed.engine.begin() as connection:
        connection.execute(update(Claim).where(Claim.id == reviewed.verified).values(text="new"))
    export_to_file(reviewed.engine, ExportFormat.jsonl, path, actor=SYSTEM)
    second = read_manifest(path)
    assert second.sha256 != first.sha256 and verify(path)
    assert sorted(p.name for p in tmp_path.iterdir() if "out" in p.name) == [
        "out.jsonl",
        "out.jsonl.manifest.json",
    ]


def test_the_manifest_is_written_after_the_data(
    reviewed: Reviewed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out" / "x.csv"
    seen: list[tuple[bool, bool]] = []
    original = iter_row_batches

    def watching(*args: Any, **kwargs: Any) -> Iterator[RowBatch]:
        for batch in original(*args, **kwargs):
            seen.append((path.exists(), manifest_path(path).exists()))
            yield batch

    monkeypatch.setattr("workbench.export.service.iter_row_batches", watching)
    export_to_file(reviewed.engine, ExportFormat.csv, path, actor=SYSTEM)
    assert seen and all(s == (False, False) for s in seen)
    assert verify(path)


def test_a_manifest_that_cannot_be_written_takes_the_data_file_with_it(
    reviewed: Reviewed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*_args: Any) -> Path:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("workbench.files.manifest.write_manifest", full)
    with pytest.raises(OSError, match="No space left on device"):
        export_to_file(
            reviewed.engine, ExportFormat.jsonl, tmp_path / "out" / "x.jsonl", actor=SYSTEM
        )
    assert list((tmp_path / "out").iterdir()) == []


def test_a_full_disk_is_one_line_from_the_cli(
    reviewed: Reviewed, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = iter_row_batches

    def filling(*args: Any, **kwargs: Any) -> Iterator[RowBatch]:
        yield from original(*args, **kwargs)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("workbench.export.service.iter_row_batches", filling)
    out = tmp_path / "out" / "x.parquet"
    result = CliRunner().invoke(
        app, ["export", "--format", "parquet", "--out", str(out), "--db", db_url]
    )
    assert result.exit_code == 1
    assert (
        result.stderr.split("\n", 1)[1] == f"error: cannot write {out}: No space left on device\n"
    )
    assert list(out.parent.iterdir()) == []


# --- in a real `workbench export` process ------------------------------------------------------

LIMIT = 256 * 1024  # bytes: above SQLite's 32 KiB shared-memory file, below the export


def workbench(*args: str, limit: int | None = None) -> subprocess.Popen[str]:
    def limited() -> None:
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # stays ignored across exec
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.Popen(
        [sys.executable, "-c", "from workbench.cli import app; app()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limited,
    )


@pytest.fixture
def big(reviewed: Reviewed) -> Reviewed:
    """The reviewed database with a claim of a final verdict made larger than ``LIMIT``."""
    text = secrets.token_hex(LIMIT)  # random: no format compresses it below the limit
    with reviewed.engine.begin() as connection:
        connection.execute(update(Claim).where(Claim.id == reviewed.verified).values(text=text))
    return reviewed


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_a_full_disk_in_a_real_export_leaves_nothing(
    big: Reviewed, db_url: str, tmp_path: Path, fmt: ExportFormat
) -> None:
    out = tmp_path / "exports" / f"x.{fmt.value}"
    process = workbench(
        "export", "--format", fmt.value, "--out", str(out), "--db", db_url, limit=LIMIT
    )
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    assert stderr.split("\n", 1)[1] == f"error: cannot write {out}: File too large\n"
    assert stdout == ""
    assert list(out.parent.iterdir()) == []  # no data file, no .part, no manifest


def test_a_terminated_export_leaves_nothing(big: Reviewed, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "exports" / "x.csv"
    out.parent.mkdir()
    # One claim a batch and a pause after each: slow enough to be caught in the middle even
    # on a loaded machine (the database has only a dozen claims with reviews; at 0.05 s a
    # batch a CI run once finished the export before the signal arrived).
    slow = (
        "import time, workbench.export.service as s, workbench.export.rows as r\n"
        "def slow(*a, **k):\n"
        "    for b in r.iter_row_batches(*a, batch=1, **k):\n"
        "        time.sleep(0.5)\n"
        "        yield b\n"
        "s.iter_row_batches = slow\n"
        "from workbench.cli import app\n"
        "app()\n"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            slow,
            "export",
            "--format",
            "csv",
            "--out",
            str(out),
            "--db",
            db_url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".part") for p in out.parent.iterdir()):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    assert list(out.parent.iterdir()) == []
