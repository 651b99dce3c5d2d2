"""Single sign-on: the e-mail an identity provider vouches for, mapped to an account.

The organisation's OpenID Connect provider says who the person is; the workbench decides
what they may do. A sign-in through the provider becomes the account whose ``email`` an
admin set (``workbench users add NAME --email E``, ``workbench users set-email NAME E``,
the Users page) and nothing else:

* the provider must say the address is **verified** (``email_verified`` true): an
  address a user merely typed into their profile at the provider proves nothing;
* an address no account has is refused, and nothing is created: accounts and roles are
  the admin's, as with passwords;
* a disabled account is refused;
* the identity must be **fresh**: issued (the ID token's ``iat``) at most
  :data:`FRESH_FOR` ago. Streamlit keeps the provider's answer in a cookie for 30 days; the
  workbench takes it only as the proof of a sign-in that just happened, so signing out of
  the workbench, or an account disabled meanwhile, is not undone by an old cookie.

Unlike a password sign-in, the refusal says what was wrong: the person has proven to the
provider that the address is theirs, so telling them that it has no account here reveals
nothing to a stranger.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from workbench.auth.accounts import email_address
from workbench.auth.policy import actor_of
from workbench.db.models import User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, LoginFailed
from workbench.schemas import Actor

# How old the provider's answer may be when the workbench starts a session from it. The
# browser goes to the provider and comes back within seconds; the margin is for clocks.
FRESH_FOR = timedelta(minutes=10)
# Clock skew allowed the other way (an ``iat`` a little in the future).
SKEW = timedelta(minutes=2)


class StaleSignIn(LoginFailed):
    """The provider's answer is older than :data:`FRESH_FOR` (or has no issue time): a cookie
    from an earlier visit, not a sign-in that just happened."""


def sso_login(
    engine: Engine,
    claims: Mapping[str, object],
    *,
    provider: str,
    now: datetime | None = None,
) -> Actor:
    """The account the provider's verified e-mail belongs to; :class:`LoginFailed` otherwise.

    ``claims``: what the provider said about the person (Streamlit's ``st.user``: the ID
    token's claims). ``provider``: its name as the sign-in button shows it, for messages.
    """
    now = now or datetime.now(UTC)
    issued = _issued_at(claims.get("iat"))
    if issued is None or not (now - FRESH_FOR <= issued <= now + SKEW):
        raise StaleSignIn(f"the sign-in with {provider} is too old: sign in with {provider} again")
    raw = claims.get("email")
    if not isinstance(raw, str) or not raw.strip():
        raise LoginFailed(
            f"{provider} did not give an e-mail address, which the workbench needs to find "
            "your account: ask your admin"
        )
    try:
        address = email_address(raw)
    except InvalidInput:
        raise LoginFailed(f"{provider} gave {raw!r}, which is not an e-mail address") from None
    if not _verified(claims.get("email_verified")):
        raise LoginFailed(
            f"{provider} has not verified the e-mail {address}: verify it there, then sign in again"
        )
    with unit_of_work(engine) as session:
        user = session.scalar(select(User).where(User.email == address))
        if user is None:
            raise LoginFailed(
                f"no account here has the e-mail {address}: ask an admin to add it "
                f"(workbench users set-email NAME {address})"
            )
        if user.disabled:
            raise LoginFailed(f"the account {user.name} ({address}) is disabled: ask an admin")
        return actor_of(user)


def _verified(value: object) -> bool:
    # A JSON boolean by the standard; a few providers send the string "true".
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _issued_at(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
