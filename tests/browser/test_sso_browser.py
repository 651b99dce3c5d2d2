"""Single sign-on in a real browser: `workbench serve`, a local OpenID Connect provider, chromium.

The provider is oidc-provider-mock (a Flask app built on Authlib's server side) run in a
thread of the test on a free localhost port: no network. Its authorisation page lists the
test's predefined users as buttons; clicking one is the person signing in there. The app
runs as `workbench serve` with the ``WORKBENCH_OIDC_*`` settings pointing at it, so the
whole path is the real one: st.login, the provider's redirect, Streamlit's /oauth2callback
(code exchange, ID token check), st.user, the e-mail mapped to an account, st.logout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.browser.helpers import (
    LAPTOP,
    TIMEOUT_MS,
    chromium_page,
    claim_heading,
    expect_login_page,
    expect_signed_in,
    linked_claim,
    seed_samples,
    wait_for_app_run,
)
from tests.live_server import free_port, serving
from workbench.auth.policy import SYSTEM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.backends("sqlite"),
    # The mock provider uses Authlib server APIs that Authlib deprecates (its problem).
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib"),
    pytest.mark.filterwarnings("ignore:authlib.jose module is deprecated"),
]

PROVIDER = "Newsroom ID"
FAILURE_SCREENSHOT = Path("/tmp/sso-failure.png")


@dataclass(frozen=True)
class Sso:
    base: str  # the app's address
    db_url: str


@pytest.fixture
def sso_server(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[Sso]:
    """The provider (three people) and `workbench serve` set up to sign in through it."""
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

    from workbench.auth.accounts import add_user
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all
    from workbench.schemas import Role

    engine = open_database(db_url)
    seed_samples(engine)
    # Ana's account: an e-mail, no password (she signs in only through the provider), typed
    # by the admin in another case than the provider spells it.
    add_user(engine, SYSTEM, "ana", Role.reviewer, email="Ana@Example.org")
    dispose_all()

    people = [
        oidc_provider_mock.User(
            sub="ana", claims={"email": "ana@example.org", "email_verified": True}
        ),
        # A colleague the admin has not added.
        oidc_provider_mock.User(
            sub="eve", claims={"email": "eve@example.org", "email_verified": True}
        ),
        # Ana's address typed into someone else's profile, which the provider did not verify.
        oidc_provider_mock.User(
            sub="mallory", claims={"email": "ana@example.org", "email_verified": False}
        ),
    ]
    with oidc_provider_mock.run_server_in_thread(user_claims=people) as provider:
        port = free_port()
        env = {
            "WORKBENCH_OIDC_SERVER_METADATA_URL": (
                f"http://localhost:{provider.server_port}/.well-known/openid-configuration"
            ),
            "WORKBENCH_OIDC_CLIENT_ID": "workbench-test",
            "WORKBENCH_OIDC_CLIENT_SECRET": "not-checked-by-the-mock",
            "WORKBENCH_OIDC_PROVIDER_NAME": PROVIDER,
            "WORKBENCH_OIDC_REDIRECT_URI": "http://127.0.0.1:{port}/oauth2callback",
        }
        with serving(db_url, tmp_path, env=env, port=port) as base:
            yield Sso(base=base, db_url=db_url)


def _sign_in_at_provider(page: Any, expect: Any, who: str) -> None:
    """From the login page: "Sign in with …", then ``who`` at the provider, back to the app."""
    page.get_by_role("button", name=f"Sign in with {PROVIDER}").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=TIMEOUT_MS)
    page.get_by_role("button", name=who, exact=True).click()
    page.wait_for_url(lambda url: "/oauth2" not in url and "/auth/" not in url)
    wait_for_app_run(page)


def test_sign_in_through_the_provider_maps_the_email_to_the_account(
    sso_server: Sso, playwright_api: Any
) -> None:
    from workbench.db.models import User
    from workbench.db.open import open_database
    from workbench.db.session import unit_of_work

    engine = open_database(sso_server.db_url)

    def accounts() -> int:
        with unit_of_work(engine) as session:
            return int(session.scalar(select(func.count(User.id))) or 0)

    expect = playwright_api.expect
    with chromium_page(playwright_api, FAILURE_SCREENSHOT, LAPTOP) as page:
        page.goto(sso_server.base)
        # Team mode (an account has an e-mail): the login page, with both ways in.
        expect_login_page(page, expect)
        expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()

        _sign_in_at_provider(page, expect, "ana")
        expect_signed_in(page, expect, "ana", "reviewer")
        sidebar = page.get_by_test_id("stSidebar")
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_text("Review", exact=True)).to_be_visible()
        expect(nav.get_by_text("Users", exact=True)).to_have_count(0)  # a reviewer's pages

        # Log out ends the workbench session and the provider's cookie: the mock's
        # end-session page, then back to the login page, not signed straight back in.
        sidebar.get_by_role("button", name="Log out").click()
        page.wait_for_url("**/oauth2/end_session**", timeout=TIMEOUT_MS)
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(lambda url: "/oauth2/" not in url)
        expect_login_page(page, expect)
        page.reload()
        expect_login_page(page, expect)
        expect(page.get_by_text("Signed in as ana")).to_have_count(0)

        # A verified address that no account has: refused, and nothing is created.
        before = accounts()
        _sign_in_at_provider(page, expect, "eve")
        expect(page.get_by_text("no account here has the e-mail eve@example.org")).to_be_visible()
        expect(page.get_by_text("Signed in as")).to_have_count(0)
        assert accounts() == before

        # Ana's address, but not verified by the provider: refused too.
        _sign_in_at_provider(page, expect, "mallory")
        expect(
            page.get_by_text(f"{PROVIDER} has not verified the e-mail ana@example.org")
        ).to_be_visible()
        expect(page.get_by_text("Signed in as")).to_have_count(0)
        assert accounts() == before


def test_a_claim_link_survives_the_round_trip_to_the_provider(
    sso_server: Sso, playwright_api: Any
) -> None:
    """Opened signed out, a claim link shows the login page; signed in through the provider
    (which always comes back to the app's root), the browser lands on the same link, as after
    a password. Before, it landed on the Review page without the claim."""
    from workbench.db.open import open_database

    linked = linked_claim(open_database(sso_server.db_url))
    expect = playwright_api.expect
    with chromium_page(playwright_api, FAILURE_SCREENSHOT, LAPTOP) as page:
        context = page.context
        page.goto(f"{sso_server.base}/review?claim={linked}")
        expect_login_page(page, expect)

        _sign_in_at_provider(page, expect, "ana")
        expect(page).to_have_url(re.compile(rf"/review\?claim={linked}$"))
        expect_signed_in(page, expect, "ana", "reviewer")
        expect(claim_heading(page)).to_have_text(f"Claim #{linked}")
        # The kept address was used up by the sign-in; the session cookie is set.
        names = {cookie["name"] for cookie in context.cookies()}
        assert "workbench_next" not in names
        assert "workbench_session" in names

        # A reload opens the same claim, still signed in (the cookie, not the provider).
        page.reload()
        expect_signed_in(page, expect, "ana", "reviewer")
        expect(claim_heading(page)).to_have_text(f"Claim #{linked}")
