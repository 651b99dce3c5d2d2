"""The manifest beside every export: what the file is, what it holds, and its checksum.

``claims-….csv`` gets ``claims-….csv.manifest.json``, written (atomically) only after the data
file is complete and in place. So a data file without its manifest is an export that did not
finish (or a manifest that could not be written): do not use it. Check a file against its
manifest with ``sha256sum`` or :func:`verify`.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, Field

from workbench.files.atomic import (
    SHARED,
    FileDigest,
    atomic_binary_file,
    atomic_text_file,
    check_target,
)

SUFFIX = ".manifest.json"
PACKAGE = "factcheck-workbench"


class Software(BaseModel):
    name: str = PACKAGE
    version: str


class Manifest(BaseModel):
    """Everything needed to know what an export holds without reading it."""

    manifest_version: int = 1
    file: str = Field(description="the data file's name, in the same folder")
    format: str
    schema_version: int | None = Field(description="ExportRecord's schema_version, or None")
    filters: dict[str, Any]
    claims: int | None = Field(description="claims in the file (None for the history)")
    reviews: int | None = Field(description="reviews in the file (None for the history)")
    rows: int = Field(description="CSV rows, JSONL lines, Parquet rows, ClaimReview items")
    bytes: int
    sha256: str
    software: Software
    created_at: datetime


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def check_targets(path: Path) -> None:
    """Refuse ``path`` or its manifest's path as :func:`check_target` does, before anything is
    written: a writer removes an older manifest early, and the database can as well be named
    ``x.manifest.json`` as the data file can be named like the database."""
    check_target(path)
    check_target(manifest_path(path))


def software_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        from workbench import __version__

        return __version__


def write_manifest(path: Path, manifest: Manifest) -> Path:
    """Write ``<path>.manifest.json``, whole or not at all; returns its path."""
    target = manifest_path(path)
    with atomic_text_file(target) as handle:
        handle.write(json.dumps(manifest.model_dump(mode="json"), indent=2, ensure_ascii=False))
        handle.write("\n")
    return target


@contextlib.contextmanager
def data_file(path: Path, digest: FileDigest, *, mode: int = SHARED) -> Iterator[BinaryIO]:
    """The data file of an export, written whole or not at all (``digest`` gets its sha256 and
    size); both targets are checked first, and an older manifest is removed just before the new
    file takes its place, so the old manifest never vouches for the new data."""
    check_targets(path)
    with atomic_binary_file(path, digest, mode=mode) as handle:
        yield handle
        manifest_path(path).unlink(missing_ok=True)


def seal(
    path: Path,
    digest: FileDigest,
    *,
    format: str,
    schema_version: int | None,
    filters: dict[str, Any],
    claims: int | None,
    reviews: int | None,
    rows: int,
) -> Path:
    """Write the manifest of the finished data file ``path``; returns the manifest's path.

    If the manifest cannot be written the data file goes too: without its manifest it would
    pass for an export that did not finish."""
    manifest = Manifest(
        file=path.name,
        format=format,
        schema_version=schema_version,
        filters=filters,
        claims=claims,
        reviews=reviews,
        rows=rows,
        bytes=digest.size,
        sha256=digest.sha256,
        software=Software(version=software_version()),
        created_at=datetime.now(UTC),
    )
    try:
        return write_manifest(path, manifest)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def read_manifest(path: Path) -> Manifest:
    """The manifest of the data file ``path``."""
    return Manifest.model_validate_json(manifest_path(path).read_text(encoding="utf-8"))


def verify(path: Path) -> bool:
    """Whether ``path`` is exactly the file its manifest describes (size and sha256)."""
    manifest = read_manifest(path)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return path.stat().st_size == manifest.bytes and digest.hexdigest() == manifest.sha256
