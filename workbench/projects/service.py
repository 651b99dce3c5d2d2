"""Projects: add one, find one, list them, change one's description, scale or guidelines.

A project's name is how people name it (URLs, ``--project``, ``WORKBENCH_PROJECT``): lower
case, digits, ``-`` and ``_``, so it needs no quoting anywhere. Which project a command or a
page means when none is named is :func:`resolve_project`'s rule: the only one there is (so
databases and links from before projects keep working), else the only one the user belongs
to, else the caller must name one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity, record
from workbench.auth.policy import Action, Caller, SystemActor, authorize
from workbench.db.models import Claim, Document, FinalVerdict, Membership, Project, Review, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, ProjectRequired
from workbench.projects.scale import DEFAULT_SCALE, VerdictScale, check_on_scale
from workbench.schemas import Role

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DESCRIPTION_MAX = 2000


class ProjectOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    description: str
    scale: VerdictScale
    guidelines: str
    guidelines_version: int
    created_at: datetime


class ProjectSummary(ProjectOut):
    """A project with its counts, as ``workbench projects list`` shows it."""

    documents: int
    claims: int
    reviews: int
    members: int


def project_name(raw: str) -> str:
    name = raw.strip()
    if not NAME.match(name):
        raise InvalidInput(
            f"project name {raw!r}: use 1-64 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return name


def project_out(row: Project) -> ProjectOut:
    return ProjectOut(
        id=row.id,
        name=row.name,
        description=row.description,
        scale=VerdictScale.model_validate(row.verdict_scale),
        guidelines=row.guidelines,
        guidelines_version=row.guidelines_version,
        created_at=row.created_at,
    )


def add_project(
    engine: Engine,
    actor: Caller,
    name: str,
    *,
    description: str = "",
    scale: VerdictScale | None = None,
) -> ProjectOut:
    """A new, empty project (site admins, or the command line)."""
    clean = project_name(name)
    chosen = scale or DEFAULT_SCALE
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.manage_projects)
        if session.scalar(select(Project.id).where(Project.name == clean)) is not None:
            raise InvalidInput(f"a project named {clean!r} already exists")
        row = Project(
            name=clean,
            description=_description(description),
            verdict_scale=chosen.model_dump(mode="json"),
            guidelines="",
            guidelines_version=0,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            # Another admin added the same name between our check and our insert.
            raise InvalidInput(f"a project named {clean!r} already exists") from None
        record(
            session,
            actor_id=actor.id,
            entity=Entity.project,
            entity_id=row.id,
            action=Change.create,
            before=None,
            after=_snapshot(row),
        )
        return project_out(row)


def find_project(session: Session, ref: int | str) -> Project:
    """The project with this id or name; NotFound naming the ones there are."""
    if isinstance(ref, int):
        row = session.get(Project, ref)
    else:
        row = session.scalar(select(Project).where(Project.name == ref.strip()))
    if row is None:
        names = ", ".join(session.scalars(select(Project.name).order_by(Project.name)))
        raise NotFound(f"no project {ref!r}; the projects are: {names or 'none'}")
    return row


def resolve_project(
    where: Engine | Session, ref: int | str | None = None, actor: Caller | None = None
) -> ProjectOut:
    """The project ``ref`` names, or when it names none: the only project, or the only one
    ``actor`` belongs to; with several to choose from, an error that lists them."""
    if isinstance(where, Session):
        return _resolve(where, ref, actor)
    with unit_of_work(where) as session:
        return _resolve(session, ref, actor)


def _resolve(session: Session, ref: int | str | None, actor: Caller | None) -> ProjectOut:
    if ref is not None and ref != "":
        return project_out(find_project(session, ref))
    rows = list(session.scalars(select(Project).order_by(Project.id).limit(2)))
    if len(rows) == 1:
        return project_out(rows[0])
    if not rows:
        raise NotFound("the database holds no project: run `workbench init`")
    if actor is not None and not isinstance(actor, SystemActor):
        mine = list(
            session.scalars(
                select(Project)
                .join(Membership, Membership.project_id == Project.id)
                .where(Membership.user_id == actor.id)
                .order_by(Project.id)
                .limit(2)
            )
        )
        user = session.get(User, actor.id)
        if len(mine) == 1 and (user is None or user.role != Role.admin.value):
            return project_out(mine[0])
    names = ", ".join(session.scalars(select(Project.name).order_by(Project.name)))
    raise ProjectRequired(names)


def list_projects(engine: Engine, actor: Caller) -> list[ProjectSummary]:
    """Every project for a site admin or the command line; a user's own projects otherwise."""
    with unit_of_work(engine) as session:
        query = select(Project).order_by(Project.name)
        if not isinstance(actor, SystemActor):
            user = session.get(User, actor.id)
            if user is None or user.disabled:
                return []
            if user.role != Role.admin.value:
                query = query.join(Membership, Membership.project_id == Project.id).where(
                    Membership.user_id == user.id
                )
        rows = list(session.scalars(query))
        documents = _count_by_project(session, select(Document.project_id, func.count()))
        claims = _count_by_project(
            session,
            select(Document.project_id, func.count()).join(Claim, Claim.document_id == Document.id),
        )
        reviews = _count_by_project(
            session,
            select(Document.project_id, func.count())
            .join(Claim, Claim.document_id == Document.id)
            .join(Review, Review.claim_id == Claim.id),
        )
        members = dict(
            session.execute(
                select(Membership.project_id, func.count()).group_by(Membership.project_id)
            ).all()
        )
        return [
            ProjectSummary(
                **project_out(row).model_dump(),
                documents=documents.get(row.id, 0),
                claims=claims.get(row.id, 0),
                reviews=reviews.get(row.id, 0),
                members=members.get(row.id, 0),
            )
            for row in rows
        ]


def _count_by_project(session: Session, query: object) -> dict[int, int]:
    grouped = query.group_by(Document.project_id)  # type: ignore[attr-defined]
    return {project: count for project, count in session.execute(grouped).all()}


def set_description(engine: Engine, actor: Caller, name: str, description: str) -> ProjectOut:
    with unit_of_work(engine) as session:
        row = find_project(session, name)
        authorize(session, actor, Action.change_settings, row.id)
        before = _snapshot(row)
        row.description = _description(description)
        _log_update(session, actor, row, before)
        return project_out(row)


def set_guidelines(engine: Engine, actor: Caller, name: str, markdown: str) -> ProjectOut:
    """Replace a project's guidelines (Markdown); each version is kept in the history."""
    with unit_of_work(engine) as session:
        row = find_project(session, name)
        authorize(session, actor, Action.change_settings, row.id)
        if markdown == row.guidelines:
            return project_out(row)
        before = {"guidelines": row.guidelines, "version": row.guidelines_version}
        row.guidelines = markdown
        row.guidelines_version += 1
        record(
            session,
            actor_id=actor.id,
            entity=Entity.guidelines,
            entity_id=row.id,
            action=Change.update,
            before=before,
            after={"guidelines": markdown, "version": row.guidelines_version},
        )
        return project_out(row)


def set_scale(engine: Engine, actor: Caller, name: str, scale: VerdictScale) -> ProjectOut:
    """Change a project's verdict scale: verdicts may be added, reordered, described anew;
    a verdict that reviews or final verdicts use must stay (``projects map-verdicts`` first)."""
    with unit_of_work(engine) as session:
        row = find_project(session, name)
        authorize(session, actor, Action.change_settings, row.id)
        change_scale(session, actor, row, scale)
        return project_out(row)


def change_scale(session: Session, actor: Caller, row: Project, scale: VerdictScale) -> None:
    """:func:`set_scale` in the caller's transaction, its permission checked (the verdicts
    mapped first, by ``workbench.review.verdict_map``, in the same transaction)."""
    if set(VerdictScale.model_validate(row.verdict_scale).names) - set(scale.names):
        # A verdict leaves: the project's claims locked as a verdict's save locks its claim,
        # so a save of it either committed before (and is found in use below) or waits and
        # then reads the new scale (saves read the scale after the claim's lock).
        session.execute(select(Claim.id).where(Claim.project_id == row.id).with_for_update())
    gone = verdicts_in_use(session, row.id) - set(scale.names)
    if gone:
        listed = ", ".join(sorted(gone))
        raise InvalidInput(
            f"project {row.name}: verdict(s) {listed} are in use and cannot be removed "
            "or renamed; map them to another verdict first "
            f"(workbench projects map-verdicts {row.name} OLD=NEW)"
        )
    before = _snapshot(row)
    row.verdict_scale = scale.model_dump(mode="json")
    _log_update(session, actor, row, before)


def check_verdicts(
    session: Session, project_id: int, verdicts: Iterable[str | None]
) -> VerdictScale:
    """The project's scale, having refused (InvalidInput, one line) any of ``verdicts`` that
    is not on it (None: no verdict, always allowed)."""
    row = session.get(Project, project_id)
    if row is None:
        raise NotFound(f"project {project_id} does not exist")
    scale = VerdictScale.model_validate(row.verdict_scale)
    for verdict in verdicts:
        if verdict is not None:
            check_on_scale(str(verdict), scale.names, row.name)
    return scale


def claim_scale(session: Session, claim_id: int) -> tuple[str, VerdictScale] | None:
    """The name and scale of the claim's project (None: no such claim)."""
    found = session.execute(
        select(Project.name, Project.verdict_scale)
        .join(Claim, Claim.project_id == Project.id)
        .where(Claim.id == claim_id)
    ).first()
    if found is None:
        return None
    return found[0], VerdictScale.model_validate(found[1])


def verdicts_in_use(session: Session, project_id: int) -> set[str]:
    """The verdicts a project's reviews (current or blind) and final verdicts hold."""
    claims = select(Claim.id).join(Document, Document.id == Claim.document_id)
    claims = claims.where(Document.project_id == project_id)
    used: set[str] = set()
    for column in (Review.verdict, Review.blind_verdict):
        used |= set(
            session.scalars(
                select(column).distinct().where(column.is_not(None), Review.claim_id.in_(claims))
            )
        )
    used |= set(
        session.scalars(
            select(FinalVerdict.verdict).distinct().where(FinalVerdict.claim_id.in_(claims))
        )
    )
    return {v for v in used if v is not None}


def _description(text: str) -> str:
    if len(text) > DESCRIPTION_MAX:
        raise InvalidInput(f"a project's description is at most {DESCRIPTION_MAX} characters")
    return text.strip()


def _snapshot(row: Project) -> dict[str, object]:
    return {
        "name": row.name,
        "description": row.description,
        "verdict_scale": row.verdict_scale,
    }


def _log_update(session: Session, actor: Caller, row: Project, before: dict[str, object]) -> None:
    session.flush()
    record(
        session,
        actor_id=actor.id,
        entity=Entity.project,
        entity_id=row.id,
        action=Change.update,
        before=before,
        after=_snapshot(row),
    )
