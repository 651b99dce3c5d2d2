"""The discussion on the Review and Adjudication pages, through AppTest in team mode."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from workbench.app import discussion as page
from workbench.app import render
from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
from workbench.projects.settings import set_project_setting
from workbench.review import decisions, discussion, queue
from workbench.schemas import Actor, Role, Verdict

App = Callable[[], AppTest]
PASSWORD = "correct horse battery staple"
ADJUDICATION = "views/adjudicate.py"
MARKUP = "<img src=x onerror=alert(1)> **see the 2019 release**"


def accounts(engine: Engine) -> dict[str, Actor]:
    made = {
        name: add_user(engine, SYSTEM, name, role, PASSWORD)
        for name, role in [
            ("Ada", Role.admin),
            ("Ana", Role.reviewer),
            ("Ben", Role.reviewer),
            ("Vera", Role.viewer),
        ]
    }
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 2)
    return {name: Actor(id=u.id, name=u.name, role=u.role) for name, u in made.items()}


def log_in(at: AppTest, name: str) -> AppTest:
    at.run(timeout=30)
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()  # the login form's "Log in"
    return at.run(timeout=30)


def best_claim(engine: Engine) -> int:
    """The claim assignment hands out first (by score, the project default)."""
    found = queue.list_claims(engine, queue.ClaimFilter(), page_size=1000, actor=SYSTEM)
    return max(found.items, key=lambda c: (c.score, -c.id)).id


def shown_claim(at: AppTest) -> int:
    return int(str(at.subheader[0].value).removeprefix("Claim #"))


def plain(text: object) -> str:
    """A message as a reader sees it (the app escapes Markdown in what it quotes)."""
    return re.sub(r"\\(.)", r"\1", str(text))


def captions(at: AppTest) -> str:
    return "\n".join(plain(c.value) for c in at.caption)


def successes(at: AppTest) -> list[str]:
    return [plain(s.value) for s in at.success]


def texts(at: AppTest) -> list[str]:
    return [str(t.value) for t in at.text]


def expander_labels(at: AppTest) -> list[str]:
    return [str(e.label) for e in at.expander]


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run(timeout=30)


def test_comments_wait_for_the_readers_own_verdict_and_are_shown_as_text(
    seeded: Engine, app: App
) -> None:
    people = accounts(seeded)
    best = best_claim(seeded)
    decisions.set_verdict(seeded, best, people["Ana"], Verdict.disputed)
    discussion.comment(seeded, people["Ana"], best, MARKUP)

    ben = log_in(app(), "Ben")
    assert not ben.exception and shown_claim(ben) == best
    assert "Discussion" in expander_labels(ben)  # collapsed: no question for Ben
    assert "1 comment of other reviewers hidden until you decide." in captions(ben)
    assert MARKUP not in texts(ben)

    # Ben's own comment is posted from the page and shown to him at once.
    ben.text_area(key=page.comment_key(best)).input("Which release, <b>exactly</b>?")
    ben = click(ben, "Post comment")
    assert not ben.exception
    assert "Comment posted." in successes(ben)
    assert "Which release, <b>exactly</b>?" in texts(ben)
    assert MARKUP not in texts(ben)
    assert ben.text_area(key=page.comment_key(best)).value == ""

    # An empty comment is refused with a message, and nothing is stored.
    ben.text_area(key=page.comment_key(best)).input("   ")
    ben = click(ben, "Post comment")
    assert any("empty" in plain(e.value) for e in ben.error)
    assert len(discussion.claim_discussion(seeded, people["Ada"], best).comments) == 2

    # After his verdict (the page moves on; back to the claim) he sees Ana's, as text.
    ben.button(key="verdict_verified").click()
    ben = ben.run(timeout=30)
    ben = click(ben, "Previous")
    assert shown_claim(ben) == best
    assert MARKUP in texts(ben)  # st.text: the markup is not interpreted
    assert all("<img" not in h.value for h in ben.html)

    # A viewer, who never decides, sees none and is told why; no box to write in.
    vera = log_in(app(), "Vera")
    vera.switch_page("views/review.py")
    vera.query_params["claim"] = str(best)  # a link to the claim
    vera = vera.run(timeout=30)
    assert not vera.exception and shown_claim(vera) == best
    assert "2 comments hidden: blind review shows reviewers' comments only" in captions(vera)
    assert MARKUP not in texts(vera)
    assert not any(t.label == "Comment for the adjudicator" for t in vera.text_area)


def test_an_admin_sends_a_claim_back_and_the_reviewer_answers_it(seeded: Engine, app: App) -> None:
    people = accounts(seeded)
    best = best_claim(seeded)
    decisions.set_verdict(seeded, best, people["Ana"], Verdict.verified)
    decisions.set_verdict(seeded, best, people["Ben"], Verdict.disputed)

    ada = log_in(app(), "Ada")
    ada.switch_page(ADJUDICATION)
    ada = ada.run(timeout=30)
    assert not ada.exception and shown_claim(ada) == best
    assert "No comments on this claim." in captions(ada)
    ada.selectbox(key=page.send_to_key(best)).set_value("Ana")
    ada = ada.run(timeout=30)
    ada.text_area(key=page.question_key(best)).input("Which source gives the figure?")
    ada = click(ada, "Send back to Ana with a question")
    assert not ada.exception
    assert any("sent back to Ana" in s for s in successes(ada))
    assert "Which source gives the figure?" in texts(ada)
    assert "· open" in captions(ada)
    [question] = discussion.open_questions(seeded, people["Ana"])

    # Ana signs in: the claim is back in her queue, first, the question open in front of her.
    ana = log_in(app(), "Ana")
    assert not ana.exception and shown_claim(ana) == best
    assert "Discussion (1) · a question for you" in expander_labels(ana)
    # Above the verdict buttons, as text (escaped, in a box that scrolls), who sent it beside.
    assert [h.value for h in ana.html if "wb-question" in h.value] == [
        render.question_html("Which source gives the figure?")
    ]
    assert "Ada sent this claim back to you with a question" in captions(ana)
    # Skipped, it is named above the next claim, one click away.
    ana.button(key="skip").click()
    ana = ana.run(timeout=30)
    assert shown_claim(ana) != best
    assert "An admin sent a claim back to you with a question." in captions(ana)
    ana = click(ana, f"Open claim #{best}")
    assert shown_claim(ana) == best

    ana.text_area(key=page.answer_key(question.id)).input("The ministry's release of 3 May.")
    ana = click(ana, "Send answer")
    assert not ana.exception
    assert "Answer sent: the question is resolved." in successes(ana)
    assert discussion.open_questions(seeded, people["Ana"]) == []
    assert "The ministry's release of 3 May." in texts(ana)

    # The adjudicator sees it answered.
    ada = ada.run(timeout=30)
    assert "· answered" in captions(ada)
    assert "The ministry's release of 3 May." in texts(ada)
