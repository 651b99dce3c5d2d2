"""The four formats hold the same data: Parquet reads back to the JSONL export, ClaimReview is
valid JSON-LD with the documented mapping, and untrusted text survives every format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import selectinload

from tests.export.conftest import Reviewed
from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, Document, FinalVerdict, Review
from workbench.db.session import unit_of_work
from workbench.export import ExportFormat, export_to_file, render_export
from workbench.export.claimreview_format import RATINGS, ClaimReviewOptions
from workbench.export.csv_format import COLUMNS
from workbench.export.filters import ExportFilter
from workbench.export.parquet_format import SCHEMA, read_records
from workbench.export.rows import RowBatch, iter_batches, iter_records, iter_row_batches
from workbench.files.csv_safety import neutralise
from workbench.review.queue import review_out
from workbench.schemas import (
    ClaimOrigin,
    ClaimStatus,
    DocumentRef,
    ExportRecord,
    FinalSource,
    ReviewOut,
    Verdict,
)


def jsonl_records(path: Path) -> list[ExportRecord]:
    # str.splitlines(), the strictest splitter: it also breaks at NEL, U+2028 and U+2029.
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ExportRecord.model_validate_json(line) for line in lines]


def orm_records(engine: Engine) -> Iterator[ExportRecord]:
    """The export as the ORM reads it, one claim at a time: the reference for the fast path."""
    with unit_of_work(engine) as session:
        claims = session.scalars(
            select(Claim)
            .order_by(Claim.id)
            .options(
                selectinload(Claim.document),
                selectinload(Claim.reviews).selectinload(Review.reviewer),
                selectinload(Claim.reviews).selectinload(Review.evidence),
            )
        ).all()
        for claim in claims:
            final = session.scalar(select(FinalVerdict).where(FinalVerdict.claim_id == claim.id))
            document: Document = claim.document
            yield ExportRecord(
                claim_id=claim.id,
                text=claim.text,
                char_start=claim.char_start,
                char_end=claim.char_end,
                speaker=claim.speaker,
                score=claim.score,
                extractor=claim.extractor,
                status=ClaimStatus(claim.status),
                document=DocumentRef(
                    id=document.id,
                    title=document.title,
                    source=document.source,
                    sha256=document.sha256,
                    url=document.url,
                    published=document.published,
                ),
                reviews=[review_out(review) for review in claim.reviews],
                final_verdict=Verdict(final.verdict) if final else None,
                final_source=FinalSource(final.source) if final else None,
                final_reason=final.reason if final else None,
                final_decided_at=final.decided_at if final else None,
                origin=ClaimOrigin(claim.origin),
                corrected_from=[
                    i for i in (claim.corrected_from_id, claim.merged_from_id) if i is not None
                ],
            )


def test_the_fast_path_reads_what_the_orm_reads(reviewed: Reviewed) -> None:
    assert list(iter_records(reviewed.engine)) == list(orm_records(reviewed.engine))


def test_plain_records_have_the_models_keys_in_order(reviewed: Reviewed) -> None:
    record = next(r for b in iter_batches(reviewed.engine) for r in b if r["reviews"])
    assert list(record) == list(ExportRecord.model_fields)
    assert list(record["document"]) == list(DocumentRef.model_fields)
    assert list(record["reviews"][0]) == list(ReviewOut.model_fields)
    assert set(record["reviews"][0]["urls"][0]) == {"url", "added_at"}
    validated = ExportRecord.model_validate(record)
    assert validated.model_dump(mode="json") == ExportRecord.model_validate_json(
        validated.model_dump_json()
    ).model_dump(mode="json")


def test_parquet_reads_back_to_the_jsonl_export(reviewed: Reviewed, tmp_path: Path) -> None:
    export_to_file(reviewed.engine, ExportFormat.jsonl, tmp_path / "x.jsonl", actor=SYSTEM)
    result = export_to_file(
        reviewed.engine, ExportFormat.parquet, tmp_path / "x.parquet", actor=SYSTEM
    )
    from_jsonl = jsonl_records(tmp_path / "x.jsonl")
    assert list(read_records(tmp_path / "x.parquet")) == from_jsonl
    assert result.rows == result.claims == reviewed.total

    # And straight from pyarrow, without our reader: one row per claim, the fixed schema.
    table = pq.read_table(tmp_path / "x.parquet")
    assert table.schema.equals(SCHEMA, check_metadata=False)
    assert table.schema.metadata[b"workbench.schema_version"] == b"5"
    rows = {row["claim_id"]: row for row in table.to_pylist()}
    assert len(rows) == reviewed.total
    disputed = rows[reviewed.disputed]
    assert (disputed["final_verdict"], disputed["final_source"]) == ("disputed", "adjudicated")
    assert disputed["final_reason"] == "Ben's source holds"
    assert [(r["reviewer"], r["verdict"]) for r in disputed["reviews"]] == [
        ("Ana", "verified"),
        ("Ben", "disputed"),
    ]
    assert [u["url"] for u in disputed["reviews"][0]["urls"]] == [
        "https://example.org/source",
        "https://example.org/second",
    ]
    assert rows[reviewed.not_a_claim]["status"] == "not_a_claim"
    assert rows[reviewed.not_a_claim]["reviews"] == []
    assert rows[reviewed.note_only]["reviews"][0]["decided_at"] is None


def test_parquet_row_groups_follow_the_batches(
    reviewed: Reviewed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workbench.export.parquet_format.ROW_GROUP", 10)
    original = iter_row_batches

    def small(
        engine: Engine,
        flt: ExportFilter | None = None,
        *,
        reviews: bool = True,
        project_id: int | None = None,
    ) -> Iterator[RowBatch]:
        return original(engine, flt, batch=4, reviews=reviews, project_id=project_id)

    monkeypatch.setattr("workbench.export.service.iter_row_batches", small)
    export_to_file(reviewed.engine, ExportFormat.parquet, tmp_path / "x.parquet", actor=SYSTEM)
    metadata = pq.ParquetFile(tmp_path / "x.parquet").metadata
    assert metadata.num_rows == reviewed.total
    assert metadata.num_row_groups == -(-reviewed.total // 12)  # 3 batches of 4 a group
    assert [r.claim_id for r in read_records(tmp_path / "x.parquet")] == [
        r.claim_id for r in iter_records(reviewed.engine)
    ]


def claimreview(data: bytes) -> list[dict[str, Any]]:
    document = json.loads(data)
    assert document["@context"] == "https://schema.org"
    graph: list[dict[str, Any]] = document["@graph"]
    return graph


def test_claimreview_holds_the_final_verdicts_with_the_documented_mapping(
    reviewed: Reviewed, tmp_path: Path
) -> None:
    result = export_to_file(
        reviewed.engine, ExportFormat.claimreview, tmp_path / "x.jsonld", actor=SYSTEM
    )
    items = claimreview((tmp_path / "x.jsonld").read_bytes())
    finals = {r.claim_id: r for r in iter_records(reviewed.engine) if r.final_verdict}
    assert len(items) == len(finals) == result.rows == result.claims == 3
    assert result.reviews == 0
    expected = {
        "disputed": (1, "Disputed"),
        "unsupported": (2, "Unsupported"),
        "verified": (3, "Verified"),
    }
    for item, (claim_id, record) in zip(items, sorted(finals.items()), strict=True):
        assert set(item) == {
            "@type",
            "claimReviewed",
            "itemReviewed",
            "reviewRating",
            "author",
            "datePublished",
            "url",
        }
        assert item["@type"] == "ClaimReview"
        assert item["claimReviewed"] == record.text
        assert item["url"] == f"urn:factcheck-workbench:claim:{claim_id}"
        assert item["author"] == {"@type": "Organization", "name": "Fact-check workbench"}
        assert record.final_decided_at is not None
        assert item["datePublished"] == record.final_decided_at.date().isoformat()
        rating = item["reviewRating"]
        assert rating["@type"] == "Rating"
        assert record.final_verdict is not None
        assert (rating["ratingValue"], rating["alternateName"]) == expected[record.final_verdict]
        assert (rating["worstRating"], rating["bestRating"]) == (1, 3)
        claim = item["itemReviewed"]
        assert claim["@type"] == "Claim"
        assert claim["appearance"]["@type"] == "CreativeWork"
        assert claim["appearance"]["headline"] == record.document.title
        if record.speaker:
            assert claim["author"] == {"@type": "Person", "name": record.speaker}
    # The sample documents are local files: their paths are not published.
    assert "sample_data" not in (tmp_path / "x.jsonld").read_text()
    assert {v.name for v in RATINGS.values()} == {"Verified", "Disputed", "Unsupported"}


def test_claimreview_options_and_web_documents(reviewed: Reviewed) -> None:
    engine = reviewed.engine
    with engine.begin() as connection:
        document_id = connection.scalar(
            select(Claim.document_id).where(Claim.id == reviewed.verified)
        )
        connection.execute(
            update(Document)
            .where(Document.id == document_id)
            .values(url="https://news.example.com/a?b=1&c=2")
        )
        connection.execute(update(Claim).where(Claim.id == reviewed.verified).values(speaker=None))
    options = ClaimReviewOptions(
        publisher="Example Checks",
        publisher_url="https://checks.example.org",
        review_url="https://checks.example.org/claims/{claim_id}",
    )
    items = claimreview(
        render_export(engine, ExportFormat.claimreview, options=options, actor=SYSTEM)
    )
    item = next(i for i in items if i["url"].endswith(f"/claims/{reviewed.verified}"))
    assert item["author"] == {
        "@type": "Organization",
        "name": "Example Checks",
        "url": "https://checks.example.org",
    }
    appearance = item["itemReviewed"]["appearance"]
    assert appearance["url"] == "https://news.example.com/a?b=1&c=2"
    # The outlet's own statement: the outlet is the claim's author.
    assert item["itemReviewed"]["author"] == {"@type": "Organization", "name": "news.example.com"}


def test_claimreview_never_publishes_a_url_with_a_password(reviewed: Reviewed) -> None:
    # Stored before ingest checked URLs: the export keeps it out all the same.
    with reviewed.engine.begin() as connection:
        connection.execute(
            update(Document).values(url="http://user:pw@news.example.com/a", source="x.txt")
        )
    rendered = render_export(reviewed.engine, ExportFormat.claimreview, actor=SYSTEM)
    assert b"user:pw" not in rendered
    for item in claimreview(rendered):
        assert "url" not in item["itemReviewed"]["appearance"]


UNTRUSTED = '</script><script>alert("x")</script> & \u2028 "quoted" \\ back\nnew line'


def test_claimreview_escapes_untrusted_text_for_html(reviewed: Reviewed) -> None:
    with reviewed.engine.begin() as connection:
        connection.execute(
            update(Claim)
            .where(Claim.id == reviewed.unsupported)
            .values(text=UNTRUSTED, speaker=UNTRUSTED)
        )
    data = render_export(reviewed.engine, ExportFormat.claimreview, actor=SYSTEM)
    for char in (b"<", b">", b"&", "\u2028".encode()):
        assert char not in data
    item = next(i for i in claimreview(data) if i["claimReviewed"] == UNTRUSTED)
    assert item["itemReviewed"]["author"]["name"] == UNTRUSTED


def test_jsonl_lines_survive_any_line_splitter(reviewed: Reviewed) -> None:
    note = "one\u2028two\u2029three\x85four\r\nfive"
    with reviewed.engine.begin() as connection:
        connection.execute(
            update(Review).where(Review.claim_id == reviewed.disputed).values(note=note)
        )
    data = render_export(reviewed.engine, ExportFormat.jsonl, actor=SYSTEM)
    for raw in ("\u2028", "\u2029", "\x85", "\r"):
        assert raw.encode() not in data
    lines = data.decode().splitlines()
    assert len(lines) == reviewed.total
    record = next(r for r in map(ExportRecord.model_validate_json, lines) if r.reviews)
    assert [r.note for r in record.reviews] == [note, note]


@pytest.mark.backends("sqlite")
def test_sqlite_timestamps_in_another_form_are_read_too(reviewed: Reviewed, tmp_path: Path) -> None:
    # UTCDateTime writes "YYYY-MM-DD HH:MM:SS.ffffff"; a hand-made row may hold other forms.
    with reviewed.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE reviews SET created_at = '2024-01-01 05:00:00', "
            "updated_at = '2024-01-01T07:00:00+02:00' WHERE claim_id = ?",
            (reviewed.verified,),
        )
    export_to_file(reviewed.engine, ExportFormat.jsonl, tmp_path / "x.jsonl", actor=SYSTEM)
    export_to_file(reviewed.engine, ExportFormat.parquet, tmp_path / "x.parquet", actor=SYSTEM)
    for read in (jsonl_records(tmp_path / "x.jsonl"), read_records(tmp_path / "x.parquet")):
        review = next(r for r in read if r.claim_id == reviewed.verified).reviews[0]
        assert review.created_at == review.updated_at == datetime(2024, 1, 1, 5, tzinfo=UTC)


def test_csv_has_the_new_columns_at_the_end(reviewed: Reviewed) -> None:
    reader = csv.DictReader(
        io.StringIO(render_export(reviewed.engine, ExportFormat.csv, actor=SYSTEM).decode())
    )
    rows = list(reader)
    assert reader.fieldnames == COLUMNS
    assert COLUMNS[:22][-1] == "final_reason"  # the older columns keep their positions
    assert len(rows) == reviewed.total + 1  # the adjudicated claim has two reviews
    ben = next(r for r in rows if r["claim_id"] == str(reviewed.verified))
    assert ben["review_decided_at"] == "2024-02-01T08:00:00.000000+00:00"
    assert ben["final_decided_at"] and ben["final_verdict"] == "verified"
    assert float(ben["review_seconds_spent"] or 0) >= 0
    none = next(r for r in rows if r["claim_id"] == str(reviewed.not_a_claim))
    assert none["review_decided_at"] == none["review_id"] == none["final_decided_at"] == ""


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_a_failed_export_leaves_nothing_in_any_format(
    reviewed: Reviewed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: ExportFormat
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Iterator[RowBatch]:
        yield next(iter_row_batches(*args, **kwargs))
        raise RuntimeError("database went away")

    monkeypatch.setattr("workbench.export.service.iter_row_batches", broken)
    with pytest.raises(RuntimeError):
        export_to_file(reviewed.engine, fmt, tmp_path / "out" / "x.data", actor=SYSTEM)
    assert list((tmp_path / "out").iterdir()) == []


# --- untrusted text round-trips exactly ------------------------------------------------------

texts = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1),
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(["=", "+", "-", "@", "\t", "\r", '"', "\n", "'", "\r\n", "\u2028", "\x85"]),
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00")),
    ),
)


@pytest.mark.backends("sqlite")
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=texts, speaker=texts, note=texts)
def test_any_text_round_trips_through_jsonl_and_parquet(
    reviewed: Reviewed, tmp_path: Path, text: str, speaker: str, note: str
) -> None:
    engine = reviewed.engine
    with engine.begin() as connection:
        connection.execute(
            update(Claim).where(Claim.id == reviewed.disputed).values(text=text, speaker=speaker)
        )
        connection.execute(
            update(Review).where(Review.claim_id == reviewed.disputed).values(note=note)
        )
    export_to_file(engine, ExportFormat.jsonl, tmp_path / "p.jsonl", actor=SYSTEM)
    export_to_file(engine, ExportFormat.parquet, tmp_path / "p.parquet", actor=SYSTEM)
    from_jsonl = {r.claim_id: r for r in jsonl_records(tmp_path / "p.jsonl")}
    from_parquet = {r.claim_id: r for r in read_records(tmp_path / "p.parquet")}
    for read in (from_jsonl, from_parquet):
        record = read[reviewed.disputed]
        assert (record.text, record.speaker) == (text, speaker)
        assert [r.note for r in record.reviews] == [note, note]
    assert from_parquet == from_jsonl

    rows = list(
        csv.DictReader(io.StringIO(render_export(engine, ExportFormat.csv, actor=SYSTEM).decode()))
    )
    mine = [r for r in rows if r["claim_id"] == str(reviewed.disputed)]
    assert [(r["claim_text"], r["speaker"], r["note"]) for r in mine] == [
        (neutralise(text), neutralise(speaker), neutralise(note))
    ] * 2


# --- schema version 4: blind verdicts ----------------------------------------------------------

V3_CSV_COLUMNS = [
    *("claim_id", "claim_text", "char_start", "char_end", "speaker", "score", "extractor"),
    *("claim_status", "document_id", "document_title", "document_source", "document_sha256"),
    *("review_id", "reviewer", "verdict", "note", "urls", "review_created_at"),
    *("review_updated_at", "final_verdict", "final_source", "final_reason", "document_url"),
    *("review_decided_at", "review_seconds_spent", "final_decided_at"),
]


def changed_after_reveal(reviewed: Reviewed) -> None:
    """Ana comes round to Ben's verdict on the disputed claim after seeing it."""
    from workbench.auth.accounts import local_actor
    from workbench.review import decisions

    ana = local_actor(reviewed.engine, "Ana")
    decisions.set_verdict(reviewed.engine, reviewed.disputed, ana, Verdict.disputed)


def test_every_format_carries_the_blind_verdict_beside_the_current_one(
    reviewed: Reviewed, tmp_path: Path
) -> None:
    changed_after_reveal(reviewed)
    jsonl = tmp_path / "claims.jsonl"
    export_to_file(reviewed.engine, ExportFormat.jsonl, jsonl, actor=SYSTEM)
    records = {r.claim_id: r for r in jsonl_records(jsonl)}
    assert {r.schema_version for r in records.values()} == {5}
    ana, ben = records[reviewed.disputed].reviews
    assert (ana.verdict, ana.blind_verdict, ana.changed_after_reveal) == (
        Verdict.disputed,
        Verdict.verified,
        True,
    )
    assert (ben.verdict, ben.blind_verdict, ben.changed_after_reveal) == (
        Verdict.disputed,
        Verdict.disputed,
        False,
    )
    (note_only,) = records[reviewed.note_only].reviews
    assert (note_only.blind_verdict, note_only.changed_after_reveal) == (None, False)

    parquet = tmp_path / "claims.parquet"
    export_to_file(reviewed.engine, ExportFormat.parquet, parquet, actor=SYSTEM)
    assert list(read_records(parquet)) == list(records.values())

    rows = list(
        csv.reader(
            io.StringIO(render_export(reviewed.engine, ExportFormat.csv, actor=SYSTEM).decode())
        )
    )
    header, body = rows[0], rows[1:]
    assert header[:28] == [
        *V3_CSV_COLUMNS,
        "review_blind_verdict",
        "review_changed_after_reveal",
    ]
    by_review = {(r[0], r[13]): r[26:28] for r in body}
    assert by_review[(str(reviewed.disputed), "Ana")] == ["verified", "true"]
    assert by_review[(str(reviewed.disputed), "Ben")] == ["disputed", "false"]
    assert by_review[(str(reviewed.note_only), "Ana")] == ["", ""]
    assert by_review[(str(reviewed.not_a_claim), "")] == ["", ""]


def test_the_csv_columns_before_the_new_ones_are_unchanged(reviewed: Reviewed) -> None:
    """For data without a change after the reveal, the first 26 columns are the version 3
    file: the same cells, the new ones only appended."""
    rows = list(
        csv.reader(
            io.StringIO(render_export(reviewed.engine, ExportFormat.csv, actor=SYSTEM).decode())
        )
    )
    assert rows[0][: len(V3_CSV_COLUMNS)] == V3_CSV_COLUMNS
    body = rows[1:]
    assert all(len(row) == len(V3_CSV_COLUMNS) + 4 for row in body)
    ben = next(r for r in body if r[0] == str(reviewed.verified))
    assert ben[14] == "verified" and ben[26:28] == ["verified", "false"]
    # Version 5's two cells: an extracted claim, corrected from nothing.
    assert all(row[-2:] == ["extracted", ""] for row in body)


# --- schema version 5: corrections of the extractor --------------------------------------------


def test_every_format_says_where_a_claim_came_from(reviewed: Reviewed, tmp_path: Path) -> None:
    """A corrected claim is ``corrected`` from the claim it replaced, which stays in the
    export as ``superseded`` with its reviews; an added one is ``added`` from nothing."""
    from workbench.auth.accounts import local_actor
    from workbench.review import corrections

    engine = reviewed.engine
    ana = local_actor(engine, "Ana")
    with unit_of_work(engine) as session:
        old = session.get_one(Claim, reviewed.unsupported)
        start, end, document_id = old.char_start, old.char_end, old.document_id
        cut = session.get_one(Document, document_id).text.rfind(" ", start, end)
    # The claim loses its last word, which a reviewer then adds as a claim of its own.
    corrected = corrections.adjust_claim(engine, old.id, ana, start, cut).created[0]
    added = corrections.add_claim(engine, document_id, ana, cut, end).created[0]

    jsonl = tmp_path / "claims.jsonl"
    export_to_file(engine, ExportFormat.jsonl, jsonl, actor=SYSTEM)
    records = {r.claim_id: r for r in jsonl_records(jsonl)}
    assert (records[corrected.id].origin, records[corrected.id].corrected_from) == (
        ClaimOrigin.corrected,
        [old.id],
    )
    assert (records[added.id].origin, records[added.id].corrected_from) == (ClaimOrigin.added, [])
    assert records[old.id].status == ClaimStatus.superseded
    assert [r.verdict for r in records[old.id].reviews] == [Verdict.unsupported]
    assert records[reviewed.verified].origin == ClaimOrigin.extracted
    for record in (records[corrected.id], records[added.id]):
        assert record.text == record_text(engine, record)
    assert list(iter_records(engine)) == list(orm_records(engine))

    parquet = tmp_path / "claims.parquet"
    export_to_file(engine, ExportFormat.parquet, parquet, actor=SYSTEM)
    assert list(read_records(parquet)) == list(records.values())
    assert SCHEMA.field("corrected_from").type.value_type.equals(SCHEMA.field("claim_id").type)

    rows = list(
        csv.DictReader(io.StringIO(render_export(engine, ExportFormat.csv, actor=SYSTEM).decode()))
    )
    by_claim = {r["claim_id"]: r for r in rows}
    assert (
        by_claim[str(corrected.id)]["claim_origin"],
        by_claim[str(corrected.id)]["corrected_from"],
    ) == ("corrected", str(old.id))
    assert by_claim[str(added.id)]["claim_origin"] == "added"
    assert by_claim[str(old.id)]["claim_status"] == "superseded"
    assert COLUMNS[-2:] == ["claim_origin", "corrected_from"]


def test_a_merge_lists_both_claims_it_came_from_in_every_format(
    reviewed: Reviewed, tmp_path: Path
) -> None:
    from workbench.auth.accounts import local_actor
    from workbench.review import correction_form, corrections

    engine = reviewed.engine
    ana = local_actor(engine, "Ana")
    with unit_of_work(engine) as session:
        pairs = (
            session.execute(
                select(Claim.id)
                .where(Claim.status == "open")
                .order_by(Claim.document_id, Claim.char_start)
            )
            .scalars()
            .all()
        )
    merged = None
    for claim_id in pairs:
        context = correction_form.correction_context(engine, claim_id, ana)
        if context.next_claim is not None:
            merged = corrections.merge_with_next(engine, claim_id, ana, confirm=True)
            break
    assert merged is not None, "the sample corpus has two claims in one paragraph"
    new = merged.created[0].id
    records = {r.claim_id: r for r in iter_records(engine)}
    assert records[new].corrected_from == merged.retired
    rows = [
        r
        for r in csv.DictReader(
            io.StringIO(render_export(engine, ExportFormat.csv, actor=SYSTEM).decode())
        )
        if r["claim_id"] == str(new)
    ]
    assert rows[0]["corrected_from"] == " ".join(str(i) for i in merged.retired)
    parquet = tmp_path / "claims.parquet"
    export_to_file(engine, ExportFormat.parquet, parquet, actor=SYSTEM)
    back = {r.claim_id: r for r in read_records(parquet)}
    assert back[new].corrected_from == merged.retired


def record_text(engine: Engine, record: ExportRecord) -> str:
    with unit_of_work(engine) as session:
        text = session.get_one(Document, record.document.id).text
    return text[record.char_start : record.char_end]
