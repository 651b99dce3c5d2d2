"""The Queue page's filter boxes: a project's documents and speakers to pick from, and what a
typed title, id or name picks.

Each reads one project's own (the app passes the project open; None: every project's, for
the command line): a document or a speaker of another desk is neither listed nor found, nor
its title shown for an id typed. The lists are short (:data:`OPTION_LIMIT`) and read through
indexes the project leads (``ix_documents_project_id``, ``ix_claims_project_speaker``), so
they cost the same beside any number of other projects.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, Select, func, select, text

from workbench.db.models import Claim, Document
from workbench.db.session import unit_of_work

# How many documents or speakers a filter widget lists: beyond that, one is typed (a title, an
# id, a name) and looked up, so the page sends the same few options at any corpus size.
OPTION_LIMIT = 200


def escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _documents(project_id: int | None) -> Select[int, str]:
    query = select(Document.id, Document.title)
    return query if project_id is None else query.where(Document.project_id == project_id)


def document_options(
    engine: Engine, *, project_id: int | None = None, search: str = "", limit: int | None = None
) -> list[tuple[int, str]]:
    """(id, title) of the first ``limit`` (default :data:`OPTION_LIMIT`) documents of the
    project in ingest order whose title contains every word of ``search`` (any case)."""
    limit = OPTION_LIMIT if limit is None else limit
    query = _documents(project_id).order_by(Document.id).limit(limit)
    for word in search.split():
        query = query.where(Document.title.ilike(f"%{escape_like(word)}%", escape="\\"))
    with unit_of_work(engine) as session:
        return [(int(i), str(t)) for i, t in session.execute(query)]


def document_titles(
    engine: Engine, ids: Sequence[int], *, project_id: int | None = None
) -> dict[int, str]:
    """The titles of the documents ``ids`` (those that exist, in the project)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    with unit_of_work(engine) as session:
        rows = session.execute(_documents(project_id).where(Document.id.in_(wanted)))
        return {int(i): str(t) for i, t in rows}


# The distinct speakers in name order, one index seek each (ix_claims_project_speaker, or
# ix_claims_speaker for every project's) rather than a pass over every claim: a loose index
# scan, which neither SQLite nor PostgreSQL does alone.
_SPEAKERS = (
    "WITH RECURSIVE s(speaker, n) AS ("
    " SELECT min(speaker), 1 FROM claims WHERE {mine}"
    " UNION ALL"
    " SELECT (SELECT min(c.speaker) FROM claims c WHERE {theirs} AND c.speaker > s.speaker),"
    " s.n + 1 FROM s WHERE s.speaker IS NOT NULL AND s.n < :limit"
    ") SELECT speaker FROM s WHERE speaker IS NOT NULL"
)
_ALL_SPEAKERS = text(_SPEAKERS.format(mine="1 = 1", theirs="1 = 1"))
_PROJECT_SPEAKERS = text(
    _SPEAKERS.format(mine="project_id = :project", theirs="c.project_id = :project")
)


def speaker_options(
    engine: Engine, *, project_id: int | None = None, limit: int | None = None
) -> list[str]:
    """The first ``limit`` (default :data:`OPTION_LIMIT`) distinct speakers of the project
    in name order."""
    limit = OPTION_LIMIT if limit is None else limit
    query, params = _ALL_SPEAKERS, {"limit": limit}
    if project_id is not None:
        query, params = _PROJECT_SPEAKERS, {"limit": limit, "project": project_id}
    with unit_of_work(engine) as session:
        return [str(name) for name in session.scalars(query, params)]


def find_document(engine: Engine, typed: str, *, project_id: int | None = None) -> int | None:
    """The project's document ``typed`` names: ``#id`` or an id, else the first in ingest
    order whose title has all its words (any case); None if none does."""
    typed = typed.strip()
    number = typed.removeprefix("#")
    if number.isascii() and number.isdigit() and len(number) <= 9:  # ids fit in 32 bits
        found = document_titles(engine, [int(number)], project_id=project_id)
        return int(number) if found else None
    if not typed:
        return None
    matches = document_options(engine, project_id=project_id, search=typed, limit=1)
    return matches[0][0] if matches else None


def find_speaker(engine: Engine, name: str, *, project_id: int | None = None) -> str | None:
    """The project's speaker stored as ``name``, or, failing that, equal to it ignoring case."""
    name = name.strip()
    if not name:
        return None
    query = select(Claim.speaker).limit(1)
    if project_id is not None:
        query = query.where(Claim.project_id == project_id)
    with unit_of_work(engine) as session:
        exact = session.scalar(query.where(Claim.speaker == name))
        if exact is not None:
            return exact
        return session.scalar(query.where(func.lower(Claim.speaker) == name.lower()))
