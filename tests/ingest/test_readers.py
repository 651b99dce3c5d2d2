"""Finding the files to read, and the errors every format shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.ingest.readers import (
    SUPPORTED_SUFFIXES,
    ReadError,
    estimate_documents,
    expand_paths,
    read_file,
)
from workbench.schemas import DocumentIn

ARTICLE = "Bridge closed\n\nThe bridge carried 41,000 vehicles a day, the department said.\n"


def read_all(path: Path, max_bytes: int = 10**6) -> list[DocumentIn | ReadError]:
    return list(read_file(path, max_bytes=max_bytes))


def only_error(path: Path, max_bytes: int = 10**6) -> ReadError:
    [item] = read_all(path, max_bytes)
    assert isinstance(item, ReadError), item
    return item


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".html", ".htm", ".jsonl", ".csv"} == SUPPORTED_SUFFIXES


def test_a_read_error_names_file_line_and_field() -> None:
    error = ReadError("articles/x.jsonl", 12, "text", "is empty")
    assert str(error) == "articles/x.jsonl:12: field 'text': is empty"


def test_a_read_error_without_line_or_field_names_the_file() -> None:
    assert str(ReadError("a.txt", None, None, "file is empty")) == "a.txt: file is empty"


def test_a_folder_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    for name in ["b.txt", "a/z.md", "a/b/c.jsonl", "a.csv", "c/d.html"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(ARTICLE)
    files, errors = expand_paths([tmp_path])
    assert errors == []
    assert [f.relative_to(tmp_path).as_posix() for f in files] == [
        "a/b/c.jsonl",
        "a/z.md",
        "a.csv",
        "b.txt",
        "c/d.html",
    ]


def test_a_folder_skips_hidden_and_unsupported_files_silently(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text(ARTICLE)
    (tmp_path / ".draft.txt").write_text(ARTICLE)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "story.TXT").write_text(ARTICLE)
    files, errors = expand_paths([tmp_path])
    assert (files, errors) == ([tmp_path / "story.TXT"], [])


def test_a_hidden_folder_given_by_name_is_still_read(tmp_path: Path) -> None:
    (tmp_path / ".inbox").mkdir()
    (tmp_path / ".inbox" / "a.txt").write_text(ARTICLE)
    assert expand_paths([tmp_path / ".inbox"]) == ([tmp_path / ".inbox" / "a.txt"], [])


def test_a_file_of_unsupported_type_named_explicitly_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7")
    files, [error] = expand_paths([tmp_path / "report.pdf"])
    assert files == []
    assert str(error).startswith(f"{tmp_path / 'report.pdf'}: unsupported file type '.pdf'")
    assert ".jsonl" in error.message


def test_a_missing_path_is_an_error_and_the_others_are_still_listed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    files, [error] = expand_paths([tmp_path / "nope", tmp_path / "a.txt"])
    assert files == [tmp_path / "a.txt"]
    assert str(error) == f"{tmp_path / 'nope'}: no such file or folder"


def test_a_file_given_twice_is_listed_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    files, _ = expand_paths([tmp_path / "a.txt", tmp_path])
    assert files == [tmp_path / "a.txt"]


def test_read_file_reports_an_unsupported_suffix(tmp_path: Path) -> None:
    (tmp_path / "a.docx").write_bytes(b"PK")
    assert "unsupported file type '.docx'" in only_error(tmp_path / "a.docx").message


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_a_binary_file_is_one_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"image{suffix}"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    error = only_error(path)
    assert (error.path, error.line) == (str(path), None)
    assert error.message.startswith("binary file (NUL byte at offset 8)")


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_a_latin1_file_is_one_error_giving_the_bad_byte(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"old{suffix}"
    path.write_bytes("<p>Caf\u00e9 prices rose</p>".encode("latin-1"))
    assert only_error(path).message.startswith("not UTF-8 text (byte 0xe9 at offset 6)")


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".jsonl", ".csv"])
def test_a_file_over_the_limit_is_one_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"big{suffix}"
    path.write_text("text\n" + "x" * 3000)
    if suffix in {".jsonl", ".csv"}:
        path.write_text(
            '{"text": "' + "x" * 3000 + '"}\n' if suffix == ".jsonl" else path.read_text()
        )
    error = only_error(path, max_bytes=2048)
    assert "2.9 KB, over the 2 KB limit (set WORKBENCH_MAX_FILE_BYTES" in error.message


def test_the_size_is_given_in_megabytes_for_large_files(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as f:
        f.truncate(int(25.3 * 1024 * 1024))
    error = only_error(path, max_bytes=20 * 1024 * 1024)
    assert str(error) == (
        f"{path}: file is 25.3 MB, over the 20 MB limit (set WORKBENCH_MAX_FILE_BYTES to raise it)"
    )


@pytest.mark.parametrize("suffix", [".txt", ".html", ".jsonl", ".csv"])
def test_a_file_that_vanished_is_one_error(tmp_path: Path, suffix: str) -> None:
    error = only_error(tmp_path / f"gone{suffix}")
    assert error.message.startswith("file vanished before it could be read")


@pytest.mark.parametrize("suffix", [".md", ".htm", ".jsonl", ".csv"])
def test_an_unreadable_file_is_one_error(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / f"locked{suffix}"
    path.write_text(ARTICLE)

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    # chmod 0 does not stop root (CI containers often run as root), so refuse at the call.
    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert only_error(path).message.startswith("permission denied")


def test_estimate_counts_lines_for_jsonl_and_rows_for_csv(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "a"}\n{"text": "b"}\n{"text": "c"}')
    (tmp_path / "a.csv").write_text("text\na\nb\n")
    (tmp_path / "a.txt").write_text(ARTICLE)
    assert estimate_documents(tmp_path / "a.jsonl") == 3
    assert estimate_documents(tmp_path / "a.csv") == 2
    assert estimate_documents(tmp_path / "a.txt") == 1


def test_estimate_is_one_for_a_missing_or_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert estimate_documents(tmp_path / "empty.jsonl") == 1
    assert estimate_documents(tmp_path / "gone.csv") == 1
