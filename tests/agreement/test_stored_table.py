"""A process that holds no table loads the stored copy: the same table, never a stale one.

``workbench.agreement.copies`` stores the claim × reviewer table in ``figure_snapshots``;
a process that holds none (``incremental.forget()``: just started, another replica) loads
it and patches it from its version. On random changes the result equals a whole read, array
for array, and the report equals the report of a whole read, on both backends. A copy from
before a restore, another database's, another choice of verdicts', a damaged or a forged
one is not used: the table is read whole. The per-document figures stored for a fresh
process give the same report as computing them.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, delete, insert, select

from tests.agreement.test_incremental import assert_same
from tests.review.test_assign import add_claims, add_user, set_k
from workbench.agreement import copies, incremental, snapshot
from workbench.agreement import report as reports
from workbench.agreement import table as tables
from workbench.agreement.figures import Coefficients
from workbench.agreement.report import build_report
from workbench.db import snapshots
from workbench.db.models import FigureSnapshot
from workbench.db.session import unit_of_work
from workbench.errors import WorkbenchError
from workbench.review import decisions
from workbench.review.adjudicate import adjudicate
from workbench.schemas import Role, Verdict

VERDICTS = (Verdict.verified, Verdict.disputed, Verdict.unsupported)
_load_table = tables.load_table


@pytest.fixture
def whole_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Each whole read of the table; starts and ends with nothing held in this process."""
    calls: list[str] = []
    load_table = tables.load_table

    def counting(*args: object, **kwargs: object) -> tables.VerdictTable:
        calls.append("table")
        return load_table(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tables, "load_table", counting)
    incremental.forget()
    yield calls
    incremental.forget()


def a_fresh_process() -> None:
    """What a process just started holds: no table, no remembered figures."""
    snapshot.forget()


def team_with_reviews(engine: Engine, rng: random.Random, *, docs: int = 3) -> Any:
    set_k(engine, 3)
    claims = add_claims(engine, [0.9 - i / 100 for i in range(30)], docs=docs)
    admin = add_user(engine, "Ada", Role.admin)
    team = [add_user(engine, name) for name in ("Rui", "Rita", "Rosa", "Raul")]
    for claim_id in claims:
        for reviewer in rng.sample(team, rng.randint(1, 3)):
            decisions.set_verdict(engine, claim_id, reviewer, rng.choice(VERDICTS))
    return admin, team, claims


def change_a_verdict(engine: Engine, team: list[Any], claim_id: int) -> None:
    """One of the claim's reviewers gives it another verdict (a reviewer may not add a
    review to a claim that has its k)."""
    whole = _load_table(engine, use="current")  # not counted as the code's read
    row = int(np.flatnonzero(whole.claim_ids == claim_id)[0])
    column = int(np.flatnonzero(~np.isnan(whole.ratings[row]))[0])
    reviewer = next(r for r in team if r.name == whole.reviewers[column])
    was = VERDICTS[int(whole.ratings[row, column])]
    decisions.set_verdict(engine, claim_id, reviewer, next(v for v in VERDICTS if v != was))


def current(engine: Engine, use: tables.VerdictsUsed = "blind") -> tables.VerdictTable:
    return incremental.current_table(engine, use=use, version=snapshot.version(engine))


@pytest.mark.parametrize("seed", [1, 2])
def test_a_fresh_process_patches_the_stored_copy_to_the_table_read_whole(
    engine: Engine, seed: int, whole_reads: list[str]
) -> None:
    rng = random.Random(seed)
    admin, team, claims = team_with_reviews(engine, rng)
    for use in tables.VERDICTS_USED:
        current(engine, use)  # read whole, and stored
    assert whole_reads == ["table", "table"]

    def verdict() -> None:
        decisions.set_verdict(engine, rng.choice(claims), rng.choice(team), rng.choice(VERDICTS))

    def clear() -> None:
        decisions.set_verdict(engine, rng.choice(claims), rng.choice(team), None)

    def adjudicated() -> None:
        adjudicate(engine, admin, rng.choice(claims), rng.choice(VERDICTS), "read the sources")

    def out() -> None:
        claim_id, reviewer = rng.choice(claims), rng.choice(team)
        decisions.set_verdict(engine, claim_id, reviewer, rng.choice(VERDICTS))
        decisions.mark_not_a_claim(engine, claim_id, reviewer)

    changes: list[Callable[[], None]] = [verdict] * 6 + [clear, adjudicated, out]
    for step in range(12):
        for _ in range(rng.choice((1, 2))):
            with contextlib.suppress(WorkbenchError):  # a refused change is no change
                rng.choice(changes)()
        for use in tables.VERDICTS_USED:
            a_fresh_process()
            loaded = current(engine, use)
            whole = tables.load_table(engine, use=use)
            assert_same(loaded, whole)
            if step % 4 == 0:
                assert build_report(loaded, samples=50) == build_report(whole, samples=50)
    # Every fresh process patched the stored copy: the only whole reads are the test's own.
    assert whole_reads == ["table", "table"] + ["table"] * 24


def test_a_copy_is_stored_again_once_many_claims_were_patched(
    engine: Engine, whole_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(incremental, "STORE_AFTER", 2)
    _, team, claims = team_with_reviews(engine, random.Random(4))
    current(engine)
    first = snapshots.load_raw(engine, copies.key("blind"))
    # Notes: they name their claim, which is re-read, and leave final verdicts alone (one
    # removed can lower their newest id, and a version that moved back is read whole).
    decisions.set_note(engine, claims[0], team[0], "checked")
    current(engine)  # one claim patched: the stored copy stays
    assert snapshots.load_raw(engine, copies.key("blind")) == first
    for claim_id in claims[1:3]:
        decisions.set_note(engine, claim_id, team[0], "checked")
    current(engine)  # three since the copy: a new one, at this version
    stored = snapshots.load_raw(engine, copies.key("blind"))
    assert stored is not None and stored[0] == snapshot.version(engine)
    assert whole_reads == ["table"]


def stored_row(engine: Engine, key: str) -> dict[str, Any]:
    with unit_of_work(engine, read_only=True) as session:
        row = session.execute(
            select(FigureSnapshot.key, FigureSnapshot.version, FigureSnapshot.payload).where(
                FigureSnapshot.key == key
            )
        ).one()
    return {"key": row[0], "version": row[1], "payload": bytes(row[2])}


def put_row(engine: Engine, row: dict[str, Any]) -> None:
    with unit_of_work(engine) as session:
        session.execute(delete(FigureSnapshot).where(FigureSnapshot.key == row["key"]))
        session.execute(insert(FigureSnapshot).values(**row))


def test_a_copy_from_before_a_restore_is_not_used(engine: Engine, whole_reads: list[str]) -> None:
    # What a read overlapping a restore could leave: a copy stored after the restore emptied
    # figure_snapshots, of the data from before it, at ids the restored rows can repeat.
    _, team, claims = team_with_reviews(engine, random.Random(5))
    current(engine)
    before = stored_row(engine, copies.key("blind"))
    with engine.begin() as connection:
        snapshots.forget_all(connection)  # what a restore does
    put_row(engine, before)
    a_fresh_process()
    loaded = current(engine)
    assert whole_reads == ["table", "table"]
    assert_same(loaded, tables.load_table(engine, use="blind"))
    # ... and the table read whole was stored under the new token, and is used.
    change_a_verdict(engine, team, claims[0])
    a_fresh_process()
    assert_same(current(engine), tables.load_table(engine, use="blind"))
    assert whole_reads == ["table"] * 4


def test_a_copy_of_another_database_is_not_used(
    engine: Engine, whole_reads: list[str], tmp_path: Any
) -> None:
    from workbench.db.open import open_database

    other = open_database(f"sqlite:///{tmp_path / 'other.sqlite'}")
    for database in (engine, other):
        team_with_reviews(database, random.Random(6))
        current(database)
    # The same ids and version (another database, or a backup's copy): it carries the other
    # database's token.
    foreign = stored_row(other, copies.key("blind"))
    put_row(engine, foreign)
    a_fresh_process()
    whole_reads.clear()
    assert_same(current(engine), tables.load_table(engine, use="blind"))
    assert whole_reads == ["table", "table"]


def forged(engine: Engine, how: str) -> bytes:
    """The stored copy of ``engine``, altered as ``how`` says."""
    payload: bytes = stored_row(engine, copies.key("blind"))["payload"]
    start = len(copies.MAGIC) + 4
    (length,) = struct.unpack_from(">I", payload, len(copies.MAGIC))
    header = json.loads(payload[start : start + length])
    body = payload[start + length :]

    def framed(header: dict[str, Any], body: bytes) -> bytes:
        text = json.dumps(header).encode()
        return copies.MAGIC + struct.pack(">I", len(text)) + text + body

    if how == "a flipped byte":
        return payload[:-10] + bytes([payload[-10] ^ 0xFF]) + payload[-9:]
    if how == "cut short":
        return payload[: len(payload) // 2]
    if how == "not a copy":
        return b'{"ratings": [[0, 1]]}'
    if how == "the other verdicts":
        return framed({**header, "use": "current"}, body)
    if how == "other code":
        return framed({**header, "code": "0" * 32}, body)
    import pyarrow as pa

    raw = pa.Codec("zstd").decompress(body, decompressed_size=header["size"], asbytes=True)
    with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    if how == "an object array":  # what np.load would unpickle if allowed
        arrays["claim_ids"] = np.array([{"x": 1}] * len(arrays["claim_ids"]), dtype=object)
    elif how == "a code out of range":
        arrays["ratings"] = arrays["ratings"].copy()
        arrays["ratings"][0, np.flatnonzero(arrays["ratings"][0] >= 0)[0]] = 7
    elif how == "claims out of order":
        arrays["claim_ids"] = arrays["claim_ids"][::-1].copy()
    elif how == "a row too few":
        arrays["document_ids"] = arrays["document_ids"][:-1]
    out = io.BytesIO()
    np.savez(out, allow_pickle=True, **arrays)
    body = pa.Codec("zstd").compress(out.getvalue(), asbytes=True)
    import hashlib

    header = {**header, "size": len(out.getvalue()), "sha256": hashlib.sha256(body).hexdigest()}
    return framed(header, body)


@pytest.mark.parametrize(
    "how",
    [
        "a flipped byte",
        "cut short",
        "not a copy",
        "the other verdicts",
        "other code",
        "an object array",
        "a code out of range",
        "claims out of order",
        "a row too few",
    ],
)
def test_a_damaged_or_forged_copy_is_not_used(
    engine: Engine, whole_reads: list[str], how: str
) -> None:
    team_with_reviews(engine, random.Random(7))
    current(engine)
    row, payload = stored_row(engine, copies.key("blind")), forged(engine, how)
    put_row(engine, {**row, "payload": payload})
    token = snapshots.token(engine, copies.TOKEN_KEY)
    with pytest.raises(copies.NotACopy):
        copies.decode(payload, use="blind", token=token)
    a_fresh_process()
    assert_same(current(engine), tables.load_table(engine, use="blind"))
    assert whole_reads == ["table", "table", "table"]


@pytest.mark.backends("sqlite")
def test_a_copy_keeps_every_array_bit_for_bit(engine: Engine) -> None:
    texts = ["plain", "", "naïve — ünïcödé", "\ud800 lone surrogate", "x" * 1000]
    rng = np.random.default_rng(0)
    ratings = rng.integers(0, 3, size=(5, 3)).astype(np.float64)
    ratings[1, 0] = ratings[3, 2] = np.nan
    seconds = np.where(np.isnan(ratings), np.nan, rng.random((5, 3)) * 1e3)
    seconds[0, 1] = np.nan  # a verdict with no time spent recorded
    decided = np.where(np.isnan(ratings), np.nan, 1.7e9 + rng.random((5, 3)) * 1e7)
    table = tables.VerdictTable(
        claim_ids=np.array([2, 3, 5, 8, 13], dtype=np.int64),
        document_ids=np.array([1, 1, 2, 2, 2], dtype=np.int64),
        reviewers=["A", "B", "Ç"],
        ratings=ratings,
        seconds=seconds,
        decided=decided,
        final=np.array([0.0, np.nan, 2.0, 1.0, np.nan]),
        claim_texts=texts,
        document_titles={1: "one", 2: "twö", 3: "no claims"},
        use="current",
        changed=np.array([0, 1, 0, 2, 0], dtype=np.int64),
    )
    version, back = copies.decode(
        copies.encode(table, version="1.2.3.4.5", token="t"), use="current", token="t"
    )
    assert version == "1.2.3.4.5"
    assert_same(back, table)
    empty = tables.load_table(engine, use="blind")
    assert_same(
        copies.decode(copies.encode(empty, version="0.0.0.0.0", token="t"), use="blind", token="t")[
            1
        ],
        empty,
    )


def test_a_fresh_process_uses_the_stored_figures_of_documents(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "MEMO_STORE_AFTER", 0)
    rng = random.Random(8)
    admin, team, claims = team_with_reviews(engine, rng, docs=6)
    a_fresh_process()
    computed: list[int] = []
    figures_of = reports._document_figures

    @functools.wraps(figures_of)  # the same name: the same key in the memo
    def counting(ratings: Any) -> Coefficients:
        computed.append(len(ratings))
        return figures_of(ratings)

    monkeypatch.setattr(reports, "_document_figures", counting)
    snapshot.figures(engine, admin)
    assert len(computed) == 6  # every document, and stored
    change_a_verdict(engine, team, claims[0])
    a_fresh_process()
    computed.clear()
    after = snapshot.figures(engine, admin)
    assert len(computed) <= 1  # the changed claim's document at most
    a_fresh_process()
    monkeypatch.setattr(snapshot, "_load_memo", lambda engine, use: None)
    scratch = snapshot.compute(engine, use="blind", document_id=None, version=after.version)
    assert after == scratch


@pytest.mark.parametrize(
    "payload",
    [
        b"not zlib",
        zlib.compress(b"not json"),
        zlib.compress(b'{"documents": [[1, 3, "abcd", {}]], "weeks": []}'),
    ],
)
def test_unreadable_stored_figures_of_documents_are_computed_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, payload: bytes
) -> None:
    monkeypatch.setattr(snapshot, "MEMO_STORE_AFTER", 0)
    admin, _, _ = team_with_reviews(engine, random.Random(9), docs=4)
    a_fresh_process()
    made = snapshot.compute(engine, use="blind", document_id=None, version=snapshot.version(engine))
    token = snapshots.token(engine, copies.TOKEN_KEY)
    snapshots.store_raw(engine, snapshot._memo_key("blind"), token, payload)
    a_fresh_process()
    assert snapshot.compute(engine, use="blind", document_id=None, version=made.version) == made
    del admin


def test_stored_figures_of_documents_are_not_used_after_a_restore(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "MEMO_STORE_AFTER", 0)
    team_with_reviews(engine, random.Random(10), docs=4)
    a_fresh_process()
    snapshot.compute(engine, use="blind", document_id=None, version=snapshot.version(engine))
    memo = stored_row(engine, snapshot._memo_key("blind"))
    with engine.begin() as connection:
        snapshots.forget_all(connection)
    put_row(engine, memo)
    a_fresh_process()
    loaded: list[bytes] = []

    def remember(payload: bytes) -> int:
        loaded.append(payload)
        return 0

    monkeypatch.setattr(reports, "remember_json", remember)
    snapshot.compute(engine, use="blind", document_id=None, version=snapshot.version(engine))
    assert loaded == []


def test_the_token_is_made_once_and_survives_until_a_restore(engine: Engine) -> None:
    first = snapshots.token(engine, copies.TOKEN_KEY)
    assert snapshots.token(engine, copies.TOKEN_KEY) == first
    with engine.begin() as connection:
        snapshots.forget_all(connection)
    assert snapshots.token(engine, copies.TOKEN_KEY) != first


def test_a_consensus_undone_is_patched_not_read_whole(
    engine: Engine, whole_reads: list[str]
) -> None:
    # The newest final verdict deleted lowers the version's final-verdict id: the held or
    # stored table is patched (the final verdicts compared whole), not read again.
    set_k(engine, 2)
    claims = add_claims(engine, [0.9, 0.8, 0.7], docs=1)
    rui, rita = add_user(engine, "Rui"), add_user(engine, "Rita")
    for claim_id in claims:
        decisions.set_verdict(engine, claim_id, rui, Verdict.verified)
        decisions.set_verdict(engine, claim_id, rita, Verdict.verified)  # consensus
    before = snapshot.version(engine)
    current(engine)
    decisions.set_verdict(engine, claims[-1], rita, Verdict.disputed)  # the newest undone
    after = snapshot.version(engine)
    assert int(after.split(".")[3]) < int(before.split(".")[3])
    for fresh in (False, True):
        if fresh:
            decisions.set_verdict(engine, claims[-1], rita, Verdict.verified)
            decisions.set_verdict(engine, claims[-1], rita, Verdict.unsupported)
            a_fresh_process()
        table = current(engine)
        assert whole_reads == ["table"]
        assert_same(table, _load_table(engine, use="blind"))
        assert np.isnan(table.final[-1])
