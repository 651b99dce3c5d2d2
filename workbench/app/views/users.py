"""Users (admins): the accounts, and adding, re-roling, disabling and resetting them; their
API tokens (workbench.app.tokens).

Every button calls workbench.auth.accounts with the signed-in actor; the service re-reads
that actor's role, so a reviewer who reached this page some other way changes nothing.
"""

from __future__ import annotations

import streamlit as st

from workbench.app import frame, render, state, tokens
from workbench.auth import accounts
from workbench.auth.accounts import MAX_EMAIL_CHARS, MAX_NAME_CHARS
from workbench.auth.passwords import MAX_LENGTH, MIN_LENGTH
from workbench.errors import InvalidInput, PermissionDenied
from workbench.schemas import Role, UserOut

AREA = "users"
NEW_NAME = "new_user_name"
NEW_ROLE = "new_user_role"
NEW_PASSWORD = "new_user_password"
NEW_PASSWORD_AGAIN = "new_user_password_again"
CHOSEN = "chosen_user"
CHOSEN_ROLE = "chosen_user_role"
RESET_PASSWORD = "reset_password"
RESET_PASSWORD_AGAIN = "reset_password_again"
NEW_EMAIL = "new_user_email"
CHOSEN_EMAIL = "chosen_user_email"
EMAIL_HELP = (
    "The address the organisation's identity provider vouches for: single sign-on with it "
    "signs in as this account."
)
ROLES = [Role.reviewer, Role.viewer, Role.admin]
ROLE_HELP = (
    "**admin** manages users and settings, adjudicates, exports · "
    "**reviewer** reviews what is assigned · **viewer** reads, exports nothing"
)


def _passwords(first: str, second: str) -> str:
    """The new password from two boxes; both are emptied whatever happens."""
    password = str(st.session_state.get(first, ""))
    again = str(st.session_state.get(second, ""))
    st.session_state[first] = ""
    st.session_state[second] = ""
    if password != again:
        raise InvalidInput("the two passwords differ")
    return password


def _add() -> None:
    name = str(st.session_state.get(NEW_NAME, ""))
    role = Role(st.session_state.get(NEW_ROLE, Role.reviewer))

    email = str(st.session_state.get(NEW_EMAIL, "")).strip() or None

    def add() -> UserOut:
        password: str | None = _passwords(NEW_PASSWORD, NEW_PASSWORD_AGAIN)
        if not password and email is not None:
            password = None  # signs in only through single sign-on
        return accounts.add_user(
            state.engine(), state.signed_in_actor(), name, role, password, email=email
        )

    state.run_flashed(AREA, add, f"Added {' '.join(name.split())} as {role.value}.")


def _role_key(user_id: int) -> str:
    # One box per user, so choosing another user shows that user's role, not the last one's.
    return f"{CHOSEN_ROLE}_{user_id}"


def _set_role(name: str, user_id: int) -> None:
    role = Role(st.session_state.get(_role_key(user_id), Role.reviewer))
    state.run_flashed(
        AREA,
        lambda: accounts.set_role(state.engine(), state.signed_in_actor(), name, role),
        f"{name} is now {role.value}.",
    )


def _set_disabled(name: str, disabled: bool) -> None:
    state.run_flashed(
        AREA,
        lambda: accounts.set_disabled(state.engine(), state.signed_in_actor(), name, disabled),
        f"{name} is {'disabled' if disabled else 'enabled'}.",
    )


def _reset_password(name: str) -> None:
    def reset() -> UserOut:
        password = _passwords(RESET_PASSWORD, RESET_PASSWORD_AGAIN)
        return accounts.set_password(state.engine(), state.signed_in_actor(), name, password)

    state.run_flashed(
        AREA, reset, f"New password set for {name}; their failed-login count is cleared."
    )


def _set_email(name: str, user_id: int) -> None:
    email = str(st.session_state.get(_email_key(user_id), "")).strip() or None
    state.run_flashed(
        AREA,
        lambda: accounts.set_email(state.engine(), state.signed_in_actor(), name, email),
        f"{name} signs in with {email}." if email else f"{name} has no e-mail now.",
    )


def _email_key(user_id: int) -> str:
    return f"{CHOSEN_EMAIL}_{user_id}"


def _table(users: list[UserOut]) -> None:
    st.dataframe(
        {
            "name": [u.name for u in users],
            "role": [u.role.value for u in users],
            "disabled": [u.disabled for u in users],
            "can log in": [u.can_log_in for u in users],
            "e-mail": [u.email or "" for u in users],
            "created": [u.created_at.strftime("%Y-%m-%d %H:%M") for u in users],
        },
        hide_index=True,
    )


def _add_form() -> None:
    st.subheader("Add a user")
    with st.form("add_user_form", border=True):
        cols = st.columns(2)
        cols[0].text_input("Name", key=NEW_NAME, max_chars=MAX_NAME_CHARS)
        cols[1].selectbox(
            "Role", ROLES, key=NEW_ROLE, format_func=lambda r: r.value, help=ROLE_HELP
        )
        cols = st.columns(2)
        cols[0].text_input(
            "Password",
            key=NEW_PASSWORD,
            type="password",
            max_chars=MAX_LENGTH,
            autocomplete="new-password",
            help=f"At least {MIN_LENGTH} characters, not all spaces; give it to them privately.",
        )
        cols[1].text_input(
            "Password again",
            key=NEW_PASSWORD_AGAIN,
            type="password",
            max_chars=MAX_LENGTH,
            autocomplete="new-password",
        )
        st.text_input(
            "E-mail (single sign-on)",
            key=NEW_EMAIL,
            max_chars=MAX_EMAIL_CHARS,
            help=EMAIL_HELP + " With an e-mail the password may stay empty.",
        )
        st.form_submit_button("Add user", type="primary", on_click=_add)


def _change(users: list[UserOut]) -> None:
    st.subheader("Change a user")
    names = [u.name for u in users]
    if st.session_state.get(CHOSEN) not in names:
        st.session_state.pop(CHOSEN, None)
    chosen = st.selectbox("User", names, key=CHOSEN)
    user = next((u for u in users if u.name == chosen), None)
    if user is None:
        return
    st.text(
        f"{user.name}: {user.role.value}, "
        f"{'disabled' if user.disabled else 'enabled'}, "
        f"{'can log in' if user.can_log_in else 'cannot log in'}"
    )
    cols = st.columns([2, 1, 1], vertical_alignment="bottom")
    cols[0].selectbox(
        "Role",
        ROLES,
        index=ROLES.index(user.role),
        key=_role_key(user.id),
        format_func=lambda r: r.value,
        help=ROLE_HELP,
    )
    cols[1].button("Set role", key="set_role", on_click=_set_role, args=(user.name, user.id))
    if user.disabled:
        cols[2].button("Enable", key="enable_user", on_click=_set_disabled, args=(user.name, False))
    else:
        cols[2].button(
            "Disable", key="disable_user", on_click=_set_disabled, args=(user.name, True)
        )
    with st.form("reset_password_form", border=True):
        boxes = st.columns(2)
        boxes[0].text_input(
            "New password",
            key=RESET_PASSWORD,
            type="password",
            max_chars=MAX_LENGTH,
            autocomplete="new-password",
        )
        boxes[1].text_input(
            "New password again",
            key=RESET_PASSWORD_AGAIN,
            type="password",
            max_chars=MAX_LENGTH,
            autocomplete="new-password",
        )
        st.form_submit_button("Reset password", on_click=_reset_password, args=(user.name,))
    with st.form("set_email_form", border=True):
        st.text_input(
            "E-mail (single sign-on)",
            value=user.email or "",
            key=_email_key(user.id),
            max_chars=MAX_EMAIL_CHARS,
            help=EMAIL_HELP + " Empty: no single sign-on for this account.",
        )
        st.form_submit_button("Set e-mail", on_click=_set_email, args=(user.name, user.id))


def main() -> None:
    engine, _ = frame.start()
    st.title("Users")
    try:
        users = accounts.list_users(engine, state.signed_in_actor())
    except PermissionDenied as exc:
        st.error(render.md_escape(str(exc)))
        st.stop()
        return
    state.show_flash(AREA)
    _table(users)
    left, right = st.columns(2, gap="large")
    with left:
        _add_form()
    with right:
        _change(users)
    tokens.section(users)


main()
