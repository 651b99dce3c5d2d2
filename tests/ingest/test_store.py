"""Storing documents: one transaction each, the same text never twice."""

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from workbench.db.models import Claim, Document
from workbench.db.session import unit_of_work
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_paths
from workbench.ingest.store import sha256_of, store_document
from workbench.schemas import ClaimCandidate, DocumentIn

ARTICLE = (
    "Flood relief\n\n"
    "The regional governor said on Tuesday that 3,200 homes were flooded in 2024.\n\n"
    "Officials told Reuters that 14 bridges remain closed."
)


def counts(engine: Engine) -> tuple[int, int]:
    with unit_of_work(engine) as session:
        documents = session.scalar(select(func.count(Document.id))) or 0
        claims = session.scalar(select(func.count(Claim.id))) or 0
        return documents, claims


def test_a_document_is_stored_with_its_text_hash_and_claims(engine: Engine) -> None:
    document = DocumentIn(text=ARTICLE, title="Flood relief", source="flood.txt")
    stored_claims = store_document(engine, document, default_extractor())
    with unit_of_work(engine) as session:
        row = session.scalars(select(Document)).one()
        assert (row.text, row.title, row.source) == (ARTICLE, "Flood relief", "flood.txt")
        assert row.sha256 == sha256_of(ARTICLE)
        assert stored_claims == len(row.claims) >= 2
        for claim in row.claims:
            assert ARTICLE[claim.char_start : claim.char_end] == claim.text


def test_the_same_text_is_stored_once(engine: Engine) -> None:
    first = DocumentIn(text=ARTICLE, title="a", source="a.txt")
    again = DocumentIn(text=ARTICLE, title="other title", source="copy/a.txt")
    assert store_document(engine, first, default_extractor()) is not None
    assert store_document(engine, again, default_extractor()) is None
    assert counts(engine)[0] == 1


class BrokenExtractor:
    """Returns a claim whose offsets break the table's check constraint."""

    name = "broken@1"

    def extract(self, text: str) -> list[ClaimCandidate]:
        good = ClaimCandidate(
            text=text[:5], char_start=0, char_end=5, speaker=None, score=0.9, extractor=self.name
        )
        bad = ClaimCandidate(
            text="", char_start=7, char_end=7, speaker=None, score=0.9, extractor=self.name
        )
        return [good, bad]


def test_a_failing_document_leaves_nothing_half_written(engine: Engine) -> None:
    store_document(engine, DocumentIn(text=ARTICLE, title="a", source="a.txt"), default_extractor())
    before = counts(engine)
    # SQLite says "CHECK constraint failed", PostgreSQL "violates check constraint".
    with pytest.raises(IntegrityError, match=r"(?i)check constraint"):
        store_document(
            engine,
            DocumentIn(text="Another text entirely.", title="b", source="b"),
            BrokenExtractor(),
        )
    assert counts(engine) == before


def test_ingest_goes_on_after_a_bad_file(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "empty.txt").write_text("  \n\n ")
    (tmp_path / "z.txt").write_text(ARTICLE.replace("3,200", "4,100"))
    report = ingest_paths(engine, [tmp_path], default_extractor(), max_bytes=10**6)
    assert (report.added, report.duplicates, report.failed) == (2, 0, 1)
    assert "empty.txt" in str(report.errors[0])
    assert counts(engine)[0] == 2


def test_a_document_with_an_unsafe_url_is_stored_without_it_and_warned_about(
    engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "a.jsonl").write_text(
        '{"text": "' + ARTICLE.replace("\n", "\\n") + '", "url": "http://user:pw@x.example/"}\n'
    )
    report = ingest_paths(engine, [tmp_path / "a.jsonl"], default_extractor(), max_bytes=10**6)
    assert (report.added, report.failed) == (1, 0)
    [warning] = report.warnings
    assert str(warning).startswith(f"{tmp_path / 'a.jsonl'}:1: field 'url': URLs with a user")
    assert report.summary().endswith("0 failed, 1 warning")
    with unit_of_work(engine) as session:
        row = session.scalars(select(Document)).one()
        assert (row.url, row.source) == (None, "a.jsonl#L1")  # no path of this machine
