"""The signatures an ingest run keeps between its batches change its speed, never its links."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from workbench.db.models import Claim, ClaimSimilarity
from workbench.db.open import open_database
from workbench.db.session import unit_of_work
from workbench.extract import default_extractor
from workbench.ingest import extraction, service, store
from workbench.schemas import DocumentIn
from workbench.similarity import measure
from workbench.similarity.cache import Signed, SketchCache
from workbench.synth import article

# Synthetic articles restate each other's statements: enough candidates and links across
# batches to tell a wrong cache apart.
ARTICLES = [article(3, index).document() for index in range(150)]


def linked_texts(engine: Engine) -> set[tuple[str, str, float]]:
    with unit_of_work(engine) as session:
        texts = {i: t for i, t in session.execute(select(Claim.id, Claim.text))}
        rows = session.execute(
            select(ClaimSimilarity.claim_id, ClaimSimilarity.similar_id, ClaimSimilarity.score)
        )
        return {(texts[a], texts[b], round(score, 12)) for a, b, score in rows}


def one_at_a_time(tmp_path: Path, documents: list[DocumentIn]) -> set[tuple[str, str, float]]:
    """The links of storing each document in its own transaction, with no cache at all."""
    alone = open_database(f"sqlite:///{tmp_path / 'alone.sqlite'}")
    extractor = default_extractor()
    for document in documents:
        store.store_document(alone, document, extractor)
    return linked_texts(alone)


def test_batches_with_the_cache_link_as_one_document_at_a_time(
    engine: Engine, tmp_path: Path
) -> None:
    service.ingest_documents(engine, ARTICLES, default_extractor(), batch_documents=20)
    found = linked_texts(engine)
    assert len(found) > 60
    assert found == one_at_a_time(tmp_path, ARTICLES)


def test_a_full_cache_reads_the_rest_from_the_database(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = functools.partial(SketchCache, capacity=25)  # a few claims' worth
    monkeypatch.setattr(service, "SketchCache", small)
    service.ingest_documents(engine, ARTICLES, default_extractor(), batch_documents=20)
    assert linked_texts(engine) == one_at_a_time(tmp_path, ARTICLES)


def test_a_rolled_back_batch_leaves_nothing_in_the_cache(engine: Engine) -> None:
    extractor = default_extractor()
    extracted = extraction.extract_texts(extractor, [d.text for d in ARTICLES[:2]])
    cache = SketchCache()
    with pytest.raises(RuntimeError, match="power cut"), unit_of_work(engine) as session:
        ready = []
        for d, e in zip(ARTICLES[:2], extracted, strict=True):
            assert isinstance(e, extraction.Extracted)
            ready.append(store.Ready(d, store.sha256_of(d.text), e))
        store.store_batch(session, ready, cache)
        assert cache.size == 0  # not before the commit either
        raise RuntimeError("power cut")
    assert cache.size == 0
    # The same claims committed: now they are kept, with their documents.
    with unit_of_work(engine) as session:
        store.store_batch(session, ready, cache)
    with unit_of_work(engine) as session:
        rows = session.execute(select(Claim.id, Claim.document_id).order_by(Claim.id)).all()
    ids = np.array([i for i, _ in rows], dtype=np.int64)
    kept, at = cache.find(ids)
    assert kept.all() and cache.size == len(rows)
    assert cache.rows(at).documents.tolist() == [d for _, d in rows]


def test_the_cache_stops_at_its_capacity_and_finds_what_it_kept() -> None:
    cache = SketchCache(capacity=3)
    signatures = np.arange(5 * measure.PERMUTATIONS, dtype=np.uint32).reshape(5, -1)
    rows = Signed(
        documents=np.array([10, 11, 12, 13, 14], dtype=np.int64),
        figures=np.zeros(5, dtype=np.uint64),
        signatures=signatures,
    )
    cache.add(np.array([50, 40, 30, 20, 10], dtype=np.int64), rows)
    assert cache.size == 3
    kept, at = cache.find(np.array([10, 20, 30, 40, 50, 60], dtype=np.int64))
    assert kept.tolist() == [False, False, True, True, True, False]
    assert cache.rows(at).documents.tolist() == [12, 11, 10]
    assert (cache.rows(at).signatures == signatures[[2, 1, 0]]).all()


figures = st.frozensets(st.from_regex(r"\A[0-9]{1,6}\Z"), max_size=4)


@given(figures, figures)
def test_masks_never_rule_out_figures_that_agree(a: frozenset[str], b: frozenset[str]) -> None:
    mask_a = np.array([measure.figures_mask(a)], dtype=np.uint64)
    mask_b = np.array([measure.figures_mask(b)], dtype=np.uint64)
    if measure.numbers_agree(a, b):
        assert measure.masks_agree(mask_a, mask_b)[0]


def test_masks_rule_out_different_figures() -> None:
    texts = ("Four dead and 100 wounded.", "Five dead and 150 wounded.", "No figure at all.")
    masks = np.array([measure.figures_mask(measure.numbers(t)) for t in texts], dtype=np.uint64)
    assert not measure.masks_agree(masks[:1], masks[1:2])[0]
    assert measure.masks_agree(masks[:1], masks[2:3])[0]  # a text with no figure agrees
