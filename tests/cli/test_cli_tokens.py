"""`workbench tokens ...`, used the way docs/api.md shows: the secret printed once, alone on the
last line of stdout; `list` never shows it; errors are one line."""

from __future__ import annotations

import json

from sqlalchemy import text
from typer.testing import CliRunner

from tests.cli_output import errors
from workbench.auth.tokens import authenticate
from workbench.cli import app
from workbench.db.open import open_database

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_create_list_revoke(db_url: str) -> None:
    assert run("init", "--db", db_url)[0] == 0
    assert (
        run(
            "users",
            "add",
            "rae",
            "--role",
            "reviewer",
            "--no-password",
            "--email",
            "r@x.org",
            "--db",
            db_url,
        )[0]
        == 0
    )
    code, out, err = run(
        "tokens", "create", "rae", "--label", "script", "--expires-days", "30", "--db", db_url
    )
    assert code == 0, err
    secret = out.strip().splitlines()[-1]
    assert out.strip() == secret and secret.startswith("wbt_")  # alone on stdout
    assert "not shown again" in err
    engine = open_database(db_url, migrate=False)
    actor = authenticate(engine, secret)
    assert actor is not None and actor.name == "rae"
    with engine.connect() as connection:
        stored = " ".join(
            str(v) for row in connection.execute(text("SELECT * FROM api_tokens")) for v in row
        )
    assert secret not in stored
    code, out, _ = run("tokens", "list", "--db", db_url)
    assert code == 0 and "rae" in out and "script" in out and secret not in out
    listed = json.loads(run("tokens", "list", "--json", "--db", db_url)[1])
    assert (
        listed[0]["user"] == "rae" and listed[0]["expires_at"] and secret not in json.dumps(listed)
    )
    code, out, _ = run("tokens", "revoke", str(listed[0]["id"]), "--db", db_url)
    assert code == 0 and "revoked" in out
    assert authenticate(engine, secret) is None


def test_errors_are_one_line(db_url: str) -> None:
    assert run("init", "--db", db_url)[0] == 0
    for args in (
        ("tokens", "create", "nobody"),
        ("tokens", "create", "nobody", "--project", "none"),
        ("tokens", "revoke", "99"),
    ):
        code, out, err = run(*args, "--db", db_url)
        lines = errors(err).strip().splitlines()
        assert code == 1 and len(lines) == 1 and "Traceback" not in err, err
        assert out == ""
