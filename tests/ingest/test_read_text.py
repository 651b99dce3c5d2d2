"""Plain text and Markdown: one document a file, its text exactly as written."""

from __future__ import annotations

from pathlib import Path

from workbench.ingest.readers import ReadError, read_file
from workbench.schemas import DocumentIn


def read_one(path: Path) -> DocumentIn:
    [item] = read_file(path, max_bytes=10**6)
    assert isinstance(item, DocumentIn), item
    return item


def test_a_text_file_is_one_document_with_its_first_line_as_title(tmp_path: Path) -> None:
    text = "\n  Flood relief  \n\nThe governor said 3,200 homes were flooded.\n"
    (tmp_path / "flood.txt").write_text(text, encoding="utf-8")
    document = read_one(tmp_path / "flood.txt")
    assert document == DocumentIn(
        text=text, title="Flood relief", source=str(tmp_path / "flood.txt")
    )


def test_the_text_is_kept_exactly_so_claim_offsets_stay_true(tmp_path: Path) -> None:
    text = "Title\n\n  Indented\tline with  double  spaces, “quotes” and é.  \n\n\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    assert read_one(tmp_path / "a.txt").text == text


def test_windows_and_old_mac_newlines_become_lf(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"Title\r\n\r\nOne line.\rAnother.\r\n")
    assert read_one(tmp_path / "a.txt").text == "Title\n\nOne line.\nAnother.\n"


def test_a_utf8_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("\ufeffTitle\nBody.".encode())
    document = read_one(tmp_path / "a.txt")
    assert (document.title, document.text) == ("Title", "Title\nBody.")


def test_a_markdown_title_loses_its_heading_marks(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("## Flood relief ##\n\nBody text.\n")
    document = read_one(tmp_path / "a.md")
    assert document.title == "Flood relief"
    assert document.text.startswith("## Flood relief ##")


def test_a_long_first_line_gives_a_title_of_a_headline_length(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("word " * 200)
    assert len(read_one(tmp_path / "a.txt").title) <= 150


def test_an_empty_or_blank_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text(" \n\t\n")
    for name in ["empty.txt", "blank.md"]:
        [error] = read_file(tmp_path / name, max_bytes=10**6)
        assert isinstance(error, ReadError)
        assert str(error) == f"{tmp_path / name}: file is empty; there is no text to read"
