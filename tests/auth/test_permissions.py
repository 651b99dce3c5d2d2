"""Every role against every service action: the service refuses, whatever a UI shows.

Two layers, both on SQLite and PostgreSQL. :func:`~workbench.auth.policy.authorize` itself,
for every action, every role, a disabled account and the command line, against the table
(``MAY``); then every service entry point the app and the CLI call, to show it asks that one
function before it reads or writes anything. Nothing is mocked. A refusal is a
``PermissionDenied``, which is a ``PermissionError``, and leaves the database unchanged.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from workbench.agreement.report import agreement_report
from workbench.auth import accounts
from workbench.auth.policy import MAY, SYSTEM, SYSTEM_MAY, Action, SystemActor, authorize, may
from workbench.db.models import HistoryEntry
from workbench.db.session import unit_of_work
from workbench.errors import NotFound, PermissionDenied
from workbench.export.service import (
    ExportFormat,
    export_history_to_file,
    export_to_file,
    render_export,
)
from workbench.extract import default_extractor
from workbench.ingest.store import store_document
from workbench.projects.settings import get_project_settings, set_project_setting
from workbench.review import adjudicate, corrections, decisions, discussion, queue
from workbench.review.progress import reviewer_progress
from workbench.schemas import Actor, DocumentIn, ReviewOut, Role, UserOut, Verdict
from workbench.transfer import import_reviews
from workbench.transfer.backup import export_backup, restore_backup

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
    claims = queue.list_claims(engine, queue.ClaimFilter(state="all"), actor=SYSTEM).items
    assert len(claims) >= 2, "the extractor found fewer than two claims in the test text"
    # Accounts without passwords: the roles are what is tested here, and hashing is slow.
    actors = {
        role: as_actor(accounts.add_user(engine, SYSTEM, f"{role.value} one", role))
        for role in Role
    }
    two = as_actor(accounts.add_user(engine, SYSTEM, "reviewer two", Role.reviewer))
    decisions.set_verdict(engine, claims[1].id, two, Verdict.disputed)  # to be asked about it
    return World(engine, claims[0].id, claims[1].id, actors, tmp_path)


# --- the check itself ---------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize("action", list(Action), ids=[a.name for a in Action])
def test_authorize_allows_exactly_what_the_table_says(
    world: World, role: Role, action: Action
) -> None:
    actor = world.actors[role]
    for where in (world.engine, None):  # its own transaction, and the caller's
        if role in MAY[action]:
            if where is None:
                with unit_of_work(world.engine) as session:
                    assert authorize(session, actor, action) == actor
                    assert may(session, actor, action)
            else:
                assert authorize(where, actor, action) == actor
            continue
        with pytest.raises(PermissionDenied) as refused:
            if where is None:
                with unit_of_work(world.engine) as session:
                    assert not may(session, actor, action)
                    authorize(session, actor, action)
            else:
                authorize(where, actor, action)
        assert str(refused.value) == f"{actor.name} is a {role.value} and cannot {action.value}"


@pytest.mark.parametrize("action", list(Action), ids=[a.name for a in Action])
def test_authorize_refuses_a_disabled_or_removed_account_whatever_the_action(
    world: World, action: Action
) -> None:
    admin = world.actors[Role.admin]
    accounts.set_disabled(world.engine, SYSTEM, admin.name)
    with pytest.raises(PermissionDenied, match=r"^the account 'admin one' is disabled or no lo"):
        authorize(world.engine, admin, action)
    ghost = Actor(id=10_000, name="ghost", role=Role.admin)
    with pytest.raises(PermissionDenied, match="'ghost' is disabled or no longer exists"):
        authorize(world.engine, ghost, action)


@pytest.mark.parametrize("action", list(Action), ids=[a.name for a in Action])
def test_authorize_returns_the_account_as_stored_not_as_claimed(
    world: World, action: Action
) -> None:
    viewer = world.actors[Role.viewer]
    forged = viewer.model_copy(update={"role": Role.admin})
    if Role.viewer in MAY[action]:
        assert authorize(world.engine, forged, action) == viewer
    else:
        with pytest.raises(PermissionDenied, match="is a viewer and cannot"):
            authorize(world.engine, forged, action)


@pytest.mark.parametrize("action", list(Action), ids=[a.name for a in Action])
def test_the_command_line_may_do_what_needs_no_person(world: World, action: Action) -> None:
    if action in SYSTEM_MAY:
        assert authorize(world.engine, SYSTEM, action) is SYSTEM
    else:  # a verdict, an adjudication, a password of its own: some person's, not the system's
        with pytest.raises(PermissionDenied, match=f"the command line cannot {action.value}"):
            authorize(world.engine, SYSTEM, action)


def test_the_table_names_every_action_and_admins_may_do_everything() -> None:
    assert set(MAY) == set(Action)
    assert all(Role.admin in roles for roles in MAY.values())
    assert (
        set(Action)
        - {
            Action.review,
            Action.correct_claims,
            Action.adjudicate,
            Action.change_own_password,
            Action.comment,
            Action.send_back,
            Action.own_tokens,
        }
        == SYSTEM_MAY
    )


def test_the_system_actor_is_no_account_and_no_user_input_becomes_it(engine: Engine) -> None:
    assert not isinstance(SYSTEM, Actor) and SYSTEM.id is None
    # A name typed in single-user mode (the system's own words included) is an account.
    named = accounts.local_actor(engine, SYSTEM.name)
    assert isinstance(named, Actor) and not isinstance(named, SystemActor)
    assert authorize(engine, named, Action.read) == named
    accounts.set_disabled(engine, SYSTEM, named.name)
    with pytest.raises(PermissionDenied, match="is disabled or no longer exists"):
        authorize(engine, named, Action.read)
    # The app (pages, state, sign-in) never names it: it is the command line's alone.
    app = Path(accounts.__file__).parents[1] / "app"
    for source in app.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "SYSTEM" not in text and "SystemActor" not in text, source


def test_what_the_command_line_does_is_recorded_without_an_actor(world: World) -> None:
    # As with actor=None before: the history's actor column stays NULL for the CLI.
    # (After the fixture's own entries: reviewer two's verdict is theirs.)
    with unit_of_work(world.engine) as session:
        start = session.scalar(select(func.max(HistoryEntry.id))) or 0
    set_project_setting(world.engine, SYSTEM, "lease_minutes", 40)
    accounts.set_role(world.engine, SYSTEM, "reviewer two", Role.viewer)
    with unit_of_work(world.engine) as session:
        actors = session.scalars(select(HistoryEntry.actor_id).where(HistoryEntry.id > start)).all()
    assert actors and set(actors) == {None}


# --- every service entry point asks it ----------------------------------------------------


def _review(w: World, a: Actor) -> object:
    return decisions.set_verdict(w.engine, w.claim_id, a, Verdict.verified)


def _note(w: World, a: Actor) -> object:
    return decisions.set_note(w.engine, w.claim_id, a, "checked the ministry's release")


def _url(w: World, a: Actor) -> object:
    return decisions.add_url(w.engine, w.claim_id, a, "https://example.org/release")


def _not_a_claim(w: World, a: Actor) -> object:
    decisions.mark_not_a_claim(w.engine, w.claim_id, a)
    return None


def _correct(w: World, a: Actor) -> object:
    claim = queue.get_claim(w.engine, w.claim_id, SYSTEM).claim
    at = claim.char_start + claim.text.index(" ")  # split after its first word
    return corrections.split_claim(w.engine, w.claim_id, a, at, confirm=True)


def _adjudicate(w: World, a: Actor) -> object:
    return adjudicate.adjudicate(w.engine, a, w.claim_id, Verdict.disputed, "the sources differ")


def _adjudication_queue(w: World, a: Actor) -> object:
    return adjudicate.adjudication_queue(w.engine, a)


def _adjudication_item(w: World, a: Actor) -> object:
    return adjudicate.adjudication_item(w.engine, a, w.claim_id)


def _comment(w: World, a: Actor) -> object:
    return discussion.comment(w.engine, a, w.claim_id, "the release gives 4,000, not 40,000")


def _send_back(w: World, a: Actor) -> object:
    # "reviewer two" reviewed the other claim in the world (see the fixture).
    return discussion.send_back(w.engine, a, w.other_claim_id, "reviewer two", "Which release?")


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


def _own_password(w: World, a: Actor) -> object:
    return accounts.set_password(w.engine, a, a.name, "my own new password")


def _unlock(w: World, a: Actor) -> object:
    return accounts.unlock(w.engine, a, "reviewer two")


def _progress(w: World, a: Actor) -> object:
    return reviewer_progress(w.engine, a)


def _change_setting(w: World, a: Actor) -> object:
    return set_project_setting(w.engine, a, "reviews_per_claim", 2)


def _sort_by_disagreement(w: World, a: Actor) -> object:
    return queue.list_claims(w.engine, queue.ClaimFilter(sort="disagreement"), actor=a)


def _export_download(w: World, a: Actor) -> object:
    return render_export(w.engine, ExportFormat.csv, actor=a)


def _export_file(w: World, a: Actor) -> object:
    return export_to_file(w.engine, ExportFormat.jsonl, w.tmp_path / "out.jsonl", actor=a)


def _export_history(w: World, a: Actor) -> object:
    return export_history_to_file(w.engine, w.tmp_path / "history.jsonl", actor=a)


def _export_backup(w: World, a: Actor) -> object:
    return export_backup(w.engine, w.tmp_path / "backup.jsonl", actor=a)


def _import(w: World, a: Actor) -> object:
    path = w.tmp_path / "reviews.jsonl"
    line = {"claim_id": w.other_claim_id, "reviews": [{"reviewer": "Ana", "verdict": "verified"}]}
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    return import_reviews(w.engine, path, actor=a)


def _restore(w: World, a: Actor) -> object:
    path = w.tmp_path / "restore.jsonl"
    export_backup(w.engine, path, actor=SYSTEM)
    return restore_backup(w.engine, path, actor=a)  # into a database with data: writes nothing


def _agreement(w: World, a: Actor) -> object:
    return agreement_report(w.engine, a, samples=0)


# (service call, the action it needs)
CALLS: dict[str, tuple[Callable[[World, Actor], object], Action]] = {
    "review: verdict": (_review, Action.review),
    "review: note": (_note, Action.review),
    "review: URL": (_url, Action.review),
    "review: not a claim": (_not_a_claim, Action.review),
    "correct: split a claim": (_correct, Action.correct_claims),
    "adjudicate": (_adjudicate, Action.adjudicate),
    "adjudicate: queue": (_adjudication_queue, Action.adjudicate),
    "adjudicate: one claim": (_adjudication_item, Action.adjudicate),
    "discussion: comment": (_comment, Action.comment),
    "discussion: send back": (_send_back, Action.send_back),
    "users: list": (_list_users, Action.manage_users),
    "users: add": (_add_user, Action.manage_users),
    "users: set role": (_set_role, Action.manage_users),
    "users: disable": (_disable, Action.manage_users),
    "users: reset another's password": (_reset_password, Action.manage_users),
    "users: own password": (_own_password, Action.change_own_password),
    "users: unlock": (_unlock, Action.manage_users),
    "users: progress": (_progress, Action.manage_users),
    "settings: change": (_change_setting, Action.change_settings),
    "queue: by disagreement": (_sort_by_disagreement, Action.see_all_reviews),
    "export: download": (_export_download, Action.export),
    "export: file": (_export_file, Action.export),
    "export: history": (_export_history, Action.export),
    "export: backup": (_export_backup, Action.export),
    "import: reviews": (_import, Action.import_data),
    "import: restore": (_restore, Action.import_data),
    "agreement: report": (_agreement, Action.audit_agreement),
}
EXPECTED = {
    Role.admin: set(CALLS),
    Role.reviewer: {
        name
        for name, (_, action) in CALLS.items()
        if action
        in {
            Action.review,
            Action.correct_claims,
            Action.change_own_password,
            Action.comment,
        }
    },
    Role.viewer: {"users: own password"},
}


def history_count(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count(HistoryEntry.id))) or 0


def test_the_table_matches_the_roles() -> None:
    # If MAY changes, EXPECTED (and so the test below) must change with it.
    for role, names in EXPECTED.items():
        assert names == {name for name, (_, action) in CALLS.items() if role in MAY[action]}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize("call", list(CALLS), ids=list(CALLS))
def test_each_role_may_call_exactly_what_it_is_allowed(world: World, role: Role, call: str) -> None:
    function, action = CALLS[call]
    actor = world.actors[role]
    if call in EXPECTED[role]:
        function(world, actor)
        return
    before = history_count(world.engine)
    with pytest.raises(PermissionError) as refused:
        function(world, actor)
    assert isinstance(refused.value, PermissionDenied)
    # authorize's own words: the entry point asked the one check, not a check of its own.
    assert str(refused.value) == f"{actor.name} is a {role.value} and cannot {action.value}"
    assert history_count(world.engine) == before  # refused before anything was written


@pytest.mark.parametrize("call", list(CALLS), ids=list(CALLS))
def test_a_role_claimed_by_the_caller_is_not_believed(world: World, call: str) -> None:
    """A viewer's session that says "admin" (forged, or stale after a demotion) is refused:
    every service call re-reads the role from the stored account."""
    if call in EXPECTED[Role.viewer]:
        pytest.skip("a viewer may do this anyway")
    function, _ = CALLS[call]
    forged = world.actors[Role.viewer].model_copy(update={"role": Role.admin})
    with pytest.raises(PermissionDenied, match="is a viewer and cannot"):
        function(world, forged)


def test_a_demoted_admin_loses_the_rights_at_the_next_call(world: World) -> None:
    admin = world.actors[Role.admin]
    accounts.set_role(world.engine, SYSTEM, admin.name, Role.reviewer)
    with pytest.raises(PermissionDenied):
        accounts.list_users(world.engine, admin)  # the session still holds role=admin
    with pytest.raises(PermissionDenied):
        render_export(world.engine, ExportFormat.csv, actor=admin)


@pytest.mark.parametrize("call", list(CALLS), ids=list(CALLS))
def test_a_disabled_account_can_do_nothing(world: World, call: str) -> None:
    accounts.set_disabled(world.engine, SYSTEM, world.actors[Role.admin].name)
    function, _ = CALLS[call]
    before = history_count(world.engine)
    with pytest.raises(PermissionDenied, match="disabled"):
        function(world, world.actors[Role.admin])
    assert history_count(world.engine) == before


def test_the_command_line_acts_as_the_system(world: World, tmp_path: Path) -> None:
    # Whoever runs `workbench` holds the database file or URL already.
    assert accounts.list_users(world.engine, SYSTEM)
    assert set_project_setting(world.engine, SYSTEM, "lease_minutes", 45).lease_minutes == 45
    assert get_project_settings(world.engine).lease_minutes == 45
    assert render_export(world.engine, ExportFormat.csv, actor=SYSTEM)
    assert export_to_file(world.engine, ExportFormat.csv, tmp_path / "c.csv", actor=SYSTEM).rows
    assert export_history_to_file(world.engine, tmp_path / "h.jsonl", actor=SYSTEM).rows
    backup = export_backup(world.engine, tmp_path / "b.jsonl", actor=SYSTEM)
    assert not restore_backup(world.engine, backup.path, actor=SYSTEM).written
    assert agreement_report(world.engine, SYSTEM, samples=0)
    assert accounts.set_password(world.engine, SYSTEM, "reviewer two", "set by the CLI")


def test_services_that_need_a_person_take_no_system_actor() -> None:
    # Typed to refuse it (mypy), and authorize refuses it at run time too (see above).
    for function in (
        decisions.set_verdict,
        adjudicate.adjudicate,
        adjudicate.adjudication_queue,
        reviewer_progress,
    ):
        annotation = inspect.signature(function).parameters["actor"].annotation
        assert annotation == "Actor", function


# --- a reviewer cannot reach another reviewer's review ------------------------------------


def reviews_by(engine: Engine, claim_id: int) -> dict[str, ReviewOut]:
    return {r.reviewer: r for r in queue.get_claim(engine, claim_id, actor=SYSTEM).reviews}


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
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 2)
    rui = world.actors[Role.reviewer]
    rita = as_actor(
        next(u for u in accounts.list_users(engine, SYSTEM) if u.name == "reviewer two")
    )
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
