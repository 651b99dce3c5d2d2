"""The Review page's "Correct extraction" expander, driven through AppTest; every effect is
checked through the services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.support import sign_in
from workbench.app import state
from workbench.app.corrections import expander_key
from workbench.auth.accounts import add_user, local_actor
from workbench.auth.policy import SYSTEM
from workbench.review import correction_form, decisions, queue
from workbench.schemas import ClaimOrigin, ClaimStatus, Role, Verdict

App = Callable[[], AppTest]
PASSWORD = "correct horse battery staple"


def shown_claim(at: AppTest) -> int:
    title = str(at.subheader[0].value)
    assert title.startswith("Claim #"), title
    return int(title.removeprefix("Claim #"))


def keys(at: AppTest) -> set[str]:
    return {str(w.key) for w in at.button if w.key} | {str(w.key) for w in at.slider if w.key}


def messages(elements: Iterable[Any]) -> list[str]:
    """The messages as the reviewer reads them (the page escapes Markdown in them)."""
    return [str(e.value).replace("\\", "") for e in elements]


def open_panel(at: AppTest) -> AppTest:
    at.session_state[expander_key(shown_claim(at))] = True  # as a click on its header does
    return at.run(timeout=30)


def claim_with_a_missed_sentence(engine: Engine) -> int:
    """An open claim whose paragraph has a sentence the extractor left out."""
    ana = local_actor(engine, "Ana")
    page = queue.list_claims(engine, queue.ClaimFilter(), page_size=500, actor=SYSTEM)
    for item in page.items:
        if correction_form.missed_sentences(
            correction_form.correction_context(engine, item.id, ana)
        ):
            return item.id
    raise AssertionError("the sample corpus has a paragraph with a missed sentence")


def test_the_expander_is_collapsed_and_runs_nothing_until_opened(seeded: Engine, app: App) -> None:
    at = sign_in(app())
    claim_id = shown_claim(at)
    assert [e.label for e in at.expander if e.label == "Correct extraction"]
    assert f"correct_exact_{claim_id}" not in keys(at)  # lazy: nothing inside ran
    at = open_panel(at)
    assert not at.exception
    assert {f"correct_exact_{claim_id}", f"correct_span_{claim_id}"} <= keys(at)


def test_exact_characters_move_the_boundaries_and_open_the_corrected_claim(
    seeded: Engine, app: App
) -> None:
    at = open_panel(sign_in(app()))
    old_id = shown_claim(at)
    old = queue.get_claim(seeded, old_id, SYSTEM).claim
    at.slider(key=f"correct_span_{old_id}").set_value((old.char_start, old.char_end - 1))
    at.run(timeout=30)
    # The preview is the text between the chosen offsets, as plain text.
    assert any(t.value == old.text[:-1] for t in at.text)
    at.button(key=f"correct_exact_{old_id}").click()
    at.run(timeout=30)
    assert not at.exception
    new_id = shown_claim(at)
    assert new_id != old_id
    new = queue.get_claim(seeded, new_id, SYSTEM)
    assert (new.claim.text, new.claim.origin) == (old.text[:-1], ClaimOrigin.corrected)
    assert new.document_text[new.claim.char_start : new.claim.char_end] == new.claim.text
    assert queue.get_claim(seeded, old_id, SYSTEM).claim.status == ClaimStatus.superseded
    assert f"Claim #{old_id} corrected (adjust): now claim #{new_id}." in messages(at.success)
    # Previous goes back to the original, which says it was replaced and names its successor.
    at.button(key="previous").click()
    at.run(timeout=30)
    assert shown_claim(at) == old_id
    assert any("replaced by a correction" in w.value for w in at.warning)
    at = open_panel(at)
    assert f"open_replacement_{old_id}_{new_id}" in keys(at)


def test_adding_a_missed_sentence_from_the_paragraph(seeded: Engine, app: App) -> None:
    target = claim_with_a_missed_sentence(seeded)
    at = app()
    at.query_params[state.LINK] = str(target)
    at = open_panel(sign_in(at))
    assert shown_claim(at) == target
    choice = at.selectbox(key=f"correct_add_choice_{target}")
    span = choice.value
    assert span is not None
    at.button(key=f"correct_add_{target}").click()
    at.run(timeout=30)
    added = queue.get_claim(seeded, shown_claim(at), SYSTEM)
    assert (added.claim.char_start, added.claim.char_end) == tuple(span)
    assert added.claim.origin == ClaimOrigin.added
    assert f"Added claim #{added.claim.id}." in messages(at.success)


def test_others_verdicts_must_be_confirmed_and_a_refusal_changes_nothing(
    seeded: Engine, app: App
) -> None:
    at = sign_in(app())
    claim_id = shown_claim(at)
    decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ben"), Verdict.verified)
    at = open_panel(at.run(timeout=30))
    confirm = at.checkbox(key=f"correct_confirm_{claim_id}")
    assert "1 verdict from other reviewers stays" in confirm.label
    split = at.button(key=f"correct_split_{claim_id}")
    split.click()
    at.run(timeout=30)
    assert shown_claim(at) == claim_id  # refused: still the same claim
    assert any("Confirm to correct it anyway" in m for m in messages(at.warning))
    assert queue.get_claim(seeded, claim_id, SYSTEM).claim.status == ClaimStatus.open
    at.checkbox(key=f"correct_confirm_{claim_id}").check()
    at.run(timeout=30)
    at.button(key=f"correct_split_{claim_id}").click()
    at.run(timeout=30)
    assert shown_claim(at) != claim_id
    assert queue.get_claim(seeded, claim_id, SYSTEM).claim.status == ClaimStatus.superseded


def test_a_viewer_has_no_correct_extraction(seeded: Engine, app: App) -> None:
    add_user(seeded, SYSTEM, "Val", Role.viewer, PASSWORD)
    at = app().run(timeout=30)
    at.text_input(key="login_name").input("Val")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    at.run(timeout=30)
    assert not at.exception
    assert at.subheader and str(at.subheader[0].value).startswith("Claim #")
    assert not [e for e in at.expander if e.label == "Correct extraction"]
