"""Any sequence of corrections keeps every claim's text equal to its document's text between
its offsets, keeps open claims from overlapping, and keeps the totals equal to a recount;
a correction refused writes nothing."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from workbench.db.models import Claim, Document, HistoryEntry, Membership, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, StaleEdit
from workbench.extract.segment import sentences
from workbench.review import correction_form, corrections, stats
from workbench.schemas import Actor, Role

# Non-ASCII letters, an emoji (one code point, four UTF-8 bytes), CR LF line ends and a blank
# line between paragraphs: offsets are str indices, whatever the bytes.
TEXT = (
    "Zoë said unemployment fell to 4.1 percent. Exports rose 😀 by 12 percent.\r\n"
    "The café's owner denied it. Ça ne va pas.\r\n\r\n"
    "Crime doubled since 2019 — the mayor said. Nobody checked."
)

Step = tuple[str, int, int, int]  # (what, claim index, start offset, length)
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["adjust", "split", "merge", "add", "adjust_sentence"]),
        st.integers(0, 20),
        st.integers(-2, len(TEXT) + 2),
        # Mostly short spans (a random long one nearly always crosses a claim or a paragraph),
        # sometimes empty, reversed or past the end.
        st.one_of(st.integers(1, 45), st.integers(-5, len(TEXT))),
    ),
    max_size=12,
)


@pytest.fixture
def corpus(engine: Engine) -> tuple[Engine, int, Actor]:
    with unit_of_work(engine) as session:
        document = Document(project_id=1, title="P", source="p.txt", text=TEXT, sha256="b" * 64)
        user = User(name="Ana", role="reviewer")
        session.add_all([document, user])
        session.flush()
        session.add(Membership(user_id=user.id, project_id=1, role="reviewer"))
        # The extractor's claims: every other sentence.
        for start, end in sentences(TEXT)[::2]:
            session.add(
                Claim(
                    document_id=document.id,
                    text=TEXT[start:end],
                    char_start=start,
                    char_end=end,
                    score=0.5,
                    extractor="test@1",
                    status="open",
                )
            )
        return engine, document.id, Actor(id=user.id, name="Ana", role=Role.reviewer)


def snapshot(engine: Engine) -> tuple[int, int]:
    with unit_of_work(engine) as session:
        return (
            session.scalar(select(func.count(Claim.id))) or 0,
            session.scalar(select(func.count(HistoryEntry.id))) or 0,
        )


def check_invariants(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(Claim.text, Claim.char_start, Claim.char_end, Claim.status, Document.text).join(
                Document
            )
        ).all()
        for text, start, end, _, full in rows:
            assert full[start:end] == text
            assert text == text.strip() and text
        live = sorted((s, e) for _, s, e, status, _ in rows if status == "open")
        assert all(a[1] <= b[0] for a, b in pairwise(live)), live
        kept = stats.totals(session)
    with unit_of_work(engine) as session:
        stats.recount(session)
    with unit_of_work(engine) as session:
        assert stats.totals(session) == kept


def open_claims(engine: Engine) -> list[int]:
    with unit_of_work(engine) as session:
        return list(
            session.scalars(
                select(Claim.id).where(Claim.status == "open").order_by(Claim.char_start)
            )
        )


@pytest.mark.backends("sqlite")
@settings(
    max_examples=60,
    deadline=None,
    # One database for every example: each starts where the last one left it, which only
    # widens the states the sequences begin from.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=STEPS)
def test_any_valid_correction_keeps_text_equal_to_the_documents_slice(
    corpus: tuple[Engine, int, Actor], steps: list[Step]
) -> None:
    engine, document_id, ana = corpus
    for what, pick, a, length in steps:
        b = a + length
        ids = open_claims(engine)
        if not ids and what != "add":
            continue
        claim_id = ids[pick % len(ids)] if ids else 0
        before = snapshot(engine)
        outcome = "done"
        try:
            if what == "adjust":  # a span around the claim's own start, so it often fits
                start = correction_form.correction_context(engine, claim_id, ana).claim.char_start
                corrections.adjust_claim(
                    engine, claim_id, ana, start + a % 7 - 3, start + length, confirm=True
                )
            elif what == "split":
                corrections.split_claim(engine, claim_id, ana, a, confirm=True)
            elif what == "merge":
                corrections.merge_with_next(engine, claim_id, ana, confirm=True)
            elif what == "add":
                corrections.add_claim(engine, document_id, ana, a, b)
            else:
                context = correction_form.correction_context(engine, claim_id, ana)
                span = correction_form.extend_to_next_sentence(context) or (
                    correction_form.drop_last_sentence(context)
                )
                if span is not None:
                    corrections.adjust_claim(engine, claim_id, ana, *span, confirm=True)
        except (InvalidInput, StaleEdit):
            outcome = "refused"
            assert snapshot(engine) == before  # refused: nothing written
        event(f"{what}: {outcome}")  # --hypothesis-show-statistics: both outcomes occur
        check_invariants(engine)
