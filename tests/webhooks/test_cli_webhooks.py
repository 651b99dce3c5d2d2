"""`workbench webhooks ...`, used the way docs/webhooks.md shows."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.cli_output import errors
from tests.webhooks.receiver import receiver
from tests.webhooks.support import SECRET, claim_and_reviewers, hook
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.review import decisions
from workbench.schemas import Verdict
from workbench.transfer.backup import export_backup

runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def one_error_line(err: str) -> str:
    lines = errors(err).strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_add_list_run_deliveries_remove(db_url: str, engine: Engine) -> None:
    claim_id, ann, _ = claim_and_reviewers(engine)
    with receiver(["500", "200"]) as got:
        code, out, err = run(
            "webhooks", "add", got.url, "--events", "review.decided,final.decided",
            "--secret-stdin", "--allow-private", "--db", db_url, stdin=SECRET + "\n",
        )  # fmt: skip
        assert code == 0, err
        assert out.startswith("added webhook 1: review.decided, final.decided of every project")
        code, out, _ = run("webhooks", "list", "--db", db_url, "--json")
        (listed,) = json.loads(out)
        assert listed["url"] == got.url and listed["allow_private"] is True
        assert SECRET not in out and "secret" not in listed
        assert SECRET not in run("webhooks", "list", "--db", db_url)[1]
        decisions.set_verdict(engine, claim_id, ann, Verdict.verified)
        code, out, _ = run("webhooks", "run", "--once", "--db", db_url)
        assert code == 0 and "1 delivered, 1 to retry, 0 failed" in out
    code, out, _ = run("webhooks", "deliveries", "--db", db_url, "--json")
    listed_deliveries = json.loads(out)
    assert sorted(d["event"] for d in listed_deliveries) == ["final.decided", "review.decided"]
    assert sorted(d["status"] for d in listed_deliveries) == ["delivered", "pending"]
    code, out, _ = run("webhooks", "deliveries", "--failed", "--db", db_url)
    assert code == 0 and out == ""
    code, out, _ = run("webhooks", "remove", "1", "--db", db_url)
    assert code == 0 and out.startswith("removed webhook 1")
    code, out, _ = run("webhooks", "deliveries", "--failed", "--db", db_url)
    assert "failed" in out and "the webhook was removed" in out
    assert run("webhooks", "list", "--db", db_url)[1].startswith("no webhooks")


def test_add_refuses_a_private_target_an_empty_secret_and_a_secret_argument(
    db_url: str, engine: Engine
) -> None:
    url = "http://169.254.169.254/latest/meta-data/"
    code, _, err = run(
        "webhooks", "add", url, "--events", "final.decided", "--secret-stdin", "--db", db_url,
        stdin=SECRET + "\n",
    )  # fmt: skip
    assert code == 1 and "link-local" in one_error_line(err)
    code, _, err = run(
        "webhooks", "add", "http://127.0.0.1/x", "--events", "final.decided", "--secret-stdin",
        "--allow-private", "--db", db_url, stdin="\n",
    )  # fmt: skip
    assert code == 1 and "secret is empty" in one_error_line(err)
    code, _, err = run(
        "webhooks", "add", "http://127.0.0.1/x", "--events", "final.decided", "--db", db_url
    )
    # Refused before the database is opened: a secret is never an argument.
    assert code == 1 and err.startswith("error: give the secret on stdin") and err[-1:] == "\n"
    code, _, err = run("webhooks", "remove", "7", "--db", db_url)
    assert code == 1 and "no active webhook 7" in one_error_line(err)


def test_a_backup_holds_no_webhook_nor_its_secret(engine: Engine, tmp_path: Path) -> None:
    """Webhooks are the server's, not the review data: `export --all` leaves them (and the
    secret) out; after a restore they are added again (docs/security.md, "Webhooks")."""
    claim_id, ann, _ = claim_and_reviewers(engine)
    hook(engine, "http://127.0.0.1:9/hook")
    decisions.set_verdict(engine, claim_id, ann, Verdict.verified)  # an event and deliveries
    path = tmp_path / "backup.jsonl"
    export_backup(engine, path, actor=SYSTEM)
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    tables = {json.loads(line).get("table") for line in text.splitlines()}
    assert not {t for t in tables if t and t.startswith("webhook")}
