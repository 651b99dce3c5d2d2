"""The history: one entry per change, with the values before and after, append-only."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.review.support import account
from workbench.audit import claim_history, describe_change
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.db.models import HistoryEntry
from workbench.db.session import unit_of_work
from workbench.errors import StaleEdit
from workbench.projects.settings import set_project_setting
from workbench.review import decisions, queue, saves
from workbench.review.adjudicate import adjudicate
from workbench.review.history import visible_claim_history
from workbench.schemas import Actor, HistoryOut, Role, Verdict


@pytest.fixture
def claim_id(seeded: Engine) -> int:
    found = queue.next_claim_id(seeded, queue.ClaimFilter(), after=None)
    assert found is not None
    return found


@pytest.fixture
def ana(seeded: Engine) -> Actor:
    return account(seeded, "Ana")


def entries(engine: Engine, claim_id: int, entity: str) -> list[HistoryOut]:
    return [e for e in claim_history(engine, claim_id) if e.entity == entity]


def one(engine: Engine, claim_id: int, entity: str) -> HistoryOut:
    found = entries(engine, claim_id, entity)
    assert len(found) == 1, found
    return found[0]


def test_a_first_verdict_creates_the_review(seeded: Engine, claim_id: int, ana: Actor) -> None:
    review = decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    entry = one(seeded, claim_id, "review")
    assert (entry.actor, entry.action, entry.entity_id) == ("Ana", "create", str(review.id))
    assert entry.before is None
    assert entry.after == {"verdict": "verified", "note": ""}


def test_changing_a_verdict_records_before_and_after(
    seeded: Engine, claim_id: int, ana: Actor
) -> None:
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    decisions.set_verdict(seeded, claim_id, ana, Verdict.disputed)
    update = entries(seeded, claim_id, "review")[-1]
    assert (update.action, update.before, update.after) == (
        "update",
        {"verdict": "verified", "note": ""},
        {"verdict": "disputed", "note": ""},
    )
    assert describe_change(update) == "verdict: verified → disputed"


def test_a_created_or_deleted_value_is_described_whole() -> None:
    created = HistoryOut(
        id=1,
        at=datetime.now(UTC),
        actor=None,
        entity="final_verdict",
        entity_id="3",
        claim_id=3,
        action="create",
        before=None,
        after={"verdict": "verified", "source": "single", "reason": ""},
    )
    assert describe_change(created) == "reason: — · source: single · verdict: verified"
    deleted = created.model_copy(update={"action": "delete", "before": created.after})
    assert describe_change(deleted) == describe_change(created)


def test_saving_the_same_verdict_again_records_nothing(
    seeded: Engine, claim_id: int, ana: Actor
) -> None:
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    assert len(entries(seeded, claim_id, "review")) == 1


def test_a_note_is_recorded(seeded: Engine, claim_id: int, ana: Actor) -> None:
    decisions.set_note(seeded, claim_id, ana, "first look")
    decisions.set_note(seeded, claim_id, ana, "ministry confirms")
    create, update = entries(seeded, claim_id, "review")
    assert (create.action, create.after) == ("create", {"verdict": None, "note": "first look"})
    assert (update.before, update.after) == (
        {"verdict": None, "note": "first look"},
        {"verdict": None, "note": "ministry confirms"},
    )


def test_adding_and_removing_a_url_are_recorded(seeded: Engine, claim_id: int, ana: Actor) -> None:
    review = decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    decisions.add_url(seeded, claim_id, ana, "https://example.org/a")
    decisions.add_url(seeded, claim_id, ana, "https://example.org/a")  # already there
    added = one(seeded, claim_id, "url")
    value = {"url": "https://example.org/a", "review_id": review.id}
    assert (added.actor, added.action, added.before, added.after) == ("Ana", "create", None, value)
    # A URL is its own entry: the review's verdict and note did not change.
    assert len(entries(seeded, claim_id, "review")) == 1

    decisions.remove_url(seeded, claim_id, ana, "https://example.org/a")
    removed = entries(seeded, claim_id, "url")[-1]
    assert (removed.action, removed.entity_id, removed.before, removed.after) == (
        "delete",
        added.entity_id,
        value,
        None,
    )


def test_a_first_url_also_creates_the_review(seeded: Engine, claim_id: int, ana: Actor) -> None:
    decisions.add_url(seeded, claim_id, ana, "https://example.org/a")
    assert [(e.entity, e.action) for e in claim_history(seeded, claim_id)] == [
        ("review", "create"),
        ("url", "create"),
    ]


def test_not_a_claim_and_reopen_are_recorded(seeded: Engine, claim_id: int, ana: Actor) -> None:
    decisions.mark_not_a_claim(seeded, claim_id, ana)
    decisions.reopen_claim(seeded, claim_id, ana)
    marked, reopened = entries(seeded, claim_id, "claim_status")
    assert (marked.actor, marked.before, marked.after) == (
        "Ana",
        {"status": "open"},
        {"status": "not_a_claim"},
    )
    assert (reopened.before, reopened.after) == ({"status": "not_a_claim"}, {"status": "open"})


def test_final_verdicts_are_recorded(seeded: Engine, claim_id: int, ana: Actor) -> None:
    admin = account(seeded, "Ada", Role.admin)
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    adjudicate(seeded, admin, claim_id, Verdict.unsupported, "only one source")
    single, adjudicated = entries(seeded, claim_id, "final_verdict")
    assert (single.actor, single.action, single.after) == (
        None,
        "create",
        {"verdict": "verified", "source": "single", "reason": ""},
    )
    assert (adjudicated.actor, adjudicated.action, adjudicated.before, adjudicated.after) == (
        "Ada",
        "update",
        {"verdict": "verified", "source": "single", "reason": ""},
        {"verdict": "unsupported", "source": "adjudicated", "reason": "only one source"},
    )


# --- nothing is lost, nothing is rewritten ------------------------------------------------


def all_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with unit_of_work(engine) as session:
        return [
            (h.id, h.at, h.actor_id, h.entity, h.entity_id, h.claim_id, h.action, h.before, h.after)
            for h in session.scalars(select(HistoryEntry).order_by(HistoryEntry.id))
        ]


def test_a_refused_change_leaves_no_history(seeded: Engine, claim_id: int, ana: Actor) -> None:
    shown = decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    decisions.set_note(seeded, claim_id, ana, "other tab", expected_version=shown.version)
    before = all_rows(seeded)
    with pytest.raises(StaleEdit):
        decisions.set_verdict(
            seeded, claim_id, ana, Verdict.disputed, expected_version=shown.version
        )
    assert all_rows(seeded) == before


def test_a_change_that_fails_after_its_entry_is_written_leaves_neither(
    seeded: Engine, claim_id: int, ana: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = all_rows(seeded)

    written = saves.insert_entries

    def broken(session: Session, entries: list[dict[str, Any] | None]) -> None:
        written(session, entries)
        raise RuntimeError("the database went away mid-transaction")

    # The verdict's history entries are its last write: the review, its figures and its
    # final are already sent when they are.
    monkeypatch.setattr("workbench.review.saves.insert_entries", broken)
    with pytest.raises(RuntimeError):
        decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    assert all_rows(seeded) == before
    assert queue.get_claim(seeded, claim_id, actor=SYSTEM).reviews == []


@pytest.fixture
def statements(seeded: Engine) -> Iterator[list[str]]:
    """Every SQL statement the services send while the test runs."""
    seen: list[str] = []

    def listen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(seeded, "before_cursor_execute", listen)
    yield seen
    event.remove(seeded, "before_cursor_execute", listen)


def test_history_is_append_only(
    seeded: Engine, claim_id: int, ana: Actor, statements: list[str]
) -> None:
    """Every kind of change, then: no UPDATE or DELETE ever touched the history table, and
    each step only added rows after the ones already there."""
    ben = account(seeded, "Ben")
    admin = account(seeded, "Ada", Role.admin)
    steps: list[Callable[[], object]] = [
        lambda: set_project_setting(seeded, SYSTEM, "reviews_per_claim", 2),
        lambda: decisions.set_verdict(seeded, claim_id, ana, Verdict.verified),
        lambda: decisions.set_note(seeded, claim_id, ana, "note"),
        lambda: decisions.add_url(seeded, claim_id, ana, "https://example.org/a"),
        lambda: decisions.remove_url(seeded, claim_id, ana, "https://example.org/a"),
        lambda: decisions.set_verdict(seeded, claim_id, ben, Verdict.verified),  # consensus
        lambda: decisions.set_verdict(seeded, claim_id, ben, Verdict.disputed),  # withdrawn
        lambda: adjudicate(seeded, admin, claim_id, Verdict.disputed, "reason"),
        lambda: adjudicate(seeded, admin, claim_id, Verdict.verified, "second thoughts"),
        lambda: decisions.set_verdict(seeded, claim_id, ana, None),
        lambda: decisions.mark_not_a_claim(seeded, claim_id, admin),
        lambda: decisions.reopen_claim(seeded, claim_id, admin),
    ]
    previous = all_rows(seeded)
    for step in steps:
        step()
        now = all_rows(seeded)
        assert len(now) > len(previous)
        assert now[: len(previous)] == previous
        previous = now
    rewrites = [
        s for s in statements if re.match(r"\s*(UPDATE|DELETE\s+FROM)\s+\"?history\b", s, re.I)
    ]
    assert rewrites == []


def test_no_service_module_updates_or_deletes_history_rows() -> None:
    """Belt and braces for paths the test above does not run."""
    package = Path(__file__).parents[2] / "workbench"
    pattern = re.compile(r"(update|delete)\(\s*HistoryEntry|HistoryEntry\)\.(update|delete)")
    offenders = [
        str(path)
        for path in package.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- who sees what: blind review holds in the history too -----------------------------------


def test_a_reviewer_sees_others_entries_only_after_their_own_verdict(
    seeded: Engine, claim_id: int, ana: Actor
) -> None:
    ben = account(seeded, "Ben")
    admin = account(seeded, "Ada", Role.admin)
    set_project_setting(seeded, SYSTEM, "reviews_per_claim", 2)
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    decisions.add_url(seeded, claim_id, ana, "https://example.org/a")
    decisions.set_note(seeded, claim_id, ben, "started")

    blind = visible_claim_history(seeded, ben, claim_id)
    assert {e.actor for e in blind} == {"Ben"}
    assert "verified" not in json.dumps([e.model_dump(mode="json") for e in blind])

    everything = claim_history(seeded, claim_id)
    assert visible_claim_history(seeded, admin, claim_id) == everything
    decisions.set_verdict(seeded, claim_id, ben, Verdict.verified)
    assert visible_claim_history(seeded, ben, claim_id) == claim_history(seeded, claim_id)


# --- `workbench export --history` ---------------------------------------------------------


def test_export_history_writes_every_entry_as_jsonl(
    seeded: Engine, db_url: str, claim_id: int, ana: Actor, tmp_path: Path
) -> None:
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    decisions.add_url(seeded, claim_id, ana, "https://example.org/a")
    out = tmp_path / "out" / "history.jsonl"
    result = CliRunner().invoke(app, ["export", "--history", "--out", str(out), "--db", db_url])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    read_back = [HistoryOut.model_validate_json(line) for line in lines]
    assert [h.id for h in read_back] == [row[0] for row in all_rows(seeded)]
    assert {(h.entity, h.action) for h in read_back} >= {
        ("user", "create"),
        ("review", "create"),
        ("url", "create"),
        ("final_verdict", "create"),
    }
    assert f"wrote {len(lines)} rows to {out}" in result.stdout
    # The file and its manifest, and no temporary file left behind.
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "history.jsonl",
        "history.jsonl.manifest.json",
    ]


def test_export_history_defaults_to_a_timestamped_file(
    seeded: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_EXPORT_DIR", str(tmp_path / "exports"))
    result = CliRunner().invoke(app, ["export", "--history", "--db", db_url])
    assert result.exit_code == 0, result.output
    written, manifest = sorted((tmp_path / "exports").iterdir())
    assert manifest.name == written.name + ".manifest.json"
    assert written.name.startswith("history-") and written.suffix == ".jsonl"
