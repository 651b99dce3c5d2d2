"""The Review page, driven through AppTest; every effect is checked through the services."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.support import html_bodies, sidebar_text, sign_in, store_xss_document
from workbench.app import render
from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.review import decisions, queue
from workbench.schemas import ClaimStatus, ReviewOut, Verdict

App = Callable[[], AppTest]


def first_claim(engine: Engine) -> int:
    claim_id = queue.next_claim_id(engine, queue.ClaimFilter(), after=None)
    assert claim_id is not None
    return claim_id


def shown_claim(at: AppTest) -> str:
    return str(at.subheader[0].value)


def my_review(engine: Engine, claim_id: int, name: str = "Ana") -> ReviewOut | None:
    reviews = queue.get_claim(engine, claim_id, actor=SYSTEM).reviews
    return next((r for r in reviews if r.reviewer == name), None)


def test_the_reviewer_name_is_asked_before_anything_else(seeded: Engine, app: App) -> None:
    at = app().run(timeout=30)
    assert not at.exception
    assert not at.subheader  # no claim is shown yet
    assert "Enter your name" in at.info[0].value
    assert "single-user mode — no accounts" in at.sidebar.caption[-1].value

    at.sidebar.text_input(key="reviewer_name_input").input("   ")
    at.sidebar.button[0].click()
    at.run(timeout=30)
    assert "enter your name" in at.sidebar.error[0].value
    assert not at.subheader

    at.sidebar.text_input(key="reviewer_name_input").input("  Ana   Silva ")
    at.sidebar.button[0].click()
    at.run(timeout=30)
    assert "Reviewer: Ana Silva" in sidebar_text(at)
    assert shown_claim(at) == f"Claim #{first_claim(seeded)}"


def test_the_reviewer_can_change_their_name(seeded: Engine, app: App) -> None:
    at = sign_in(app())
    at.sidebar.button(key="change_name").click()
    at.run(timeout=30)
    sign = at.sidebar.text_input(key="reviewer_name_input")
    assert sign.value == "Ana"
    sign.input("Ben")
    at.sidebar.button[0].click()
    at.run(timeout=30)
    assert "Reviewer: Ben" in sidebar_text(at)


def test_a_verdict_is_stored_and_the_next_claim_opens(seeded: Engine, app: App) -> None:
    total = queue.progress(seeded).total
    claim_id = first_claim(seeded)
    at = sign_in(app())
    assert "0 reviewed today" in sidebar_text(at)
    assert f"{total} of {total} claims need more reviews" in sidebar_text(at)
    assert shown_claim(at) == f"Claim #{claim_id}"

    at.button(key="verdict_disputed").click()
    at.run(timeout=30)

    review = my_review(seeded, claim_id)
    assert review is not None and review.verdict == Verdict.disputed
    following = queue.next_claim_id(seeded, queue.ClaimFilter(), after=claim_id)
    assert following is not None and following != claim_id
    assert shown_claim(at) == f"Claim #{following}"
    assert "1 reviewed today" in sidebar_text(at)
    assert f"{total - 1} of {total} claims need more reviews" in sidebar_text(at)
    assert "Disputed" in at.success[0].value


def test_previous_goes_back_and_shows_and_clears_the_verdict(seeded: Engine, app: App) -> None:
    claim_id = first_claim(seeded)
    at = sign_in(app())
    at.button(key="verdict_verified").click()
    at.run(timeout=30)
    at.button(key="previous").click()
    at.run(timeout=30)
    assert shown_claim(at) == f"Claim #{claim_id}"
    assert any("Your verdict: **Verified**" in m.value for m in at.markdown)

    at.button(key="clear_verdict").click()
    at.run(timeout=30)
    review = my_review(seeded, claim_id)
    assert review is not None and review.verdict is None
    assert shown_claim(at) == f"Claim #{claim_id}"  # clearing stays on the claim


def test_skip_opens_the_next_claim_without_a_decision(seeded: Engine, app: App) -> None:
    claim_id = first_claim(seeded)
    at = sign_in(app())
    at.button(key="skip").click()
    at.run(timeout=30)
    assert shown_claim(at) != f"Claim #{claim_id}"
    assert my_review(seeded, claim_id) is None


def test_a_note_is_saved_at_once(seeded: Engine, app: App) -> None:
    claim_id = first_claim(seeded)
    at = sign_in(app())
    at.text_area(key=f"note_{claim_id}").input("Ministry figures say 90, not 100.")
    at.run(timeout=30)
    review = my_review(seeded, claim_id)
    assert review is not None and review.note == "Ministry figures say 90, not 100."
    assert review.verdict is None  # a note alone is not a verdict
    assert "Note saved" in at.success[0].value


def add_url(at: AppTest, claim_id: int, raw: str) -> AppTest:
    at.text_input(key=f"url_input_{claim_id}").input(raw)
    next(b for b in at.button if b.label == "Add").click()
    return at.run(timeout=30)


def test_a_valid_url_is_added_normalised(seeded: Engine, app: App) -> None:
    claim_id = first_claim(seeded)
    at = add_url(sign_in(app()), claim_id, "HTTPS://Example.ORG:443/report?utm_source=x#top")
    review = my_review(seeded, claim_id)
    assert review is not None
    assert [e.url for e in review.urls] == ["https://example.org/report"]
    links = [str(h.proto.body) for h in at.html if "example.org/report" in str(h.proto.body)]
    assert len(links) == 1
    assert 'href="https://example.org/report" target="_blank" rel="noopener noreferrer"' in links[0]
    assert at.text_input(key=f"url_input_{claim_id}").value == ""

    next(b for b in at.button if b.label == "Remove").click()
    at.run(timeout=30)
    review = my_review(seeded, claim_id)
    assert review is not None and review.urls == []


def test_the_reviewer_is_told_what_a_url_became_and_when_it_was_already_there(
    seeded: Engine, app: App
) -> None:
    def plain(shown: object) -> str:  # messages are Markdown with the URL's marks escaped
        return str(shown).replace("\\", "")

    claim_id = first_claim(seeded)
    at = add_url(sign_in(app()), claim_id, "example.com")
    assert not at.exception
    assert [plain(s.value) for s in at.success] == ["URL added as https://example.com/"]

    at = add_url(at, claim_id, "https://example.com/")
    assert not at.success
    assert [plain(i.value) for i in at.info if "Already" in str(i.value)] == [
        "Already among your URLs: https://example.com/"
    ]
    review = my_review(seeded, claim_id)
    assert review is not None and [e.url for e in review.urls] == ["https://example.com/"]

    at = add_url(at, claim_id, "https://example.org/report")
    assert [plain(s.value) for s in at.success] == ["URL added."]


@pytest.mark.parametrize(
    ("raw", "message"),
    [("javascript:alert(1)", "only http"), ("not a url", "spaces")],
)
def test_an_invalid_url_is_refused_inline(seeded: Engine, app: App, raw: str, message: str) -> None:
    claim_id = first_claim(seeded)
    at = add_url(sign_in(app()), claim_id, raw)
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    assert at.error[0].value.startswith("Not added")
    review = my_review(seeded, claim_id)
    assert review is None or review.urls == []
    # the input keeps what was typed, so it can be corrected
    assert at.text_input(key=f"url_input_{claim_id}").value == raw


def test_not_a_claim_takes_it_out_of_the_queue(seeded: Engine, app: App) -> None:
    claim_id = first_claim(seeded)
    at = sign_in(app())
    at.button(key="not_a_claim").click()
    at.run(timeout=30)
    assert queue.get_claim(seeded, claim_id, actor=SYSTEM).claim.status == ClaimStatus.not_a_claim
    to_review = queue.list_claims(seeded, queue.ClaimFilter(), page_size=1000, actor=SYSTEM).items
    assert claim_id not in [c.id for c in to_review]
    assert shown_claim(at) != f"Claim #{claim_id}"
    assert "1 marked not a claim" in [c.value for c in at.sidebar.caption]

    at.button(key="previous").click()
    at.run(timeout=30)
    assert "out of the queue" in at.warning[0].value
    at.button(key="reopen").click()
    at.run(timeout=30)
    assert queue.get_claim(seeded, claim_id, actor=SYSTEM).claim.status == ClaimStatus.open


def test_a_stale_edit_is_refused_and_the_newer_value_shown(seeded: Engine, app: App) -> None:
    claim_id = first_claim(seeded)
    at = sign_in(app())
    # The same reviewer, in another tab, decides first.
    decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ana"), Verdict.verified)
    at.button(key="verdict_unsupported").click()
    at.run(timeout=30)
    review = my_review(seeded, claim_id)
    assert review is not None and review.verdict == Verdict.verified  # not overwritten
    assert "was changed by Ana" in at.warning[0].value
    assert shown_claim(at) == f"Claim #{claim_id}"
    assert any("Your verdict: **Verified**" in m.value for m in at.markdown)


def test_a_note_and_a_verdict_sent_together_both_save(seeded: Engine, app: App) -> None:
    claim_id = first_claim(seeded)
    at = sign_in(app())
    at.text_area(key=f"note_{claim_id}").set_value("typed, then clicked Verified")
    at.button(key="verdict_verified").click()
    at.run(timeout=30)
    review = my_review(seeded, claim_id)
    assert review is not None
    assert (review.verdict, review.note) == (Verdict.verified, "typed, then clicked Verified")
    assert not at.warning


def test_other_reviewers_reviews_are_listed(seeded: Engine, app: App) -> None:
    claim_id = first_claim(seeded)
    decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ben"), Verdict.unsupported)
    decisions.set_note(seeded, claim_id, local_actor(seeded, "Ben"), "no source found")
    at = sign_in(app())
    at.session_state["claim_id"] = claim_id  # Ben's verdict took it out of the to-review queue
    at.run(timeout=30)
    table = at.dataframe[0].value
    assert list(table["reviewer"]) == ["Ben"]
    assert list(table["verdict"]) == ["Unsupported"]
    assert list(table["note"]) == ["no source found"]


def test_the_claim_is_highlighted_in_its_paragraph_and_document(seeded: Engine, app: App) -> None:
    claim = queue.get_claim(seeded, first_claim(seeded), actor=SYSTEM).claim
    at = sign_in(app())
    marked = [h.value for h in at.html if "<mark" in h.value]
    view = at.segmented_control(key=f"source_view_{claim.id}")
    assert view.value == "Around the claim" and "Whole document" in view.options
    view.set_value("Whole document").run(timeout=30)
    marked += [h.value for h in at.html if "<mark" in h.value]
    assert len(marked) == 2  # around the claim, then in the whole document
    assert "wb-document" in marked[1]
    assert all("white-space: pre-wrap" in b for b in marked)
    assert all(f"{render.escape(claim.text)}</mark>" in b for b in marked)


def test_source_markup_is_shown_as_text(engine: Engine, app: App) -> None:
    store_xss_document(engine)
    at = app()
    at = sign_in(at)
    found = queue.list_claims(engine, queue.ClaimFilter(search="Peskov"), actor=SYSTEM).items
    assert found, "the XSS sentence was not extracted as a claim"
    at.session_state["claim_id"] = found[0].id
    at.run(timeout=30)
    body = html_bodies(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "&lt;i&gt;Border&lt;/i&gt; report" in body  # the title is source text too
    assert "<script" not in body and "<img" not in body and "<i>" not in body
    assert "<b>" not in body


def test_all_claims_reviewed(engine: Engine, app: App) -> None:
    store_xss_document(engine)
    at = sign_in(app())
    for _ in range(queue.progress(engine).total):
        at.button(key="not_a_claim").click()
        at.run(timeout=30)
    assert at.title[0].value == "All claims reviewed"
    assert {p.value for p in at.page_link} >= {
        "Browse all claims in the Queue",
        "Export the reviewed dataset",
    }
    assert queue.progress(engine).total == 0
