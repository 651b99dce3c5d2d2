"""Cut a list of texts into consecutive slices of bounded size, for work whose memory grows
with the characters it is given at once (scoring, sketching)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def by_characters(texts: Sequence[str], limit: int) -> Iterator[Sequence[str]]:
    """Consecutive slices of ``texts`` of at most ``limit`` characters each; a text longer
    than ``limit`` is a slice of its own (never split), and every text is in exactly one."""
    start = 0
    while start < len(texts):
        end, size = start, 0
        while end < len(texts) and (end == start or size + len(texts[end]) <= limit):
            size += len(texts[end])
            end += 1
        yield texts[start:end]
        start = end
