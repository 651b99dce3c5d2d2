"""Which project a claim belongs to, and the permission check against it (issue 14).

A reviewer of one desk can neither see nor change another desk's claims: every service that
acts on one claim asks :func:`authorize_claim` (or, on the hot paths of a save, the one
statement of :func:`account_for_claim`) with the claim's project, never the account's own
role alone. A claim that does not exist has no project: the check then falls back to the
account's own role, and the service's own ``NotFound`` follows.
"""

from __future__ import annotations

from typing import Any, overload

from sqlalchemy import ScalarSelect, Select, and_, bindparam, func, select
from sqlalchemy.orm import Session

from workbench.auth.policy import (
    SYSTEM_MAY,
    Action,
    Caller,
    SystemActor,
    allowed,
    authorize,
    judge,
)
from workbench.db.models import Base, Claim, Comment, Document, Membership, Project, User
from workbench.projects.service import resolve_project
from workbench.schemas import Actor

_CLAIMS = Base.metadata.tables[Claim.__tablename__]
_DOCUMENTS = Base.metadata.tables[Document.__tablename__]
_USERS = Base.metadata.tables[User.__tablename__]
_MEMBERSHIPS = Base.metadata.tables[Membership.__tablename__]


def _project_of(claim_id: object) -> ScalarSelect[int]:
    # claims.project_id (migration 0016): its document's, kept on the claim.
    return select(_CLAIMS.c.project_id).where(_CLAIMS.c.id == claim_id).scalar_subquery()


_CLAIM_PROJECT = select(_project_of(bindparam("claim_id")))
_DOCUMENT_PROJECT = select(_DOCUMENTS.c.project_id).where(
    _DOCUMENTS.c.id == bindparam("document_id")
)
# The account, the claim's project and the account's role in it: one statement, one row
# (none when the account does not exist).
_PROJECT = _project_of(bindparam("claim_id"))
_ACCOUNT_ON_CLAIM = select(
    _USERS.c.name,
    _USERS.c.role,
    _USERS.c.disabled,
    _PROJECT.label("project_id"),
    select(_MEMBERSHIPS.c.role)
    .where(
        and_(
            _MEMBERSHIPS.c.user_id == _USERS.c.id,
            _MEMBERSHIPS.c.project_id == _project_of(bindparam("claim_id")),
        )
    )
    .scalar_subquery()
    .label("member_role"),
).where(_USERS.c.id == bindparam("user_id"))


def project_for(session: Session, project: int | str | None, actor: Caller) -> int:
    """The id of the project a page or a call is about: ``project`` (id or name), or when
    None the only project, or the only one ``actor`` belongs to (``resolve_project``)."""
    if isinstance(project, int):
        return project
    return resolve_project(session, project, actor).id


def sole_project(session: Session) -> int | None:
    """The id of the only project; None when there are several (a figure over all of them).
    The claim indexes lead with the project: a read that names it seeks, one that does not
    walks."""
    ids = session.scalars(select(Project.id).limit(2)).all()
    return ids[0] if len(ids) == 1 else None


def project_of_claim(session: Session, claim_id: int) -> int | None:
    """The id of the claim's project; None when there is no such claim."""
    found: int | None = session.scalar(_CLAIM_PROJECT, {"claim_id": claim_id})
    return found


def project_of_document(session: Session, document_id: int) -> int | None:
    found: int | None = session.scalar(_DOCUMENT_PROJECT, {"document_id": document_id})
    return found


def project_of_question(session: Session, question_id: int) -> int | None:
    claim_id = session.scalar(select(Comment.claim_id).where(Comment.id == question_id))
    return None if claim_id is None else project_of_claim(session, claim_id)


@overload
def authorize_claim(session: Session, actor: Actor, action: Action, claim_id: int) -> Actor: ...
@overload
def authorize_claim(session: Session, actor: Caller, action: Action, claim_id: int) -> Caller: ...
def authorize_claim(session: Session, actor: Caller, action: Action, claim_id: int) -> Caller:
    """:func:`~workbench.auth.policy.authorize` against the claim's project."""
    return authorize(session, actor, action, project_of_claim(session, claim_id))


def may_on_claim(session: Session, actor: Caller, action: Action, claim_id: int) -> bool:
    """Whether ``actor`` may perform ``action`` in the claim's project (a courtesy read)."""
    if isinstance(actor, SystemActor):
        return True
    try:
        authorize(session, actor, action, project_of_claim(session, claim_id))
    except PermissionError:
        return False
    return True


def sees_all(reader: Caller, action: Action = Action.see_all_reviews) -> bool:
    """Whether a reader already checked (an actor as :func:`authorize_claim` returned it,
    with their role in the claim's project) may ``action`` there: no second read."""
    if isinstance(reader, SystemActor):
        return action in SYSTEM_MAY
    return allowed(reader, action)


_PROJECTS = Base.metadata.tables[Project.__tablename__]
_MINE = _MEMBERSHIPS.c.user_id == _USERS.c.id


# The account, and what resolving "no project named" needs, in one statement: the first and
# last project ids (equal: there is one), the first and last of the account's projects
# (equal: it belongs to one), and its role in the named project, or in its first one.
def _account_in_project(named: bool) -> Select[Any]:
    role = select(_MEMBERSHIPS.c.role).where(_MINE)
    if named:
        role = role.where(_MEMBERSHIPS.c.project_id == bindparam("project_id"))
    return select(
        _USERS.c.name,
        _USERS.c.role,
        _USERS.c.disabled,
        select(func.min(_PROJECTS.c.id)).scalar_subquery().label("first"),
        select(func.max(_PROJECTS.c.id)).scalar_subquery().label("last"),
        select(func.min(_MEMBERSHIPS.c.project_id)).where(_MINE).scalar_subquery().label("m_first"),
        select(func.max(_MEMBERSHIPS.c.project_id)).where(_MINE).scalar_subquery().label("m_last"),
        role.order_by(_MEMBERSHIPS.c.project_id).limit(1).scalar_subquery().label("member_role"),
    ).where(_USERS.c.id == bindparam("user_id"))


# (A project named, or not: two statements, as a NULL parameter has no type on PostgreSQL.)
_ACCOUNT_IN_PROJECT = {named: _account_in_project(named) for named in (False, True)}


def account_in_project(
    session: Session, actor: Actor, action: Action, project: int | str | None
) -> tuple[Actor, int]:
    """The actor as stored now with their role in ``project`` (id or name; None: the only
    project, or the only one they belong to), allowed ``action``, and the project's id: one
    statement for an id or None (``assign.next_claim``'s hot path)."""
    if isinstance(project, str):
        project = resolve_project(session, project, actor).id
    params: dict[str, Any] = {"user_id": actor.id, "project_id": project}
    row = session.execute(_ACCOUNT_IN_PROJECT[project is not None], params).first()
    account = None if row is None else (row.name, row.role, bool(row.disabled))
    if row is not None and project is None:
        if row.first is not None and row.first == row.last:
            project = int(row.first)
        elif row.m_first is not None and row.m_first == row.m_last and row.role != "admin":
            project = int(row.m_first)
    if project is None:  # several to choose from (or none): resolve_project's own words
        judge(actor, action, account=account, member_role=None, in_project=False)
        project = resolve_project(session, None, actor).id
        return authorize(session, actor, action, project), project
    member_role = None if row is None else row.member_role
    checked = judge(
        actor, action, account=account, member_role=member_role, in_project=True, project=project
    )
    return checked, project


def account_for_claim(session: Session, actor: Actor, action: Action, claim_id: int) -> Actor:
    """The actor as stored now, with their role in the claim's project, allowed ``action``:
    the account and the membership read in one statement (the saves' hot path)."""
    row = session.execute(_ACCOUNT_ON_CLAIM, {"user_id": actor.id, "claim_id": claim_id}).first()
    return judge(
        actor,
        action,
        account=None if row is None else (row.name, row.role, bool(row.disabled)),
        member_role=None if row is None else row.member_role,
        in_project=row is not None and row.project_id is not None,
        project=None if row is None else row.project_id,
    )


# A save's first statement: the claim's row locked (as ``stats.lock`` locks it) with its
# figures, and the account with its role in the claim's project (as ``_ACCOUNT_ON_CLAIM``),
# in one round trip instead of two (issue 13). Only the claim's row is locked; the account
# is read as it was when the statement began, as it was read before the lock until then.
_LOCK_WITH_ACCOUNT = (
    select(
        _CLAIMS.c.status,
        _CLAIMS.c.verdicts,
        _CLAIMS.c.disagreement,
        _CLAIMS.c.project_id,
        _USERS.c.name,
        _USERS.c.role,
        _USERS.c.disabled,
        select(_MEMBERSHIPS.c.role)
        .where(
            _MEMBERSHIPS.c.user_id == _USERS.c.id,
            _MEMBERSHIPS.c.project_id == _CLAIMS.c.project_id,
        )
        .scalar_subquery()
        .label("member_role"),
    )
    .select_from(_CLAIMS.join(_USERS, _USERS.c.id == bindparam("user_id")))
    .where(_CLAIMS.c.id == bindparam("claim_id"))
    .with_for_update(of=_CLAIMS)
)


def lock_with_account(
    session: Session, actor: Actor, action: Action, claim_id: int
) -> tuple[Actor, tuple[str, int, float]] | None:
    """Lock ``claim_id`` and check ``actor`` against its project (:func:`account_for_claim`'s
    rules and words) in one statement: the account as stored now and the claim's (status,
    verdicts, disagreement) read with the lock. None when the claim or the account does not
    exist: the caller then asks the two apart, for their own answers."""
    values = {"user_id": actor.id, "claim_id": claim_id}
    row = session.execute(_LOCK_WITH_ACCOUNT, values).first()
    if row is None:
        return None
    account = (row.name, row.role, bool(row.disabled))
    stored = judge(
        actor,
        action,
        account=account,
        member_role=row.member_role,
        in_project=True,
        project=row.project_id,
    )
    return stored, (row.status, row.verdicts, row.disagreement)
