"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations).

:func:`check_strength` is the one rule for a new password, wherever it is set (``workbench
users add`` and ``set-password``, the app's Users page, the first admin made on the command
line): :func:`hash_password` applies it, so no entry point can store a password that breaks
it. The rule follows NIST SP 800-63B: a length floor and ceiling and nothing else (no
composition rules), except that a password of nothing but whitespace is refused: it is
eight presses of the space bar, the first thing a guesser tries after the empty string.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from workbench.errors import InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 1024  # argon2 takes any length; a bound keeps a login from being a CPU sink

_hasher = PasswordHasher()


def check_strength(password: str) -> None:
    """Raise :class:`InvalidInput` unless ``password`` may be stored."""
    if password and not password.strip():
        # Before the length checks: "        " is long enough, and must still be refused.
        raise InvalidInput("a password cannot be only spaces or other blank characters")
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"a password has at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's defaults."""
    return _hasher.check_needs_rehash(stored_hash)
