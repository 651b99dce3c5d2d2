"""Which database a command acts on: named on stderr, never created by accident, its password
never printed, even when the URL cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.db.session import mask_url

runner = CliRunner()
PASSWORD = "S3cretPW"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


# --- a SQLite file that does not exist is refused, except by init and demo ---------------------


def test_settings_set_as_the_readme_shows_it_without_init_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hostile tester's case: typed in a fresh folder, without --db, it reported success
    # on a new, empty db/workbench.sqlite.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKBENCH_DATABASE_URL", raising=False)
    code, out, err = run("settings", "set", "reviews_per_claim", "2")
    assert (code, out) == (1, "")
    database, error = err.splitlines()
    assert database == (
        f"database: sqlite:///db/workbench.sqlite ({tmp_path / 'db' / 'workbench.sqlite'})"
    )
    assert error == (
        "error: no database at db/workbench.sqlite: create it with "
        "`workbench init --db sqlite:///db/workbench.sqlite`, or pass --db (or set "
        "WORKBENCH_DATABASE_URL) to name the one you meant"
    )
    assert not (tmp_path / "db").exists()  # not even the folder
    assert run("init")[0] == 0
    assert run("settings", "set", "reviews_per_claim", "2")[:2] == (0, "reviews_per_claim = 2\n")


REFUSING = [
    ["ingest", "{samples}"],
    ["export", "--out", "{tmp}/x.jsonl"],
    ["export", "--history", "--out", "{tmp}/x.jsonl"],
    ["export", "--all", "--out", "{tmp}/x.jsonl"],
    ["import", "{tmp}/r.jsonl"],
    ["synth", "--documents", "1", "--reviewers", "1", "--reviews-per-claim", "1"],
    ["rebuild-similarity"],
    ["serve", "--port", "1"],
    ["agreement"],
    ["users", "add", "Ana", "--role", "admin", "--password-stdin"],
    ["users", "list"],
    ["users", "set-role", "Ana", "viewer"],
    ["users", "disable", "Ana"],
    ["users", "enable", "Ana"],
    ["users", "set-password", "Ana", "--password-stdin"],
    ["settings", "show"],
    ["settings", "set", "reviews_per_claim", "2"],
    ["train-extractor", "--data", "{tmp}", "--out", "{tmp}/w.npz"],
]


@pytest.mark.parametrize("args", REFUSING, ids=lambda a: " ".join(a[:2]))
def test_every_command_but_init_and_demo_refuses_a_missing_sqlite_file(
    args: list[str], tmp_path: Path, sample_dir: Path
) -> None:
    if args[0] == "train-extractor":
        pytest.importorskip("sklearn")
        for split in ("train", "dev", "dev-test"):
            (tmp_path / f"CT24_checkworthy_english_{split}.tsv").write_text("")
    (tmp_path / "r.jsonl").write_text('{"claim_id": 1, "reviews": []}\n')
    missing = tmp_path / "nowhere" / "wb.sqlite"
    filled = [a.format(tmp=tmp_path, samples=sample_dir) for a in args]
    code, _, err = run(*filled, "--db", f"sqlite:///{missing}", stdin="correct horse battery\n")
    assert code == 1, err
    assert err.splitlines()[0] == f"database: sqlite:///{missing}"
    assert err.splitlines()[-1].startswith(f"error: no database at {missing}: create it with")
    assert "Traceback" not in err
    assert not missing.parent.exists()


def test_init_creates_it_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "new" / "wb.sqlite"
    code, out, err = run("init", "--db", f"sqlite:///{path}")
    assert code == 0 and path.is_file()
    assert err == f"database: sqlite:///{path}\n"
    assert out == f"database ready: sqlite:///{path}\n"


def test_json_output_stays_pure_json_on_stdout(db_url: str) -> None:
    assert run("init", "--db", db_url)[0] == 0
    for args in (
        ["users", "list", "--json"],
        ["settings", "show", "--json"],
        ["agreement", "--json"],
    ):
        code, out, err = run(*args, "--db", db_url)
        assert code == 0, err
        json.loads(out)
        assert err.startswith("database: ")


def test_the_database_line_hides_the_password(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("a SQLite URL has no password")
    assert run("init", "--db", db_url)[0] == 0
    with_password = db_url.replace("postgres@", f"postgres:{PASSWORD}@", 1)
    code, out, err = run("users", "list", "--db", with_password)
    assert code == 0, err
    assert PASSWORD not in out + err
    assert err.splitlines()[0].startswith("database: postgresql+psycopg://postgres:***@")


# --- a URL that cannot be read: one line, password masked ---------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"postgresql+psycopg//postgres:{PASSWORD}@127.0.0.1/test", "expected dialect+driver"),
        (f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:abc/test", "port must be a number"),
        (f"postgresql+psycopg:/postgres:{PASSWORD}@127.0.0.1:5432/test", "expected dialect"),
    ],
)
@pytest.mark.parametrize("command", [["init"], ["users", "list"], ["export"]])
def test_an_unreadable_url_is_one_line_without_its_password(
    url: str, reason: str, command: list[str]
) -> None:
    code, out, err = run(*command, "--db", url)
    assert (code, out) == (1, "")
    assert PASSWORD not in err and "Traceback" not in err
    database, error = err.splitlines()
    assert database.startswith("database: ") and "***" in database
    assert error.startswith("error: invalid database URL") and reason in error


def test_mask_url_hides_what_could_be_a_password() -> None:
    assert mask_url("postgresql+psycopg://u:pw@h:5432/d") == "postgresql+psycopg://u:***@h:5432/d"
    assert mask_url("postgresql+psycopg//u:pw@h/d") == "postgresql+psycopg//u:***@h/d"
    assert mask_url("postgresql+psycopg://u:pw@h:abc/d") == "postgresql+psycopg://u:***@h:abc/d"
    assert mask_url("postgresql://u:p/w@h/d") == "postgresql://u:***@h/d"
    assert mask_url("sqlite:///db/workbench.sqlite") == "sqlite:///db/workbench.sqlite"
    # When the parts cannot be told apart, more is hidden, never less.
    assert mask_url("postgresql+psycopg:/u:p/w@h/d") == "postgresql+psycopg:***@h/d"
