"""Accounts through the service layer: hashing, login, lockout, the last admin, history."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, MetaData, select

from workbench.auth import accounts
from workbench.auth.accounts import (
    SIGN_IN_FAILED,
    add_user,
    current_actor,
    local_actor,
    login,
    set_disabled,
    set_password,
    set_role,
    team_mode,
    unlock,
)
from workbench.auth.policy import SYSTEM
from workbench.auth.throttle import FIRST_PAUSE, FREE_ATTEMPTS, MAX_PAUSE
from workbench.db.models import HistoryEntry, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, LoginFailed, NotFound, PermissionDenied
from workbench.schemas import Actor, Role

PASSWORD = "correct horse battery"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def stored_user(engine: Engine, name: str) -> User:
    with unit_of_work(engine) as session:
        user = session.scalar(select(User).where(User.name == name))
        assert user is not None
        return user


def every_stored_value(engine: Engine) -> str:
    """Every row of every table, as text: to show a secret is stored nowhere."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return "\n".join(
            repr(row)
            for table in metadata.sorted_tables
            for row in connection.execute(table.select())
        )


# --- hashing -------------------------------------------------------------------------------


def test_the_stored_hash_is_argon2id_and_the_password_is_stored_nowhere(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    hashed = stored_user(engine, "Ana").password_hash
    assert hashed is not None and hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert PASSWORD not in every_stored_value(engine)


def test_two_accounts_with_one_password_get_different_hashes(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    add_user(engine, SYSTEM, "Rui", Role.reviewer, PASSWORD)
    assert stored_user(engine, "Ana").password_hash != stored_user(engine, "Rui").password_hash


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 8 characters"),
        ("x" * 1025, "at most 1024 characters"),
        (" " * 8, "only spaces or other blank characters"),
        ("\t \u00a0\u3000\n  \r ", "only spaces or other blank characters"),
    ],
)
def test_a_weak_or_absurd_password_is_refused(engine: Engine, password: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        add_user(engine, SYSTEM, "Ana", Role.admin, password)
    assert accounts.list_users(engine, SYSTEM) == []


def test_a_blank_password_is_refused_as_a_new_password_too(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    with pytest.raises(InvalidInput, match="only spaces"):
        set_password(engine, SYSTEM, "Ana", " " * 12)
    assert login(engine, "Ana", PASSWORD).name == "Ana"  # the old password still holds
    # Spaces inside or around a real password are kept: only all-blank ones are refused.
    set_password(engine, SYSTEM, "Ana", "  two words  ")
    assert login(engine, "Ana", "  two words  ").name == "Ana"


def test_a_hash_with_older_parameters_is_upgraded_at_login(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with unit_of_work(engine) as session:
        user = session.scalar(select(User).where(User.name == "Ana"))
        assert user is not None
        user.password_hash = weak
    login(engine, "Ana", PASSWORD)
    upgraded = stored_user(engine, "Ana").password_hash
    assert upgraded != weak and upgraded is not None and upgraded.startswith("$argon2id$")
    assert login(engine, "Ana", PASSWORD).name == "Ana"


# --- login ---------------------------------------------------------------------------------


def test_a_correct_login_gives_the_actor_with_its_role(engine: Engine) -> None:
    user = add_user(engine, SYSTEM, "Rui  Costa", Role.reviewer, PASSWORD)
    actor = login(engine, "  Rui Costa ", PASSWORD)
    assert actor == Actor(id=user.id, name="Rui Costa", role=Role.reviewer)


def test_wrong_password_unknown_name_and_no_password_fail_alike(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    add_user(engine, SYSTEM, "Imported", Role.reviewer)  # known name, no password: can't log in
    messages = set()
    for name, password in [("Ana", "wrong password"), ("Nobody", PASSWORD), ("Imported", "")]:
        with pytest.raises(LoginFailed) as caught:
            login(engine, name, password)
        messages.add(str(caught.value))
    # The same words whatever went wrong: the page does not tell which names exist.
    assert messages == {SIGN_IN_FAILED}


def refused(engine: Engine, name: str, password: str, now: datetime) -> str:
    with pytest.raises(LoginFailed) as caught:
        login(engine, name, password, now=now)
    return str(caught.value)


def test_five_failures_pause_the_account_and_each_further_one_doubles_the_pause(
    engine: Engine,
) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    for attempt in range(FREE_ATTEMPTS):
        assert refused(engine, "Ana", "guess", T0 + timedelta(seconds=attempt)) == SIGN_IN_FAILED
    last = T0 + timedelta(seconds=FREE_ATTEMPTS - 1)
    assert stored_user(engine, "Ana").locked_until == last + FIRST_PAUSE

    # Paused: even the right password is refused, in the words every failure gets (a
    # message naming the pause would tell a stranger that the name exists).
    assert refused(engine, "Ana", PASSWORD, last + FIRST_PAUSE - timedelta(seconds=1)) == (
        SIGN_IN_FAILED
    )

    # The pause ends; one more failure pauses it again for twice as long.
    after_first = last + FIRST_PAUSE + timedelta(seconds=1)
    assert refused(engine, "Ana", "guess", after_first) == SIGN_IN_FAILED
    assert stored_user(engine, "Ana").locked_until == after_first + 2 * FIRST_PAUSE
    assert refused(engine, "Ana", PASSWORD, after_first + 2 * FIRST_PAUSE - timedelta(seconds=1))

    # Time passes: the right password gets in and the count starts again from zero.
    later = after_first + 2 * FIRST_PAUSE + timedelta(seconds=1)
    assert login(engine, "Ana", PASSWORD, now=later).name == "Ana"
    user = stored_user(engine, "Ana")
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_the_pause_doubles_up_to_a_few_minutes_and_never_becomes_a_lock(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    now, pauses = T0, []
    for _ in range(FREE_ATTEMPTS + 8):
        refused(engine, "Ana", "guess", now)
        paused = stored_user(engine, "Ana").locked_until
        if paused is not None:
            pauses.append(paused - now)
            now = paused  # the next guess comes as soon as the pause allows
        else:
            now += timedelta(seconds=1)
    assert timedelta(minutes=5) == MAX_PAUSE
    assert pauses == [FIRST_PAUSE * 2**n for n in range(4)] + [MAX_PAUSE] * 5
    # However many guesses came before, the owner gets in once the pause is over.
    assert login(engine, "Ana", PASSWORD, now=now).name == "Ana"


def test_the_pause_is_per_account(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    add_user(engine, SYSTEM, "Rui", Role.reviewer, PASSWORD)
    for _ in range(FREE_ATTEMPTS):
        refused(engine, "Ana", "guess", T0)
    assert login(engine, "Rui", PASSWORD, now=T0).name == "Rui"


def test_a_new_password_ends_the_pause(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    for _ in range(FREE_ATTEMPTS):
        refused(engine, "Ana", "guess", T0)
    set_password(engine, SYSTEM, "Ana", "another good one")
    assert login(engine, "Ana", "another good one", now=T0).name == "Ana"
    assert refused(engine, "Ana", PASSWORD, T0) == SIGN_IN_FAILED


def test_unlock_ends_the_pause_and_is_in_the_history(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    add_user(engine, SYSTEM, "Rui", Role.reviewer, PASSWORD)
    for _ in range(FREE_ATTEMPTS):
        refused(engine, "Rui", "guess", T0)
    assert refused(engine, "Rui", PASSWORD, T0) == SIGN_IN_FAILED
    ana = login(engine, "Ana", PASSWORD)  # an admin signed in
    assert unlock(engine, ana, "Rui").name == "Rui"
    assert login(engine, "Rui", PASSWORD, now=T0).name == "Rui"
    with unit_of_work(engine) as session:
        entry = session.scalars(select(HistoryEntry).order_by(HistoryEntry.id.desc())).first()
        assert entry is not None and entry.after is not None
        assert entry.after["unlocked"] is True
    # Only those who manage users may unlock anyone.
    reviewer = login(engine, "Rui", PASSWORD)
    with pytest.raises(PermissionDenied):
        unlock(engine, reviewer, "Ana")
    with pytest.raises(NotFound, match="no user named 'Zed'"):
        unlock(engine, SYSTEM, "Zed")


def test_a_disabled_account_cannot_log_in_until_enabled(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    add_user(engine, SYSTEM, "Rui", Role.reviewer, PASSWORD)
    set_disabled(engine, SYSTEM, "Rui")
    with pytest.raises(LoginFailed, match=SIGN_IN_FAILED):
        login(engine, "Rui", PASSWORD)
    set_disabled(engine, SYSTEM, "Rui", False)
    assert login(engine, "Rui", PASSWORD).role == Role.reviewer


# --- modes and sessions ----------------------------------------------------------------------


def test_team_mode_begins_with_the_first_password(engine: Engine) -> None:
    assert not team_mode(engine)
    local = local_actor(engine, "Ana")
    assert local.role == Role.admin  # single-user mode: the one person runs everything
    add_user(engine, SYSTEM, "Imported", Role.reviewer)
    assert not team_mode(engine)
    set_password(engine, SYSTEM, "Ana", PASSWORD)
    assert team_mode(engine)
    with pytest.raises(PermissionDenied, match="log in"):
        local_actor(engine, "Anyone")


def test_current_actor_follows_role_changes_and_drops_disabled_accounts(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    add_user(engine, SYSTEM, "Rui", Role.reviewer, PASSWORD)
    rui = login(engine, "Rui", PASSWORD)
    assert current_actor(engine, rui) == (True, rui)
    set_role(engine, SYSTEM, "Rui", Role.viewer)
    assert current_actor(engine, rui) == (True, rui.model_copy(update={"role": Role.viewer}))
    set_disabled(engine, SYSTEM, "Rui")
    assert current_actor(engine, rui) == (True, None)
    assert current_actor(engine, None) == (True, None)


# --- managing accounts ---------------------------------------------------------------------


def test_a_name_is_unique(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    with pytest.raises(InvalidInput, match="already exists"):
        add_user(engine, SYSTEM, " Ana ", Role.reviewer, PASSWORD)


def test_a_name_known_from_single_user_mode_becomes_an_account(engine: Engine) -> None:
    local = local_actor(engine, "Ana")
    user = add_user(engine, SYSTEM, "Ana", Role.reviewer, PASSWORD)
    assert (user.id, user.role, user.can_log_in) == (local.id, Role.reviewer, True)


def test_unknown_users_are_named_in_the_error(engine: Engine) -> None:
    changes: list[Callable[[], object]] = [
        lambda: set_role(engine, SYSTEM, "Zed", Role.viewer),
        lambda: set_disabled(engine, SYSTEM, "Zed"),
        lambda: set_password(engine, SYSTEM, "Zed", PASSWORD),
    ]
    for change in changes:
        with pytest.raises(NotFound, match="no user named 'Zed'"):
            change()


def test_the_last_admin_can_be_neither_demoted_nor_disabled(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    add_user(engine, SYSTEM, "Rui", Role.reviewer, PASSWORD)
    with pytest.raises(InvalidInput, match="Ana is the last admin"):
        set_role(engine, SYSTEM, "Ana", Role.reviewer)
    with pytest.raises(InvalidInput, match="Ana is the last admin"):
        set_disabled(engine, SYSTEM, "Ana")

    # An admin who is disabled, or who has no password, does not count as a second one.
    add_user(engine, SYSTEM, "Bea", Role.admin, PASSWORD)
    add_user(engine, SYSTEM, "Old", Role.admin)
    set_disabled(engine, SYSTEM, "Bea")
    with pytest.raises(InvalidInput, match="last admin"):
        set_role(engine, SYSTEM, "Ana", Role.viewer)

    set_disabled(engine, SYSTEM, "Bea", False)
    assert set_role(engine, SYSTEM, "Ana", Role.viewer).role == Role.viewer
    with pytest.raises(InvalidInput, match="Bea is the last admin"):
        set_disabled(engine, SYSTEM, "Bea")
    assert login(engine, "Bea", PASSWORD).role == Role.admin


def test_everyone_may_change_their_own_password_admins_anyones(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    add_user(engine, SYSTEM, "Rui", Role.reviewer, PASSWORD)
    add_user(engine, SYSTEM, "Vera", Role.viewer, PASSWORD)
    rui = login(engine, "Rui", PASSWORD)
    set_password(engine, rui, "Rui", "rui's new password")
    assert login(engine, "Rui", "rui's new password") == rui
    with pytest.raises(PermissionDenied):
        set_password(engine, rui, "Vera", "taken over")
    with pytest.raises(PermissionDenied):  # not NotFound: which names exist is not told
        set_password(engine, rui, "Nobody", "taken over")
    assert login(engine, "Vera", PASSWORD).name == "Vera"
    set_password(engine, login(engine, "Ana", PASSWORD), "Vera", "reset by admin")
    assert login(engine, "Vera", "reset by admin").name == "Vera"


def test_history_of_account_changes_never_holds_a_hash_or_password(engine: Engine) -> None:
    ana = add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    admin = login(engine, "Ana", PASSWORD)
    add_user(engine, admin, "Rui", Role.reviewer, "rui password 1")
    set_password(engine, admin, "Rui", "rui password 2")
    set_role(engine, admin, "Rui", Role.viewer)
    set_disabled(engine, admin, "Rui")

    with unit_of_work(engine) as session:
        entries = session.scalars(
            select(HistoryEntry).where(HistoryEntry.entity == "user").order_by(HistoryEntry.id)
        ).all()
        rows = [(e.actor_id, e.action, e.before, e.after) for e in entries]
    assert [action for _, action, _, _ in rows] == [
        "create",
        "create",
        "update",
        "update",
        "update",
    ]
    assert [actor for actor, _, _, _ in rows] == [None] + [ana.id] * 4  # the CLI, then Ana
    assert rows[1][3] == {
        "name": "Rui",
        "role": "reviewer",
        "disabled": False,
        "has_password": True,
    }
    assert (rows[3][2]["role"], rows[3][3]["role"]) == ("reviewer", "viewer")
    assert (rows[4][2]["disabled"], rows[4][3]["disabled"]) == (False, True)
    text = json.dumps(rows)
    for secret in ("$argon2", PASSWORD, "rui password 1", "rui password 2"):
        assert secret not in text


def test_twelve_admins_adding_one_name_at_once_make_one_account(engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def add(_: int) -> str:
        try:
            add_user(engine, SYSTEM, "Ana", Role.reviewer, "correct horse battery")
        except InvalidInput as exc:
            return str(exc)
        return "added"

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(add, range(12)))
    assert outcomes.count("added") == 1
    assert set(outcomes) - {"added"} == {"a user named 'Ana' already exists"}
