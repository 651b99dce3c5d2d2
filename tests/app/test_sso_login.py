"""Single sign-on on the page side, through AppTest: the login page, st.user to an account,
refusals, logout, and the Users page's e-mail.

AppTest seeds ``st.user`` (``at.user``) as Streamlit's /oauth2callback would after a sign-in
at the provider; the redirect to the provider itself needs a browser and a provider
(tests/browser/test_sso_browser.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from tests.app.support import sidebar_text
from tests.app.test_login import errors, on_login_page
from workbench.app.sso import streamlit_secrets
from workbench.auth import accounts
from workbench.auth.oidc import FRESH_FOR
from workbench.auth.policy import SYSTEM
from workbench.config import SettingsError, get_settings
from workbench.db.models import User
from workbench.db.session import unit_of_work
from workbench.schemas import Role

App = Callable[[], AppTest]
PROVIDER = "Newsroom ID"
PASSWORD = "correct horse battery"
SIGN_IN = f"Sign in with {PROVIDER}"


@pytest.fixture
def sso(monkeypatch: pytest.MonkeyPatch) -> None:
    """Single sign-on configured, as `workbench serve` would pass it to the app."""
    monkeypatch.setenv(
        "WORKBENCH_OIDC_SERVER_METADATA_URL",
        "http://localhost:9/.well-known/openid-configuration",
    )
    monkeypatch.setenv("WORKBENCH_OIDC_CLIENT_ID", "workbench")
    monkeypatch.setenv("WORKBENCH_OIDC_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("WORKBENCH_OIDC_PROVIDER_NAME", PROVIDER)


def identity(email: str, *, verified: bool = True, age_seconds: float = 5) -> dict[str, object]:
    """``st.user`` after the provider signed someone in ``age_seconds`` ago."""
    return {
        "is_logged_in": True,
        "email": email,
        "email_verified": verified,
        "iat": int(time.time() - age_seconds),
        "sub": email,
    }


def button_labels(at: AppTest) -> list[str]:
    return [str(b.label) for b in at.button]


def user_count(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        return int(session.scalar(select(func.count(User.id))) or 0)


def test_the_login_page_offers_the_provider_beside_the_password_form(
    engine: Engine, app: App, sso: None
) -> None:
    accounts.add_user(engine, SYSTEM, "Ada", Role.admin, PASSWORD)
    at = app().run()
    assert not at.exception
    assert on_login_page(at)
    assert SIGN_IN in button_labels(at)


def test_without_password_login_only_the_provider_is_offered(
    engine: Engine, app: App, sso: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_PASSWORD_LOGIN", "false")
    accounts.add_user(engine, SYSTEM, "Ada", Role.admin, PASSWORD)
    at = app().run()
    assert not at.exception
    assert button_labels(at) == [SIGN_IN]
    assert not at.text_input  # no name or password box


def test_without_sso_settings_the_password_form_stays_and_st_user_is_ignored(
    engine: Engine, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_PASSWORD_LOGIN", "false")  # no effect without SSO
    accounts.add_user(engine, SYSTEM, "Ada", Role.admin, PASSWORD, email="ada@example.org")
    at = app()
    at.user = identity("ada@example.org")
    at.run()
    assert on_login_page(at) and SIGN_IN not in button_labels(at)


def test_sso_alone_is_team_mode_even_before_any_account(
    engine: Engine, app: App, sso: None
) -> None:
    """No account has a password yet: still the login page, never "enter your name"."""
    at = app().run()
    assert not at.exception
    assert on_login_page(at) and SIGN_IN in button_labels(at)
    assert "reviewer_name_input" not in {t.key for t in at.sidebar.text_input}


def test_a_fresh_identity_signs_in_the_account_with_that_email_and_logout_ends_both(
    engine: Engine, app: App, sso: None
) -> None:
    accounts.add_user(engine, SYSTEM, "Ana", Role.reviewer, email="Ana@Example.org")
    at = app()
    at.user = identity("ana@example.org")
    at.run()
    assert not at.exception
    assert "Signed in as Ana (reviewer)" in sidebar_text(at)

    at.sidebar.button(key="log_out").click()
    at.run()
    assert not at.exception
    # st.logout cleared st.user: the next run is not signed straight back in.
    assert at.user.get("is_logged_in") is not True
    at.run()
    assert on_login_page(at) and "Signed in" not in sidebar_text(at)


def test_an_email_without_an_account_is_refused_and_nothing_is_created(
    engine: Engine, app: App, sso: None
) -> None:
    accounts.add_user(engine, SYSTEM, "Ana", Role.reviewer, email="ana@example.org")
    before = user_count(engine)
    at = app()
    at.user = identity("eve@example.org")
    at.run()
    assert not at.exception
    assert "Not signed in: no account here has the e-mail eve@example.org" in errors(at)
    assert on_login_page(at)
    # The refused identity can be left at the provider, to sign in as someone else.
    assert f"Sign out of {PROVIDER}" in button_labels(at)
    assert user_count(engine) == before


def test_an_unverified_email_is_refused(engine: Engine, app: App, sso: None) -> None:
    accounts.add_user(engine, SYSTEM, "Ana", Role.reviewer, email="ana@example.org")
    at = app()
    at.user = identity("ana@example.org", verified=False)
    at.run()
    assert f"{PROVIDER} has not verified the e-mail ana@example.org" in errors(at)
    assert "Signed in" not in sidebar_text(at)


def test_an_old_identity_cookie_does_not_sign_in(engine: Engine, app: App, sso: None) -> None:
    accounts.add_user(engine, SYSTEM, "Ana", Role.reviewer, email="ana@example.org")
    at = app()
    at.user = identity("ana@example.org", age_seconds=FRESH_FOR.total_seconds() + 60)
    at.run()
    assert not at.exception
    assert on_login_page(at) and not errors(at)  # no complaint: just sign in again


def test_disabling_the_account_signs_it_out_and_keeps_it_out(
    engine: Engine, app: App, sso: None
) -> None:
    accounts.add_user(engine, SYSTEM, "Ada", Role.admin, PASSWORD)
    accounts.add_user(engine, SYSTEM, "Ana", Role.reviewer, email="ana@example.org")
    at = app()
    at.user = identity("ana@example.org")
    at.run()
    assert "Signed in as Ana" in sidebar_text(at)
    accounts.set_disabled(engine, SYSTEM, "Ana")
    at.run()
    assert "Signed in" not in sidebar_text(at)
    at.run()  # the provider's cookie is still fresh, but the account is disabled
    assert "the account Ana (ana@example.org) is disabled" in errors(at)
    assert on_login_page(at)


def test_an_admin_sets_an_email_on_the_users_page(engine: Engine, app: App) -> None:
    accounts.add_user(engine, SYSTEM, "Ada", Role.admin, PASSWORD)
    accounts.add_user(engine, SYSTEM, "Rui", Role.reviewer, PASSWORD)
    at = app().run()
    at.text_input(key="login_name").input("Ada")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    at.run()
    at.switch_page("views/users.py")
    at.run()
    at.selectbox(key="chosen_user").select("Rui")
    at.run()
    rui = next(u for u in accounts.list_users(engine, SYSTEM) if u.name == "Rui")
    at.text_input(key=f"chosen_user_email_{rui.id}").input(" Rui@Example.org ")
    next(b for b in at.button if b.label == "Set e-mail").click()
    at.run()
    assert not at.exception
    rui = next(u for u in accounts.list_users(engine, SYSTEM) if u.name == "Rui")
    assert rui.email == "rui@example.org"


def test_the_streamlit_secrets_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert streamlit_secrets(get_settings()) is None  # no single sign-on: no [auth] at all
    settings = get_settings(
        oidc_server_metadata_url="https://id.example/.well-known/openid-configuration",
        oidc_client_id="wb",
        oidc_client_secret="s3cret",
        oidc_redirect_uri="https://wb.example/oauth2callback",
    )
    first, second = streamlit_secrets(settings), streamlit_secrets(settings)
    assert first is not None and second is not None
    auth = first["auth"]
    assert auth["redirect_uri"] == "https://wb.example/oauth2callback"
    assert auth["workbench"] == {
        "client_id": "wb",
        "client_secret": "s3cret",
        "server_metadata_url": "https://id.example/.well-known/openid-configuration",
    }
    # No cookie secret given: a strong random one (per process), never a fixed default.
    assert len(auth["cookie_secret"]) >= 32
    assert auth["cookie_secret"] != second["auth"]["cookie_secret"]
    given = settings.model_copy(update={"oidc_cookie_secret": SecretStr("k" * 40)})
    assert streamlit_secrets(given)["auth"]["cookie_secret"] == "k" * 40  # type: ignore[index]
    assert "s3cret" not in repr(settings)  # the secret stays out of reprs and logs


def test_half_an_sso_configuration_is_one_line_that_never_shows_the_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WORKBENCH_OIDC_CLIENT_SECRET", "s3cret-value")
    with pytest.raises(SettingsError) as caught:
        get_settings()
    message = str(caught.value)
    assert message == (
        "settings: single sign-on needs WORKBENCH_OIDC_SERVER_METADATA_URL and "
        "WORKBENCH_OIDC_CLIENT_ID too"
    )
    assert "s3cret" not in message
