"""Claims matched across documents: linked at ingest, listed, decided as a group."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select

from workbench.auth.accounts import add_user, local_actor
from workbench.auth.policy import SYSTEM
from workbench.db.models import ClaimSimilarity, ClaimSketch, ClaimSketchKey, Document
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, PermissionDenied
from workbench.ingest import service
from workbench.ingest import store as ingest_store
from workbench.review import decisions, queue, similar
from workbench.schemas import Actor, ClaimCandidate, ClaimStatus, DocumentIn, Role, Verdict
from workbench.similarity import link, query, rebuild

ARTICLES = Path(__file__).parents[1] / "data" / "similar" / "articles"

QUOTE = (
    "We are well aware that decisions on such actions and such terrorist attacks are not "
    "made in Kyiv, but in Washington."
)
QUOTE_AGAIN = (
    "“We are well aware that decisions on such actions and such terrorist attacks are not "
    "made in Kiev, but in Washington,” Peskov told CNN."
)
QUOTE_SHORT = (
    "Peskov said decisions on such terrorist attacks are not made in Kyiv but in Washington."
)
UNRELATED = "The EU approved the transfer of more than a billion dollars' worth of arms."
FIGURES = "Kiev launched missile strikes on Crimea, leaving four Russians dead and 100 wounded."
OTHER_FIGURES = (
    "Kiev launched missile strikes on Crimea, leaving four Russians dead and 150 wounded."
)


class LineExtractor:
    """Every non-empty line is a claim: ingest tests need exact, stable claims."""

    name = "lines@test"

    def extract(self, text: str) -> list[ClaimCandidate]:
        found, offset = [], 0
        for line in text.split("\n"):
            if line.strip():
                found.append(
                    ClaimCandidate(
                        text=line,
                        char_start=offset,
                        char_end=offset + len(line),
                        speaker="Dmitry Peskov",
                        score=0.9,
                        extractor=self.name,
                    )
                )
            offset += len(line) + 1
        return found


def store(engine: Engine, title: str, *lines: str) -> list[int]:
    """Store a document of ``lines``; the ids of its claims in order."""
    text = "\n".join(lines)
    assert ingest_store.store_document(
        engine, DocumentIn(text=text, title=title, source=f"{title}.txt"), LineExtractor()
    )
    with unit_of_work(engine) as session:
        document = session.scalars(select(Document).where(Document.title == title)).one()
        return [c.id for c in sorted(document.claims, key=lambda c: c.char_start)]


def links(engine: Engine) -> set[tuple[int, int]]:
    with unit_of_work(engine) as session:
        rows = session.execute(select(ClaimSimilarity.claim_id, ClaimSimilarity.similar_id))
        return {(a, b) for a, b in rows}


@pytest.fixture
def pair(engine: Engine) -> tuple[list[int], list[int], list[int]]:
    """Three documents: the quote, two other outlets' versions of it, unrelated claims."""
    first = store(engine, "tass", QUOTE, UNRELATED)
    second = store(engine, "cnn", FIGURES, QUOTE_AGAIN)
    third = store(engine, "wire", QUOTE_SHORT, OTHER_FIGURES)
    return first, second, third


def test_ingest_links_the_same_statement_across_documents(
    engine: Engine, pair: tuple[list[int], list[int], list[int]]
) -> None:
    (quote, unrelated), (figures, quote_again), (quote_short, other_figures) = pair
    found = query.similar_claims(engine, quote, SYSTEM)
    assert [s.id for s in found] == [quote_again, quote_short]  # most similar first
    assert found[0].similarity > found[1].similarity >= 0.30
    assert found[0].document_title == "cnn" and found[0].text == QUOTE_AGAIN
    assert found[0].speaker == "Dmitry Peskov" and found[0].status == ClaimStatus.open
    # Links are symmetric and stored both ways, with one score.
    back = query.similar_claims(engine, quote_again, SYSTEM)
    assert quote in [s.id for s in back]
    assert next(s for s in back if s.id == quote).similarity == found[0].similarity
    assert query.similar_claims(engine, unrelated, SYSTEM) == []
    # Nearly the same words, different figures: not the same statement.
    assert query.similar_claims(engine, figures, SYSTEM) == []
    assert query.similar_claims(engine, other_figures, SYSTEM) == []


def test_claims_of_one_document_are_not_linked(engine: Engine) -> None:
    ids = store(engine, "repeats", QUOTE, QUOTE_AGAIN, QUOTE)
    assert all(query.similar_claims(engine, i, SYSTEM) == [] for i in ids)
    other = store(engine, "other", QUOTE)
    assert {s.id for s in query.similar_claims(engine, other[0], SYSTEM)} == set(ids)


def test_a_failed_link_leaves_no_document(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    store(engine, "tass", QUOTE)

    def broken(*_: object) -> int:
        raise RuntimeError("similarity failed")

    monkeypatch.setattr(ingest_store, "link_claims", broken)
    with pytest.raises(RuntimeError):
        store(engine, "cnn", QUOTE_AGAIN)
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1


def test_similar_claims_show_every_reviewers_verdict(
    engine: Engine, pair: tuple[list[int], list[int], list[int]]
) -> None:
    (quote, _), (_, quote_again), _ = pair
    decisions.set_verdict(engine, quote_again, local_actor(engine, "Ben"), Verdict.disputed)
    decisions.set_verdict(engine, quote_again, local_actor(engine, "Cleo"), Verdict.verified)
    decisions.set_note(engine, quote_again, local_actor(engine, "Dan"), "no verdict, only a note")
    shown = query.similar_claims(engine, quote, SYSTEM)[0]
    assert [(v.reviewer, v.verdict) for v in shown.verdicts] == [
        ("Ben", Verdict.disputed),
        ("Cleo", Verdict.verified),
    ]


def test_a_missing_claim_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound):
        query.similar_claims(engine, 999, SYSTEM)
    with pytest.raises(NotFound):
        similar.apply_verdict_to_similar(engine, 999, local_actor(engine, "Ana"), Verdict.verified)


def my_verdict(engine: Engine, claim_id: int, name: str) -> str | None:
    review = next(
        (r for r in queue.get_claim(engine, claim_id, actor=SYSTEM).reviews if r.reviewer == name),
        None,
    )
    return review.verdict if review else None


def test_apply_writes_one_review_per_claim_and_leaves_others_reviews(
    engine: Engine, pair: tuple[list[int], list[int], list[int]]
) -> None:
    (quote, unrelated), (figures, quote_again), (quote_short, _) = pair
    decisions.set_verdict(engine, quote, local_actor(engine, "Ana"), Verdict.disputed)
    ben = decisions.set_verdict(engine, quote_again, local_actor(engine, "Ben"), Verdict.verified)

    result = similar.apply_verdict_to_similar(
        engine, quote, local_actor(engine, "Ana"), Verdict.disputed
    )

    assert result.applied == sorted([quote_again, quote_short])
    assert (result.kept, result.skipped) == ([], [])
    for claim_id in (quote_again, quote_short):
        mine = [
            r
            for r in queue.get_claim(engine, claim_id, actor=SYSTEM).reviews
            if r.reviewer == "Ana"
        ]
        assert len(mine) == 1 and mine[0].verdict == Verdict.disputed
    # Ben's review is untouched: same verdict, same version.
    bens = next(
        r for r in queue.get_claim(engine, quote_again, actor=SYSTEM).reviews if r.reviewer == "Ben"
    )
    assert (bens.verdict, bens.version) == (Verdict.verified, ben.version)
    # Nothing outside the group was touched.
    assert my_verdict(engine, unrelated, "Ana") is None
    assert my_verdict(engine, figures, "Ana") is None


def test_apply_keeps_a_different_verdict_unless_told_to_overwrite(
    engine: Engine, pair: tuple[list[int], list[int], list[int]]
) -> None:
    (quote, _), (_, quote_again), (quote_short, _) = pair
    decisions.set_verdict(engine, quote_short, local_actor(engine, "Ana"), Verdict.unsupported)
    result = similar.apply_verdict_to_similar(
        engine, quote, local_actor(engine, "Ana"), Verdict.disputed
    )
    assert (result.applied, result.kept) == ([quote_again], [quote_short])
    assert my_verdict(engine, quote_short, "Ana") == Verdict.unsupported
    assert "1 claim kept your other verdict" in result.summary()

    result = similar.apply_verdict_to_similar(
        engine, quote, local_actor(engine, "Ana"), Verdict.disputed, overwrite=True
    )
    assert result.applied == sorted([quote_again, quote_short])
    assert my_verdict(engine, quote_short, "Ana") == Verdict.disputed


def test_apply_skips_claims_marked_not_a_claim(
    engine: Engine, pair: tuple[list[int], list[int], list[int]]
) -> None:
    (quote, _), (_, quote_again), (quote_short, _) = pair
    decisions.mark_not_a_claim(engine, quote_short, local_actor(engine, "Ben"))
    result = similar.apply_verdict_to_similar(
        engine, quote, local_actor(engine, "Ana"), Verdict.verified
    )
    assert (result.applied, result.skipped) == ([quote_again], [quote_short])
    assert my_verdict(engine, quote_short, "Ana") is None


def test_apply_to_chosen_claims_of_the_group_only(
    engine: Engine, pair: tuple[list[int], list[int], list[int]]
) -> None:
    (quote, unrelated), (_, quote_again), (quote_short, _) = pair
    result = similar.apply_verdict_to_similar(
        engine, quote, local_actor(engine, "Ana"), Verdict.verified, claim_ids=[quote_short]
    )
    assert result.applied == [quote_short]
    assert my_verdict(engine, quote_again, "Ana") is None
    with pytest.raises(InvalidInput, match="not among the claims similar"):
        similar.apply_verdict_to_similar(
            engine,
            quote,
            local_actor(engine, "Ana"),
            Verdict.verified,
            claim_ids=[quote_again, unrelated],
        )
    # All or nothing: the refused call wrote nothing, not even for the similar claim.
    assert my_verdict(engine, quote_again, "Ana") is None


def test_a_viewer_cannot_apply_a_verdict_to_the_group(
    engine: Engine, pair: tuple[list[int], list[int], list[int]]
) -> None:
    (quote, _), (_, quote_again), _ = pair
    viewer = add_user(engine, SYSTEM, "Vic", Role.viewer, "a long passphrase")
    as_viewer = Actor(id=viewer.id, name=viewer.name, role=viewer.role)
    with pytest.raises(PermissionDenied):
        similar.apply_verdict_to_similar(engine, quote, as_viewer, Verdict.verified)
    assert queue.get_claim(engine, quote_again, actor=SYSTEM).reviews == []


def test_rebuild_restores_the_links_of_a_database_ingested_without_them(
    engine: Engine, pair: tuple[list[int], list[int], list[int]]
) -> None:
    before = links(engine)
    assert before
    # A database from before schema 0002: claims, and empty similarity tables.
    with unit_of_work(engine) as session:
        for table in (ClaimSimilarity, ClaimSketchKey, ClaimSketch):
            session.execute(delete(table))
    assert links(engine) == set()

    seen: list[int] = []
    report = rebuild.rebuild_similarity(engine, on_document=seen.append)
    assert links(engine) == before
    assert (report.documents, report.claims, report.pairs) == (3, 6, len(before) // 2)
    assert len(seen) == 3
    # Running it again changes nothing.
    again = rebuild.rebuild_similarity(engine)
    assert links(engine) == before and again.pairs == report.pairs


def test_a_syndicated_statement_stores_a_bounded_number_of_links(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(link, "MAX_SIMILAR", 3)
    monkeypatch.setattr(link, "MAX_KEY_HOLDERS", 2)
    # Different documents (the dedupe is by text), the same quote in each.
    ids = [store(engine, f"copy {n}", f"Copy number {n}", QUOTE)[1] for n in range(6)]
    for claim_id in ids:
        assert 1 <= len(query.similar_claims(engine, claim_id, SYSTEM)) <= 3
    with unit_of_work(engine) as session:
        holders = session.execute(
            select(ClaimSketchKey.key, func.count()).group_by(ClaimSketchKey.key)
        ).all()
    assert max(count for _, count in holders) == 2


def test_the_hand_written_articles_link_to_the_sample_corpus(
    engine: Engine, sample_dir: Path
) -> None:
    """End to end with the real extractor: other outlets restating the sample articles."""
    from workbench.extract import default_extractor

    extractor = default_extractor()
    service.ingest_paths(engine, [sample_dir], extractor, max_bytes=10**7)
    service.ingest_paths(engine, [ARTICLES], extractor, max_bytes=10**7)
    with unit_of_work(engine) as session:
        sources = dict(session.execute(select(Document.id, Document.source)).all())
    articles = {i for i, source in sources.items() if Path(source).parent.name == "articles"}
    assert len(articles) == 2
    page = queue.list_claims(engine, queue.ClaimFilter(state="all"), page_size=1000, actor=SYSTEM)
    linked = 0
    for claim in page.items:
        for other in query.similar_claims(engine, claim.id, SYSTEM):
            assert other.document_id != claim.document_id
            linked += claim.document_id in articles
    # The extractor's choices may change; several restated sentences survive any of them.
    assert linked >= 3
