"""`workbench projects ...`, `users grant` and `--project`: the command line of issue 14."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app

runner = CliRunner()


def run(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def initialised(db_url: str) -> str:
    assert run("init", "--db", db_url)[0] == 0
    return db_url


def test_projects_add_list_and_ingest_into_each(initialised: str, sample_dir: Path) -> None:
    db = initialised
    code, out, err = run(
        "projects", "add", "elections", "--verdicts", "disputed,unsupported,verified",
        "--description", "The election desk", "--db", db,
    )  # fmt: skip
    assert code == 0, err
    assert "added project elections: disputed, unsupported, verified" in out
    # Two projects: a command that writes one's data must be told which.
    code, _, err = run("ingest", str(sample_dir), "--db", db)
    assert code == 1 and "several projects (default, elections)" in err
    assert "--project NAME or WORKBENCH_PROJECT" in err
    assert run("ingest", str(sample_dir), "--db", db, "--project", "elections")[0] == 0
    code, _, _ = run("ingest", str(sample_dir), "--db", db, env={"WORKBENCH_PROJECT": "default"})
    assert code == 0
    code, out, _ = run("projects", "list", "--json", "--db", db)
    listed = {p["name"]: p for p in json.loads(out)}
    assert listed["elections"]["documents"] == listed["default"]["documents"] == 5
    assert listed["elections"]["verdicts"] == ["disputed", "unsupported", "verified"]
    assert listed["elections"]["description"] == "The election desk"
    code, out, _ = run("projects", "list", "--db", db)
    assert out.splitlines()[0].split() == [
        "name", "documents", "claims", "reviews", "members", "verdicts"
    ]  # fmt: skip


def test_a_scale_that_cannot_be_parsed_is_one_line(initialised: str) -> None:
    db = initialised
    code, _, err = run("projects", "add", "x", "--verdicts", "true,Not True", "--db", db)
    assert code == 1 and _one_error(err) and "--verdicts 'true,Not True'" in err
    code, _, err = run("projects", "add", "x", "--verdicts", "verified,verified", "--db", db)
    assert code == 1 and "appears twice" in err
    code, _, err = run("projects", "set", "default", "verdicts", "[{", "--db", db)
    assert code == 1 and "not JSON" in err
    labels = '[{"name": "verified", "label": "True"}, {"name": "disputed", "label": "False"}]'
    assert run("projects", "set", "default", "verdicts", labels, "--db", db)[0] == 0
    code, out, _ = run("projects", "show", "default", "--db", db)
    assert "[1] verified" not in out and "verified (rating 2)" in out


def test_projects_set_changes_settings_and_description(initialised: str) -> None:
    db = initialised
    assert run("projects", "set", "default", "reviews_per_claim", "3", "--db", db)[0] == 0
    code, out, _ = run("settings", "show", "--json", "--db", db, "--project", "default")
    assert json.loads(out)["reviews_per_claim"] == 3
    code, out, err = run("projects", "set", "default", "reviews_per_claim", "99", "--db", db)
    assert code == 1 and "setting reviews_per_claim" in err
    code, _, err = run("projects", "set", "default", "colour", "red", "--db", db)
    assert code == 1 and "unknown key 'colour'" in err
    assert run("projects", "set", "default", "description", "Main desk", "--db", db)[0] == 0
    code, out, _ = run("projects", "show", "default", "--db", db)
    assert "description: Main desk" in out and "[1] verified (rating 3)" in out


def test_guidelines_from_a_file_or_stdin(initialised: str, tmp_path: Path) -> None:
    db = initialised
    rules = tmp_path / "rules.md"
    rules.write_text("# How we check\n\nTwo independent sources.\n", encoding="utf-8")
    code, out, _ = run("projects", "guidelines", "default", str(rules), "--db", db)
    assert code == 0 and "guidelines version 1" in out
    code, out, _ = run("projects", "guidelines", "default", "-", "--db", db, stdin="# v2\n")
    assert code == 0 and "guidelines version 2" in out
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"ok\n\xff\xfe")
    code, _, err = run("projects", "guidelines", "default", str(bad), "--db", db)
    assert code == 1 and "bad.md:2: not UTF-8 text" in err
    code, _, err = run("projects", "guidelines", "default", str(tmp_path), "--db", db)
    assert code == 1 and "not a regular file" in err
    code, out, _ = run("projects", "show", "default", "--json", "--db", db)
    assert json.loads(out)["guidelines"] == "# v2\n"


def test_users_grant_and_revoke(initialised: str) -> None:
    db = initialised
    assert run("projects", "add", "health", "--db", db)[0] == 0
    code, _, err = run(
        "users", "add", "Bo", "--role", "reviewer", "--password-stdin", "--db", db,
        stdin="correct horse battery\n",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(
        "users", "grant", "Bo", "--project", "health", "--role", "viewer", "--db", db
    )
    assert code == 0 and "Bo is viewer of project health" in out
    code, out, _ = run("projects", "members", "health", "--db", db)
    assert out.split() == ["Bo", "viewer"]
    assert run("users", "revoke", "Bo", "--project", "health", "--db", db)[0] == 0
    code, _, err = run("users", "revoke", "Bo", "--project", "health", "--db", db)
    assert code == 1 and "not a member of project health" in err
    code, _, err = run(
        "users", "grant", "Zed", "--project", "health", "--role", "viewer", "--db", db
    )
    assert code == 1 and "no user named 'Zed'" in err


POLITIFACT = "true,mostly-true,half-true,mostly-false,false,pants-on-fire"


def test_a_politifact_desk_from_the_command_line_and_map_verdicts(
    initialised: str, sample_dir: Path, tmp_path: Path
) -> None:
    db = initialised
    code, out, err = run("projects", "add", "facts", "--verdicts", POLITIFACT, "--db", db)
    assert code == 0, err
    assert f"added project facts: {POLITIFACT.replace(',', ', ')}" in out
    assert run("ingest", str(sample_dir), "--db", db, "--project", "facts")[0] == 0
    code, out, _ = run("export", "--format", "jsonl", "--project", "facts", "--db", db,
                       "--out", str(tmp_path / "x.jsonl"))  # fmt: skip
    claim = json.loads((tmp_path / "x.jsonl").read_text().splitlines()[0])["claim_id"]
    lines = [
        {"claim_id": claim, "reviews": [{"reviewer": "Ana", "verdict": "mostly-false"},
                                         {"reviewer": "Ben", "verdict": "false"}]},
    ]  # fmt: skip
    (tmp_path / "r.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, _, err = run("import", str(tmp_path / "r.jsonl"), "--project", "facts", "--db", db)
    assert code == 0, err

    code, _, err = run("projects", "map-verdicts", "facts", "false=mostly-false",
                       "--scale", "true,half-true,false", "--db", db)  # fmt: skip
    assert code == 1 and _one_error(err) and "mostly-false are in use" in err
    code, _, err = run("projects", "map-verdicts", "facts", "mostly-false", "--db", db)
    assert code == 1 and "OLD=NEW" in err
    code, out, err = run("projects", "map-verdicts", "facts", "mostly-false=false", "--json",
                         "--db", db)  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert (report["reviews"], report["finals"], report["finals_refreshed"]) == (1, 0, 1)
    assert report["verdicts"] == ["true", "mostly-true", "half-true", "false", "pants-on-fire"]
    code, out, _ = run("projects", "list", "--json", "--db", db)
    facts = next(p for p in json.loads(out) if p["name"] == "facts")
    assert facts["verdicts"] == report["verdicts"]
    code, out, err = run("export", "--format", "jsonl", "--project", "facts", "--verdict",
                         "false", "--db", db, "--out", str(tmp_path / "f.jsonl"))  # fmt: skip
    assert code == 0, err
    (line,) = (tmp_path / "f.jsonl").read_text().splitlines()
    assert json.loads(line)["final_verdict"] == "false"  # the two agree now: a consensus
    code, out, err = run("agreement", "--json", "--project", "facts", "--db", db)
    assert code == 0, err
    assert json.loads(out)["labels"] == report["verdicts"]
    code, _, err = run("export", "--format", "jsonl", "--project", "facts", "--verdict",
                       "mostly-false", "--db", db, "--out", str(tmp_path / "g.jsonl"))  # fmt: skip
    assert code == 1 and "not on project facts's scale" in err


def _one_error(err: str) -> bool:
    """One line of error, after the line naming the database."""
    return [line for line in err.splitlines() if not line.startswith("database: ")] == [
        line for line in err.splitlines() if line.startswith("error: ")
    ] and err.count("error: ") == 1
