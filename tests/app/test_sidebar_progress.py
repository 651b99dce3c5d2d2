"""The sidebar's progress with k = 2 and several reviewers: what is left for each of them,
and for the project, rather than "claims with one verdict / claims"."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.support import sidebar_text
from tests.app.test_team_review import accounts, log_in, shown_claim
from workbench.auth.policy import SYSTEM
from workbench.projects.settings import set_project_setting
from workbench.review import queue

App = Callable[[], AppTest]


def figures(at: AppTest) -> tuple[int, int, int]:
    """(reviewed today, assigned, left) of the signed-in reviewer, as the sidebar says."""
    found = re.search(
        r"(\d+) reviewed today · (\d+) assigned to you · (\d+) left for you", sidebar_text(at)
    )
    assert found, sidebar_text(at)
    today, assigned, left = (int(g) for g in found.groups())
    return today, assigned, left


def project(at: AppTest) -> tuple[int, int, int, int]:
    """(final verdicts, needing more reviews, open claims, k) as the sidebar says."""
    found = re.search(
        r"(\d+) with a final verdict · (\d+) of (\d+) claims need more reviews \(k = (\d+)\)",
        sidebar_text(at),
    )
    assert found, sidebar_text(at)
    final, need_more, total, k = (int(g) for g in found.groups())
    return final, need_more, total, k


def test_the_figures_follow_two_reviewers_with_k_2(seeded: Engine, app: App) -> None:
    accounts(seeded)
    set_project_setting(seeded, SYSTEM, "reviews_per_claim", 2)
    total = queue.progress(seeded).total

    ana = log_in(app(), "Ana")
    first = shown_claim(ana)
    assert figures(ana) == (0, 1, total)  # the claim on screen is leased to her
    assert project(ana) == (0, total, total, 2)

    ana.button(key="verdict_verified").click()
    ana.run(timeout=30)
    # One verdict: the claim still needs a second one, but no longer from Ana.
    assert figures(ana) == (1, 1, total - 1)
    assert project(ana) == (0, total, total, 2)

    ben = log_in(app(), "Ben")
    assert shown_claim(ben) == first  # the claim's second slot
    assert figures(ben) == (0, 1, total)
    ben.button(key="verdict_verified").click()
    ben.run(timeout=30)
    # Two agreeing verdicts: a final verdict, one claim fewer needs reviews, for both of them.
    assert figures(ben) == (1, 1, total - 1)
    assert project(ben) == (1, total - 1, total, 2)
    ana.run(timeout=30)
    assert figures(ana) == (1, 1, total - 1)

    # They split on the next claim: it has its two reviews but no final verdict (it waits
    # for an admin), so the project's two figures do not add up to the claims.
    second = shown_claim(ana)
    ana.button(key="verdict_verified").click()
    ana.run(timeout=30)
    ben.run(timeout=30)
    assert shown_claim(ben) == second
    ben.button(key="verdict_disputed").click()
    ben.run(timeout=30)
    assert figures(ben) == (2, 1, total - 2)
    assert project(ben) == (1, total - 2, total, 2)

    # Ana has a third claim (one verdict, hers): not left for her, still left for Ben.
    ana.button(key="verdict_unsupported").click()
    ana.run(timeout=30)
    assert figures(ana) == (3, 1, total - 3)
    ben.run(timeout=30)
    assert figures(ben) == (2, 1, total - 2)


def test_an_admin_who_reviews_sees_their_figures_and_the_project(seeded: Engine, app: App) -> None:
    accounts(seeded)
    ada = log_in(app(), "Ada")
    total = queue.progress(seeded).total
    assert project(ada)[1:] == (total, total, 1)
    assert "left for you" in sidebar_text(ada)
