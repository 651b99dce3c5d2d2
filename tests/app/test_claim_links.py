"""Every claim has an address: ``/review?claim=ID`` opens it, the address follows the claim."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.support import sign_in
from tests.app.test_login import log_in, team  # noqa: F401  (the fixture)
from workbench.app import state
from workbench.review import queue

App = Callable[[], AppTest]


def claim_ids(engine: Engine, n: int) -> list[int]:
    """The first ``n`` claims in queue order."""
    ids: list[int] = []
    after: int | None = None
    while len(ids) < n:
        following = queue.next_claim_id(engine, queue.ClaimFilter(), after=after)
        assert following is not None
        ids.append(following)
        after = following
    return ids


def shown_claim(at: AppTest) -> str:
    return str(at.subheader[0].value)


def linked(app: App, value: str) -> AppTest:
    at = app()
    at.query_params[state.LINK] = value
    return at


def warnings(at: AppTest) -> str:
    # (Messages are Markdown-escaped: the backslashes go.)
    return "\n".join(str(w.value) for w in at.warning).replace("\\", "")


def test_a_link_opens_its_claim_and_the_address_names_it(seeded: Engine, app: App) -> None:
    first, _, _, fourth = claim_ids(seeded, 4)
    at = sign_in(linked(app, str(fourth)))
    assert not at.exception
    assert shown_claim(at) == f"Claim #{fourth}"
    assert at.query_params[state.LINK] == str(fourth)
    assert not at.warning

    # Without a link the queue's first claim opens, and the address names it too.
    at = sign_in(app())
    assert shown_claim(at) == f"Claim #{first}"
    assert at.query_params[state.LINK] == str(first)  # the address follows the first claim


def test_the_address_follows_the_next_claim_and_previous(seeded: Engine, app: App) -> None:
    _, second, third = claim_ids(seeded, 3)
    at = sign_in(linked(app, str(second)))
    assert shown_claim(at) == f"Claim #{second}"

    at.button(key="verdict_verified").click()
    at.run(timeout=30)
    assert shown_claim(at) == f"Claim #{third}"
    assert at.query_params[state.LINK] == str(third)

    at.button(key="previous").click()
    at.run(timeout=30)
    assert shown_claim(at) == f"Claim #{second}"
    assert at.query_params[state.LINK] == str(second)

    at.button(key="skip").click()
    at.run(timeout=30)
    assert shown_claim(at) == f"Claim #{third}"
    assert at.query_params[state.LINK] == str(third)


def test_a_reload_shows_the_claim_in_the_address(seeded: Engine, app: App) -> None:
    _, second, third = claim_ids(seeded, 3)
    at = sign_in(linked(app, str(second)))
    at.button(key="verdict_disputed").click()
    at.run(timeout=30)
    address = dict(at.query_params)
    assert address == {state.LINK: str(third)}

    # A reload is a new session with the same address.
    again = app()
    again.query_params.update(address)
    again = sign_in(again)
    assert shown_claim(again) == f"Claim #{third}"
    # The session's own history is gone with the reload; Previous still leads back, to the
    # claims the reviewer's stored reviews name (the latest first).
    assert not again.button(key="previous").disabled
    again.button(key="previous").click()
    again.run(timeout=30)
    assert shown_claim(again) == f"Claim #{second}"
    assert again.query_params[state.LINK] == str(second)


def test_previous_after_a_reload_walks_back_through_the_stored_reviews(
    seeded: Engine, app: App
) -> None:
    first, second, third = claim_ids(seeded, 3)
    at = sign_in(linked(app, str(first)))
    for verdict in ("verified", "disputed"):  # first, then second
        at.button(key=f"verdict_{verdict}").click()
        at.run(timeout=30)
    assert shown_claim(at) == f"Claim #{third}"

    again = sign_in(linked(app, str(third)))  # a reload: a new session, no history
    again.button(key="previous").click()
    again.run(timeout=30)
    assert shown_claim(again) == f"Claim #{second}"  # the latest reviewed
    again.button(key="previous").click()
    again.run(timeout=30)
    assert shown_claim(again) == f"Claim #{first}"  # then the one before it
    # Nothing before the first: the button says so rather than bouncing between the two.
    assert again.button(key="previous").disabled


def test_previous_stays_disabled_for_a_reviewer_with_no_reviews(seeded: Engine, app: App) -> None:
    at = sign_in(app(), "Someone New")
    assert at.button(key="previous").disabled


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("999999", "Claim #999999 does not exist"),
        ("abc", "which is not a claim id"),
        ("0", "which is not a claim id"),
        ("-3", "which is not a claim id"),
        ("99999999999", "which is not a claim id"),
    ],
)
def test_a_link_to_no_claim_says_so_and_the_queue_goes_on(
    seeded: Engine, app: App, value: str, message: str
) -> None:
    first = claim_ids(seeded, 1)[0]
    at = sign_in(linked(app, value))
    assert not at.exception
    assert message in warnings(at)
    assert shown_claim(at) == f"Claim #{first}"
    assert at.query_params[state.LINK] == str(first)  # the address names what is shown

    at.run(timeout=30)  # said once, not on every rerun
    assert not at.warning


def test_a_link_survives_the_login(team: Engine, app: App) -> None:  # noqa: F811
    _, _, third = claim_ids(team, 3)
    at = linked(app, str(third)).run(timeout=30)
    assert at.text_input(key="login_name")  # the login form, not the claim
    assert not at.subheader
    at = log_in(at, "Rui")
    assert not at.exception
    assert shown_claim(at) == f"Claim #{third}"
    assert at.query_params[state.LINK] == str(third)


def test_a_link_kept_through_the_login_even_if_the_address_lost_it(
    team: Engine,  # noqa: F811
    app: App,
) -> None:
    _, second = claim_ids(team, 2)
    at = linked(app, str(second)).run(timeout=30)
    # The browser may land on the login page's own address, without the query.
    at.query_params.clear()
    at = log_in(at, "Vera")  # a viewer: may read every claim
    assert shown_claim(at) == f"Claim #{second}"
    assert at.query_params[state.LINK] == str(second)


def test_an_adjudication_link_opens_the_claim_for_admins(team: Engine, app: App) -> None:  # noqa: F811
    _, second = claim_ids(team, 2)
    at = linked(app, str(second)).run(timeout=30)
    at = log_in(at, "Ada")
    at.switch_page("views/adjudicate.py")
    at.query_params[state.LINK] = str(second)
    at.run(timeout=30)
    assert not at.exception
    assert f"claim #{second} is listed first" in "\n".join(str(c.value) for c in at.caption)

    at.query_params[state.LINK] = "nope"
    at.run(timeout=30)
    assert "which is not a claim id" in warnings(at)
