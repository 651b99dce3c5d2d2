"""The claim × reviewer table stored in the database, for a process that holds none.

A server process keeps the table in memory and patches it from the claims a change touched
(:mod:`workbench.agreement.incremental`), but a process that holds none (just started, or
another replica than the one that computed last) used to read the whole table: 6-8 s at
100,000 claims, on every first open after a change. Here the table is stored in
``figure_snapshots`` with the version of the data it was read at, so that such a process
loads it (a fraction of a second) and patches it from that version as a held one is.

Format, never pickle (the database must not be a way to run code in the server)::

    MAGIC, 4-byte big-endian header length, header (JSON), body

The header names the format, the choice of verdicts, the data's version, the database's
token (:data:`TOKEN_KEY`), the code that read the table, and the body's size and SHA-256.
The body is an ``.npz`` archive compressed with Zstandard (pyarrow's codec: fast, and already
a dependency), read with ``allow_pickle=False``: the numeric arrays in exact, compact dtypes
(ratings and final verdicts as int8 category codes, -1 for none; seconds and decision times
as float64 for the cells that hold a verdict, so the same bits as read), the reviewers and
document titles as JSON, and the claim texts as one UTF-8 string with their lengths. At
100,000 claims and a million reviews: 14 MB, written in ~0.2 s and read in ~0.2 s.

A copy is used only if every check passes; anything else (another format, the other
verdicts, another database's or a restored database's token, other code, a size, digest,
dtype, shape or code out of place) is no copy, and the table is read whole. The token is the
restore guard: a restore empties ``figure_snapshots`` (``workbench.db.snapshots.forget_all``),
token included, so the next reader makes a new one and no copy or table held from before
(or stored by a read that overlapped the restore) matches it.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray
from sqlalchemy import Engine

from workbench.agreement.table import DEFAULT_LABELS, VerdictsUsed, VerdictTable
from workbench.db import snapshots

MAGIC = b"WBAGREE\n"
FORMAT = 1
# The database's token for derived figures: made by the first reader, deleted by a restore.
TOKEN_KEY = "agreement-token"
_HEADER = struct.Struct(">I")
_LEVEL = 1  # Zstandard's fastest: 20 MB of table in ~0.05 s, a quarter of the size
_NONE = -1  # the int8 code of "no verdict"


def key(use: VerdictsUsed, project_id: int | None = None) -> str:
    """The copy's key in ``figure_snapshots``: per choice of verdicts, and per project (none:
    the table of every project's claims)."""
    base = f"agreement-table-copy:{use}"
    return base if project_id is None else f"{base}:project-{project_id}"


@cache
def code_digest() -> str:
    """The source of what decides a table's contents: a copy read by other code (an upgrade
    that changed what counts as a rating) is not used."""
    import workbench.agreement.incremental as incremental
    import workbench.agreement.table as table

    digest = hashlib.sha256(f"copy {FORMAT}".encode())
    for module in (table, incremental):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:32]


def encode(table: VerdictTable, *, version: str, token: str) -> bytes:
    """The stored form of ``table`` (read at ``version``) under the database's ``token``."""
    rated = ~np.isnan(table.ratings)
    if (~np.isnan(table.seconds[~rated])).any() or (~np.isnan(table.decided[~rated])).any():
        raise ValueError("seconds or a decision time in a cell with no verdict")
    names = {
        "reviewers": table.reviewers,
        "titles": [[int(d), t] for d, t in table.document_titles.items()],
        # What the codes mean: a copy read under another scale is not used (incremental).
        "labels": list(table.labels),
    }
    texts = table.claim_texts
    arrays: dict[str, NDArray[Any]] = {
        "claim_ids": table.claim_ids.astype(np.int64, copy=False),
        "document_ids": table.document_ids.astype(np.int64, copy=False),
        "ratings": np.where(rated, table.ratings, _NONE).astype(np.int8),
        "final": np.where(np.isnan(table.final), _NONE, table.final).astype(np.int8),
        "seconds": table.seconds[rated],
        "decided": table.decided[rated],
        "names": _utf8(json.dumps(names, ensure_ascii=False)),
        # Claim texts joined, with their lengths: a JSON list of 100,000 strings takes 0.2 s
        # to write and 0.1 s to read, this a few hundredths.
        "texts": _utf8("".join(texts)),
        "text_lengths": np.fromiter(map(len, texts), np.int64, len(texts)),
    }
    if table.changed is not None:
        arrays["changed"] = table.changed.astype(np.int64, copy=False)
    archive = io.BytesIO()
    np.savez(archive, allow_pickle=False, **arrays)
    raw = archive.getvalue()
    body: bytes = pa.Codec("zstd", compression_level=_LEVEL).compress(raw, asbytes=True)
    header = json.dumps(
        {
            "format": FORMAT,
            "use": table.use,
            "version": version,
            "token": token,
            "code": code_digest(),
            "size": len(raw),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
    ).encode()
    return MAGIC + _HEADER.pack(len(header)) + header + body


def _utf8(text: str) -> NDArray[np.uint8]:
    # surrogatepass: whatever string the database gave comes back the same
    return np.frombuffer(text.encode("utf-8", "surrogatepass"), np.uint8)


def _text(values: NDArray[np.uint8]) -> str:
    return values.tobytes().decode("utf-8", "surrogatepass")


class NotACopy(ValueError):
    """A stored copy this code cannot use (never shown: the table is read whole)."""


def decode(payload: bytes, *, use: VerdictsUsed, token: str) -> tuple[str, VerdictTable]:
    """(version, table) of a stored copy; :class:`NotACopy` unless every check passes."""
    try:
        return _decode(payload, use, token)
    except NotACopy:
        raise
    except (ValueError, KeyError, TypeError, IndexError, OSError, zipfile.BadZipFile) as error:
        raise NotACopy(f"unreadable: {error}") from error
    except pa.ArrowException as error:
        raise NotACopy(f"cannot be decompressed: {error}") from error


def _decode(payload: bytes, use: VerdictsUsed, token: str) -> tuple[str, VerdictTable]:
    if not payload.startswith(MAGIC):
        raise NotACopy("not a stored table")
    start = len(MAGIC) + _HEADER.size
    (length,) = _HEADER.unpack_from(payload, len(MAGIC))
    header = json.loads(payload[start : start + length])
    body = payload[start + length :]
    if not isinstance(header, dict):
        raise NotACopy("no header")
    expected = {"format": FORMAT, "use": use, "token": token, "code": code_digest()}
    for name, value in expected.items():
        if header.get(name) != value:
            raise NotACopy(f"another {name}")
    version, size = header.get("version"), header.get("size")
    if not isinstance(version, str) or not isinstance(size, int) or not 0 < size < 2**34:
        raise NotACopy("a malformed header")
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise NotACopy("its digest does not match")
    raw = pa.Codec("zstd").decompress(body, decompressed_size=size, asbytes=True)
    with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return version, _table(arrays, use)


def _array(arrays: dict[str, NDArray[Any]], name: str, dtype: type, ndim: int) -> NDArray[Any]:
    values = arrays.get(name)
    if values is None or values.dtype != np.dtype(dtype) or values.ndim != ndim:
        raise NotACopy(f"{name}: missing, or not {ndim}-D {np.dtype(dtype)}")
    return values


def _table(arrays: dict[str, NDArray[Any]], use: VerdictsUsed) -> VerdictTable:
    claim_ids = _array(arrays, "claim_ids", np.int64, 1)
    document_ids = _array(arrays, "document_ids", np.int64, 1)
    codes = _array(arrays, "ratings", np.int8, 2)
    final_codes = _array(arrays, "final", np.int8, 1)
    seconds_rated = _array(arrays, "seconds", np.float64, 1)
    decided_rated = _array(arrays, "decided", np.float64, 1)
    names = json.loads(_text(_array(arrays, "names", np.uint8, 1)))
    reviewers, titles = names["reviewers"], names["titles"]
    labels = names.get("labels", list(DEFAULT_LABELS))  # a copy from before scales
    joined = _text(_array(arrays, "texts", np.uint8, 1))
    lengths = _array(arrays, "text_lengths", np.int64, 1)
    n = len(claim_ids)
    if len(lengths) != n or (lengths < 0).any() or int(lengths.sum()) != len(joined):
        raise NotACopy("inconsistent texts")
    ends = np.cumsum(lengths).tolist()
    starts = [0, *ends[:-1]] if n else []
    claim_texts = [joined[a:b] for a, b in zip(starts, ends, strict=True)]
    rated = codes != _NONE
    if (
        len(document_ids) != n
        or len(final_codes) != n
        or codes.shape != (n, len(reviewers))
        or (n > 1 and not (np.diff(claim_ids) > 0).all())  # sorted, no claim twice
        or not isinstance(labels, list)
        or not all(isinstance(label, str) for label in labels)
        or ((codes < _NONE) | (codes >= len(labels))).any()
        or ((final_codes < _NONE) | (final_codes >= len(labels))).any()
        or (n and not rated.any(axis=0).all())  # every reviewer has a verdict in the table
        or (n and not rated.any(axis=1).all())  # every claim has one
        or len(seconds_rated) != len(decided_rated)
        or len(seconds_rated) != int(rated.sum())
        or not isinstance(reviewers, list)
        or reviewers != sorted(set(reviewers))
        or not all(isinstance(r, str) for r in reviewers)
        or not all(
            isinstance(pair, list)
            and len(pair) == 2
            and isinstance(pair[0], int)
            and isinstance(pair[1], str)
            for pair in titles
        )
    ):
        raise NotACopy("inconsistent arrays")
    changed = arrays.get("changed")
    if changed is not None:
        changed = _array(arrays, "changed", np.int64, 1)
        if len(changed) != n or (changed < 0).any():
            raise NotACopy("inconsistent arrays")
    ratings = np.where(rated, codes, np.nan)
    seconds = np.full(codes.shape, np.nan)
    seconds[rated] = seconds_rated
    decided = np.full(codes.shape, np.nan)
    decided[rated] = decided_rated
    return VerdictTable(
        claim_ids=claim_ids,
        document_ids=document_ids,
        reviewers=reviewers,
        ratings=ratings,
        seconds=seconds,
        decided=decided,
        final=np.where(final_codes == _NONE, np.nan, final_codes.astype(np.float64)),
        claim_texts=claim_texts,
        document_titles={int(d): t for d, t in titles},
        use=use,
        changed=changed,
        labels=tuple(labels),
    )


def store(
    engine: Engine,
    table: VerdictTable,
    *,
    version: str,
    token: str,
    project_id: int | None = None,
) -> None:
    """Keep ``table`` (read at ``version``; the project's) for the processes that hold none."""
    snapshots.store_raw(
        engine, key(table.use, project_id), version, encode(table, version=version, token=token)
    )


def load(
    engine: Engine, *, use: VerdictsUsed, token: str, project_id: int | None = None
) -> tuple[str, VerdictTable] | None:
    """(version, table) of the stored copy, or None when there is none this code can use."""
    stored = snapshots.load_raw(engine, key(use, project_id))
    if stored is None:
        return None
    try:
        return decode(stored[1], use=use, token=token)
    except NotACopy:
        return None
