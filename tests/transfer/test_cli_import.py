"""`workbench import FILE.jsonl`, used the way the README shows."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.cli_output import errors
from tests.transfer.support import (
    export_lines,
    ingest_reversed,
    review_three,
    reviews_of,
    row_counts,
    write_jsonl,
)
from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.db.open import open_database
from workbench.review import decisions, queue
from workbench.schemas import Verdict

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_export_with_the_cli_then_import_twice(
    db_url: str, other_url: str, sample_dir: Path, tmp_path: Path
) -> None:
    assert run("init", "--db", db_url)[0] == 0
    assert run("ingest", str(sample_dir), "--db", db_url, "--no-progress")[0] == 0
    # The default scorer's ingest stores linear@1's provisional claims; once re-scored they
    # are the full model's, the claims ``ingest_reversed`` stores below.
    assert run("rescore", "--db", db_url)[0] == 0
    there = open_database(db_url)
    review_three(there)
    path = tmp_path / "reviews.jsonl"
    assert run("export", "--format", "jsonl", "--out", str(path), "--db", db_url)[0] == 0
    here = open_database(other_url)
    ingest_reversed(here, sample_dir)

    code, out, err = run("import", str(path), "--db", other_url)

    assert (code, errors(err)) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}: ") and "7 reviews added, 0 unchanged" in lines[0]
    assert "1 adjudicated finals added" in lines[0] and "3 new reviewers" in lines[0]
    assert lines[-2] == "new reviewer accounts (no password, cannot log in yet): Ana, Ben, Cleo"
    assert lines[-1] == "to let one log in: workbench users set-password NAME"
    assert reviews_of(here) == reviews_of(there)

    code, out, _ = run("import", str(path), "--db", other_url, "--json")
    report = json.loads(out)
    assert code == 0 and len(out.strip().splitlines()) == 1
    assert (report["reviews_added"], report["reviews_unchanged"]) == (0, 7)
    assert (report["conflicts"], report["unmatched"], report["new_reviewers"]) == ([], [], [])


def test_unmatched_lines_and_conflicts_are_listed_by_line(
    seeded: Engine, db_url: str, tmp_path: Path
) -> None:
    ids = review_three(seeded)
    lines: list[Any] = export_lines(seeded)
    stranger = json.loads(json.dumps(lines[0]))
    stranger["document"]["sha256"] = "ef" * 32
    lines.insert(1, stranger)  # line 2
    # Ben changes his mind here after the export: the file's review is now a conflict.
    decisions.set_verdict(seeded, ids[1], local_actor(seeded, "Ben"), Verdict.disputed)
    ben_line = next(n for n, r in enumerate(lines, start=1) if r["claim_id"] == ids[1])
    path = write_jsonl(tmp_path / "r.jsonl", lines)

    code, out, _ = run("import", str(path), "--db", db_url)

    assert code == 0  # the import ran: unmatched lines and conflicts are reported, not errors
    assert f"line 2: unmatched, skipped: no document with sha256 {'ef' * 32} here" in out
    assert f"line {ben_line}: conflict: Ben already reviewed claim {ids[1]} here" in out
    assert "6 unchanged" in out and "1 conflicts, 1 unmatched" in out
    assert "set-password" not in out  # no new accounts

    code, out, _ = run("import", str(path), "--db", db_url, "--json")
    report = json.loads(out)
    assert report["unmatched"] == [
        {"line": 2, "reason": f"no document with sha256 {'ef' * 32} here"}
    ]
    assert [(c["line"], c["claim_id"], c["reviewer"]) for c in report["conflicts"]] == [
        (ben_line, ids[1], "Ben")
    ]


def test_a_bad_file_is_one_line_naming_file_line_and_field(
    seeded: Engine, db_url: str, tmp_path: Path
) -> None:
    ids = [r["claim_id"] for r in export_lines(seeded)[:5]]
    lines: list[Any] = [
        {"claim_id": i, "reviews": [{"reviewer": "Ana", "verdict": "verified"}]} for i in ids
    ]
    lines[2]["reviews"][0]["verdict"] = "mostly true"
    path = write_jsonl(tmp_path / "bad.jsonl", lines)
    counts = row_counts(seeded)

    code, out, err = run("import", str(path), "--db", db_url)

    assert (code, out) == (1, "")
    assert errors(err) == (
        f"error: {path}:3: field 'reviews[0].verdict': "
        "must be verified, disputed, unsupported or null, not 'mostly true'\n"
    )
    assert row_counts(seeded) == counts


def test_a_missing_file_is_one_line(engine: Engine, db_url: str, tmp_path: Path) -> None:
    code, _, err = run("import", str(tmp_path / "nowhere.jsonl"), "--db", db_url)
    assert code == 1
    assert errors(err).startswith("error: ") and "nowhere.jsonl" in err
    assert errors(err).count("\n") == 1 and "Traceback" not in err


def test_a_database_that_was_never_initialised_is_refused(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", [{"claim_id": 1, "reviews": []}])
    new = tmp_path / "new.sqlite"
    code, _, err = run("import", str(path), "--db", f"sqlite:///{new}")
    assert code == 1 and "workbench init --db" in err and not new.exists()
    new.touch()  # a file that is not (yet) a workbench database
    code, _, err = run("import", str(path), "--db", f"sqlite:///{new}")
    assert code == 1 and "run `workbench init` first" in err


def test_the_installed_command_imports(seeded: Engine, db_url: str, tmp_path: Path) -> None:
    ids = [r["claim_id"] for r in export_lines(seeded)[:2]]
    path = write_jsonl(
        tmp_path / "other-tool.jsonl",
        [{"claim_id": i, "reviews": [{"reviewer": "Kim", "verdict": "verified"}]} for i in ids],
    )
    command = shutil.which("workbench") or str(Path(sys.executable).parent / "workbench")
    result = subprocess.run(
        [command, "import", str(path), "--db", db_url, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["reviews_added"], report["new_reviewers"]) == (2, ["Kim"])
    assert [r.reviewer for r in queue.get_claim(seeded, ids[0], actor=SYSTEM).reviews] == ["Kim"]
