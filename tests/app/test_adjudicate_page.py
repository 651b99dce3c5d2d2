"""The Adjudication page, driven through AppTest in team mode; effects checked via services."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.support import XSS_CLAIM, html_bodies, store_xss_document
from workbench.app import actions
from workbench.auth import accounts
from workbench.auth.policy import SYSTEM
from workbench.projects.settings import set_project_setting
from workbench.review import decisions, queue
from workbench.review.adjudicate import adjudicate, final_verdict
from workbench.schemas import Actor, FinalSource, Role, Verdict

App = Callable[[], AppTest]
PASSWORD = "correct horse battery"
PAGE = "views/adjudicate.py"


def actor(engine: Engine, name: str) -> Actor:
    user = next(u for u in accounts.list_users(engine, SYSTEM) if u.name == name)
    return Actor(id=user.id, name=user.name, role=user.role)


@pytest.fixture
def disputed(seeded: Engine) -> int:
    """Team mode, k = 2, and the XSS claim on which Rui and Rita disagree."""
    for name, role in [
        ("Ada", Role.admin),
        ("Bo", Role.admin),
        ("Rui", Role.reviewer),
        ("Rita", Role.reviewer),
        ("Vera", Role.viewer),
    ]:
        accounts.add_user(seeded, SYSTEM, name, role, PASSWORD)
    set_project_setting(seeded, SYSTEM, "reviews_per_claim", 2)
    store_xss_document(seeded)
    claim_id = next(
        c.id
        for c in queue.list_claims(
            seeded, queue.ClaimFilter(state="all"), page_size=500, actor=SYSTEM
        ).items
        if c.text == XSS_CLAIM
    )
    rui, rita = actor(seeded, "Rui"), actor(seeded, "Rita")
    decisions.set_verdict(seeded, claim_id, rui, Verdict.verified)
    decisions.set_note(seeded, claim_id, rui, "<b>primary</b> source *confirms*")
    decisions.add_url(seeded, claim_id, rui, "https://example.org/report")
    decisions.set_verdict(seeded, claim_id, rita, Verdict.disputed)
    return claim_id


def log_in(at: AppTest, name: str) -> AppTest:
    at.run(timeout=30)
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()  # the login form's button
    return at.run(timeout=30)


def open_page(app: App, name: str = "Ada") -> AppTest:
    at = log_in(app(), name)
    at.switch_page(PAGE)
    return at.run(timeout=30)


def plain(elements: Iterable[object]) -> str:
    """Messages as a reader sees them (the app escapes Markdown in them)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(str(getattr(e, "value", "")) for e in elements))


def texts(at: AppTest) -> list[str]:
    return [str(t.value) for t in at.text]


def submit(at: AppTest, claim_id: int, verdict: str | None, reason: str) -> AppTest:
    if verdict is not None:
        at.radio(key=actions.final_verdict_key(claim_id)).set_value(verdict)
    at.text_area(key=actions.final_reason_key(claim_id)).input(reason)
    next(b for b in at.button if b.label == "Save final verdict").click()
    return at.run(timeout=30)


def test_an_admin_sees_the_disputed_claim_and_every_review_side_by_side(
    disputed: int, app: App
) -> None:
    at = open_page(app)
    assert not at.exception
    assert at.title[0].value == "Adjudication"
    assert "1 claim waiting" in at.caption[0].value
    assert at.subheader[0].value == f"Claim #{disputed}"

    # Source text is escaped: its markup arrives as text, never as tags.
    bodies = html_bodies(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bodies
    assert "<script>" not in bodies and "<img" not in bodies and "<b>live</b>" not in bodies

    shown = texts(at)
    for line in ("Rui", "Verdict: Verified", "Rita", "Verdict: Disputed"):
        assert line in shown
    # A reviewer's note is shown literally (st.text), markup and all.
    assert "Note: <b>primary</b> source *confirms*" in shown
    assert "https://example.org/report" in shown
    assert sum(line.startswith("Time spent: ") for line in shown) == 2


def test_the_final_verdict_is_saved_with_its_reason(
    seeded: Engine, disputed: int, app: App
) -> None:
    at = open_page(app)
    at = submit(at, disputed, "disputed", "Rita's source is the primary one.")
    assert not at.exception
    assert "Final verdict for claim" in plain(at.success)
    final = final_verdict(seeded, disputed)
    assert final is not None
    assert (final.verdict, final.source, final.decided_by, final.reason) == (
        Verdict.disputed,
        FinalSource.adjudicated,
        "Ada",
        "Rita's source is the primary one.",
    )
    assert "No disputed claim is waiting" in plain(at.success)


def test_a_final_verdict_without_a_reason_is_refused(
    seeded: Engine, disputed: int, app: App
) -> None:
    at = submit(open_page(app), disputed, "verified", "   ")
    assert "give a reason" in plain(at.error)
    assert final_verdict(seeded, disputed) is None


def test_a_stale_save_names_who_and_when_and_shows_the_newer_value(
    seeded: Engine, disputed: int, app: App
) -> None:
    at = open_page(app)  # Ada sees the claim without a final verdict
    saved = adjudicate(seeded, actor(seeded, "Bo"), disputed, Verdict.verified, "Bo decided")
    at = submit(at, disputed, "disputed", "Ada's decision")
    assert not at.exception
    warning = plain(at.warning)
    assert "changed by Bo" in warning
    assert f"{saved.decided_at:%Y-%m-%d %H:%M:%S}" in warning
    assert "The final verdict is now “Verified” (adjudicated by Bo" in warning
    assert "Bo decided" in warning
    assert final_verdict(seeded, disputed) == saved  # nothing overwritten


@pytest.mark.parametrize("name", ["Rui", "Vera"])
def test_reviewers_and_viewers_do_not_get_the_page(disputed: int, app: App, name: str) -> None:
    at = log_in(app(), name)
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_the_claim_view_lists_the_claims_history(seeded: Engine, disputed: int, app: App) -> None:
    adjudicate(seeded, actor(seeded, "Bo"), disputed, Verdict.verified, "Bo decided")
    at = log_in(app(), "Ada")
    at.session_state["claim_id"] = disputed
    at.switch_page("views/review.py")
    at = at.run(timeout=30)
    assert not at.exception
    (history,) = [e for e in at.expander if str(e.label).startswith("History")]
    (frame,) = history.dataframe
    rows = frame.value
    # Rui's verdict, note and URL; Rita's verdict; Bo's adjudication.
    assert list(rows["who"]) == ["Rui", "Rui", "Rui", "Rita", "Bo"]
    assert list(rows["what"]) == [
        "review create",
        "review update",
        "url create",
        "review create",
        "final verdict create",
    ]
    # Shown as text in a table: the note's markup is not interpreted.
    assert list(rows["change"])[1] == "note: — → <b>primary</b> source *confirms*"


def test_agreement_reached_after_the_reveal_waits_here_with_its_reason(
    seeded: Engine, disputed: int, app: App
) -> None:
    # Rita, shown Rui's verdict once she had decided, changes hers to match it.
    decisions.set_verdict(seeded, disputed, actor(seeded, "Rita"), Verdict.verified)
    assert final_verdict(seeded, disputed) is None
    at = open_page(app)
    assert not at.exception
    assert "1 claim waiting" in at.caption[0].value
    shown = texts(at)
    assert "Verdict: Verified" in shown and "Verdict: Disputed" not in shown
    assert "Blind verdict: Disputed (changed after seeing the others' verdicts)" in shown
    assert "agree only after seeing each other's verdicts" in plain(at.warning)
    at = submit(at, disputed, "verified", "Rui's report holds; Rita's doubt was answered")
    final = final_verdict(seeded, disputed)
    assert final is not None and final.source == FinalSource.adjudicated


def test_the_address_follows_the_claim_picked_and_a_reload_reopens_it(
    seeded: Engine, disputed: int, app: App
) -> None:
    other = next(
        c.id
        for c in queue.list_claims(seeded, queue.ClaimFilter(), page_size=500, actor=SYSTEM).items
        if c.id != disputed
    )
    decisions.set_verdict(seeded, other, actor(seeded, "Rui"), Verdict.unsupported)
    decisions.set_verdict(seeded, other, actor(seeded, "Rita"), Verdict.verified)
    at = open_page(app)
    shown = int(str(at.subheader[0].value).removeprefix("Claim #"))
    assert at.query_params["claim"] == str(shown)  # the first claim, named at once

    picked = other if shown == disputed else disputed
    at.selectbox[0].select_index(1)
    at = at.run(timeout=30)
    assert at.subheader[0].value == f"Claim #{picked}"
    assert at.query_params["claim"] == str(picked)
    assert "Opened from a link" not in plain(at.caption)  # the page's own pick, not a link

    # A reload (a new session at the same address) opens the claim picked.
    again = app()
    again.query_params["claim"] = str(picked)
    again = log_in(again, "Ada")
    again.switch_page(PAGE)
    again.query_params["claim"] = str(picked)
    again = again.run(timeout=30)
    assert again.subheader[0].value == f"Claim #{picked}"


def test_a_claim_in_a_long_paragraph_is_shown_with_a_bounded_context(
    disputed: int, seeded: Engine, app: App
) -> None:
    """A paragraph of thousands of characters (a page saved as one line) shows a sentence or
    two around the claim, the rest one click away: the reviews and the form stay in view."""
    from workbench.extract import default_extractor
    from workbench.ingest.store import store_document
    from workbench.schemas import DocumentIn

    filler = " ".join(f"Residents of ward {n} met on Tuesday evening." for n in range(80))
    claim = "The ministry said 4,200 homes lost power in 2023."
    text = f"{filler} {claim} {filler}"
    store_document(
        seeded, DocumentIn(text=text, title="Outage", source="outage.txt"), default_extractor()
    )
    claim_id = next(
        c.id
        for c in queue.list_claims(
            seeded, queue.ClaimFilter(state="all"), page_size=500, actor=SYSTEM
        ).items
        if c.text == claim
    )
    decisions.set_verdict(seeded, claim_id, actor(seeded, "Rui"), Verdict.verified)
    decisions.set_verdict(seeded, claim_id, actor(seeded, "Rita"), Verdict.unsupported)
    adjudicate(seeded, actor(seeded, "Bo"), disputed, Verdict.verified, "settled")

    at = open_page(app)
    assert at.subheader[0].value == f"Claim #{claim_id}"
    # On the page: the claim around its sentences; in the (closed) expander: the paragraph.
    shown, whole = [h.value for h in at.html if claim in h.value and "wb-context" in h.value]
    assert len(shown) < 1_500 < len(text) < len(whole)
    (expander,) = [e for e in at.expander if e.label == "Whole paragraph"]
    assert [getattr(h, "value", None) for h in expander.get("html")] == [whole]
