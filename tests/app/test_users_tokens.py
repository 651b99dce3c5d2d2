"""The Users page's API tokens (issue 15): an admin makes one for an account (its secret shown
once), sees every token without its secret, and revokes one; all through auth.tokens."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.app.test_login import App, errors, log_in, plain, team, users_page
from workbench.app.tokens import COPY_NOW
from workbench.auth import tokens
from workbench.auth.policy import SYSTEM

__all__ = ["team"]  # the fixture, used by name


def test_an_admin_makes_lists_and_revokes_a_token(team: Engine, app: App) -> None:
    at = users_page(app)
    assert not at.exception
    assert "No tokens yet." in [c.value for c in at.caption]
    at.selectbox(key="token_user").set_value("Rui")
    at.text_input(key="token_label").input("ingest script")
    at.button(key="FormSubmitter:create_token_form-Create token").click()
    at.run(timeout=30)
    assert not at.exception
    [made] = tokens.list_tokens(team, SYSTEM)
    assert made.user == "Rui" and made.name == "ingest script" and made.expires_at is not None
    assert f"Made token {made.id} for Rui." in plain(at.success)
    assert COPY_NOW in plain(at.warning)
    [shown] = [c.value for c in at.code]
    rui = tokens.authenticate(team, shown)
    assert rui is not None and rui.name == "Rui"
    # The table: every column but the secret, which is nowhere on the page after this run.
    table = at.dataframe[1].value  # the users, then the tokens
    assert list(table.columns) == [
        "id",
        "user",
        "label",
        "project",
        "created",
        "expires",
        "last used",
        "revoked",
    ]
    assert list(table["user"]) == ["Rui"] and shown not in table.to_string()
    at.run(timeout=30)
    assert not at.code and COPY_NOW not in plain(at.warning)

    at.selectbox(key="token_revoke_id").set_value(made.id)
    at.button(key="revoke_token").click()
    at.run(timeout=30)
    assert f"Token {made.id} is revoked" in plain(at.success)
    assert tokens.authenticate(team, shown) is None
    # Only live tokens may be revoked: none is left to choose.
    assert "token_revoke_id" not in [s.key for s in at.selectbox]


def test_the_service_refuses_what_the_form_cannot_check(team: Engine, app: App) -> None:
    at = users_page(app)
    at.selectbox(key="token_user").set_value("Rui")
    at.text_input(key="token_label").input("   ")
    at.button(key="FormSubmitter:create_token_form-Create token").click()
    at.run(timeout=30)
    assert "a token's name is 1 to 100 characters" in errors(at)
    assert tokens.list_tokens(team, SYSTEM) == [] and not at.code


def test_a_reviewer_gets_no_tokens_section(team: Engine, app: App) -> None:
    at = log_in(app(), "Rui")
    assert not at.exception
    assert "API tokens" not in [s.value for s in at.subheader]
