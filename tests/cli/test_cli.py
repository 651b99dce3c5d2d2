"""The `workbench` command, used the way the README shows."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.cli_output import errors
from workbench.cli import app
from workbench.db.models import Claim
from workbench.db.open import open_database
from workbench.db.session import unit_of_work
from workbench.extract import default_extractor
from workbench.review import queue
from workbench.review import rescore as rs

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def initialised(db_url: str) -> str:
    """``db_url`` after `workbench init`: every command but init and demo needs it done."""
    assert run("init", "--db", db_url)[0] == 0
    return db_url


def test_ingest_reports_added_then_duplicates(initialised: str, sample_dir: Path) -> None:
    db_url = initialised
    code, out, _ = run("ingest", str(sample_dir), "--db", db_url)
    assert code == 0
    assert "5 added" in out and "0 skipped as duplicate, 0 failed" in out
    code, out, _ = run("ingest", str(sample_dir), "--db", db_url)
    assert (code, "0 added (0 claims), 5 skipped as duplicate, 0 failed" in out) == (0, True)


def test_a_bad_file_is_named_and_the_batch_goes_on(initialised: str, tmp_path: Path) -> None:
    db_url = initialised
    (tmp_path / "good.txt").write_text(
        "Ministry figures\n\nThe ministry said 4,000 people were evacuated on Monday.\n"
    )
    (tmp_path / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (tmp_path / "lines.jsonl").write_text(
        '{"text": "Officials said 12 bridges closed in 2023."}\n{broken\n{"title": "no text"}\n'
    )
    code, out, err = run("ingest", str(tmp_path), "--db", db_url)
    assert code == 1
    assert "2 added" in out and "3 failed" in out  # bad.txt and two lines of lines.jsonl
    assert "bad.txt" in err
    assert "lines.jsonl:2" in err and "lines.jsonl:3" in err
    assert len(queue.list_documents(open_database(db_url))) == 2


def test_extract_prints_claims_as_json_and_stores_nothing(sample_dir: Path, tmp_path: Path) -> None:
    article = sample_dir / "001_47d5f9f377217e8c.txt"
    code, out, _ = run("extract", str(article), "--jsonl")
    assert code == 0
    source = article.read_text(encoding="utf-8")
    claims = [json.loads(line) for line in out.splitlines()]
    assert claims
    for claim in claims:
        assert set(claim) == {
            "document",
            "text",
            "char_start",
            "char_end",
            "speaker",
            "score",
            "extractor",
        }
        assert source[claim["char_start"] : claim["char_end"]] == claim["text"]
        assert claim["document"] == str(article)
    assert not (tmp_path / "db").exists()


def test_export_writes_a_timestamped_file_under_exports(
    initialised: str, sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url = initialised
    monkeypatch.setenv("WORKBENCH_EXPORT_DIR", str(tmp_path / "exports"))
    run("ingest", str(sample_dir), "--db", db_url)
    formats = [
        ("csv", ".csv"),
        ("jsonl", ".jsonl"),
        ("parquet", ".parquet"),
        ("claimreview", ".jsonld"),
    ]
    for fmt, suffix in formats:
        code, out, _ = run("export", "--format", fmt, "--db", db_url)
        assert code == 0, out
        wrote, manifest = out.splitlines()
        written = Path(wrote.split(" to ")[-1])
        assert written.parent == tmp_path / "exports" and written.suffix == suffix
        assert written.stat().st_size > 0
        assert manifest.endswith(f"manifest {written}.manifest.json")


def test_export_to_a_folder_that_cannot_be_written_is_one_clear_line(
    initialised: str, sample_dir: Path, tmp_path: Path
) -> None:
    db_url = initialised
    run("ingest", str(sample_dir), "--db", db_url)
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run("export", "--format", "csv", "--out", str(blocker / "x.csv"), "--db", db_url)
    assert code == 1
    assert errors(err).startswith("error: cannot write") and "Traceback" not in err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "invalid database URL"),
        ("mysql+nosuchdriver://x/y", "cannot use database URL"),
        ("sqlite:////nonexistent-dir/\x00/db.sqlite", "database"),
    ],
)
def test_a_bad_database_url_is_one_clear_line(url: str, message: str) -> None:
    code, _, err = run("init", "--db", url)
    assert code == 1
    assert message in err and "Traceback" not in err


def test_a_database_from_a_newer_workbench_is_refused(db_url: str) -> None:
    engine = open_database(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    code, _, err = run("init", "--db", db_url)
    assert code == 1 and "newer than this workbench knows" in err


def test_demo_loads_the_sample_corpus_into_a_fresh_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for _ in range(2):  # a second demo starts from scratch again
        code, out, _ = run("demo", "--no-serve")
        assert code == 0 and "5 added" in out
    engine = open_database(f"sqlite:///{tmp_path / 'db' / 'demo.sqlite'}")
    assert len(queue.list_documents(engine)) == 5
    assert queue.progress(engine).total > 20


# The default install (issue 16): no WORKBENCH_SCORER, so the `onnx` scorer, minilm-onnx@4.


def claim_rows(engine: Engine) -> list[tuple[str, float, str, str | None, str]]:
    """(text, score, extractor, scored_by, status) of every stored claim, held-out ones too."""
    with unit_of_work(engine) as session:
        found = session.execute(
            select(Claim.text, Claim.score, Claim.extractor, Claim.scored_by, Claim.status)
        )
        return [(t, score, extractor, by, status) for t, score, extractor, by, status in found]


def test_the_demo_ranks_by_the_default_full_model_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_dir: Path
) -> None:
    monkeypatch.delenv("WORKBENCH_SCORER", raising=False)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("demo", "--no-serve")
    assert code == 0 and "5 added (67 claims)" in out
    engine = open_database(f"sqlite:///{tmp_path / 'db' / 'demo.sqlite'}")
    stored = claim_rows(engine)
    # Scored by the whole model at ingest: nothing provisional, nothing held out, none waiting.
    assert {(extractor, by, status) for _, _, extractor, by, status in stored} == {
        ("minilm-onnx@4", None, "open")
    }
    assert rs.pending(engine, "linear@1") == 0
    # The ranking ("next claim" by score) is the full model's: the scores `workbench extract`
    # prints with the default scorer, claim for claim.
    full = default_extractor()
    expected = {
        (c.text, round(c.score, 9))
        for path in sorted(sample_dir.glob("*.txt"))
        for c in full.extract(path.read_text())
    }
    assert {(t, round(score, 9)) for t, score, *_ in stored} == expected


@pytest.mark.backends("sqlite")
def test_ingest_by_default_stores_provisional_claims_and_rescore_finishes_them(
    initialised: str, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKBENCH_SCORER", raising=False)
    code, out, _ = run("ingest", str(sample_dir), "--db", initialised)
    assert code == 0 and "5 added (75 claims)" in out  # linear@1's, at once
    engine = open_database(initialised)
    stored = claim_rows(engine)
    assert len(stored) == 111  # 36 more held out of the queue for the transformer to judge
    assert {(extractor, by) for _, _, extractor, by, _ in stored} == {("minilm-onnx@4", "linear@1")}
    assert {status for *_, status in stored} == {"open", "held_out"}
    assert queue.progress(engine).total == 75
    code, out, err = run("rescore", "--db", initialised)
    assert code == 0, err
    assert "re-scoring with minilm-onnx@4" in err
    assert "111 claims re-scored: 7 put in the queue, 15 taken out; 0 still scored by" in out
    finished = claim_rows(engine)
    assert {(extractor, by) for _, _, extractor, by, _ in finished} == {("minilm-onnx@4", None)}
    assert queue.progress(engine).total == 67
    # The end state is the demo's: the same claims with the same scores.
    full = default_extractor()
    expected = {
        (c.text, round(c.score, 9))
        for path in sorted(sample_dir.glob("*.txt"))
        for c in full.extract(path.read_text())
    }
    assert {(t, round(score, 9)) for t, score, *_, status in finished if status == "open"} == (
        expected
    )


def test_the_installed_command_runs() -> None:
    command = shutil.which("workbench") or str(Path(sys.executable).parent / "workbench")
    result = subprocess.run([command, "--help"], capture_output=True, text=True, check=True)
    for name in ("init", "ingest", "extract", "export", "serve", "demo"):
        assert name in result.stdout


# PostgreSQL: the same commands through WORKBENCH_DATABASE_URL, and its failures as one line.


@pytest.mark.backends("postgresql")  # SQLite's commands are covered in-process above
def test_init_ingest_export_on_postgresql_through_the_environment(
    db_url: str, sample_dir: Path, tmp_path: Path
) -> None:
    """The installed command, as a user runs it: the URL (and its schema) from the environment."""
    command = shutil.which("workbench") or str(Path(sys.executable).parent / "workbench")
    # A password the output must not show (a server that asks for none ignores it).
    url = make_url(db_url)
    if url.password is None:
        url = url.set(password="never-printed")
    password = str(url.password)
    env = os.environ | {"WORKBENCH_DATABASE_URL": url.render_as_string(hide_password=False)}

    def workbench(*args: str) -> str:
        result = subprocess.run(
            [command, *args], capture_output=True, text=True, env=env, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        assert password not in result.stdout + result.stderr
        return result.stdout

    assert "database ready" in workbench("init")
    assert "5 added" in workbench("ingest", str(sample_dir), "--no-progress")
    out = tmp_path / "claims.jsonl"
    assert "rows to" in workbench("export", "--format", "jsonl", "--out", str(out))
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == queue.progress(open_database(db_url)).total > 20
    assert not (tmp_path / "db").exists()  # nothing fell back to the default SQLite file


UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test"


@pytest.mark.parametrize(
    "args", [["init"], ["ingest", "missing.txt"], ["export", "--format", "jsonl"]]
)
def test_an_unreachable_postgresql_server_is_one_clear_line(args: list[str]) -> None:
    code, _, err = run(*args, "--db", UNREACHABLE)
    assert code == 1
    assert errors(err).startswith("error: cannot open the database") and "127.0.0.1" in err
    assert errors(err).count("\n") == 1 and "Traceback" not in err


def test_a_missing_postgresql_driver_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if psycopg were not installed: importing it raises ImportError.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    code, _, err = run("init", "--db", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert code == 1
    assert "driver is not installed" in err and "factcheck-workbench[postgres]" in err
    assert errors(err).count("\n") == 1 and "Traceback" not in err


@pytest.mark.backends("postgresql")
def test_a_schema_that_does_not_exist_is_one_clear_line(db_url: str) -> None:
    missing = db_url.replace("search_path%3D", "search_path%3Dno_such_")
    code, _, err = run("init", "--db", missing)
    assert code == 1
    assert "has no schema to work in" in err and "CREATE SCHEMA" in err
    assert errors(err).count("\n") == 1 and "Traceback" not in err


def test_ingest_skips_a_link_out_of_the_folder_unless_told(
    initialised: str, tmp_path: Path
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.txt").write_text(
        "Ministry figures\n\nThe ministry said 4,000 people were evacuated on Monday.\n"
    )
    (tmp_path / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (tmp_path / "folder" / "x.txt").symlink_to(tmp_path / "secret.txt")
    code, out, err = run("ingest", str(tmp_path / "folder"), "--db", initialised, "--no-progress")
    assert code == 0, err
    assert f"warning: {tmp_path / 'folder' / 'x.txt'}: skipped: a link to file" in err
    assert out.strip().endswith("1 added (1 claims), 0 skipped as duplicate, 0 failed, 1 warning")
    code, out, err = run(
        "ingest", str(tmp_path / "folder"), "--db", initialised, "--no-progress", "--follow-links"
    )
    assert (code, "1 added" in out, errors(err)) == (0, True, "")
