"""A backup merged into a database that holds data (`import BACKUP --add-missing`).

The hostile tester's files: a header and one ``users`` row made a working admin; a history row
dated 2020 "by" an existing admin went in as it was; a claim ended with two disagreeing
verdicts and a stale automatic final. A merge adds no account unless asked, writes its own
history, and recomputes the final verdicts of the claims it touched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from tests.transfer.support import open_claims
from workbench.audit import claim_history, iter_history
from workbench.auth.accounts import add_user, list_users, local_actor, login
from workbench.auth.passwords import hash_password
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.db.models import HistoryEntry, Review
from workbench.db.open import open_database
from workbench.db.session import unit_of_work
from workbench.errors import InputFileError, LoginFailed
from workbench.review import decisions, discussion
from workbench.review.adjudicate import adjudication_queue, final_verdict
from workbench.review.writes import review_state
from workbench.schemas import Actor, Role, Verdict
from workbench.transfer.backup import export_backup, restore_backup

runner = CliRunner()
PASSWORD = "a good long password"
CHOSEN = "the attacker's chosen password"


def admin(engine: Engine) -> Actor:
    user = add_user(engine, SYSTEM, "Ada", Role.admin, PASSWORD)
    return Actor(id=user.id, name=user.name, role=user.role)


def backup_lines(engine: Engine, tmp_path: Path) -> list[dict[str, Any]]:
    """This database's own backup, line by line: real rows to forge from (whatever columns
    the tables have by now)."""
    path = tmp_path / "own.jsonl"
    export_backup(engine, path, actor=SYSTEM)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def rows(lines: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("table") == table]


def forge(line: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"table": line["table"], "row": {**line["row"], **changes}}


def write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def mallory_file(engine: Engine, tmp_path: Path) -> Path:
    """A header and one users row: an admin with a password of the file's author's choosing."""
    lines = backup_lines(engine, tmp_path)
    template = rows(lines, "users")[0]
    mallory = forge(
        template, id=999, name="Mallory", role="admin", password_hash=hash_password(CHOSEN)
    )
    return write(tmp_path / "mallory.jsonl", [lines[0], mallory])


def test_a_merge_adds_no_account_unless_asked(seeded: Engine, tmp_path: Path) -> None:
    ada = admin(seeded)
    path = mallory_file(seeded, tmp_path)

    report = restore_backup(seeded, path, add_missing=True, actor=ada)

    assert report.written and not report.accounts_added
    assert report.accounts_skipped == ["Mallory (admin, can log in)"]
    assert "Mallory" not in {u.name for u in list_users(seeded, SYSTEM)}
    with pytest.raises(LoginFailed):
        login(seeded, "Mallory", CHOSEN)

    asked = restore_backup(seeded, path, add_missing=True, accounts=True, actor=ada)

    assert asked.accounts_added == ["Mallory (admin, can log in)"]
    assert login(seeded, "Mallory", CHOSEN).role == Role.admin
    # The account is in the history as the restore's act: by the admin who ran it, now.
    entry = list(iter_history(seeded))[-1]
    assert (entry.actor, entry.entity, entry.entity_id, entry.action) == (
        "Ada",
        "user",
        "999",
        "create",
    )
    assert entry.after == {
        "name": "Mallory",
        "role": "admin",
        "disabled": False,
        "has_password": True,
    }


def test_the_command_line_names_the_accounts_added_and_left_out(
    seeded: Engine, db_url: str, tmp_path: Path
) -> None:
    admin(seeded)
    path = mallory_file(seeded, tmp_path)

    left_out = runner.invoke(app, ["import", str(path), "--add-missing", "--db", db_url])
    assert left_out.exit_code == 1
    assert (
        "accounts not added (--accounts adds them): Mallory (admin, can log in)" in left_out.stdout
    )

    added = runner.invoke(app, ["import", str(path), "--add-missing", "--accounts", "--db", db_url])
    assert added.exit_code == 0, added.stderr
    assert "accounts added: Mallory (admin, can log in)" in added.stdout

    alone = runner.invoke(app, ["import", str(path), "--accounts", "--db", db_url])
    assert alone.exit_code == 2 and "--accounts goes with --add-missing" in alone.stderr


def test_a_merge_restores_none_of_the_backups_history(seeded: Engine, tmp_path: Path) -> None:
    ada = admin(seeded)
    lines = backup_lines(seeded, tmp_path)
    template = rows(lines, "history")[0]  # Ada's account being created
    forged = forge(
        template,
        id=9999,
        at="2020-03-01T09:00:00+00:00",
        actor_id=ada.id,
        entity="setting",
        entity_id="reviews_per_claim",
        action="update",
        before={"reviews_per_claim": 1},
        after={"reviews_per_claim": 5},
    )
    path = write(tmp_path / "forged.jsonl", [lines[0], *rows(lines, "users"), forged])
    with unit_of_work(seeded) as session:
        before = session.scalar(select(func.count()).select_from(HistoryEntry))

    report = restore_backup(seeded, path, add_missing=True, actor=SYSTEM)

    assert report.written and report.history_skipped == 1
    with unit_of_work(seeded) as session:
        assert session.scalar(select(func.count()).select_from(HistoryEntry)) == before
        assert session.get(HistoryEntry, 9999) is None


def bens_review_of_the_first_claim(
    seeded: Engine, tmp_path: Path, **changes: Any
) -> tuple[int, Actor, Path, int]:
    """Ana verified the first claim (a single final), Ben disputed the second; the file to
    merge holds Ben's review of the first claim too (his row, with ``changes``).

    Returns (the first claim, the admin Ada, the file, the id of Ben's review in it)."""
    first, second = open_claims(seeded, 2)
    ana, ben = local_actor(seeded, "Ana"), local_actor(seeded, "Ben")  # before team mode
    decisions.set_verdict(seeded, first, ana, Verdict.verified)
    decisions.set_verdict(seeded, second, ben, Verdict.disputed)
    ada = admin(seeded)
    lines = backup_lines(seeded, tmp_path)
    bens = next(r for r in rows(lines, "reviews") if r["row"]["reviewer_id"] == ben.id)
    with unit_of_work(seeded) as session:
        review_id = (session.scalar(select(func.max(Review.id))) or 0) + 100
    merged = forge(bens, id=review_id, claim_id=first, **changes)
    parents = [*rows(lines, "users"), *rows(lines, "documents"), *rows(lines, "claims")]
    path = write(tmp_path / "merge.jsonl", [lines[0], *parents, merged])
    return first, ada, path, review_id


def test_a_merge_recomputes_the_final_verdicts_of_the_claims_it_touched(
    seeded: Engine, tmp_path: Path
) -> None:
    # Ben disputes the first claim too, in the file: the claim now has two disagreeing verdicts.
    first, ada, path, _ = bens_review_of_the_first_claim(seeded, tmp_path)

    report = restore_backup(seeded, path, add_missing=True, actor=ada)

    assert report.inserted == {"reviews": 1} and report.finals_checked == 1
    assert final_verdict(seeded, first) is None  # no stale "single verified" left behind
    waiting = adjudication_queue(seeded, ada)
    assert first in {item.claim.id for item in waiting.items}
    history = [(e.actor, e.entity, e.action) for e in claim_history(seeded, first)]
    assert history[-2:] == [("Ada", "review", "create"), (None, "final_verdict", "delete")]
    restored = claim_history(seeded, first)[-2]
    assert restored.after == {"verdict": "disputed", "note": ""}


def test_a_merged_review_changed_after_the_reveal_is_marked_in_its_history_as_a_save_marks_it(
    seeded: Engine, tmp_path: Path
) -> None:
    # In the file, Ben disputed the first claim blind, then came round to Ana's verdict.
    first, ada, path, review_id = bens_review_of_the_first_claim(
        seeded, tmp_path, verdict="verified", blind_verdict="disputed", changed_after_reveal=True
    )

    report = restore_backup(seeded, path, add_missing=True, actor=ada)

    assert report.inserted == {"reviews": 1}
    entry = next(
        e for e in claim_history(seeded, first) if e.entity == "review" and e.actor == "Ada"
    )
    # Before, the mark a save writes was missing from the merge's entry.
    assert entry.after == {"verdict": "verified", "note": "", "changed_after_reveal": True}
    with unit_of_work(seeded) as session:
        merged = session.get(Review, review_id)
        assert merged is not None and merged.changed_after_reveal
        assert entry.after == review_state(merged)  # the services' own shape
    # The verdicts agree, but not blind: no automatic final, as after the services' save.
    assert final_verdict(seeded, first) is None


# --- values out of range, found in the first pass ----------------------------------------------


@pytest.mark.parametrize(
    ("table", "changes", "field", "message"),
    [
        ("reviews", {"seconds_spent": 1e308}, "row.seconds_spent", "(30 days)"),
        ("reviews", {"decided_at": "0001-01-01T00:00:00+00:00"}, "row.decided_at", "2000-01-01"),
        ("reviews", {"claim_id": 2**31}, "row.claim_id", "from -2147483648 to 2147483647"),
        ("users", {"role": "root"}, "row.role", "admin, reviewer, viewer"),
        ("users", {"failed_logins": -1}, "row.failed_logins", "from 0 to"),
        ("users", {"name": "x" * 101}, "row.name", "longer than 100"),
        ("claims", {"score": 2.0}, "row.score", "between 0 and 1"),
        ("claims", {"char_end": 0}, "row.char_end", "greater than char_start"),
        ("documents", {"text": "a\u0000b"}, "row.text", "NUL"),
        ("history", {"after": {"note": "\u0000"}}, "row.after", "NUL"),
        ("claim_sketch_keys", {"key": 2**63}, "row.key", "9223372036854775807"),
    ],
)
def test_a_value_out_of_range_stops_the_restore_before_anything_is_written(
    seeded: Engine,
    other_url: str,
    tmp_path: Path,
    table: str,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    first, _ = open_claims(seeded, 2)
    decisions.set_verdict(seeded, first, local_actor(seeded, "Ana"), Verdict.verified)
    lines = backup_lines(seeded, tmp_path)
    number, line = next(
        (n, item) for n, item in enumerate(lines, start=1) if item.get("table") == table
    )
    lines[number - 1] = forge(line, **changes)
    path = write(tmp_path / "bad.jsonl", lines)
    target = open_database(other_url)

    with pytest.raises(InputFileError) as caught:
        restore_backup(target, path, actor=SYSTEM)

    assert str(caught.value).startswith(f"{path}:{number}: field '{field}': ")
    assert message in str(caught.value)
    assert not list_users(target, SYSTEM)  # nothing restored


def test_a_repeated_row_and_a_repeated_name_are_one_line_and_nothing_is_written(
    seeded: Engine, other_url: str, tmp_path: Path
) -> None:
    local_actor(seeded, "Ana")
    local_actor(seeded, "Ben")
    lines = backup_lines(seeded, tmp_path)
    users = [n for n, item in enumerate(lines) if item.get("table") == "users"]
    repeated = [*lines[: users[0] + 1], lines[users[0]], *lines[users[0] + 1 :]]
    target = open_database(other_url)
    with pytest.raises(InputFileError, match=r"is not after the row before it"):
        restore_backup(target, write(tmp_path / "twice.jsonl", repeated), actor=SYSTEM)
    # Two ids, one name: the database's unique key refuses it, as one line.
    lines[users[1]] = forge(lines[users[1]], name=lines[users[0]]["row"]["name"])
    with pytest.raises(InputFileError, match=r"\(users\) cannot be stored: .*nothing was restored"):
        restore_backup(target, write(tmp_path / "same-name.jsonl", lines), actor=SYSTEM)
    assert not list_users(target, SYSTEM)


def test_a_merge_adds_comments_as_its_own_act_and_none_by_an_account_it_left_out(
    seeded: Engine, tmp_path: Path
) -> None:
    ada = admin(seeded)
    [claim_id] = open_claims(seeded, 1)
    user = add_user(seeded, SYSTEM, "Ana", Role.reviewer)
    ana = Actor(id=user.id, name=user.name, role=user.role)
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    discussion.comment(seeded, ana, claim_id, "here already")
    lines = backup_lines(seeded, tmp_path)
    [template] = rows(lines, "comments")
    first = template["row"]["id"]
    added = forge(template, id=first + 10, body="from the backup")
    stranger = forge(rows(lines, "users")[0], id=999, name="Stranger", role="reviewer")
    theirs = forge(template, id=first + 11, author_id=999, body="a stranger's word")
    path = write(
        tmp_path / "comments.jsonl",
        [
            lines[0],
            *rows(lines, "users"),
            stranger,
            *rows(lines, "documents"),
            *rows(lines, "claims"),
            template,
            added,
            theirs,
        ],
    )

    report = restore_backup(seeded, path, add_missing=True, actor=ada)

    assert report.written, report.conflicts
    assert report.inserted.get("comments") == 1, report.conflicts
    assert any("comments" in c and "did not add" in c for c in report.conflicts)
    bodies = [c.body for c in discussion.claim_discussion(seeded, ada, claim_id).comments]
    assert bodies == ["here already", "from the backup"]
    entries = [e for e in claim_history(seeded, claim_id) if e.entity == "comment"]
    assert [(e.entity_id, e.actor) for e in entries] == [
        (str(first), "Ana"),
        (str(first + 10), "Ada"),
    ]
