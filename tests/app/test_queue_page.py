"""The Queue page: filters, paging, and opening a claim in the Review page."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.support import sign_in
from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.review import decisions, queue
from workbench.schemas import Verdict

App = Callable[[], AppTest]


def open_queue(app: App) -> AppTest:
    at = sign_in(app())
    at.switch_page("views/queue.py")
    return at.run(timeout=30)


def table_ids(at: AppTest) -> list[int]:
    return [int(i) for i in at.dataframe[0].value["id"]]


def test_the_queue_shows_one_page_of_the_claims_to_review(seeded: Engine, app: App) -> None:
    at = open_queue(app)
    assert not at.exception
    expected = queue.list_claims(seeded, queue.ClaimFilter(), page=1, page_size=25, actor=SYSTEM)
    assert table_ids(at) == [c.id for c in expected.items]
    assert list(at.dataframe[0].value.columns) == [
        "id",
        "claim",
        "speaker",
        "score",
        "document",
        "reviews",
        "state",  # against k
        "verdicts",  # single-user mode: the one person sees every review
        "final",
    ]
    assert f"{expected.total} claims · page 1 of {expected.pages}" in at.caption[0].value
    assert "k = 1 reviews per claim" in at.caption[0].value


def test_paging_moves_through_the_queue(seeded: Engine, app: App) -> None:
    everything = queue.list_claims(seeded, queue.ClaimFilter(), page_size=1000, actor=SYSTEM)
    at = open_queue(app)
    if everything.total <= 25:  # the sample corpus is larger; keep the test honest if not
        assert at.button(key="page_next").disabled
        return
    at.button(key="page_next").click()
    at.run(timeout=30)
    assert table_ids(at) == [c.id for c in everything.items[25:50]]
    assert "page 2 of" in at.caption[0].value
    at.button(key="page_prev").click()
    at.run(timeout=30)
    assert table_ids(at) == [c.id for c in everything.items[:25]]
    # typing a page number
    at.number_input[0].set_value(2)
    at.run(timeout=30)
    assert table_ids(at) == [c.id for c in everything.items[25:50]]


def test_filters_narrow_the_list(seeded: Engine, app: App) -> None:
    speakers = queue.list_speakers(seeded)
    assert speakers, "the sample corpus names at least one speaker"
    speaker = speakers[0]
    at = open_queue(app)
    at.selectbox(key="qf_speaker").set_value(speaker)
    at.run(timeout=30)
    shown = at.dataframe[0].value
    assert set(shown["speaker"]) == {speaker}
    expected = queue.list_claims(seeded, queue.ClaimFilter(speaker=speaker), actor=SYSTEM)
    assert table_ids(at) == [c.id for c in expected.items]

    word = expected.items[0].text.split()[-1].strip(".,;:\"'“”")
    at.text_input(key="qf_search").input(word)
    at.run(timeout=30)
    narrowed = queue.list_claims(
        seeded, queue.ClaimFilter(speaker=speaker, search=word), actor=SYSTEM
    )
    assert table_ids(at) == [c.id for c in narrowed.items]

    at.button(key="reset_filters").click()
    at.run(timeout=30)
    assert at.selectbox(key="qf_speaker").value is None
    assert at.text_input(key="qf_search").value == ""


def test_a_search_matching_nothing_says_so(seeded: Engine, app: App) -> None:
    at = open_queue(app)
    at.text_input(key="qf_search").input("zzqx-no-such-word")
    at.run(timeout=30)
    assert not at.dataframe
    assert "No claim matches" in at.info[0].value


def test_the_review_state_filter_shows_reviewed_claims(seeded: Engine, app: App) -> None:
    claim_id = queue.next_claim_id(seeded, queue.ClaimFilter(), after=None)
    assert claim_id is not None
    decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ben"), Verdict.verified)
    at = open_queue(app)
    assert claim_id not in table_ids(at)
    at.selectbox(key="qf_state").set_value("reviewed")
    at.run(timeout=30)
    assert table_ids(at) == [claim_id]
    assert list(at.dataframe[0].value["reviews"]) == [1]


def test_a_claim_opens_in_the_review_page(seeded: Engine, app: App) -> None:
    at = open_queue(app)
    target = table_ids(at)[3]
    at.selectbox[-1].set_value(target)  # "Claim to open"
    at.button(key="open_claim").click()
    at.run(timeout=30)
    assert at.subheader[0].value == f"Claim #{target}"


def test_the_filter_persists_and_scopes_the_next_claim(seeded: Engine, app: App) -> None:
    speaker = queue.list_speakers(seeded)[0]
    scoped = queue.ClaimFilter(speaker=speaker)
    first = queue.next_claim_id(seeded, scoped, after=None)
    assert first is not None
    at = open_queue(app)
    at.selectbox(key="qf_speaker").set_value(speaker)
    at.run(timeout=30)
    at.button(key="open_claim").click()
    at.run(timeout=30)
    assert at.subheader[0].value == f"Claim #{first}"
    assert any(speaker in t.value for t in at.text)  # "Next claims come from the filter"

    at.switch_page("views/review.py")  # AppTest otherwise reruns the page it last switched to
    at.button(key="verdict_verified").click()
    at.run(timeout=30)
    following = queue.next_claim_id(seeded, scoped, after=first)
    if following is not None:
        assert at.subheader[0].value == f"Claim #{following}"
        assert queue.get_claim(seeded, following, actor=SYSTEM).claim.speaker == speaker
    else:
        assert at.title[0].value == "All claims reviewed"

    at.switch_page("views/queue.py")
    at.run(timeout=30)
    assert at.selectbox(key="qf_speaker").value == speaker  # still filtered
