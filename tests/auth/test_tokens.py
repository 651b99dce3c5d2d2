"""Personal API tokens (issue 15): only a hash stored, the secret shown once; refused once
revoked, expired, or its account disabled or removed; limited to a project when asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from workbench.auth import accounts
from workbench.auth.policy import SYSTEM, Action, authorize
from workbench.auth.tokens import (
    TOUCH_EVERY,
    authenticate,
    create_token,
    list_tokens,
    revoke_token,
)
from workbench.db.api_tables import ApiToken
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotAMember, NotFound, PermissionDenied
from workbench.projects.membership import grant
from workbench.projects.service import add_project
from workbench.schemas import Actor, Role


def _actor(engine: Engine, name: str, role: Role) -> Actor:
    user = accounts.add_user(engine, SYSTEM, name, role)
    return Actor(id=user.id, name=user.name, role=user.role)


def test_only_the_hash_is_stored_and_the_secret_opens_the_account(engine: Engine) -> None:
    rae = _actor(engine, "rae", Role.reviewer)
    made = create_token(engine, SYSTEM, "rae", "laptop")
    with engine.connect() as connection:
        dumped = " ".join(
            str(v) for row in connection.execute(text("SELECT * FROM api_tokens")) for v in row
        )
    assert made.secret not in dumped and made.secret[4:] not in dumped
    assert authenticate(engine, made.secret) == rae
    assert authenticate(engine, made.secret + "x") is None
    assert authenticate(engine, "") is None and authenticate(engine, "é" * 10) is None
    assert authenticate(engine, "x" * 10_000) is None
    assert all(not hasattr(t, "secret") for t in list_tokens(engine, SYSTEM))


def test_revoked_expired_disabled_and_removed_are_refused_at_once(engine: Engine) -> None:
    _actor(engine, "rae", Role.reviewer)
    now = datetime.now(UTC)
    revoked = create_token(engine, SYSTEM, "rae", "a")
    revoke_token(engine, SYSTEM, revoked.token.id)
    assert authenticate(engine, revoked.secret) is None
    expiring = create_token(engine, SYSTEM, "rae", "b", expires_days=1, now=now)
    assert authenticate(engine, expiring.secret, now=now + timedelta(hours=23)) is not None
    assert authenticate(engine, expiring.secret, now=now + timedelta(days=1)) is None
    live = create_token(engine, SYSTEM, "rae", "c")
    accounts.set_disabled(engine, SYSTEM, "rae", True)
    assert authenticate(engine, live.secret) is None
    accounts.set_disabled(engine, SYSTEM, "rae", False)
    assert authenticate(engine, live.secret) is not None


def test_last_used_is_written_at_most_once_a_minute(engine: Engine) -> None:
    _actor(engine, "rae", Role.reviewer)
    made = create_token(engine, SYSTEM, "rae", "a")
    now = datetime.now(UTC)

    def last_used() -> datetime | None:
        with unit_of_work(engine) as session:
            return session.scalar(select(ApiToken.last_used_at))

    authenticate(engine, made.secret, now=now)
    assert last_used() == now
    authenticate(engine, made.secret, now=now + TOUCH_EVERY / 2)
    assert last_used() == now
    later = now + TOUCH_EVERY
    authenticate(engine, made.secret, now=later)
    assert last_used() == later


def test_who_may_make_tokens_for_whom(engine: Engine) -> None:
    rae = _actor(engine, "rae", Role.reviewer)
    boss = _actor(engine, "boss", Role.admin)
    _actor(engine, "eli", Role.reviewer)
    create_token(engine, rae, "rae", "mine")  # an account for itself
    create_token(engine, boss, "eli", "for eli")  # a site admin for anyone
    with pytest.raises(PermissionDenied):
        create_token(engine, rae, "eli", "not mine")
    assert [t.name for t in list_tokens(engine, rae)] == ["mine"]
    assert len(list_tokens(engine, boss)) == 2
    others = [t for t in list_tokens(engine, boss) if t.user == "eli"]
    with pytest.raises(NotFound):  # someone else's token is no token to rae
        revoke_token(engine, rae, others[0].id)
    with pytest.raises(NotFound, match="no account named 'nobody'"):
        create_token(engine, SYSTEM, "nobody", "x")
    with pytest.raises(InvalidInput):
        create_token(engine, SYSTEM, "rae", "x", expires_days=0)
    with pytest.raises(InvalidInput):
        create_token(engine, SYSTEM, "rae", "\x00")


def test_a_token_limited_to_a_project_acts_there_only(engine: Engine) -> None:
    add_project(engine, SYSTEM, "health")
    add_project(engine, SYSTEM, "election")
    _actor(engine, "eli", Role.reviewer)
    grant(engine, SYSTEM, "eli", "health", Role.reviewer)
    grant(engine, SYSTEM, "eli", "election", Role.reviewer)
    made = create_token(engine, SYSTEM, "eli", "health only", project="health")
    actor = authenticate(engine, made.secret)
    assert actor is not None and actor.limited_to is not None
    with unit_of_work(engine) as session:
        ids = {name: id_ for name, id_ in session.execute(text("SELECT name, id FROM projects"))}
    assert authorize(engine, actor, Action.review, ids["health"]).limited_to == ids["health"]
    with pytest.raises(NotAMember):
        authorize(engine, actor, Action.read, ids["election"])
    with pytest.raises(PermissionDenied):
        authorize(engine, actor.model_copy(update={"role": Role.admin}), Action.manage_users)
