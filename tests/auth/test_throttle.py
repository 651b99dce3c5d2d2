"""Sign-in throttling: parallel guesses, the per-client budget, and who can shut out whom.

The parallel tests are the hostile tester's: many sign-ins released at once by a barrier,
against a real SQLite file and a real PostgreSQL schema (the ``engine`` fixture), with the
password verifier wrapped to count every hash it checks. Argon2id runs for real, with
cheaper parameters than production so that forty checks take a second, not twenty.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from workbench.auth import accounts, passwords
from workbench.auth.accounts import SIGN_IN_FAILED, add_user, login
from workbench.auth.policy import SYSTEM
from workbench.auth.throttle import (
    CLIENT_FORGET_AFTER,
    CLIENT_FREE_FAILURES,
    CLIENT_MAX_PAUSE,
    FREE_ATTEMPTS,
    MAX_PAUSE,
    ClientThrottle,
    pause_after,
)
from workbench.db.models import User
from workbench.db.session import unit_of_work
from workbench.errors import LoginFailed
from workbench.schemas import Actor, Role

PASSWORD = "correct horse battery"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass
class Verifications:
    """Every (hash, password) the login code checked, from any thread."""

    checked: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def against(self, stored_hash: str) -> list[str]:
        return [password for hashed, password in self.checked if hashed == stored_hash]


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> Iterator[Verifications]:
    seen = Verifications()
    verify = passwords.verify_password

    def counted(stored_hash: str, password: str) -> bool:
        with seen.lock:
            seen.checked.append((stored_hash, password))
        return verify(stored_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counted)
    cheap = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    accounts._decoy_hash.cache_clear()  # made with the hasher in force
    yield seen
    accounts._decoy_hash.cache_clear()


def stored_hash(engine: Engine, name: str) -> str:
    with unit_of_work(engine) as session:
        hashed = session.scalar(select(User.password_hash).where(User.name == name))
    assert hashed is not None
    return hashed


def at_once(
    attempts: Sequence[tuple[str, str, str | None]], engine: Engine, clients: ClientThrottle
) -> list[Actor | str]:
    """Run every (name, password, client) sign-in in its own thread, all released together."""
    barrier = threading.Barrier(len(attempts))

    def attempt(name: str, password: str, client: str | None) -> Actor | str:
        barrier.wait()
        try:
            return login(engine, name, password, client=client, clients=clients)
        except LoginFailed as exc:
            return str(exc)

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        futures = [pool.submit(attempt, *a) for a in attempts]
        return [f.result(timeout=120) for f in futures]


@pytest.mark.parametrize("threads", [12, 40])
def test_parallel_wrong_guesses_check_only_the_budget_then_the_right_password_fails(
    engine: Engine, verifications: Verifications, threads: int
) -> None:
    add_user(engine, SYSTEM, "rev2", Role.reviewer, PASSWORD)
    hashed = stored_hash(engine, "rev2")
    # Each from a browser session of its own, as the tester did: no per-client limit helps.
    guesses = [("rev2", f"wrong guess {i}", f"session {i}") for i in range(threads)]
    outcomes = at_once(guesses, engine, ClientThrottle())
    assert outcomes == [SIGN_IN_FAILED] * threads
    assert len(verifications.against(hashed)) == FREE_ATTEMPTS
    # Every refusal still cost one hash (a decoy), so a paused account answers as slowly.
    assert len(verifications.checked) == threads

    # The budget is spent: the right password is refused unchecked, in the same words.
    with pytest.raises(LoginFailed) as caught:
        login(engine, "rev2", PASSWORD, client="the owner", clients=ClientThrottle())
    assert str(caught.value) == SIGN_IN_FAILED
    assert len(verifications.against(hashed)) == FREE_ATTEMPTS
    # ... until the pause has passed.
    later = datetime.now(UTC) + MAX_PAUSE
    assert login(engine, "rev2", PASSWORD, now=later).name == "rev2"


@pytest.mark.parametrize("threads", [12, 40])
def test_the_right_password_among_parallel_guesses_is_checked_only_within_the_budget(
    engine: Engine, verifications: Verifications, threads: int
) -> None:
    add_user(engine, SYSTEM, "rev2", Role.reviewer, PASSWORD)
    hashed = stored_hash(engine, "rev2")
    guesses = [("rev2", f"wrong guess {i}", f"session {i}") for i in range(threads - 1)]
    guesses.insert(threads // 2, ("rev2", PASSWORD, "the owner"))
    outcomes = at_once(guesses, engine, ClientThrottle())
    checked = verifications.against(hashed)
    signed_in = [o for o in outcomes if isinstance(o, Actor)]
    # It gets in only if its guess was one of the budget's; every other attempt failed alike.
    assert len(signed_in) == (1 if PASSWORD in checked else 0)
    assert [o for o in outcomes if not isinstance(o, Actor)] == [SIGN_IN_FAILED] * (
        threads - len(signed_in)
    )
    wrong = len(checked) - len(signed_in)
    if signed_in:
        # A success starts a new count: at most four wrong guesses before it (it was one of
        # the five), and five after.
        assert wrong <= 2 * FREE_ATTEMPTS - 1
    else:
        assert wrong == FREE_ATTEMPTS


def guess_in_a_process(
    url: str, guesses: list[str], start: Any, results: Any
) -> None:  # pragma: no cover - runs in a child process
    """A server process of its own: its own engine, its threads guessing all at once."""
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    from workbench.db.open import open_database

    engine = open_database(url)
    decoy = accounts._decoy_hash()
    real: list[str] = []
    verify = passwords.verify_password

    def counted(stored_hash: str, password: str) -> bool:
        if stored_hash != decoy:
            real.append(password)
        return verify(stored_hash, password)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "verify_password", counted)
        start.wait()  # every process ready: the guesses leave together
        outcomes = at_once([("rev2", g, None) for g in guesses], engine, ClientThrottle())
    results.put((real, [o if isinstance(o, str) else "signed in" for o in outcomes]))


def test_guesses_from_several_processes_sharing_the_database_meet_one_budget(
    engine: Engine, db_url: str
) -> None:
    add_user(engine, SYSTEM, "rev2", Role.reviewer, PASSWORD)
    spawn = multiprocessing.get_context("spawn")
    processes, per_process = 4, 4
    start, results = spawn.Barrier(processes), spawn.Queue()
    children = [
        spawn.Process(
            target=guess_in_a_process,
            args=(db_url, [f"wrong {p}.{t}" for t in range(per_process)], start, results),
        )
        for p in range(processes)
    ]
    for child in children:
        child.start()
    try:
        reports = [results.get(timeout=120) for _ in children]
    finally:
        for child in children:
            child.join(timeout=30)
    checked = [password for real, _ in reports for password in real]
    assert len(checked) == FREE_ATTEMPTS
    assert [o for _, outcomes in reports for o in outcomes] == [SIGN_IN_FAILED] * 16


def test_unknown_known_and_paused_names_cost_one_hash_and_get_one_answer(
    engine: Engine, verifications: Verifications
) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    add_user(engine, SYSTEM, "Paused", Role.reviewer, PASSWORD)
    add_user(engine, SYSTEM, "Off", Role.reviewer, PASSWORD)
    accounts.set_disabled(engine, SYSTEM, "Off")
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(LoginFailed):
            login(engine, "Paused", "guess", now=T0)
    answers = set()
    for name, password in [
        ("Ana", "wrong password"),  # known, wrong password
        ("Nobody", PASSWORD),  # unknown
        ("Paused", PASSWORD),  # known, right password, but its budget is spent
        ("Off", PASSWORD),  # disabled
    ]:
        before = len(verifications.checked)
        with pytest.raises(LoginFailed) as caught:
            login(engine, name, password, now=T0)
        answers.add(str(caught.value))
        assert len(verifications.checked) == before + 1, name  # the same work each time
    assert answers == {SIGN_IN_FAILED}
    assert "Paused" not in SIGN_IN_FAILED and "Ana" not in SIGN_IN_FAILED


# --- per client ------------------------------------------------------------------------------


def test_one_client_cannot_spend_every_accounts_budget(
    engine: Engine, verifications: Verifications
) -> None:
    names = [f"user{i}" for i in range(4)]
    for name in names:
        add_user(engine, SYSTEM, name, Role.reviewer, PASSWORD)
    clients = ClientThrottle()
    # Password spraying: one guess at each name, round and round, from one address.
    sprayed = [(names[i % len(names)], f"guess {i}") for i in range(3 * CLIENT_FREE_FAILURES)]
    answers = set()
    for name, guess in sprayed:
        with pytest.raises(LoginFailed) as caught:
            login(engine, name, guess, client="203.0.113.9", clients=clients, now=T0)
        answers.add(str(caught.value))
    assert answers == {SIGN_IN_FAILED}
    # The client's budget ran out long before the accounts': the rest were not even hashed.
    assert len(verifications.checked) == CLIENT_FREE_FAILURES
    for name in names:
        assert login(engine, name, PASSWORD, client="198.51.100.7", clients=clients, now=T0)


def test_parallel_attempts_from_one_client_meet_its_budget(
    engine: Engine, verifications: Verifications
) -> None:
    clients = ClientThrottle()
    attempts: list[tuple[str, str, str | None]] = [
        (f"nobody {i}", "guess", "203.0.113.9") for i in range(40)
    ]
    assert at_once(attempts, engine, clients) == [SIGN_IN_FAILED] * 40
    assert len(verifications.checked) == CLIENT_FREE_FAILURES


def test_a_client_that_signs_in_keeps_its_earlier_failures_but_not_this_one() -> None:
    clients = ClientThrottle()
    for _ in range(CLIENT_FREE_FAILURES - 1):
        assert clients.reserve("c", T0)
    assert clients.reserve("c", T0)  # the tenth attempt: reserved as a failure, pausing...
    clients.succeeded("c")  # ... but it was the right password: no pause
    assert clients.reserve("c", T0)  # so one more may come, and it is the tenth failure
    assert not clients.reserve("c", T0 + timedelta(seconds=29))
    assert clients.reserve("c", T0 + timedelta(seconds=30))
    # Quiet for an hour after its last failure: a clean slate.
    later = T0 + timedelta(seconds=30) + CLIENT_FORGET_AFTER
    for _ in range(CLIENT_FREE_FAILURES - 1):
        assert clients.reserve("c", later)


def test_pauses_double_and_a_clients_outlast_an_accounts() -> None:
    account = [pause_after(n) for n in range(FREE_ATTEMPTS, FREE_ATTEMPTS + 6)]
    assert [p.total_seconds() for p in account] == [30, 60, 120, 240, 300, 300]
    client = [
        pause_after(n, free=CLIENT_FREE_FAILURES, cap=CLIENT_MAX_PAUSE)
        for n in range(CLIENT_FREE_FAILURES, CLIENT_FREE_FAILURES + 7)
    ]
    assert [p.total_seconds() for p in client] == [30, 60, 120, 240, 480, 900, 900]
    assert CLIENT_MAX_PAUSE > MAX_PAUSE
    assert pause_after(10**6) == MAX_PAUSE  # no overflow however long the attack


def test_a_stranger_cannot_keep_an_admin_out(engine: Engine, verifications: Verifications) -> None:
    """A stranger guesses at the admin as fast as they like, for two hours; the admin signs
    in every ten minutes from their own browser. The admin is refused at most once."""
    add_user(engine, SYSTEM, "Ada", Role.admin, PASSWORD)
    clients = ClientThrottle()
    refusals, now = 0, T0
    for second in range(0, 2 * 3600, 5):
        now = T0 + timedelta(seconds=second)
        with pytest.raises(LoginFailed):
            login(engine, "Ada", f"guess {second}", client="203.0.113.9", clients=clients, now=now)
        if second % 600 == 300:
            try:
                login(engine, "Ada", PASSWORD, client="198.51.100.7", clients=clients, now=now)
            except LoginFailed:
                refusals += 1
    # Refused once at most: while the stranger's first five guesses have the account paused.
    assert refusals <= 1
    guesses = len(verifications.against(stored_hash(engine, "Ada"))) - (12 - refusals)
    assert guesses <= 2 * CLIENT_FREE_FAILURES  # in two hours, from one address
