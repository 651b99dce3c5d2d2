"""The one writer of memberships: a user's role in a project.

A site admin (an account whose own role is admin) is admin of every project without a row;
everyone else reaches a project only through one (``policy.authorize`` reads it at every
check). The services by project name are in ``workbench.projects.membership``; accounts use
:func:`join_sole_project` so that on a database with one project a new account belongs to it,
as every account did before projects.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity, record
from workbench.db.models import Membership, Project, User
from workbench.schemas import Role


def set_membership(
    session: Session, actor_id: int | None, user: User, project: Project, role: Role | None
) -> None:
    """Make ``user`` a ``role`` of ``project``, or no member (``None``); in the history."""
    current = session.get(Membership, (user.id, project.id))
    before = None if current is None else _entry(user, project, current.role)
    if role is None:
        if current is None:
            return
        session.delete(current)
    elif current is None:
        session.add(Membership(user_id=user.id, project_id=project.id, role=role.value))
    else:
        if current.role == role.value:
            return
        current.role = role.value
    session.flush()
    record(
        session,
        actor_id=actor_id,
        entity=Entity.membership,
        entity_id=f"{project.id}:{user.id}",
        action=Change.create
        if before is None
        else Change.delete
        if role is None
        else Change.update,
        before=before,
        after=None if role is None else _entry(user, project, role.value),
    )


def join_sole_project(session: Session, actor_id: int | None, user: User, role: Role) -> None:
    """On a database with exactly one project, make ``user`` a ``role`` of it."""
    projects = list(session.scalars(select(Project).limit(2)))
    if len(projects) == 1:
        set_membership(session, actor_id, user, projects[0], role)


def role_in(session: Session, user_id: int, project_id: int) -> Role | None:
    """The user's role in the project: admin for a site admin, None for a non-member."""
    user = session.get(User, user_id)
    if user is None or user.disabled:
        return None
    if user.role == Role.admin.value:
        return Role.admin
    role = session.scalar(
        select(Membership.role).where(
            Membership.user_id == user_id, Membership.project_id == project_id
        )
    )
    return None if role is None else Role(role)


def _entry(user: User, project: Project, role: str) -> dict[str, object]:
    return {"user": user.name, "project": project.name, "role": role}
