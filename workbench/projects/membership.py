"""Who belongs to which project, by name: the services ``workbench users grant`` and the app's
Users page call. Only site admins (and the command line) grant and revoke: a project admin
runs their desk, not its door. The rows are written by ``auth.memberships``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.auth.accounts import user_name
from workbench.auth.memberships import set_membership
from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import Membership, User
from workbench.db.session import unit_of_work
from workbench.errors import NotFound
from workbench.projects.service import find_project
from workbench.schemas import Role


class MemberOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    user: str
    project: str
    role: Role


def grant(engine: Engine, actor: Caller, name: str, project: int | str, role: Role) -> MemberOut:
    """Make ``name`` a ``role`` of ``project`` (or change their role there)."""
    for attempt in (1, 2):
        try:
            with unit_of_work(engine) as session:
                authorize(session, actor, Action.manage_projects)
                user = _user(session, name)
                row = find_project(session, project)
                set_membership(session, actor.id, user, row, role)
                return MemberOut(user=user.name, project=row.name, role=role)
        except IntegrityError:
            # Two grants of one membership at once: the second finds the first's row.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def revoke(engine: Engine, actor: Caller, name: str, project: int | str) -> None:
    """Take ``name`` out of ``project``; their reviews stay, their access goes."""
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.manage_projects)
        user = _user(session, name)
        row = find_project(session, project)
        if session.get(Membership, (user.id, row.id)) is None:
            raise NotFound(f"{user.name} is not a member of project {row.name}")
        set_membership(session, actor.id, user, row, None)


def members(engine: Engine, actor: Caller, project: int | str) -> list[MemberOut]:
    with unit_of_work(engine) as session:
        row = find_project(session, project)
        authorize(session, actor, Action.read, row.id)
        query = (
            select(User.name, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.project_id == row.id)
            .order_by(User.name)
        )
        return [
            MemberOut(user=user, project=row.name, role=Role(role))
            for user, role in session.execute(query)
        ]


def _user(session: Session, name: str) -> User:
    clean = user_name(name)
    user = session.scalar(select(User).where(User.name == clean))
    if user is None:
        raise NotFound(f"no user named {clean!r}")
    return user
