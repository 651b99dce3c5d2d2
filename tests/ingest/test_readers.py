"""Finding the files to read, and the errors every format shares."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from workbench.ingest.readers import (
    SUPPORTED_SUFFIXES,
    ReadError,
    ReadWarning,
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
    # The line formats name the line of the NUL (the PNG signature holds two newlines first).
    line = 3 if suffix in {".csv", ".jsonl"} else None
    assert (error.path, error.line) == (str(path), line)
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

    real_open = os.open

    def refuse(file: str | Path, flags: int, *args: int, **kwargs: object) -> int:
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, flags, *args)

    # chmod 0 does not stop root (CI containers often run as root), so refuse at the call;
    # every reader opens through os.open (non-blocking, see formats.common).
    monkeypatch.setattr(os, "open", refuse)
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


# --- encodings: UTF-16 and UTF-32 with a BOM are text ---------------------------------------

BOM_ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]


def with_bom(text: str, encoding: str) -> bytes:
    """``text`` as a Windows tool saves it: the BOM, then the text in that encoding."""
    return (
        ("\ufeff" + text).encode(encoding)
        if encoding[-2:] in ("le", "be")
        else text.encode(encoding)
    )


@pytest.mark.parametrize("encoding", BOM_ENCODINGS)
@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_a_whole_file_in_utf16_or_utf32_with_a_bom_is_decoded(
    tmp_path: Path, suffix: str, encoding: str
) -> None:
    text = ARTICLE.replace("day,", "day \u2014 caf\u00e9 \U0001f600,")
    content = (
        f"<html><body><article><p>{text}</p></article></body></html>" if suffix == ".html" else text
    )
    path = tmp_path / f"win{suffix}"
    path.write_bytes(with_bom(content, encoding))
    [document] = read_all(path)
    assert isinstance(document, DocumentIn), document
    assert "vehicles a day \u2014 caf\u00e9 \U0001f600, the department said." in document.text
    assert not document.text.startswith("\ufeff")


@pytest.mark.parametrize("encoding", BOM_ENCODINGS)
def test_jsonl_and_csv_in_utf16_or_utf32_with_a_bom_are_decoded(
    tmp_path: Path, encoding: str
) -> None:
    # U+2028 inside a value: a line separator for str.splitlines, not for JSONL or CSV.
    (tmp_path / "a.jsonl").write_bytes(
        with_bom('{"text": "Caf\u00e9 prices rose\u2028by 4%."}\n{"text": "Second."}\n', encoding)
    )
    (tmp_path / "a.csv").write_bytes(
        with_bom('text,title\r\n"Caf\u00e9 prices\nrose\u2028by 4%.",Caf\u00e9\r\n', encoding)
    )
    jsonl = read_all(tmp_path / "a.jsonl")
    assert [d.text for d in jsonl if isinstance(d, DocumentIn)] == [
        "Caf\u00e9 prices rose\u2028by 4%.",
        "Second.",
    ]
    [row] = read_all(tmp_path / "a.csv")
    assert isinstance(row, DocumentIn), row
    assert (row.text, row.title) == ("Caf\u00e9 prices\nrose\u2028by 4%.", "Caf\u00e9")


def test_utf16_without_a_bom_is_still_binary(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(ARTICLE.encode("utf-16-le"))
    assert only_error(tmp_path / "a.txt").message.startswith("binary file (NUL byte at offset 1)")


# --- a NUL byte in a line format: one rule, wherever it is ---------------------------------


@pytest.mark.parametrize("rows_before", [0, 2, 5_000])  # in the first 8 KB, or far past it
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_nul_byte_anywhere_refuses_the_whole_file_naming_its_line(
    tmp_path: Path, suffix: str, rows_before: int
) -> None:
    good = '"A good row with some text in it."\n' if suffix == ".csv" else '{"text": "A row."}\n'
    bad = good.replace("A ", "A \0", 1)
    header = "text\n" if suffix == ".csv" else ""
    path = tmp_path / f"data{suffix}"
    path.write_text(header + good * rows_before + bad + good * 3)
    error = only_error(path)
    line = rows_before + 1 + (suffix == ".csv")
    assert (error.path, error.line) == (str(path), line)
    assert error.message.startswith("binary file (NUL byte at offset ")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_nul_character_in_utf16_jsonl_refuses_the_file_naming_its_line(
    tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes('{"text": "A."}\n{"text": "B\0."}\n'.encode(encoding))
    error = only_error(path)
    assert (error.line, error.message) == (
        2,
        "binary file (NUL character on this line); give a text, HTML, JSONL or CSV file",
    )


# --- links and special files ---------------------------------------------------------------


def test_a_link_out_of_the_folder_is_skipped_with_a_warning(tmp_path: Path) -> None:
    folder, outside = tmp_path / "folder", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET\n")
    (folder / "a.txt").write_text(ARTICLE)
    (folder / "x.txt").symlink_to(outside / "secret.txt")
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    files, [skip_sub, skip_x] = expand_paths([folder])
    assert files == [folder / "a.txt"]
    assert isinstance(skip_x, ReadWarning) and isinstance(skip_sub, ReadWarning)
    assert str(skip_x) == (
        f"{folder / 'x.txt'}: skipped: a link to file {outside / 'secret.txt'}, outside the "
        "folders given (--follow-links reads it)"
    )
    assert str(skip_sub).startswith(f"{folder / 'sub'}: skipped: a link to folder {outside}")


def test_follow_links_reads_links_out_of_the_folder_and_survives_a_loop(tmp_path: Path) -> None:
    folder, outside = tmp_path / "folder", tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    folder.mkdir()
    (outside / "deep" / "b.txt").write_text(ARTICLE)
    (outside / "deep" / "loop").symlink_to(outside, target_is_directory=True)
    (folder / "x.txt").symlink_to(outside / "deep" / "b.txt")
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    files, errors = expand_paths([folder], follow_links=True)
    assert errors == []
    assert [f.resolve() for f in files] == [(outside / "deep" / "b.txt").resolve()]


def test_a_link_between_folders_given_is_read(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "real.txt").write_text(ARTICLE)
    (tmp_path / "a" / "link.txt").symlink_to(tmp_path / "b" / "real.txt")
    files, errors = expand_paths([tmp_path / "a", tmp_path / "b"])
    assert (files, errors) == ([tmp_path / "a" / "link.txt"], [])  # read once


def test_a_link_named_on_the_command_line_is_read(tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text(ARTICLE)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "x.txt").symlink_to(tmp_path / "outside.txt")
    assert expand_paths([tmp_path / "folder" / "x.txt"]) == ([tmp_path / "folder" / "x.txt"], [])


def test_a_fifo_in_a_folder_or_named_is_refused_and_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # opening it for reading would wait for a writer
    files, [in_folder] = expand_paths([tmp_path])
    assert files == []
    assert str(in_folder) == (
        f"{tmp_path / 'pipe.txt'}: is a FIFO (named pipe), not a regular file; "
        "give a text, HTML, JSONL or CSV file"
    )
    assert expand_paths([tmp_path / "pipe.txt"])[1] == [in_folder]


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_a_file_swapped_for_a_fifo_after_the_walk_is_refused_not_blocked_on(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"a{suffix}"
    path.write_text(ARTICLE)
    [found], _ = expand_paths([tmp_path])
    path.unlink()
    os.mkfifo(path)
    with fails_if_blocked():
        assert estimate_documents(found) == 1  # counting lines must not block either
        assert only_error(found).message.startswith("is a FIFO (named pipe), not a regular file")


@contextmanager
def fails_if_blocked(seconds: int = 10) -> Iterator[None]:
    """A test failure, not a hung run, if the code inside waits on a FIFO."""

    def on_alarm(signum: int, frame: object) -> None:
        raise AssertionError(f"blocked for {seconds} s (on a FIFO?)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    error = only_error(tmp_path / "zero.txt")
    assert error.message.startswith("is a character device, not a regular file")


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_a_file_reporting_size_0_is_read_with_the_byte_cap(tmp_path: Path) -> None:
    assert Path("/proc/self/status").stat().st_size == 0
    (tmp_path / "status.txt").symlink_to("/proc/self/status")
    [document] = read_all(tmp_path / "status.txt")
    assert isinstance(document, DocumentIn) and "Pid:" in document.text
    error = only_error(tmp_path / "status.txt", max_bytes=64)
    assert error.message == "file is over the 64 bytes limit (set WORKBENCH_MAX_FILE_BYTES)"
