"""The claims an ingest would store, found without storing anything (`workbench extract`).

Files are read and cut into claims exactly as ``ingest_paths`` does, in the same order; a path
or document that cannot be read comes out as its ``ReadError`` (or ``ReadWarning``) where it
occurs, so the caller can print each as it comes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from workbench.extract import Extractor
from workbench.ingest.readers import ReadError, expand_paths, read_file
from workbench.schemas import ExtractedClaim


def claims_in_files(
    paths: Sequence[Path],
    extractor: Extractor,
    *,
    max_bytes: int,
    follow_links: bool = False,
) -> Iterator[ExtractedClaim | ReadError]:
    """Each claim of each document under ``paths``, and each error or warning, in order:
    first those of the paths themselves, then each file's as it is read."""
    files, errors = expand_paths(paths, follow_links=follow_links)
    yield from errors
    for path in files:
        for item in read_file(path, max_bytes=max_bytes):
            if isinstance(item, ReadError):
                yield item
                continue
            for candidate in extractor.extract(item.text):
                yield ExtractedClaim(document=item.source, **candidate.model_dump())
