"""HTML: the article's main text and metadata, without the page's navigation and scripts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from workbench.ingest.readers import ReadError, ReadWarning, read_file
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


BODY = "".join(
    f"<p>In 2019 the council approved a budget of 4 million dollars for the bridge ({i}). "
    "Work started in March 2021 and ended on 5 May 2022, the engineers said.</p>"
    for i in range(4)
)


def page(head: str = "", body: str = BODY) -> str:
    return (
        f"<html><head><title>Bridge reopens</title>{head}</head>"
        f"<body><article><h1>Bridge reopens</h1>{body}</article></body></html>"
    )


def read_page(tmp_path: Path, html: str) -> list[DocumentIn | ReadError]:
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    return list(read_file(tmp_path / "page.html", max_bytes=10**6))


def test_a_date_without_a_time_zone_is_taken_as_utc(tmp_path: Path) -> None:
    [document] = read_page(tmp_path, page('<meta name="date" content="2023-09-14">'))
    assert isinstance(document, DocumentIn)
    assert document.published == datetime(2023, 9, 14, tzinfo=UTC)


def test_years_and_dates_in_the_text_do_not_make_a_publication_date(tmp_path: Path) -> None:
    [document] = read_page(tmp_path, page(body=BODY + "<p>Posted on 2019-03-04 by the desk</p>"))
    assert isinstance(document, DocumentIn)
    assert document.published is None


def test_a_date_only_in_the_byline_text_is_not_metadata() -> None:
    assert read_one(MEALS).published is None  # "Posted on 2023-09-14": no <meta>, no JSON-LD


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<meta property="article:published_time" content="2020-02-03T04:05:06+02:00">',
            datetime(2020, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=2))),
        ),
        (
            '<script type="application/ld+json">'
            '{"@type": "NewsArticle", "datePublished": "2021-06-07T08:00:00Z"}</script>',
            datetime(2021, 6, 7, 8, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_date_comes_from_meta_tags_or_json_ld(
    tmp_path: Path, head: str, expected: datetime
) -> None:
    [document] = read_page(tmp_path, page(head))
    assert isinstance(document, DocumentIn)
    assert document.published == expected


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://user:pw@news.example/a",
    ],
)
def test_an_unsafe_canonical_url_is_never_kept(tmp_path: Path, href: str) -> None:
    *_, document = read_page(tmp_path, page(f'<link rel="canonical" href="{href}">'))
    assert isinstance(document, DocumentIn)
    assert document.url is None
    assert "Bridge reopens" in document.title


def test_a_canonical_url_with_a_password_is_dropped_with_a_warning(tmp_path: Path) -> None:
    head = '<meta property="og:url" content="http://user:pw@news.example/a">'
    warning, document = read_page(tmp_path, page(head))
    assert isinstance(warning, ReadWarning)
    assert str(warning) == (
        f"{tmp_path / 'page.html'}: field 'url': URLs with a user name or password are not "
        "accepted; the document is kept without it"
    )
    assert isinstance(document, DocumentIn)
    assert document.url is None


def test_a_canonical_url_is_kept_in_its_canonical_form(tmp_path: Path) -> None:
    head = '<link rel="canonical" href="HTTPS://News.Example/a?utm_source=x&id=2#top">'
    [document] = read_page(tmp_path, page(head))
    assert isinstance(document, DocumentIn)
    assert document.url == "https://news.example/a?id=2"
