"""HTML: the article's main text and metadata, without the page's navigation and scripts."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from workbench.ingest.readers import ReadError, read_file
from workbench.schemas import DocumentIn

DATA = Path(__file__).parent.parent / "data" / "ingest"
BRIDGE = DATA / "harbour-bridge.html"
MEALS = DATA / "school-meals.htm"


def read_one(path: Path) -> DocumentIn:
    [item] = read_file(path, max_bytes=10**6)
    assert isinstance(item, DocumentIn), item
    return item


def test_the_title_comes_from_the_page_metadata() -> None:
    assert read_one(BRIDGE).title == "Harbour bridge to stay closed until spring"


def test_a_page_with_only_a_title_tag_keeps_that_title() -> None:
    assert read_one(MEALS).title == "Free school meals: what the new figures show"


def test_the_article_text_is_kept() -> None:
    text = read_one(BRIDGE).text
    assert "About 41,000 vehicles crossed the bridge each day" in text
    assert "the transport commissioner, Daniel Reyes, told reporters" in text


def test_navigation_footer_and_related_links_are_left_out() -> None:
    text = read_one(BRIDGE).text
    for marker in ["NAVIGATION_MARKER", "FOOTER_MARKER", "RELATED_MARKER", "Cookie settings"]:
        assert marker not in text


def test_script_and_style_content_is_left_out() -> None:
    text = read_one(BRIDGE).text
    assert "ANALYTICS_SCRIPT_MARKER" not in text
    assert "display: flex" not in text


def test_paragraphs_are_separated_by_a_blank_line() -> None:
    paragraphs = read_one(MEALS).text.split("\n\n")
    assert paragraphs[1].startswith("The education ministry's annual census")
    assert paragraphs[2].startswith("That is 24.6 percent of all pupils")


def test_the_published_date_and_canonical_url_are_kept() -> None:
    document = read_one(BRIDGE)
    assert document.published == datetime(2024, 11, 5, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    assert document.url == "https://coastal-ledger.example/news/2024/11/harbour-bridge-closed"
    assert document.source == str(BRIDGE)
    assert document.metadata["author"] == "Mira Okafor"


def test_a_date_without_a_time_zone_is_taken_as_utc() -> None:
    assert read_one(MEALS).published == datetime(2023, 9, 14, tzinfo=UTC)


def test_reading_html_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the HTML reader tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert read_one(BRIDGE).url is not None


def test_a_page_declaring_its_charset_is_decoded_with_it(tmp_path: Path) -> None:
    html = BRIDGE.read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="windows-1252"')
    html = html.replace("The harbour bridge", "The caf\u00e9 by the harbour bridge")
    (tmp_path / "old.html").write_bytes(html.replace("·", "-").encode("cp1252"))
    assert "The caf\u00e9 by the harbour bridge" in read_one(tmp_path / "old.html").text


def test_a_page_without_article_text_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "gallery.html").write_text(
        "<html><head><title>Gallery</title><script>var x = 'tracking';</script></head>"
        "<body><img src='a.jpg'><img src='b.jpg'></body></html>"
    )
    [error] = read_file(tmp_path / "gallery.html", max_bytes=10**6)
    assert isinstance(error, ReadError)
    assert error.message.startswith("no article text found in the HTML")
