"""A document's ``source``: the path as the user gave it, never more of the server's disk.

``workbench ingest articles/`` stores ``articles/a.txt``, as it always has: that is the path as
given. An absolute path (``/srv/newsroom/2024/articles/``, or the demo's bundled samples, which
sit wherever the package was installed) put the server's folders into every source, shown to
every reviewer on the Review page and written into every export. So a file found under a
folder given by an absolute path is named from that folder's own name on
(``articles/a.txt``), and a file given by an absolute path by its file name. What a JSONL or
CSV source adds after the path (``#L12``) is kept, and a record's URL is its source, as before.

Lines about reading a file (not found, not text, over the size limit) still name the path in
full, for whoever ran the command; lines about a document once read (its extraction, the claims
bound, the database refusing it) name it by its source, as the app will.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path, PurePath

from workbench.ingest.formats.common import ReadError
from workbench.schemas import DocumentIn


def source_name(file: Path, given: Sequence[Path]) -> str:
    """The source to store for ``file``, found from one of the ``given`` paths."""
    if not file.is_absolute():
        return str(file)  # relative as given: the user's own words
    for root in given:
        if file == root:
            return file.name
        if root.is_absolute() and file.is_relative_to(root):
            # "/" has no name: then the path below it is all there is to show.
            return str(PurePath(root.name, file.relative_to(root)))
    return file.name


def named(
    items: Iterator[DocumentIn | ReadError], path: Path, name: str
) -> Iterator[DocumentIn | ReadError]:
    """``items`` read from ``path``, each document's source starting with ``name`` instead."""
    full = str(path)
    for item in items:
        if isinstance(item, DocumentIn) and name != full and item.source.startswith(full):
            item = item.model_copy(update={"source": name + item.source[len(full) :]})
        yield item
