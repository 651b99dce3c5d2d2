"""The bulk ingest path: batched transactions, a worker pool, and nothing lost or doubled."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, func, select

from workbench.db.models import Claim, ClaimSimilarity, Document
from workbench.db.session import unit_of_work
from workbench.extract import default_extractor
from workbench.extract.segment import MAX_SENTENCE_CHARS
from workbench.ingest import extraction, service, store
from workbench.ingest.readers import ReadError
from workbench.schemas import ClaimCandidate, DocumentIn
from workbench.similarity.link import link_documents
from workbench.synth import article

T = TypeVar("T")


def documents(count: int, seed: int = 11) -> list[DocumentIn]:
    return [article(seed, index).document() for index in range(count)]


def stored(engine: Engine) -> list[tuple[str, list[tuple[int, int, str | None]]]]:
    with unit_of_work(engine) as session:
        return [
            (d.sha256, [(c.char_start, c.char_end, c.speaker) for c in d.claims])
            for d in session.scalars(select(Document).order_by(Document.id))
        ]


def counts(engine: Engine) -> tuple[int, int]:
    with unit_of_work(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(Document)) or 0,
            session.scalar(select(func.count()).select_from(Claim)) or 0,
        )


class PickyExtractor:
    """Lines as claims; fails on texts naming ``bad`` the way it is told to."""

    name = "picky@test"

    def __init__(self, bad: str, how: str) -> None:
        self.bad, self.how = bad, how

    def extract(self, text: str) -> list[ClaimCandidate]:
        if self.bad in text and self.how == "raise":
            raise ValueError("cannot read this one")
        found, offset = [], 0
        for line in text.split("\n"):
            if line.strip():
                found.append(
                    ClaimCandidate(
                        text=line, char_start=offset, char_end=offset + len(line),
                        speaker=None, score=0.9, extractor=self.name,
                    )
                )  # fmt: skip
            offset += len(line) + 1
        if self.bad in text and self.how == "store":
            # Breaks the table's check constraint: the database refuses the document.
            found.append(found[0].model_copy(update={"char_start": 5, "char_end": 5}))
        return found


def texts(*names: str) -> list[DocumentIn]:
    return [
        DocumentIn(text=f"{name} says 4 things.\nAnd {name} adds 2 more.", title=name, source=name)
        for name in names
    ]


@pytest.mark.backends("sqlite")
def test_the_pool_stores_what_one_process_stores(
    engine: Engine, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "CHUNK_DOCUMENTS", 2)
    monkeypatch.setattr(service, "POOL_THRESHOLD", 4)
    items = documents(9)
    report = service.ingest_documents(engine, items, default_extractor(), workers=2)
    assert (report.added, report.failed) == (9, 0)
    from workbench.db.open import open_database

    alone = open_database(f"sqlite:///{tmp_path_factory.mktemp('one') / 'one.sqlite'}")
    service.ingest_documents(alone, items, default_extractor(), workers=1)
    assert stored(engine) == stored(alone)
    assert report.claims == counts(engine)[1]


@pytest.mark.parametrize("how", ["store", "raise"])
def test_a_bad_document_in_a_batch_is_reported_and_the_others_stored(
    engine: Engine, how: str
) -> None:
    seen: list[DocumentIn | ReadError] = []
    items = texts("Ana", "Ben", "Bad", "Cleo")
    report = service.ingest_documents(
        engine, items, PickyExtractor("Bad", how), on_item=seen.append, batch_documents=10
    )
    assert (report.added, report.duplicates, report.failed) == (3, 0, 1)
    assert report.errors[0].path == "Bad"
    assert ("not stored" if how == "store" else "could not be extracted") in str(report.errors[0])
    assert len(seen) == 4
    with unit_of_work(engine) as session:
        assert set(session.scalars(select(Document.title))) == {"Ana", "Ben", "Cleo"}
    assert counts(engine) == (3, 6)


def test_duplicates_in_the_input_and_in_the_database_are_skipped(engine: Engine) -> None:
    items = texts("Ana", "Ben")
    report = service.ingest_documents(
        engine, [*items, items[0]], PickyExtractor("-", "none"), batch_documents=10
    )
    assert (report.added, report.duplicates) == (2, 1)
    again = service.ingest_documents(engine, [*texts("Cleo"), *items], PickyExtractor("-", "no"))
    assert (again.added, again.duplicates) == (1, 2)
    assert counts(engine) == (3, 6)


def test_a_crash_leaves_whole_documents_and_a_rerun_finishes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = texts("Ana", "Ben", "Cleo", "Dan", "Eve")
    real = link_documents
    calls = 0

    def crash_on_second_batch(*args: Any, **kwargs: Any) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "link_documents", crash_on_second_batch)
    with pytest.raises(RuntimeError, match="power cut"):
        service.ingest_documents(engine, items, PickyExtractor("-", "no"), batch_documents=2)
    assert counts(engine) == (2, 4)  # the first batch, whole; nothing of the second
    monkeypatch.setattr(store, "link_documents", real)
    report = service.ingest_documents(engine, items, PickyExtractor("-", "no"), batch_documents=2)
    assert (report.added, report.duplicates, report.failed) == (3, 2, 0)
    assert counts(engine) == (5, 10)


QUOTE = "We are well aware that decisions on such attacks are not made in Kyiv, but in Washington."
AGAIN = (
    "“We are well aware that decisions on such attacks are not made in Kiev, but in "
    "Washington,” he said."
)
SHORT = "Peskov said decisions on such attacks are not made in Kyiv but in Washington."


def test_a_batch_links_its_documents_as_one_at_a_time_would(
    engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> None:
    items = [
        DocumentIn(text=f"{a}\n{b}", title=str(i), source=str(i))
        for i, (a, b) in enumerate(
            [(QUOTE, "Unrelated 1."), (AGAIN, "Other 2."), (SHORT, "More 3."), (QUOTE + " ", "x")]
        )
    ]
    extractor = PickyExtractor("-", "no")
    service.ingest_documents(engine, items, extractor, batch_documents=50)
    from workbench.db.open import open_database

    alone = open_database(f"sqlite:///{tmp_path_factory.mktemp('one') / 'one.sqlite'}")
    for item in items:
        store.store_document(alone, item, extractor)

    def pairs(db: Engine) -> set[tuple[str, str, float]]:
        with unit_of_work(db) as session:
            texts = {i: t for i, t in session.execute(select(Claim.id, Claim.text))}
            return {
                (texts[a], texts[b], round(s, 12))
                for a, b, s in session.execute(
                    select(
                        ClaimSimilarity.claim_id, ClaimSimilarity.similar_id, ClaimSimilarity.score
                    )
                )
            }

    found = pairs(engine)
    assert found == pairs(alone)
    assert len(found) == 12  # the four versions of the quote, each linked to the other three


def _niceness() -> int:
    import os

    return os.nice(0)


def test_extraction_workers_yield_the_cpu_to_the_storing_process() -> None:
    """The workers run at a lower priority: storing and linking is the slower stage."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        max_workers=1,
        initializer=extraction.init_worker,
        initargs=(default_extractor(), os.getpid()),
    ) as pool:
        worker = pool.submit(_niceness).result()
    assert worker == min(os.nice(0) + extraction.WORKER_NICENESS, 19)


def test_a_batch_is_stored_once_it_holds_batch_chars(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 20 MiB documents are allowed: a thousand of them must not wait in memory for one batch.
    size = max(len(d.text) for d in documents(6))
    docs = [d.model_copy(update={"text": d.text.ljust(size)}) for d in documents(6)]
    monkeypatch.setattr(service, "BATCH_CHARS", 2 * size)
    monkeypatch.setattr(service, "CHUNK_CHARS", size)  # one document a chunk
    read = 0
    read_when_stored: list[int] = []

    def items() -> Iterator[DocumentIn]:
        nonlocal read
        for document in docs:
            read += 1
            yield document

    service.ingest_documents(
        engine,
        items(),
        default_extractor(),
        on_item=lambda item: read_when_stored.append(read),
    )
    assert counts(engine)[0] == 6
    # Stored two at a time as they are read, not all six at the end.
    assert read_when_stored == [2, 2, 4, 4, 6, 6]


def test_a_long_single_line_file_gives_no_claim_longer_than_the_bound(
    engine: Engine, tmp_path: Path
) -> None:
    words = ["the", "council", "said", "budget", "rose", "percent", "million", "people"]
    run_on = " ".join(words[i % len(words)] for i in range(60_000))  # 400 K chars, one line
    (tmp_path / "big.txt").write_text(
        f"Budget\n\nThe council said the budget rose by 4 percent in 2024. {run_on}\n"
        "The mayor said 3,000 homes were flooded in March.\n"
    )
    report = service.ingest_paths(
        engine, [tmp_path / "big.txt"], default_extractor(), max_bytes=10**6
    )
    assert (report.added, report.failed) == (1, 0)
    with unit_of_work(engine) as session:
        lengths = [len(text) for text in session.scalars(select(Claim.text))]
    assert lengths and max(lengths) <= MAX_SENTENCE_CHARS


def joined_articles(count: int) -> str:
    """``count`` synthetic articles on one line, as a file made by concatenating them."""
    return " ".join(article(7, i).document().text.replace("\n", " ") for i in range(count))


def test_a_document_keeps_its_first_claims_up_to_the_bound_with_a_warning(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 11: 20 MiB of real sentences in one document gave ~110,000 claims, all held at
    # once with their sketches and similarity candidates. A lowered bound keeps this cheap.
    monkeypatch.setattr(extraction, "MAX_CLAIMS_PER_DOCUMENT", 40)
    (tmp_path / "joined.txt").write_text(joined_articles(6) + "\n")
    report = service.ingest_paths(
        engine, [tmp_path / "joined.txt"], default_extractor(), max_bytes=10**6
    )
    assert (report.added, report.failed, report.claims) == (1, 0, 40)
    assert counts(engine) == (1, 40)
    (warning,) = report.warnings
    assert warning.path == "joined.txt"  # the document's source: no path of this machine
    assert "only the first 40 claims kept" in str(warning)
    # The first 40 in document order, the same as the uncapped extraction's first 40.
    text = (tmp_path / "joined.txt").read_text()
    expected = [(c.char_start, c.char_end) for c in default_extractor().extract(text)][:40]
    assert [(a, b) for a, b, _ in stored(engine)[0][1]] == expected


def test_the_bound_leaves_articles_alone(engine: Engine) -> None:
    docs = documents(5)
    report = service.ingest_documents(engine, docs, default_extractor())
    assert report.warnings == []
    assert max(len(c) for _, c in stored(engine)) < extraction.MAX_CLAIMS_PER_DOCUMENT


def test_the_workers_hold_one_large_document_at_a_time(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 11: `--workers` multiplied memory by the largest document: two 20 MiB documents
    # were extracted at once, one per worker. What is submitted and not yet collected must
    # stay within IN_FLIGHT_CHARS, or one chunk when a chunk alone is larger.
    from concurrent.futures import Future, ProcessPoolExecutor

    monkeypatch.setattr(service, "POOL_THRESHOLD", 4)
    monkeypatch.setattr(service, "IN_FLIGHT_CHARS", 30_000)
    monkeypatch.setattr(service, "CHUNK_CHARS", 10_000)
    big = [
        DocumentIn(text=joined_articles(8) + f" Note {i}.", title=f"big {i}", source=f"big{i}")
        for i in range(3)
    ]
    docs = documents(4) + big + documents(4, seed=12)
    assert all(len(d.text) > 30_000 for d in big)
    held: list[int] = []
    outstanding: dict[int, int] = {}

    class Recording(ProcessPoolExecutor):
        def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
            future = super().submit(fn, *args, **kwargs)
            outstanding[id(future)] = sum(map(len, args[0]))
            held.append(sum(outstanding.values()))
            result = future.result

            def collected(timeout: float | None = None) -> T:
                outstanding.pop(id(future), None)
                return result(timeout)

            future.result = collected  # type: ignore[method-assign]
            return future

    monkeypatch.setattr(service, "ProcessPoolExecutor", Recording)
    report = service.ingest_documents(engine, docs, default_extractor(), workers=2)
    assert (report.added, report.failed) == (11, 0)
    # One chunk at most: a large document, and maybe a few small ones before it.
    assert len(held) > 3 and max(held) <= max(len(d.text) for d in big) + 10_000
