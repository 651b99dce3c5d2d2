"""Titles, sources and paragraphs of what is ingested: short titles, sources as given, a
paragraph a line where the file has one, and offsets that always slice the stored text."""

from __future__ import annotations

import json
import tempfile
from importlib.resources import as_file, files
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, Document
from workbench.db.session import unit_of_work
from workbench.extract import default_extractor
from workbench.extract.segment import LINE_PARAGRAPH_CHARS, paragraph_span
from workbench.ingest.formats.common import (
    TITLE_ELLIPSIS,
    TITLE_MAX_CHARS,
    TITLE_WORDS_CHARS,
    title_from,
)
from workbench.ingest.readers import read_file
from workbench.ingest.service import ingest_paths
from workbench.review.queue import get_claim
from workbench.schemas import DocumentIn

SAMPLE_003 = "003_ebb6b6b0f14d11f9.txt"


def ingest(engine: Engine, *paths: Path) -> None:
    report = ingest_paths(engine, list(paths), default_extractor(), max_bytes=10**7)
    assert report.failed == 0, report.summary()


def stored(engine: Engine) -> dict[str, Document]:
    with unit_of_work(engine) as session:
        documents = session.scalars(select(Document)).all()
        session.expunge_all()
        return {d.source: d for d in documents}


# --- titles ---------------------------------------------------------------------------------


def test_a_headline_is_the_title_whole(tmp_path: Path) -> None:
    headline = "Kremlin: We are ready to retaliate. White House: We are ready for an answer"
    assert title_from(f"{headline}\n\nBody text.") == headline


def test_a_first_line_that_is_a_paragraph_gives_its_first_words(tmp_path: Path) -> None:
    text = (files("workbench") / "sample_data" / SAMPLE_003).read_text("utf-8")
    title = title_from(text)
    assert title == "Russian diplomats have gone on the offensive this week following Joe Biden’s…"
    assert len(title) <= TITLE_WORDS_CHARS


def test_a_first_line_of_one_long_word_is_cut_with_an_ellipsis() -> None:
    assert title_from("x" * 500) == "x" * (TITLE_WORDS_CHARS - 1) + TITLE_ELLIPSIS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_a_title_is_the_first_line_or_its_first_words(text: str) -> None:
    title = title_from(text)
    assert len(title) <= TITLE_MAX_CHARS
    assert "\n" not in title and title == title.strip()
    first = next((" ".join(line.split()) for line in text.splitlines() if line.strip()), "")
    assert title == first or (
        title.endswith(TITLE_ELLIPSIS)
        and len(title) <= TITLE_WORDS_CHARS
        and first.startswith(title.removesuffix(TITLE_ELLIPSIS))
    )


# --- sources ----------------------------------------------------------------------------------


def test_the_bundled_samples_are_named_from_their_folder_not_the_disk(engine: Engine) -> None:
    with as_file(files("workbench") / "sample_data") as samples:
        assert Path(samples).is_absolute()
        ingest(engine, Path(samples))
    sources = sorted(stored(engine))
    assert sources == sorted(f"sample_data/{p.name}" for p in Path(samples).glob("*.txt"))


def test_a_relative_path_is_stored_as_given(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "articles" / "june").mkdir(parents=True)
    (tmp_path / "articles" / "june" / "a.txt").write_text("Flood\n\nThe river rose 3 metres.")
    monkeypatch.chdir(tmp_path)
    ingest(engine, Path("articles"))
    assert list(stored(engine)) == ["articles/june/a.txt"]


def test_an_absolute_file_is_named_by_its_file_name_and_a_record_keeps_its_line(
    engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "one.txt").write_text("Flood\n\nThe river rose 3 metres on Monday.")
    records = [{"text": "The mayor said 40 homes were flooded."}]
    records.append({"text": "Officials said 12 roads were closed.", "url": "https://ex.org/a"})
    (tmp_path / "two.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    ingest(engine, tmp_path / "one.txt", tmp_path / "two.jsonl")
    assert sorted(stored(engine)) == ["https://ex.org/a", "one.txt", "two.jsonl#L1"]


# --- paragraphs and offsets ---------------------------------------------------------------


def test_sample_003_is_stored_unchanged_with_a_paragraph_a_line(engine: Engine) -> None:
    with as_file(files("workbench") / "sample_data" / SAMPLE_003) as path:
        original = Path(path).read_text("utf-8")
        ingest(engine, Path(path))
    [document] = stored(engine).values()
    assert document.text == original
    assert document.title.endswith(TITLE_ELLIPSIS)
    with unit_of_work(engine) as session:
        claims = session.scalars(select(Claim)).all()
        session.expunge_all()
    assert len(claims) > 10
    for claim in claims:
        assert original[claim.char_start : claim.char_end] == claim.text
        detail = get_claim(engine, claim.id, SYSTEM)
        paragraph = original[detail.paragraph_start : detail.paragraph_end]
        assert claim.text in paragraph and "\n" not in paragraph  # one line, not 4,085


# Sentences of a line-per-paragraph article: long lines of them, single newlines between.
words = st.sampled_from(["the", "mayor", "said", "42", "homes", "were", "flooded", "in", "May"])
sentence = st.lists(words, min_size=4, max_size=14).map(lambda w: " ".join(w).capitalize() + ".")
line = st.lists(sentence, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(line, min_size=2, max_size=6).filter(
        lambda lines: any(len(x) > LINE_PARAGRAPH_CHARS for x in lines)
    )
)
def test_claims_of_a_line_per_paragraph_file_slice_the_stored_text(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        [document] = read_file(path, max_bytes=10**6)
    assert isinstance(document, DocumentIn)
    text = document.text
    for claim in default_extractor().extract(text):
        assert text[claim.char_start : claim.char_end] == claim.text
        start, end = paragraph_span(text, claim.char_start, claim.char_end)
        assert start <= claim.char_start < claim.char_end <= end
        assert text[start:end] in lines  # the claim's own line, never the whole file
