"""Which projects a user may open, with their role in each, and the guidelines they have read:
what the app asks on every page, in one short query, without the counts ``list_projects``
adds up.

A site admin (``users.role`` admin) may open every project, as admin; everyone else the
projects they are a member of, with that role. The version of a project's guidelines a user
has read (an entry in the history) is what lets the Review page show new guidelines open, and
fold them once read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity, record
from workbench.auth.policy import Action, authorize
from workbench.db.models import HistoryEntry, Membership, Project, User
from workbench.db.session import unit_of_work
from workbench.projects.service import ProjectOut, project_out
from workbench.schemas import Actor, Role


@dataclass(frozen=True)
class Choice:
    project: ProjectOut
    role: Role  # the user's role in it


@dataclass(frozen=True)
class Choices:
    """The projects ``mine`` (by name) and how many the database holds in all."""

    mine: tuple[Choice, ...]
    total: int

    def named(self, name: str) -> Choice | None:
        return next((c for c in self.mine if c.project.name == name), None)


def choices(engine: Engine, actor: Actor) -> Choices:
    """The projects ``actor`` (as stored now) may open, by name; none for a disabled account."""
    with unit_of_work(engine) as session:
        total = session.scalar(select(func.count()).select_from(Project)) or 0
        user = session.get(User, actor.id)
        if user is None or user.disabled:
            return Choices((), total)
        if user.role == Role.admin.value:
            rows = [(p, Role.admin.value) for p in session.scalars(select(Project))]
        else:
            query = select(Project, Membership.role).join(
                Membership, Membership.project_id == Project.id
            )
            rows = [(p, r) for p, r in session.execute(query.where(Membership.user_id == user.id))]
        mine = sorted((Choice(project_out(p), Role(r)) for p, r in rows), key=_by_name)
        return Choices(tuple(mine), total)


def _by_name(choice: Choice) -> str:
    return choice.project.name


def guidelines_read(engine: Engine, actor: Actor, project_id: int) -> int:
    """The version of ``project_id``'s guidelines ``actor`` has read (0: none)."""
    with unit_of_work(engine) as session:
        return _read(session, actor.id, project_id)


def _read(session: Session, user_id: int, project_id: int) -> int:
    after = session.scalar(
        select(HistoryEntry.after)
        .where(
            HistoryEntry.entity == Entity.guidelines_read.value,
            HistoryEntry.entity_id == _read_id(project_id, user_id),
        )
        .order_by(HistoryEntry.id.desc())
        .limit(1)
    )
    return int(after.get("version", 0)) if isinstance(after, dict) else 0


def _read_id(project_id: int, user_id: int) -> str:
    return f"{project_id}:{user_id}"


def mark_guidelines_read(engine: Engine, actor: Actor, project_id: int, version: int) -> None:
    """Remember that ``actor`` has read ``version`` of the project's guidelines: an entry in
    the history (who read which version, when), so no table of its own."""
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.read, project_id)
        before = _read(session, actor.id, project_id)
        if version <= before:
            return
        record(
            session,
            actor_id=actor.id,
            entity=Entity.guidelines_read,
            entity_id=_read_id(project_id, actor.id),
            action=Change.create if before == 0 else Change.update,
            before={"version": before} if before else None,
            after={"version": version},
        )
