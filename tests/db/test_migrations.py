"""The schema is built by Alembic and matches the SQLAlchemy tables exactly, on each backend."""

import json

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.auth.policy import SYSTEM
from workbench.db.migrate import alembic_config, current_revision, head_revision, upgrade
from workbench.db.models import Base


def assert_schema_matches_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_build_the_tables(engine: Engine) -> None:
    assert current_revision(engine) == head_revision(engine)
    assert_schema_matches_tables(engine)


@pytest.mark.backends("sqlite")
def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000


def test_downgrade_to_nothing_and_up_again(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    assert_schema_matches_tables(engine)


@pytest.mark.backends("postgresql")
def test_everything_lands_in_the_schema_the_url_names(engine: Engine) -> None:
    """Alembic and the app both follow the URL's search_path: nothing goes to `public`."""
    expected = {table.name for table in Base.metadata.sorted_tables} | {"alembic_version"}
    with engine.connect() as connection:
        schema = connection.scalar(text("SELECT current_schema()"))
        assert schema is not None and schema.startswith("wb_test_")
        where = text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s")
        assert set(connection.scalars(where, {"s": schema})) == expected
        assert not expected & set(connection.scalars(where, {"s": "public"}))


# --- 0004: per-claim figures and the totals, filled in for the rows already there -----------


def _seed_at_0003(engine: Engine) -> None:
    """Two documents' claims and reviews as a 0003 database holds them (plain SQL: the
    models describe the newest schema)."""
    now = "2026-01-05 09:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO documents (id, title, source, text, sha256, metadata, ingested_at) "
                "VALUES (1, 'a', 'a.txt', 'x', :a, '{}', :now), "
                "(2, 'b', 'b.txt', 'y', :b, '{}', :now)"
            ),
            {"a": "a" * 64, "b": "b" * 64, "now": now},
        )
        claims = [
            # id, document, status
            (1, 1, "open"),  # verified, verified, disputed: 2 of 3 pairs differ
            (2, 1, "open"),  # verified, verified: no pair differs
            (3, 1, "open"),  # one verdict and an undecided review
            (4, 2, "open"),  # nothing
            (5, 2, "not_a_claim"),  # reviewed, then taken out
        ]
        for claim_id, document_id, status in claims:
            connection.execute(
                text(
                    "INSERT INTO claims (id, document_id, text, char_start, char_end, score, "
                    "extractor, status, created_at) "
                    "VALUES (:id, :doc, 'x', :start, :end, 0.5, 'test@1', :status, :now)"
                ),
                {
                    "id": claim_id,
                    "doc": document_id,
                    "start": claim_id * 10,
                    "end": claim_id * 10 + 5,
                    "status": status,
                    "now": now,
                },
            )
        for user_id, name in [(1, "Ana"), (2, "Ben"), (3, "Cleo")]:
            connection.execute(
                text("INSERT INTO users (id, name, created_at) VALUES (:id, :name, :now)"),
                {"id": user_id, "name": name, "now": now},
            )
        reviews = [
            (1, 1, "verified"),
            (1, 2, "verified"),
            (1, 3, "disputed"),
            (2, 1, "verified"),
            (2, 2, "verified"),
            (3, 1, "unsupported"),
            (3, 2, None),
            (5, 1, "disputed"),
        ]
        for claim_id, user_id, verdict in reviews:
            connection.execute(
                text(
                    "INSERT INTO reviews (claim_id, reviewer_id, verdict, note, version, "
                    "created_at, updated_at) VALUES (:c, :u, :v, '', 1, :now, :now)"
                ),
                {"c": claim_id, "u": user_id, "v": verdict, "now": now},
            )


def test_0004_fills_in_the_figures_of_existing_claims_and_downgrades(db_url: str) -> None:
    from workbench.db.session import get_engine
    from workbench.review import queue, stats

    engine = get_engine(db_url)
    upgrade(engine, "0003")
    _seed_at_0003(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    assert_schema_matches_tables(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, verdicts, disagreement FROM claims ORDER BY id")
        ).all()
        counts = connection.execute(text("SELECT reviewed, not_a_claim FROM claim_counts")).all()
    assert [(r[0], r[1]) for r in rows] == [(1, 3), (2, 2), (3, 1), (4, 0), (5, 1)]
    assert [r[2] for r in rows] == [pytest.approx(2 / 3), 0.0, 0.0, 0.0, 0.0]
    assert counts == [(3, 1)]  # claims 1-3 reviewed and open; claim 5 out of the queue
    with Session(engine) as session:
        totals = stats.totals(session)
    assert (totals.claims, totals.reviewed, totals.not_a_claim) == (5, 3, 1)
    progress = queue.progress(engine)
    assert (progress.reviewed, progress.total, progress.not_a_claim) == (3, 4, 1)
    to_review = queue.list_claims(engine, queue.ClaimFilter(), page_size=10, actor=SYSTEM)
    assert [c.id for c in to_review.items] == [4] and to_review.total == 1

    # Down to 0003: the columns and the table go, every row stays.
    command.downgrade(alembic_config(engine), "0003")
    inspector = inspect(engine)
    assert "claim_counts" not in inspector.get_table_names()
    assert not {"verdicts", "disagreement"} & {c["name"] for c in inspector.get_columns("claims")}
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM claims")) == 5
        assert connection.scalar(text("SELECT count(*) FROM reviews")) == 8
    upgrade(engine)
    assert_schema_matches_tables(engine)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT sum(verdicts) FROM claims")) == 7


def test_0004_on_an_empty_database_counts_nothing(db_url: str) -> None:
    """No row of totals for an empty database: the test fixtures recycle such a schema."""
    from workbench.db.session import get_engine

    engine = get_engine(db_url)
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM claim_counts")) == 0


# --- 0005: the band keys' table without a rowid on SQLite ------------------------------------


def _keys(engine: Engine) -> list[tuple[int, int]]:
    with engine.connect() as connection:
        return [
            (k, c)
            for k, c in connection.execute(
                text('SELECT "key", claim_id FROM claim_sketch_keys ORDER BY "key", claim_id')
            )
        ]


def _keys_table_sql(engine: Engine) -> str:
    with engine.connect() as connection:
        found = connection.scalar(
            text("SELECT sql FROM sqlite_master WHERE name = 'claim_sketch_keys'")
        )
    return str(found)


def test_0005_keeps_every_band_key_both_ways(db_url: str) -> None:
    from workbench.db.session import get_engine
    from workbench.extract import default_extractor
    from workbench.ingest import service
    from workbench.synth import article

    engine = get_engine(db_url)
    # Ingested by today's code (which needs the projects of 0015), then taken back to 0004.
    upgrade(engine)
    documents = [article(5, index).document() for index in range(12)]
    service.ingest_documents(engine, documents, default_extractor())
    command.downgrade(alembic_config(engine), "0004")
    before = _keys(engine)
    assert len(before) > 500
    upgrade(engine)
    assert_schema_matches_tables(engine)
    assert _keys(engine) == before
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        assert "WITHOUT ROWID" in _keys_table_sql(engine)
        with engine.connect() as connection:
            parents = connection.execute(text("PRAGMA foreign_key_list(claim_sketch_keys)")).all()
        assert [(p[2], p[3], p[6]) for p in parents] == [("claims", "claim_id", "CASCADE")]
    command.downgrade(alembic_config(engine), "0004")
    assert _keys(engine) == before
    if sqlite:
        assert "WITHOUT ROWID" not in _keys_table_sql(engine)
    upgrade(engine)
    assert _keys(engine) == before
    # Ingest goes on from the migrated table: the next documents find the earlier ones.
    more = [article(5, index).document() for index in range(12, 16)]
    service.ingest_documents(engine, more, default_extractor())
    assert len(_keys(engine)) > len(before)


# --- 0006: blind verdicts, recovered from the history where it proves them -------------------


def _seed_at_0005(engine: Engine) -> None:
    """Reviews as a 0005 database holds them, some with a complete history trail.

    Claim 1: Ana verified, Ben disputed, then Ben changed to verified after seeing Ana's (both
    trails complete: the replay proves Ben's blind verdict and flags the change).
    Claim 2: Ana verified then disputed before anyone else decided (a blind correction), Ben
    disputed: blind verdicts are the current ones, nobody flagged.
    Claim 3: no history (a pre-0003 or synthetic review): blind = verdict.
    Claim 4: a trail that does not end on the stored verdict: not trusted, blind = verdict.
    """
    _seed_at_0003(engine)  # claims 1-5, users Ana (1), Ben (2), Cleo (3); reviews 1-8
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM reviews"))
        now = "2026-01-05 09:00:00"
        reviews = [
            # id, claim, user, verdict
            (1, 1, 1, "verified"),
            (2, 1, 2, "verified"),
            (3, 2, 1, "disputed"),
            (4, 2, 2, "disputed"),
            (5, 3, 1, "unsupported"),
            (6, 3, 2, None),
            (7, 4, 1, "verified"),
        ]
        for review_id, claim_id, user_id, verdict in reviews:
            connection.execute(
                text(
                    "INSERT INTO reviews (id, claim_id, reviewer_id, verdict, note, version, "
                    "created_at, updated_at) VALUES (:id, :c, :u, :v, '', 1, :now, :now)"
                ),
                {"id": review_id, "c": claim_id, "u": user_id, "v": verdict, "now": now},
            )
        history = [
            # review, claim, action, verdict after
            (1, 1, "create", "verified"),
            (2, 1, "create", "disputed"),
            (2, 1, "update", "verified"),
            (3, 2, "create", "verified"),
            (3, 2, "update", "disputed"),
            (4, 2, "create", "disputed"),
            (7, 4, "create", "disputed"),
        ]
        for review_id, claim_id, action, verdict in history:
            connection.execute(
                text(
                    "INSERT INTO history (at, entity, entity_id, claim_id, action, after) "
                    "VALUES (:now, 'review', :rid, :c, :a, :after)"
                ),
                {
                    "now": now,
                    "rid": str(review_id),
                    "c": claim_id,
                    "a": action,
                    "after": json.dumps({"verdict": verdict, "note": ""}),
                },
            )


def _blind_columns(engine: Engine) -> list[tuple[int, str | None, str | None, bool]]:
    with engine.connect() as connection:
        return [
            (r[0], r[1], r[2], bool(r[3]))
            for r in connection.execute(
                text(
                    "SELECT id, verdict, blind_verdict, changed_after_reveal FROM reviews "
                    "ORDER BY id"
                )
            )
        ]


def test_0006_recovers_blind_verdicts_from_the_history_and_downgrades(db_url: str) -> None:
    from workbench.db.session import get_engine

    engine = get_engine(db_url)
    upgrade(engine, "0005")
    _seed_at_0005(engine)
    upgrade(engine, "0016")  # the last revision with the CHECK on the three verdicts
    expected = [
        (1, "verified", "verified", False),
        (2, "verified", "disputed", True),  # changed to match Ana's after seeing it
        (3, "disputed", "disputed", False),  # corrected before anyone else had decided
        (4, "disputed", "disputed", False),
        (5, "unsupported", "unsupported", False),  # no history: the verdict as stored
        (6, None, None, False),  # undecided
        (7, "verified", "verified", False),  # the trail disagrees with the row: not trusted
    ]
    assert _blind_columns(engine) == expected
    with engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(text("UPDATE reviews SET blind_verdict = 'maybe' WHERE id = 1"))
    upgrade(engine)
    assert_schema_matches_tables(engine)
    assert _blind_columns(engine) == expected

    command.downgrade(alembic_config(engine), "0005")
    columns = {c["name"] for c in inspect(engine).get_columns("reviews")}
    assert not {"blind_verdict", "changed_after_reveal"} & columns
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM reviews")) == 7
    upgrade(engine)
    assert_schema_matches_tables(engine)
    assert _blind_columns(engine) == expected
