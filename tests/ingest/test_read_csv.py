"""CSV: a header with a text column, one document a row, errors at the line an editor shows."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from workbench.ingest.readers import ReadError, read_file
from workbench.schemas import DocumentIn


def write_csv(path: Path, *rows: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def read_all(path: Path, max_bytes: int = 10**6) -> list[DocumentIn | ReadError]:
    return list(read_file(path, max_bytes=max_bytes))


def test_each_row_is_a_document_with_its_fields(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        ["Text", "Title", "URL", "Published", "Metadata", "Outlet"],
        ["Bridge closed.", "Bridge", "https://n.example/b", "2024-11-05", '{"desk": "city"}', "L"],
    )
    [document] = read_all(path)
    assert document == DocumentIn(
        text="Bridge closed.",
        title="Bridge",
        source="https://n.example/b",
        url="https://n.example/b",
        published=datetime(2024, 11, 5, tzinfo=UTC),
        metadata={"Outlet": "L", "desk": "city"},
    )


def test_empty_optional_cells_count_as_absent(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv", ["text", "title", "url", "published"], ["Body.", "", "", ""]
    )
    [document] = read_all(path)
    assert document == DocumentIn(text="Body.", title="Body.", source=f"{path}#L2")


def test_a_csv_without_a_text_column_is_one_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ["body", "title"], ["Bridge closed.", "Bridge"])
    assert [str(e) for e in read_all(path)] == [
        f"{path}:1: no 'text' column in the header row (found 'body', 'title'); add one"
    ]


def test_an_empty_csv_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("")
    [error] = read_all(tmp_path / "a.csv")
    assert isinstance(error, ReadError) and "needs a header row" in error.message


def test_rows_after_a_multiline_cell_report_the_line_an_editor_shows(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        ["id", "text"],
        ["1", "First paragraph.\n\nSecond paragraph.\nThird line."],
        ["2", ""],
        ["3", "Fine."],
    )
    first, error, third = read_all(path)
    assert isinstance(first, DocumentIn)
    assert first.text == "First paragraph.\n\nSecond paragraph.\nThird line."
    assert (first.source, str(error)) == (
        f"{path}#L2",
        f"{path}:6: field 'text': is empty; every record needs a non-empty text",
    )
    assert isinstance(third, DocumentIn) and third.source == f"{path}#L7"


def test_blank_lines_and_empty_rows_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("text,title\n\na,A\n,\nb,B\n,\n")
    texts = [item.text for item in read_all(tmp_path / "a.csv") if isinstance(item, DocumentIn)]
    assert texts == ["a", "b"]


def test_an_unclosed_quote_is_an_error_at_the_row_where_it_opens(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text('text\nfine\n"never closed\nmore\n')
    fine, error = read_all(tmp_path / "a.csv")
    assert isinstance(fine, DocumentIn)
    assert isinstance(error, ReadError) and error.line == 3
    assert error.message.startswith("not valid CSV")


def test_a_row_with_too_many_cells_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("text,title\na,b,c\nd,e\n")
    error, document = read_all(tmp_path / "a.csv")
    assert str(error).startswith(f"{tmp_path / 'a.csv'}:2: row has 3 cells but the header has 2")
    assert isinstance(document, DocumentIn)


def test_bad_metadata_json_names_the_field(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ["text", "metadata"], ["a", "{not json"])
    [error] = read_all(path)
    assert isinstance(error, ReadError) and (error.line, error.field) == (2, "metadata")


def test_a_cell_larger_than_the_csv_module_default_is_read(tmp_path: Path) -> None:
    text = "A long article. " * 20_000  # 320 K characters; the csv module's default cap is 128 K
    path = write_csv(tmp_path / "a.csv", ["text"], [text])
    [document] = read_all(path)
    assert isinstance(document, DocumentIn) and document.text == text


def test_a_text_over_the_limit_is_an_error_for_that_row_only(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ["text"], ["x" * 5000], ["short"])
    error, document = read_all(path, max_bytes=4096)
    assert isinstance(error, ReadError) and error.line == 2
    assert "over the 4 KB limit" in error.message
    assert isinstance(document, DocumentIn) and document.text == "short"


def test_an_undecodable_row_stops_the_file_with_one_error(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"text\nfine\ncaf\xe9\nnever read\n")
    fine, error = read_all(tmp_path / "a.csv")
    assert isinstance(fine, DocumentIn)
    assert isinstance(error, ReadError) and error.line == 3
    assert error.message.startswith("not UTF-8 text (byte 0xe9 at offset 13)")
    assert error.message.endswith("the rows before it were read, none after")


def test_an_unsafe_url_in_a_row_is_dropped_with_a_warning_naming_the_line(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        ["text", "url"],
        ["First body.", "javascript:alert(1)"],
        ["Second body.", "http://user:pw@news.example/a"],
    )
    items = read_all(path)
    assert [type(item).__name__ for item in items] == [
        "ReadWarning",
        "DocumentIn",
        "ReadWarning",
        "DocumentIn",
    ]
    assert str(items[0]).startswith(f"{path}:2: field 'url': only http:// and https://")
    assert str(items[2]).startswith(f"{path}:3: field 'url': URLs with a user name or password")
    assert [item.url for item in items if isinstance(item, DocumentIn)] == [None, None]
