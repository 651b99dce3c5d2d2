"""The Review page shows a claim in a bounded context, whatever its document (AppTest).

The document here is stored as an older ingest stored sample 003: one paragraph of thousands
of characters, a title that is a whole paragraph, an absolute path for its source.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.support import sign_in
from workbench.app import render
from workbench.app.context import CONTEXT_CHARS
from workbench.auth.policy import SYSTEM
from workbench.extract import default_extractor
from workbench.ingest.store import store_document
from workbench.review import queue
from workbench.schemas import DocumentIn

App = Callable[[], AppTest]

LONG = " ".join(
    f"The council said on Monday that it spent {i}.5 million euros on {i + 10} roads in 20{i:02d}."
    for i in range(1, 50)
)  # one line of some 4,400 characters: one paragraph
TITLE = LONG[:300]
SOURCE = "/srv/newsroom/archive/2024/003_article.txt"


def store_long(engine: Engine) -> int:
    """The long document; returns a claim from the middle of its paragraph."""
    document = DocumentIn(text=LONG, title=TITLE, source=SOURCE)
    assert store_document(engine, document, default_extractor())
    claims = queue.list_claims(engine, queue.ClaimFilter(), actor=SYSTEM, page_size=100).items
    middle = [c for c in claims if 1000 < c.char_start < len(LONG) - 1000]
    assert middle, "the extractor found no claim in the middle of the paragraph"
    return middle[0].id


def open_claim(app: App, claim_id: int) -> AppTest:
    at = sign_in(app())
    at.session_state["claim_id"] = claim_id
    return at.run(timeout=30)


def source_box(at: AppTest) -> str:
    [box] = [h.value for h in at.html if "<mark" in h.value]
    return box


def test_a_claim_in_a_huge_paragraph_is_shown_with_a_bounded_context(
    engine: Engine, app: App
) -> None:
    claim_id = store_long(engine)
    claim = queue.get_claim(engine, claim_id, SYSTEM).claim
    at = open_claim(app, claim_id)
    box = source_box(at)
    assert render.escape(claim.text) + "</mark>" in box
    assert box.count("…") == 2  # the paragraph goes on before and after
    shown = box[box.index(">") + 1 : box.rindex("</div>")]
    assert len(shown) < len(claim.text) + 2 * CONTEXT_CHARS + 200  # not 4,400 characters

    view = at.segmented_control(key=f"source_view_{claim_id}")
    assert view.options == ["Around the claim", "Whole paragraph", "Whole document"]
    view.set_value("Whole paragraph").run(timeout=30)
    assert render.escape(LONG[:200]) in source_box(at)  # now the paragraph, from its start

    at.segmented_control(key=f"source_view_{claim_id}").set_value("Whole document")
    at.run(timeout=30)
    assert "wb-document" in source_box(at)
    assert not at.exception


def test_an_absolute_source_and_a_paragraph_of_a_title_are_not_shown_as_stored(
    engine: Engine, app: App
) -> None:
    at = open_claim(app, store_long(engine))
    meta = next(h.value for h in at.html if "wb-meta" in h.value)
    assert "003_article.txt" in meta and "/srv/newsroom" not in meta
    assert render.escape(TITLE) not in meta and "…" in meta  # the title, shortened


def test_a_short_paragraph_offers_no_whole_paragraph(seeded: Engine, app: App) -> None:
    at = sign_in(app())
    [view] = at.segmented_control
    assert view.options == ["Around the claim", "Whole document"]


def test_the_decision_buttons_have_no_tooltip_and_their_help_is_a_caption(
    seeded: Engine, app: App
) -> None:
    at = sign_in(app())
    for key in ("verdict_verified", "verdict_disputed", "verdict_unsupported", "not_a_claim"):
        assert not at.button(key=key).help, key
    # (The page module runs when imported, so its DECISION_HELP is matched by its words.)
    assert any("is for a bad extraction" in c.value for c in at.caption)
