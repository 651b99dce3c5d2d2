"""Single sign-on's mapping: a provider's verified e-mail to the account an admin made.

Through the service layer on SQLite and PostgreSQL; the browser path (st.login against a
local provider) is tests/browser/test_sso_browser.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from workbench.auth.accounts import (
    add_user,
    current_actor,
    email_address,
    list_users,
    local_actor,
    set_disabled,
    set_email,
    team_mode,
)
from workbench.auth.oidc import FRESH_FOR, StaleSignIn, sso_login
from workbench.auth.policy import SYSTEM
from workbench.db.models import HistoryEntry, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, LoginFailed, PermissionDenied
from workbench.schemas import Actor, Role

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
PROVIDER = "Newsroom ID"


def claims(
    email: object = "ana@example.org", verified: object = True, **more: object
) -> dict[str, object]:
    """What Streamlit's st.user holds after a sign-in at the provider, issued just now."""
    return {
        "is_logged_in": True,
        "iss": "http://localhost:9999",
        "sub": "u-1",
        "iat": int(NOW.timestamp()) - 5,
        "email": email,
        "email_verified": verified,
    } | more


def login(engine: Engine, given: dict[str, object], now: datetime = NOW) -> Actor:
    return sso_login(engine, given, provider=PROVIDER, now=now)


def user_count(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        return int(session.scalar(select(func.count(User.id))) or 0)


# --- the mapping ---------------------------------------------------------------------------


def test_a_verified_email_signs_in_the_account_that_has_it(engine: Engine) -> None:
    made = add_user(engine, SYSTEM, "Ana", Role.reviewer, email="Ana@Example.org")
    assert made.email == "ana@example.org"  # stored as compared: trimmed, lower case
    actor = login(engine, claims(email="ANA@example.ORG"))
    assert actor == Actor(id=made.id, name="Ana", role=Role.reviewer)


def test_an_email_no_account_has_is_refused_and_nothing_is_created(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.reviewer, email="ana@example.org")
    before = user_count(engine)
    with pytest.raises(LoginFailed, match=r"no account here has the e-mail eve@example\.org"):
        login(engine, claims(email="eve@example.org"))
    assert user_count(engine) == before


@pytest.mark.parametrize("verified", [False, None, "false", 1, "yes"])
def test_an_unverified_email_is_refused(engine: Engine, verified: object) -> None:
    add_user(engine, SYSTEM, "Ana", Role.reviewer, email="ana@example.org")
    with pytest.raises(LoginFailed, match=f"{PROVIDER} has not verified the e-mail"):
        login(engine, claims(verified=verified))


def test_the_string_true_counts_as_verified(engine: Engine) -> None:
    # Some providers send the claim as a string.
    add_user(engine, SYSTEM, "Ana", Role.reviewer, email="ana@example.org")
    assert login(engine, claims(verified="true")).name == "Ana"


@pytest.mark.parametrize("email", [None, "", "  ", 42, "not an address"])
def test_no_usable_email_is_refused(engine: Engine, email: object) -> None:
    add_user(engine, SYSTEM, "Ana", Role.reviewer, email="ana@example.org")
    with pytest.raises(LoginFailed):
        login(engine, claims(email=email))


def test_a_disabled_account_is_refused(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ada", Role.admin, "correct horse battery")
    add_user(engine, SYSTEM, "Ana", Role.reviewer, email="ana@example.org")
    set_disabled(engine, SYSTEM, "Ana")
    with pytest.raises(LoginFailed, match=r"the account Ana \(ana@example\.org\) is disabled"):
        login(engine, claims())


@pytest.mark.parametrize(
    "iat",
    [
        None,
        "1765011600",  # a string, not a number
        int((NOW - FRESH_FOR - timedelta(seconds=1)).timestamp()),  # a cookie from before
        int((NOW + timedelta(hours=1)).timestamp()),  # from the future
    ],
)
def test_only_a_fresh_sign_in_counts(engine: Engine, iat: object) -> None:
    add_user(engine, SYSTEM, "Ana", Role.reviewer, email="ana@example.org")
    with pytest.raises(StaleSignIn):
        login(engine, claims(iat=iat))


def test_the_role_comes_from_the_account_as_stored_now(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.viewer, email="ana@example.org")
    assert login(engine, claims()).role == Role.viewer
    assert login(engine, claims(role="admin", roles=["admin"])).role == Role.viewer


# --- accounts and their e-mail -------------------------------------------------------------


def test_set_email_changes_who_signs_in_and_is_in_the_history(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.reviewer, "correct horse battery")
    assert set_email(engine, SYSTEM, "Ana", " ana@example.org ").email == "ana@example.org"
    assert login(engine, claims()).name == "Ana"
    assert set_email(engine, SYSTEM, "Ana", None).email is None
    with pytest.raises(LoginFailed, match="no account here"):
        login(engine, claims())
    with unit_of_work(engine) as session:
        users = HistoryEntry.entity == "user"  # not the membership of the one project
        afters = session.scalars(
            select(HistoryEntry.after).where(users).order_by(HistoryEntry.id)
        ).all()
    emails = [(json.loads(a) if isinstance(a, str) else a).get("email") for a in afters]
    assert emails == [None, "ana@example.org", None]


def test_two_accounts_cannot_share_an_email(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.reviewer, email="ana@example.org")
    with pytest.raises(InvalidInput, match="already the e-mail of Ana"):
        add_user(engine, SYSTEM, "Bo", Role.reviewer, email="ANA@example.org")
    add_user(engine, SYSTEM, "Bo", Role.reviewer, "correct horse battery")
    with pytest.raises(InvalidInput, match="already the e-mail of Ana"):
        set_email(engine, SYSTEM, "Bo", "ana@example.org")
    # The unique index holds it even past the service's check (two admins at once).
    with pytest.raises(IntegrityError), unit_of_work(engine) as session:
        bo = session.scalar(select(User).where(User.name == "Bo"))
        assert bo is not None
        bo.email = "ana@example.org"
        session.flush()


@pytest.mark.parametrize(
    "raw", ["ana", "@example.org", "ana@", "ana@example", "a b@example.org", "a@b@c.org"]
)
def test_an_address_that_is_not_one_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput, match="not an e-mail address"):
        email_address(raw)


def test_only_admins_set_an_email(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ada", Role.admin, "correct horse battery")
    ana = add_user(engine, SYSTEM, "Ana", Role.reviewer, "correct horse battery")
    me = Actor(id=ana.id, name=ana.name, role=ana.role)
    with pytest.raises(PermissionDenied):
        set_email(engine, me, "Ana", "ana@example.org")


def test_an_account_with_only_an_email_is_team_mode_and_can_sign_in(engine: Engine) -> None:
    """Accounts that sign in only through the provider must not leave the workbench in
    single-user mode, where anyone may type a name and act as an admin."""
    local_actor(engine, "Someone")  # single-user mode so far
    assert not team_mode(engine)
    add_user(engine, SYSTEM, "Ana", Role.admin, email="ana@example.org")
    assert team_mode(engine)
    with pytest.raises(PermissionDenied):
        local_actor(engine, "Mallory")
    (ana,) = [u for u in list_users(engine, SYSTEM) if u.name == "Ana"]
    assert ana.can_log_in and ana.email == "ana@example.org"
    assert current_actor(engine, login(engine, claims()))[1] is not None


def test_a_name_from_single_user_reviews_becomes_an_sso_account(engine: Engine) -> None:
    local = local_actor(engine, "Ana")
    made = add_user(engine, SYSTEM, "Ana", Role.reviewer, email="ana@example.org")
    assert made.id == local.id and made.role == Role.reviewer
    with pytest.raises(InvalidInput, match="already exists"):
        add_user(engine, SYSTEM, "Ana", Role.reviewer)


def test_the_last_admin_who_signs_in_by_email_stays(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Ana", Role.admin, email="ana@example.org")
    with pytest.raises(InvalidInput, match="last admin"):
        set_disabled(engine, SYSTEM, "Ana")
