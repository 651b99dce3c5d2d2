"""The Users page's API tokens: an admin makes a token for an account, sees every token (never
its secret) and revokes one. Every button goes through ``workbench.auth.tokens``, which checks
the signed-in account's right to manage the token's account.

A new token's secret is shown once, on the run after it was made, then dropped from the
session: only its SHA-256 is stored, so it cannot be shown again.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from workbench.app import render, state
from workbench.auth import tokens
from workbench.auth.tokens import MAX_EXPIRES_DAYS, MAX_NAME_CHARS, TokenOut
from workbench.errors import WorkbenchError
from workbench.schemas import UserOut

AREA = "tokens"
FOR_USER = "token_user"
LABEL = "token_label"
EXPIRES = "token_expires_days"
SECRET = "token_new_secret"
REVOKE = "token_revoke_id"
COPY_NOW = (
    "Copy this token now: it is shown once and cannot be shown again (only its hash is "
    "stored). Lost it? Revoke it and make a new one."
)


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def _create() -> None:
    user = str(st.session_state.get(FOR_USER, ""))
    label = str(st.session_state.get(LABEL, ""))
    days = int(st.session_state.get(EXPIRES, 0) or 0)
    try:
        made = tokens.create_token(
            state.engine(),
            state.signed_in_actor(),
            user,
            label,
            expires_days=days or None,
        )
    except WorkbenchError as exc:
        state.flash(AREA, "error", str(exc))
        return
    st.session_state[LABEL] = ""
    st.session_state[SECRET] = made.secret
    state.flash(AREA, "success", f"Made token {made.token.id} for {made.token.user}.")


def _revoke() -> None:
    chosen = st.session_state.get(REVOKE)
    if chosen is None:
        return
    state.run_flashed(
        AREA,
        lambda: tokens.revoke_token(state.engine(), state.signed_in_actor(), int(chosen)),
        f"Token {chosen} is revoked: it opens nothing from its next request on.",
    )


def _table(rows: list[TokenOut]) -> None:
    st.dataframe(
        {
            "id": [t.id for t in rows],
            "user": [t.user for t in rows],
            "label": [t.name for t in rows],
            "project": [t.project or "" for t in rows],
            "created": [_when(t.created_at) for t in rows],
            "expires": [_when(t.expires_at) for t in rows],
            "last used": [_when(t.last_used_at) for t in rows],
            "revoked": [_when(t.revoked_at) for t in rows],
        },
        hide_index=True,
        key="tokens_table",
    )


def section(users: list[UserOut]) -> None:
    """The tokens part of the Users page."""
    st.subheader("API tokens")
    state.show_flash(AREA)
    secret = st.session_state.pop(SECRET, None)
    if secret is not None:
        st.warning(COPY_NOW)
        st.code(secret, language=None)
    try:
        rows = tokens.list_tokens(state.engine(), state.signed_in_actor())
    except WorkbenchError as exc:
        st.error(render.md_escape(str(exc)))
        return
    if rows:
        _table(rows)
    else:
        st.caption("No tokens yet.")
    left, right = st.columns(2, gap="large")
    with left, st.form("create_token_form", border=True):
        st.selectbox("For", [u.name for u in users if not u.disabled], key=FOR_USER)
        st.text_input("Label", key=LABEL, max_chars=MAX_NAME_CHARS, placeholder="ingest script")
        st.number_input(
            "Expires after (days; 0: never)",
            min_value=0,
            max_value=MAX_EXPIRES_DAYS,
            value=90,
            key=EXPIRES,
        )
        st.form_submit_button("Create token", type="primary", on_click=_create)
    live = [t.id for t in rows if t.revoked_at is None]
    with right:
        if live:
            st.selectbox(
                "Token",
                live,
                key=REVOKE,
                format_func=lambda i: next(
                    f"{t.id}: {t.user} · {t.name}" for t in rows if t.id == i
                ),
            )
            st.button("Revoke token", key="revoke_token", on_click=_revoke)
