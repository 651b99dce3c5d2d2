"""The Review and Progress pages in team mode: assigned claims, blind review, time per review."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from tests.app.conftest import HOME
from workbench.app import state
from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
from workbench.db.models import Review
from workbench.db.session import unit_of_work
from workbench.projects.settings import set_project_setting
from workbench.review import assign, queue
from workbench.schemas import Actor, Role, Verdict

App = Callable[[], AppTest]
PASSWORD = "correct horse battery staple"


def accounts(engine: Engine) -> dict[str, Actor]:
    made = {
        name: add_user(engine, SYSTEM, name, role, PASSWORD)
        for name, role in [("Ada", Role.admin), ("Ana", Role.reviewer), ("Ben", Role.reviewer)]
    }
    return {name: Actor(id=u.id, name=u.name, role=u.role) for name, u in made.items()}


def log_in(at: AppTest, name: str) -> AppTest:
    at.run(timeout=30)
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()  # the login form's "Log in"
    return at.run(timeout=30)


def shown_claim(at: AppTest) -> int:
    title = str(at.subheader[0].value)
    assert title.startswith("Claim #"), title
    return int(title.removeprefix("Claim #"))


def best_claim(engine: Engine) -> int:
    page = queue.list_claims(engine, queue.ClaimFilter(), page_size=1000, actor=SYSTEM)
    return max(page.items, key=lambda c: (c.score, -c.id)).id


def captions(at: AppTest) -> str:
    return "\n".join(str(c.value) for c in at.caption)


def test_team_mode_shows_the_leased_claim_to_two_reviewers_with_k_2(
    seeded: Engine, app: App
) -> None:
    people = accounts(seeded)
    set_project_setting(seeded, SYSTEM, "reviews_per_claim", 2)
    best = best_claim(seeded)

    ana = log_in(app(), "Ana")
    assert not ana.exception
    assert shown_claim(ana) == best  # by score, the project default
    assert assign.lease_of(seeded, people["Ana"], best) is not None
    assert "Reserved for you until" in captions(ana)

    ben = log_in(app(), "Ben")
    assert shown_claim(ben) == best  # the second of the two slots
    assert assign.lease_of(seeded, people["Ben"], best) is not None

    # Ana decides: her lease ends, the time she spent is kept, the next claim is hers.
    ana.button(key="verdict_verified").click()
    ana.run(timeout=30)
    assert assign.lease_of(seeded, people["Ana"], best) is None
    following = shown_claim(ana)
    assert following != best
    assert assign.lease_of(seeded, people["Ana"], following) is not None
    with unit_of_work(seeded) as session:
        review = session.scalars(select(Review).where(Review.claim_id == best)).one()
        assert review.seconds_spent is not None and review.decided_at is not None

    # Ben still has not decided: Ana's verdict is hidden from him, only counted.
    ben.run(timeout=30)
    assert shown_claim(ben) == best
    assert "1 other review hidden until you decide." in captions(ben)
    assert not any(m.value == "#### Other reviewers" for m in ben.markdown)
    ben.button(key="verdict_disputed").click()
    ben.run(timeout=30)
    ben.button(key="previous").click()
    ben.run(timeout=30)
    assert shown_claim(ben) == best
    assert any(m.value == "#### Other reviewers" for m in ben.markdown)  # now he may see
    # ... and is told that a change now is recorded as one made after seeing Ana's.
    assert "Your blind verdict, given before you saw these, is kept: Disputed." in captions(ben)
    ben.button(key="verdict_verified").click()
    ben.run(timeout=30)
    with unit_of_work(seeded) as session:
        mine = session.scalars(
            select(Review).where(Review.claim_id == best, Review.reviewer_id == people["Ben"].id)
        ).one()
        assert (mine.verdict, mine.blind_verdict, mine.changed_after_reveal) == (
            "verified",
            "disputed",
            True,
        )


def test_a_viewer_is_not_told_the_hidden_reviews_wait_for_a_decision(
    seeded: Engine, app: App
) -> None:
    people = accounts(seeded)
    add_user(seeded, SYSTEM, "Val", Role.viewer, PASSWORD)
    set_project_setting(seeded, SYSTEM, "reviews_per_claim", 2)
    best = best_claim(seeded)
    ana = log_in(app(), "Ana")
    assert shown_claim(ana) == best
    ana.button(key="verdict_verified").click()
    ana.run(timeout=30)
    assert assign.lease_of(seeded, people["Ana"], best) is None

    viewer = app()
    viewer.query_params[state.LINK] = str(best)  # the claim's link
    val = log_in(viewer, "Val")
    assert not val.exception
    assert shown_claim(val) == best
    assert "until you decide" not in captions(val)
    assert (
        "1 other review hidden: blind review shows reviewers' verdicts only to those who have "
        "given their own, and to admins." in captions(val)
    )


def test_skip_in_team_mode_gives_the_slot_back(seeded: Engine, app: App) -> None:
    people = accounts(seeded)
    ana = log_in(app(), "Ana")
    first = shown_claim(ana)
    ana.button(key="skip").click()
    ana.run(timeout=30)
    assert shown_claim(ana) != first
    assert assign.lease_of(seeded, people["Ana"], first) is None
    ben = log_in(app(), "Ben")
    assert shown_claim(ben) == first  # k = 1: free again once Ana skipped it


def test_the_progress_page_is_for_admins(seeded: Engine, app: App) -> None:
    accounts(seeded)
    ana = log_in(app(), "Ana")
    ana.button(key="verdict_unsupported").click()
    ana.run(timeout=30)

    admin = log_in(app(), "Ada")
    admin.switch_page("views/progress.py")
    admin.run(timeout=30)
    assert not admin.exception
    assert admin.title[0].value == "Progress"
    table = admin.dataframe[0].value
    row = table[table["reviewer"] == "Ana"].iloc[0]
    assert (row["done"], row["in progress"]) == (1, 1)  # one decided, the next one leased

    # The page is not in a reviewer's navigation, so no address reaches it (with the views
    # outside a pages/ folder, Streamlit always goes through Home.py); its script run on its
    # own, the service refuses.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        ana.switch_page("views/progress.py")
    direct = AppTest.from_file(str(HOME.parent / "views" / "progress.py"), default_timeout=30)
    direct.session_state["reviewer"] = ana.session_state["reviewer"]
    direct.session_state["signed_in_with_password"] = True
    direct.run()
    assert not direct.dataframe
    assert "Ana is a reviewer and cannot manage users" in direct.error[0].value


def test_single_user_mode_keeps_the_queue_order(seeded: Engine, app: App) -> None:
    from tests.app.support import sign_in

    at = sign_in(app())
    first = queue.next_claim_id(seeded, queue.ClaimFilter(), after=None)
    assert shown_claim(at) == first
    assert "Reserved for you" not in captions(at)
    at.button(key="verdict_verified").click()
    at.run(timeout=30)
    reviews = queue.get_claim(seeded, first or 0, actor=SYSTEM).reviews
    assert [r.verdict for r in reviews] == [Verdict.verified]


def worst_claim(engine: Engine) -> int:
    page = queue.list_claims(engine, queue.ClaimFilter(), page_size=1000, actor=SYSTEM)
    return min(page.items, key=lambda c: (c.score, -c.id)).id


def test_a_claim_link_takes_the_lease_when_a_slot_is_free(seeded: Engine, app: App) -> None:
    people = accounts(seeded)
    target = worst_claim(seeded)  # the last one assignment would hand out
    at = app()
    at.query_params[state.LINK] = str(target)
    ana = log_in(at, "Ana")
    assert shown_claim(ana) == target
    assert assign.lease_of(seeded, people["Ana"], target) is not None
    assert "Reserved for you until" in captions(ana)
    # k = 1: assignment now hands the linked claim to no one else.
    assert assign.next_claim(seeded, people["Ben"]) != target


def test_a_claim_link_leaves_someone_elses_lease_alone(seeded: Engine, app: App) -> None:
    people = accounts(seeded)
    best = best_claim(seeded)
    assert assign.next_claim(seeded, people["Ben"]) == best  # Ben holds the only slot (k = 1)
    at = app()
    at.query_params[state.LINK] = str(best)
    ana = log_in(at, "Ana")
    assert shown_claim(ana) == best  # the link still opens it, to read
    assert assign.lease_of(seeded, people["Ana"], best) is None
    assert assign.lease_of(seeded, people["Ben"], best) is not None
    assert "review slots are all taken" in "\n".join(str(i.value) for i in ana.info)
