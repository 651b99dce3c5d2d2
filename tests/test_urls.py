"""Corroborating URLs: only http(s) with a host, stored in one canonical form."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.errors import InvalidInput
from workbench.urls import normalise_url


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("https://example.org", "https://example.org/"),
        ("HTTP://Example.COM:80/a/../b", "http://example.com/b"),
        ("https://example.org/page#section-2", "https://example.org/page"),
        ("https://example.org/a?id=7&utm_source=x&fbclid=y", "https://example.org/a?id=7"),
        ("  https://example.org/x  ", "https://example.org/x"),
        ("www.reuters.com/world/", "https://www.reuters.com/world/"),
        ("https://bücher.de/ä", "https://xn--bcher-kva.de/%C3%A4"),
    ],
)
def test_accepted_urls_are_normalised(raw: str, stored: str) -> None:
    assert normalise_url(raw) == stored


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("javascript:alert(1)", "only http:// and https://"),
        ("data:text/html,<script>alert(1)</script>", "only http:// and https://"),
        ("ftp://example.org/file", "only http:// and https://"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("not a url", "spaces"),
        ("", "empty"),
        ("https://", "no host"),
        ("https://localhostish/", "not a full host name"),
        ("http://example.org:99999/", "port"),
        ("https://user:secret@example.org/", "user name or password"),
        ("https://example.org/" + "a" * 3000, "longer than"),
    ],
)
def test_anything_else_is_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        normalise_url(raw)


@given(st.text(max_size=200))
def test_any_text_is_either_refused_or_becomes_an_http_url(raw: str) -> None:
    try:
        url = normalise_url(raw)
    except InvalidInput:
        return
    assert url.startswith(("http://", "https://"))
    assert normalise_url(url) == url  # normalising twice changes nothing
