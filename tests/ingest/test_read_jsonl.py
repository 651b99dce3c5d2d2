"""JSONL: one document a line; a bad line is reported with its number and the rest still read."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from workbench.ingest.readers import ReadError, ReadWarning, read_file
from workbench.schemas import DocumentIn


def write_jsonl(path: Path, *lines: object) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    )
    return path


def read_all(path: Path, max_bytes: int = 10**6) -> list[DocumentIn | ReadError]:
    return list(read_file(path, max_bytes=max_bytes))


def test_each_line_is_a_document_with_its_fields(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        {
            "text": "The bridge carried 41,000 vehicles a day.",
            "title": "Bridge",
            "url": "https://news.example/bridge",
            "published": "2024-11-05T08:30:00+01:00",
            "metadata": {"desk": "city"},
        },
    )
    [document] = read_all(path)
    assert document == DocumentIn(
        text="The bridge carried 41,000 vehicles a day.",
        title="Bridge",
        source="https://news.example/bridge",
        url="https://news.example/bridge",
        published=datetime(2024, 11, 5, 8, 30, tzinfo=timezone(timedelta(hours=1))),
        metadata={"desk": "city"},
    )


def test_without_a_url_the_source_is_the_file_and_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "One."}, "", {"text": "Three."})
    sources = [item.source for item in read_all(path) if isinstance(item, DocumentIn)]
    assert sources == [f"{path}#L1", f"{path}#L3"]


def test_the_default_title_is_the_first_line_of_the_text(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "\nHeadline here\nBody.", "title": ""})
    [document] = read_all(path)
    assert isinstance(document, DocumentIn) and document.title == "Headline here"


def test_a_date_without_a_time_zone_is_utc(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        {"text": "a", "published": "2024-03-01"},
        {"text": "b", "published": "2024-03-01T09:30:00"},
    )
    dates = [item.published for item in read_all(path) if isinstance(item, DocumentIn)]
    assert dates == [datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 1, 9, 30, tzinfo=UTC)]


def test_unknown_keys_go_into_metadata(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        {"text": "a", "outlet": "Ledger", "tags": ["x"], "metadata": {"desk": "city"}},
    )
    [document] = read_all(path)
    assert isinstance(document, DocumentIn)
    assert document.metadata == {"outlet": "Ledger", "tags": ["x"], "desk": "city"}


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", "", {"text": "a"}, "   ", "", {"text": "b"})
    assert [item.text for item in read_all(path) if isinstance(item, DocumentIn)] == ["a", "b"]


def test_a_malformed_line_in_the_middle_is_reported_and_the_rest_still_read(
    tmp_path: Path,
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "one"}, '{"text": "two",', {"text": "three"})
    first, error, third = read_all(path)
    assert isinstance(first, DocumentIn) and isinstance(third, DocumentIn)
    assert third.text == "three"
    assert str(error).startswith(f"{path}:2: not valid JSON: ")


def test_a_line_that_is_not_an_object_is_an_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", ["text", "list"])
    assert str(read_all(path)[0]) == f"{path}:1: a line must hold one JSON object, not an array"


def test_a_missing_text_names_the_field(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", {"title": "No body"})
    assert str(read_all(path)[0]) == (
        f"{path}:1: field 'text': is missing; every record needs a non-empty text"
    )


def test_an_empty_or_blank_text_names_the_field(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", {"text": ""}, {"text": " \n "})
    errors = read_all(path)
    assert all(isinstance(e, ReadError) and e.field == "text" for e in errors)
    assert [e.line for e in errors if isinstance(e, ReadError)] == [1, 2]


def test_a_field_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        {"text": 42},
        {"text": "a", "title": 7},
        {"text": "a", "metadata": [1, 2]},
        {"text": "a", "url": False},
    )
    assert [str(error).removeprefix(f"{path}:") for error in read_all(path)] == [
        "1: field 'text': must be a string",
        "2: field 'title': must be a string",
        "3: field 'metadata': must be an object",
        "4: field 'url': must be a string",
    ]


def test_a_bad_date_names_the_field(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "a", "published": "last Tuesday"})
    [error] = read_all(path)
    assert isinstance(error, ReadError)
    assert (error.line, error.field) == (1, "published")
    assert "'last Tuesday' is not an ISO date" in error.message


def test_a_text_over_the_limit_is_an_error_for_that_line_only(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "é" * 600}, {"text": "short"})
    error, document = read_all(path, max_bytes=1000)
    assert isinstance(error, ReadError) and isinstance(document, DocumentIn)
    assert (error.field, error.message.split(",")[0]) == ("text", "is 1.2 KB")


def test_an_undecodable_line_is_an_error_and_the_rest_still_read(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"text": "a"}\n{"text": "caf\xe9"}\n{"text": "c"}\n')
    _, error, third = read_all(path)
    assert str(error) == (
        f"{path}:2: not UTF-8 text (byte 0xe9 at offset 27); save the file as UTF-8 and try again"
    )
    assert isinstance(third, DocumentIn) and third.text == "c"


def test_a_line_far_too_long_for_the_limit_is_skipped_without_reading_it_whole(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "' + "x" * (7 * 1024 * 1024) + '"}\n{"text": "next"}\n')
    error, document = read_all(path, max_bytes=10)
    assert isinstance(error, ReadError) and error.line == 1
    assert error.message.startswith("line is 7 MB, too long")
    assert isinstance(document, DocumentIn) and document.source == f"{path}#L2"


def test_a_byte_order_mark_before_the_first_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "a"}\n')
    [document] = read_all(path)
    assert isinstance(document, DocumentIn)


UNSAFE_URLS = [
    ("javascript:alert(1)", "only http:// and https:// URLs are accepted"),
    ("data:text/html,<script>alert(1)</script>", "only http:// and https:// URLs are accepted"),
    ("data:text/html;base64,PHNjcmlwdD4=", "only http:// and https:// URLs are accepted"),
    ("http://user:pw@news.example/a", "URLs with a user name or password are not accepted"),
]


@pytest.mark.parametrize(("url", "reason"), UNSAFE_URLS)
def test_an_unsafe_url_is_dropped_with_a_warning_and_the_document_kept(
    tmp_path: Path, url: str, reason: str
) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        {"text": "Fine.", "url": "https://ok.example/"},
        {
            "text": "The bridge carried 41,000 vehicles a day.",
            "url": url,
        },
    )
    first, warning, document = read_all(path)
    assert isinstance(first, DocumentIn) and first.url == "https://ok.example/"
    assert isinstance(warning, ReadWarning)
    assert str(warning).startswith(f"{path}:2: field 'url': {reason}")
    assert str(warning).endswith("; the document is kept without it")
    assert isinstance(document, DocumentIn)
    assert (document.url, document.source) == (None, f"{path}#L2")
    assert document.text == "The bridge carried 41,000 vehicles a day."


def test_a_url_is_stored_in_its_canonical_form(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "A.", "url": "HTTPS://News.Example/a#x"})
    [document] = read_all(path)
    assert isinstance(document, DocumentIn)
    assert (document.url, document.source) == ("https://news.example/a", "https://news.example/a")
