"""Properties: any text written as JSONL or CSV by the standard library reads back unchanged."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.ingest.readers import ReadError, read_file
from workbench.schemas import DocumentIn

# Any unicode, including newlines, quotes, commas, RTL marks and astral characters.
texts = st.text(min_size=0, max_size=200)
# A raw NUL byte in a CSV file is how we recognise a binary file, so CSV texts leave it out.
# JSON can escape it as \u0000, so JSONL texts keep it, and the reader must refuse them:
# PostgreSQL cannot store a NUL.
csv_chars = st.characters(exclude_characters="\0", exclude_categories=["Cs"])
csv_texts = st.text(alphabet=csv_chars, max_size=200)
extras = st.dictionaries(st.sampled_from(["outlet", "desk", "lang"]), st.text(max_size=20))


# Texts a reader must refuse: the schema rejects empty and whitespace-only text, and no
# database stores a NUL.
def is_refused(text: str) -> bool:
    return not text.strip() or "\x00" in text


def outcome(item: DocumentIn | ReadError) -> str | tuple[str | None, str | None]:
    return item.text if isinstance(item, DocumentIn) else (item.field, type(item).__name__)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(st.fixed_dictionaries({"text": texts}, optional={"extra": extras})))
def test_jsonl_texts_read_back_unchanged(records: list[dict[str, object]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.jsonl"
        path.write_text("".join(json.dumps(record) + "\n" for record in records))
        items = list(read_file(path, max_bytes=10**6))
    expected = [("text", "ReadError") if is_refused(str(r["text"])) else r["text"] for r in records]
    assert [outcome(item) for item in items] == expected


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(csv_texts, st.text(csv_chars, max_size=30))))
def test_csv_texts_read_back_unchanged(rows: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "text", "note"])
            for number, (text, note) in enumerate(rows):
                writer.writerow([str(number), text, note])
        items = list(read_file(path, max_bytes=10**6))
    expected = [("text", "ReadError") if is_refused(text) else text for text, _ in rows]
    assert [outcome(item) for item in items] == expected
    notes = [item.metadata["note"] for item in items if isinstance(item, DocumentIn)]
    assert notes == [note for text, note in rows if not is_refused(text)]


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(csv_texts, st.text(csv_chars, max_size=30))),
    encoding=st.sampled_from(["utf-8-sig", "utf-16", "utf-32"]),
)
def test_csv_texts_read_back_unchanged_in_every_bom_encoding(
    rows: list[tuple[str, str]], encoding: str
) -> None:
    # What Excel's "Unicode text" and PowerShell write: the same rows must come back.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.csv"
        with path.open("w", newline="", encoding=encoding) as f:
            writer = csv.writer(f)
            writer.writerow(["id", "text", "note"])
            for number, (text, note) in enumerate(rows):
                writer.writerow([str(number), text, note])
        items = list(read_file(path, max_bytes=10**6))
    expected = [("text", "ReadError") if is_refused(text) else text for text, _ in rows]
    assert [outcome(item) for item in items] == expected


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(st.fixed_dictionaries({"text": csv_texts})),
    encoding=st.sampled_from(["utf-16", "utf-32"]),
    ascii_only=st.booleans(),
)
def test_jsonl_texts_read_back_unchanged_in_utf16_and_utf32(
    records: list[dict[str, str]], encoding: str, ascii_only: bool
) -> None:
    # ensure_ascii=False puts raw U+2028 and friends in the file: only LF may end a line.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.jsonl"
        lines = (json.dumps(record, ensure_ascii=ascii_only) + "\n" for record in records)
        path.write_bytes("".join(lines).encode(encoding))
        items = list(read_file(path, max_bytes=10**6))
    expected = [("text", "ReadError") if is_refused(r["text"]) else r["text"] for r in records]
    assert [outcome(item) for item in items] == expected
