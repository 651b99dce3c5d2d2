"""Single sign-on on the page side: Streamlit's ``st.login`` / ``st.user`` / ``st.logout``.

Streamlit does the OpenID Connect part (Authlib): ``st.login`` sends the browser to the
provider, its ``/oauth2callback`` route checks the answer (state, nonce, PKCE where the
provider offers it, the ID token's signature) and keeps the person's claims in a signed,
HttpOnly cookie that ``st.user`` reads when a browser session starts. This module only

* builds Streamlit's ``[auth]`` secrets from the ``WORKBENCH_OIDC_*`` settings
  (:func:`streamlit_secrets`; ``app/server.py`` hands them to ``st.App``, so no secrets
  file is written anywhere);
* turns a fresh ``st.user`` into the workbench account with that verified e-mail, through
  :func:`workbench.auth.oidc.sso_login` (:func:`adopt`, called by ``access.check``);
* draws "Sign in with <provider>" on the login page (:func:`sign_in_button`), which goes
  to the provider through ``session_routes.SSO_PATH`` so that the address the person opened
  (a claim link) survives the round trip (:func:`provider_login_url`, :func:`return_to`);
* says whether a logout must end Streamlit's identity cookie too
  (:func:`signed_in_through_provider`; ``access.log_out`` does both).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import streamlit as st
from streamlit.auth_util import validate_auth_credentials
from streamlit.user_info import generate_login_redirect_url

from workbench.app import state
from workbench.app.paths import under_base
from workbench.auth.oidc import StaleSignIn, sso_login
from workbench.config import Settings, current_settings
from workbench.errors import LoginFailed
from workbench.schemas import Actor

# The provider's key in Streamlit's [auth] section (st.login(PROVIDER)); Streamlit refuses
# names with an underscore.
PROVIDER = "workbench"
# True in a session signed in through the provider (its logout must end Streamlit's cookie).
SIGNED_IN = "signed_in_with_sso"
# Why the provider's sign-in was refused, shown on the login page until the next attempt.
REFUSED = "sso_refused"
# Set by the sign-in button: this run sends the browser to the provider (once).
LEAVING = "sso_leaving"


def enabled() -> bool:
    return current_settings().oidc_enabled


def provider_name() -> str:
    return current_settings().oidc_provider_name


def password_login() -> bool:
    """Whether the login page offers the password form (always, without single sign-on:
    turning it off then would lock everyone out)."""
    settings = current_settings()
    return settings.password_login or not settings.oidc_enabled


def streamlit_secrets(settings: Settings) -> dict[str, Any] | None:
    """Streamlit's ``[auth]`` section for these settings; None without single sign-on.

    ``cookie_secret`` signs Streamlit's identity cookie and the provider token of
    ``/auth/login``; without the setting it is random, so a restart asks for a new sign-in
    at the provider (which a provider that remembers its user answers at once).
    """
    if not settings.oidc_enabled or settings.oidc_client_secret is None:
        return None
    cookie = settings.oidc_cookie_secret
    return {
        "auth": {
            "redirect_uri": settings.oidc_redirect_uri,
            "cookie_secret": cookie.get_secret_value() if cookie else secrets.token_hex(32),
            PROVIDER: {
                "client_id": settings.oidc_client_id,
                "client_secret": settings.oidc_client_secret.get_secret_value(),
                "server_metadata_url": settings.oidc_server_metadata_url,
            },
        }
    }


def adopt() -> Actor | None:
    """The account the provider's fresh identity maps to, if any (``access.check`` then
    signs the session in with it, cookie and all, as after a password).

    Called while the session has no account. A refusal (no such e-mail, unverified, the
    account disabled) is kept to show on the login page, and nothing is created; an old
    identity (a cookie from an earlier visit) is ignored without a word.
    """
    if not enabled():
        return None
    claims = st.user.to_dict()
    if claims.get("is_logged_in") is not True:
        return None
    try:
        actor = sso_login(state.engine(), claims, provider=provider_name())
    except StaleSignIn:
        return None
    except LoginFailed as exc:
        st.session_state[REFUSED] = f"Not signed in: {exc}."
        return None
    return actor


def mark_signed_in() -> None:
    """Remember that this session's account came from the provider (after the sign-in has
    cleared the session state): its logout must end Streamlit's identity cookie too."""
    st.session_state[SIGNED_IN] = True


def provider_login_url() -> str | None:
    """The address ``st.login`` would send the browser to (Streamlit's ``/auth/login`` with a
    signed, short-lived provider token); None without single sign-on.

    Called by the ``SSO_PATH`` route, which first keeps where the person was going: ``st.login``
    itself navigates at once and the provider's answer always comes back to ``/``. The same
    Streamlit function ``st.login`` calls, so the token and path are Streamlit's own.
    """
    if not enabled():
        return None
    validate_auth_credentials(PROVIDER)
    return generate_login_redirect_url(PROVIDER)


def return_to(raw: str | None) -> str | None:
    """Where a sign-in through the provider was going (the kept cookie's value), if it was
    going anywhere on this site but the root; anything else is ignored."""
    from workbench.app.session_routes import safe_next  # (that module imports this one)

    target = safe_next(raw)
    return None if target == "/" else target


def _sign_in() -> None:
    st.session_state.pop(REFUSED, None)
    st.session_state[LEAVING] = True


def _leave_for_provider() -> None:
    """Send the browser to the provider through ``SSO_PATH``, with the address it shows now
    (path and query: a claim link) as where to come back to."""
    from workbench.app.session_routes import SSO_PATH

    script = (
        f"window.location.assign({json.dumps(under_base(SSO_PATH) + '?next=')}"
        " + encodeURIComponent(window.location.pathname + window.location.search));"
    )
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def _sign_out_of_provider() -> None:
    st.session_state.pop(REFUSED, None)
    st.logout()


def sign_in_button() -> None:
    """The login page's "Sign in with <provider>", and why the last attempt was refused."""
    if not enabled():
        return
    refused = st.session_state.get(REFUSED)
    if isinstance(refused, str):
        st.error(refused)
    st.button(
        f"Sign in with {provider_name()}",
        key="sso_sign_in",
        type="primary" if not password_login() else "secondary",
        icon=":material/key:",
        on_click=_sign_in,
    )
    if st.session_state.pop(LEAVING, None) is True:
        _leave_for_provider()
    if isinstance(refused, str) and st.user.get("is_logged_in") is True:
        # The provider's cookie still names the refused address: let the person leave it,
        # to sign in there as someone else.
        st.button(
            f"Sign out of {provider_name()}", key="sso_sign_out", on_click=_sign_out_of_provider
        )


def signed_in_through_provider() -> bool:
    """Whether a logout must also end Streamlit's identity cookie (and the provider's
    sign-in, when it offers an end-session page)."""
    return st.session_state.get(SIGNED_IN) is True or (
        enabled() and st.user.get("is_logged_in") is True
    )
