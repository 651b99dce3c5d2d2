"""When the workbench is in team mode, and which accounts may then sign in: one rule.

``accounts`` (the login form, single-user names) and ``sessions`` (a browser's cookie) both
ask; it lives here because ``accounts`` ends sessions and so imports ``sessions``.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workbench.db.models import User

# An account with a password or an e-mail (single sign-on) is a team account.
CREDENTIAL = or_(User.password_hash.is_not(None), User.email.is_not(None))


def in_team_mode(session: Session) -> bool:
    """True once any account has a password or an e-mail: from then on everyone signs in."""
    return session.scalar(select(User.id).where(CREDENTIAL).limit(1)) is not None


def may_sign_in(user: User) -> bool:
    """Whether this account can be signed in in team mode (a password, or single sign-on)."""
    return user.password_hash is not None or user.email is not None
