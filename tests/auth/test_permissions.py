"""Every role against every service action: the service refuses, whatever a UI shows.

The calls below are the ones the app and the CLI make; nothing is mocked. A refusal is a
``PermissionDenied``, which is a ``PermissionError``, and leaves the database unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from workbench.auth import accounts
from workbench.auth.permissions import ALLOWED, Action
from workbench.db.models import HistoryEntry
from workbench.db.session import unit_of_work
from workbench.errors import NotFound, PermissionDenied
from workbench.export.service import ExportFormat, export_to_file, render_export
from workbench.extract import default_extractor
from workbench.ingest.store import store_document
from workbench.project import get_project_settings, set_project_setting
from workbench.review import adjudicate, decisions, queue
from workbench.schemas import Actor, DocumentIn, Role, UserOut, Verdict

TEXT = (
    "Harbour report\n\n"
    "The ministry said 4,000 people were evacuated from the harbour district on Monday.\n\n"
    "Officials said 12 bridges closed in 2023 after the storm, according to the city council.\n"
)


@dataclass(frozen=True)
class World:
    engine: Engine
    claim_id: int
    other_claim_id: int
    actors: dict[Role, Actor]
    tmp_path: Path


def as_actor(user: UserOut) -> Actor:
    return Actor(id=user.id, name=user.name, role=user.role)


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> World:
    assert store_document(
        engine, DocumentIn(text=TEXT, title="Harbour", source="h.txt"), default_extractor()
    )
    claims = queue.list_claims(engine, queue.ClaimFilter(state="all")).items
    assert len(claims) >= 2, "the extractor found fewer than two claims in the test text"
    # Accounts without passwords: the roles are what is tested here, and hashing is slow.
    actors = {
        role: as_actor(accounts.add_user(engine, None, f"{role.value} one", role)) for role in Role
    }
    accounts.add_user(engine, None, "reviewer two", Role.reviewer)
    return World(engine, claims[0].id, claims[1].id, actors, tmp_path)


def _review(w: World, a: Actor) -> object:
    return decisions.set_verdict(w.engine, w.claim_id, a, Verdict.verified)


def _note(w: World, a: Actor) -> object:
    return decisions.set_note(w.engine, w.claim_id, a, "checked the ministry's release")


def _url(w: World, a: Actor) -> object:
    return decisions.add_url(w.engine, w.claim_id, a, "https://example.org/release")


def _not_a_claim(w: World, a: Actor) -> object:
    return decisions.mark_not_a_claim(w.engine, w.claim_id, a)


def _adjudicate(w: World, a: Actor) -> object:
    return adjudicate.adjudicate(w.engine, a, w.claim_id, Verdict.disputed, "the sources differ")


def _adjudication_queue(w: World, a: Actor) -> object:
    return adjudicate.adjudication_queue(w.engine, a)


def _list_users(w: World, a: Actor) -> object:
    return accounts.list_users(w.engine, a)


def _add_user(w: World, a: Actor) -> object:
    return accounts.add_user(w.engine, a, "newcomer", Role.reviewer)


def _set_role(w: World, a: Actor) -> object:
    return accounts.set_role(w.engine, a, "reviewer two", Role.admin)


def _disable(w: World, a: Actor) -> object:
    return accounts.set_disabled(w.engine, a, "reviewer two")


def _reset_password(w: World, a: Actor) -> object:
    return accounts.set_password(w.engine, a, "reviewer two", "a new password")


def _change_setting(w: World, a: Actor) -> object:
    return set_project_setting(w.engine, a, "reviews_per_claim", 2)


def _export_download(w: World, a: Actor) -> object:
    return render_export(w.engine, ExportFormat.csv, actor=a)


def _export_file(w: World, a: Actor) -> object:
    return export_to_file(w.engine, ExportFormat.jsonl, w.tmp_path / "out.jsonl", actor=a)


# (service call, the action it needs)
CALLS: dict[str, tuple[Callable[[World, Actor], object], Action]] = {
    "review: verdict": (_review, Action.review),
    "review: note": (_note, Action.review),
    "review: URL": (_url, Action.review),
    "review: not a claim": (_not_a_claim, Action.review),
    "adjudicate": (_adjudicate, Action.adjudicate),
    "adjudicate: queue": (_adjudication_queue, Action.adjudicate),
    "users: list": (_list_users, Action.manage_users),
    "users: add": (_add_user, Action.manage_users),
    "users: set role": (_set_role, Action.manage_users),
    "users: disable": (_disable, Action.manage_users),
    "users: reset another's password": (_reset_password, Action.manage_users),
    "settings: change": (_change_setting, Action.change_settings),
    "export: download": (_export_download, Action.export),
    "export: file": (_export_file, Action.export),
}
EXPECTED = {
    Role.admin: set(CALLS),
    Role.reviewer: {name for name, (_, action) in CALLS.items() if action == Action.review},
    Role.viewer: set(),
}


def history_count(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count(HistoryEntry.id))) or 0


def test_the_table_matches_the_roles() -> None:
    # If ALLOWED changes, EXPECTED (and so the test below) must change with it.
    for role, names in EXPECTED.items():
        assert names == {name for name, (_, action) in CALLS.items() if action in ALLOWED[role]}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize("call", list(CALLS), ids=list(CALLS))
def test_each_role_may_call_exactly_what_it_is_allowed(world: World, role: Role, call: str) -> None:
    function, _ = CALLS[call]
    actor = world.actors[role]
    if call in EXPECTED[role]:
        function(world, actor)
        return
    before = history_count(world.engine)
    with pytest.raises(PermissionError) as refused:
        function(world, actor)
    assert isinstance(refused.value, PermissionDenied)
    assert history_count(world.engine) == before  # refused before anything was written


@pytest.mark.parametrize("call", list(CALLS), ids=list(CALLS))
def test_a_role_claimed_by_the_caller_is_not_believed(world: World, call: str) -> None:
    """A viewer's session that says "admin" (forged, or stale after a demotion) is refused:
    every service call re-reads the role from the stored account."""
    function, _ = CALLS[call]
    forged = world.actors[Role.viewer].model_copy(update={"role": Role.admin})
    with pytest.raises(PermissionDenied):
        function(world, forged)


def test_a_demoted_admin_loses_the_rights_at_the_next_call(world: World) -> None:
    admin = world.actors[Role.admin]
    accounts.set_role(world.engine, None, admin.name, Role.reviewer)
    with pytest.raises(PermissionDenied):
        accounts.list_users(world.engine, admin)  # the session still holds role=admin
    with pytest.raises(PermissionDenied):
        render_export(world.engine, ExportFormat.csv, actor=admin)


@pytest.mark.parametrize("call", ["review: verdict", "users: list", "export: download"])
def test_a_disabled_account_can_do_nothing(world: World, call: str) -> None:
    accounts.set_disabled(world.engine, None, world.actors[Role.admin].name)
    function, _ = CALLS[call]
    with pytest.raises(PermissionDenied, match="disabled"):
        function(world, world.actors[Role.admin])


def test_the_command_line_is_trusted_with_actor_none(world: World, tmp_path: Path) -> None:
    # Whoever runs `workbench` holds the database file or URL already.
    assert accounts.list_users(world.engine, None)
    assert set_project_setting(world.engine, None, "lease_minutes", 45).lease_minutes == 45
    assert get_project_settings(world.engine).lease_minutes == 45
    assert render_export(world.engine, ExportFormat.csv)
    assert export_to_file(world.engine, ExportFormat.csv, tmp_path / "cli.csv").rows >= 2


# --- a reviewer cannot reach another reviewer's review ------------------------------------


def reviews_by(engine: Engine, claim_id: int) -> dict[str, queue.ReviewOut]:
    return {r.reviewer: r for r in queue.get_claim(engine, claim_id).reviews}


def test_no_review_call_can_name_another_reviewers_review() -> None:
    # The calls take the actor, never a review id or a reviewer: "whose review" is the actor.
    for function in (
        decisions.set_verdict,
        decisions.set_note,
        decisions.add_url,
        decisions.remove_url,
    ):
        names = set(inspect.signature(function).parameters)
        assert "actor" in names
        assert not names & {"review_id", "reviewer", "reviewer_id", "user", "user_id"}


def test_a_reviewer_calling_the_service_changes_only_their_own_review(world: World) -> None:
    engine, claim_id = world.engine, world.claim_id
    set_project_setting(engine, None, "reviews_per_claim", 2)
    rui = world.actors[Role.reviewer]
    rita = as_actor(next(u for u in accounts.list_users(engine, None) if u.name == "reviewer two"))
    decisions.set_verdict(engine, claim_id, rui, Verdict.verified)
    decisions.set_note(engine, claim_id, rui, "Rui's note")
    decisions.add_url(engine, claim_id, rui, "https://example.org/rui")
    ruis = reviews_by(engine, claim_id)[rui.name]

    # Rita aims every call at the same claim, even passing the version of Rui's review and
    # his URL: each one lands on her own review or finds nothing of hers to change.
    decisions.set_verdict(engine, claim_id, rita, Verdict.disputed, expected_version=None)
    decisions.set_note(engine, claim_id, rita, "overwritten?")
    with pytest.raises(NotFound, match="not among your URLs"):
        decisions.remove_url(engine, claim_id, rita, "https://example.org/rui")

    after = reviews_by(engine, claim_id)
    assert after[rui.name] == ruis  # same verdict, note, URLs and version
    assert (after[rita.name].verdict, after[rita.name].note) == (Verdict.disputed, "overwritten?")


def test_a_reviewer_cannot_pass_as_another_by_name(world: World) -> None:
    # The actor's id is what counts; a name that does not match the stored account is
    # still the account with that id, so the write lands on the caller's own review.
    rui = world.actors[Role.reviewer]
    posing = rui.model_copy(update={"name": "reviewer two"})
    review = decisions.set_verdict(world.engine, world.claim_id, posing, Verdict.verified)
    assert review.reviewer == rui.name
    assert "reviewer two" not in reviews_by(world.engine, world.claim_id)
