"""Who may do what: the one table of rights, and the one check every service runs.

The pattern is argilla-server's ``api/policies`` and its single ``authorize``: a service names
the :class:`Action` it performs and calls :func:`authorize` before it reads or writes anything
for the caller; the caller's rights come from the table below and the account as stored now,
never from what the caller says about itself. One function, so the rule cannot drift between
the app, the command line and (next) the HTTP API:

* an account (:class:`~workbench.schemas.Actor`) is re-read from the database in the caller's
  transaction: a disabled or removed account is refused, and a session that outlived a
  demotion gets the rights of the role it has now;
* the command line is :data:`SYSTEM`, an explicit actor rather than ``actor=None``: whoever
  can run ``workbench`` against the database already holds the database file or URL. It is
  not an account, so nothing a user types (a name, a form, a cookie) can become it, and the
  history entries it writes keep no actor (``actor_id`` NULL), as they always have.

The UI uses :func:`allowed` on the session's copy of the actor to decide what to show; that is
a courtesy, never the check.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final, final, overload

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session

from workbench.db.models import Base, Membership, User
from workbench.db.session import unit_of_work
from workbench.errors import NotAMember, PermissionDenied
from workbench.schemas import Actor, Role


class Action(enum.StrEnum):
    read = "read claims and reviews"
    review = "review claims"
    correct_claims = "correct the extractor's claims"
    adjudicate = "adjudicate disputed claims"
    manage_users = "manage users"
    change_own_password = "change their own password"
    change_settings = "change project settings"
    import_data = "import documents or reviews"
    export = "export the dataset"
    see_all_reviews = "see other reviewers' work before submitting a verdict"
    audit_agreement = "audit how far reviewers agree"
    comment = "comment on claims for the adjudicator"
    send_back = "send a claim back to a reviewer with a question"
    manage_projects = "add projects and manage their members"
    own_tokens = "make and revoke their own API tokens"
    manage_webhooks = "manage webhooks"


_EVERYONE = frozenset(Role)
_ADMINS = frozenset({Role.admin})

# The table: for each action, the roles that may perform it.
MAY: Mapping[Action, frozenset[Role]] = {
    Action.read: _EVERYONE,
    Action.review: frozenset({Role.admin, Role.reviewer}),
    Action.correct_claims: frozenset({Role.admin, Role.reviewer}),
    Action.adjudicate: _ADMINS,
    Action.manage_users: _ADMINS,
    Action.change_own_password: _EVERYONE,
    Action.change_settings: _ADMINS,
    Action.import_data: _ADMINS,
    Action.export: _ADMINS,
    Action.see_all_reviews: _ADMINS,
    Action.audit_agreement: _ADMINS,
    Action.comment: frozenset({Role.admin, Role.reviewer}),
    Action.send_back: _ADMINS,
    Action.manage_projects: _ADMINS,
    Action.own_tokens: _EVERYONE,
    Action.manage_webhooks: _ADMINS,
}
# Actions about the whole server, never one project's: only a site admin (``users.role``
# admin) performs them, whatever their roles in projects.
# Webhooks are one of them: a webhook makes the server send requests into a network, which
# is the server's business, not a project's (docs/webhooks.md).
SITE_ACTIONS: frozenset[Action] = frozenset(
    {Action.manage_users, Action.manage_projects, Action.manage_webhooks}
)

# What the command line may do: everything but what needs an account to sign it (a verdict,
# a correction of a claim, an adjudication and a password are some person's, and the system
# is no one).
SYSTEM_MAY: frozenset[Action] = frozenset(Action) - {
    Action.review,
    Action.correct_claims,
    Action.adjudicate,
    Action.change_own_password,
    Action.comment,  # a comment is someone's word: the command line is no one
    Action.send_back,
    Action.own_tokens,  # the command line makes tokens for accounts, never its own
}


@final
class SystemActor:
    """The command line acting on a database it holds. One instance, :data:`SYSTEM`.

    Deliberately not an :class:`~workbench.schemas.Actor` (a pydantic model the app builds
    from stored accounts): no account, name or form value can turn into it, and services that
    need a person (reviewing, adjudicating) are typed to refuse it.
    """

    __slots__ = ()
    # History entries and ``*_by_id`` columns it writes name no account, as before.
    id: Final = None
    name: Final = "the command line"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()

# Whoever a service acts for: a person's account, or the command line.
Caller = Actor | SystemActor


def actor_of(user: User) -> Actor:
    """An account as an actor, with the role it has now."""
    return Actor(id=user.id, name=user.name, role=Role(user.role))


def allowed(actor: Actor, action: Action) -> bool:
    """Whether ``actor``'s role, as given, allows ``action``: for what a UI shows, and for
    :func:`authorize` once the role is re-read."""
    return actor.role in MAY[action]


@overload
def authorize(
    where: Session | Engine, actor: Actor, action: Action, project: int | None = None
) -> Actor: ...
@overload
def authorize(
    where: Session | Engine, actor: SystemActor, action: Action, project: int | None = None
) -> SystemActor: ...
@overload
def authorize(
    where: Session | Engine, actor: Caller, action: Action, project: int | None = None
) -> Caller: ...
def authorize(
    where: Session | Engine, actor: Caller, action: Action, project: int | None = None
) -> Caller:
    """``actor`` as stored now if it may perform ``action``; :class:`PermissionDenied` if not.

    ``where``: the service's own session (the check and the work in one transaction), or an
    engine for a service that opens no transaction on accounts (a file export). The account
    is re-read: disabled or removed, it is refused whatever the action; its role is the
    stored one, not the caller's copy.

    ``project``: the id of the project the action is about. The role is then the account's
    role in that project (a site admin is admin of every project; an account that is not a
    member has none, and is refused whatever it asks); the returned actor carries that role.
    Without it, the account's own role (``users.role``), as before projects.
    """
    if isinstance(actor, SystemActor):
        if action not in SYSTEM_MAY:
            raise PermissionDenied(f"{actor.name} cannot {action.value}")
        return actor
    _check_limit(actor, action, project)
    if isinstance(where, Session):
        stored = _stored(where, actor, None if action in SITE_ACTIONS else project)
    else:
        with unit_of_work(where) as session:
            stored = _stored(session, actor, None if action in SITE_ACTIONS else project)
    if not allowed(stored, action):
        raise PermissionDenied(f"{stored.name} is a {stored.role.value} and cannot {action.value}")
    return stored


def _check_limit(actor: Actor, action: Action, project: int | None) -> None:
    """A token limited to one project acts there only: never about the whole server, and
    never in another project (told as a non-member is: the project stays unseen)."""
    if actor.limited_to is None:
        return
    if action in SITE_ACTIONS:
        raise PermissionDenied(f"a token limited to one project cannot {action.value}")
    if project is not None and project != actor.limited_to:
        raise NotAMember(f"{actor.name}'s token is limited to another project")


def may(session: Session, actor: Caller, action: Action, project: int | None = None) -> bool:
    """Whether :func:`authorize` would let ``actor`` perform ``action``, for what a service
    shows rather than refuses (blind review: whose reviews a reader sees)."""
    try:
        authorize(session, actor, action, project)
    except PermissionDenied:
        return False
    return True


_USERS = Base.metadata.tables[User.__tablename__]
_MEMBERS = Base.metadata.tables[Membership.__tablename__]
# Built once, read as values: every save authorizes, and loading the account as an ORM object
# cost ~0.2 ms of CPU per call, what 20 reviewer threads queue for (BENCHMARKS.md, "Stress
# at 20 reviewers"). With a project, its membership's role comes in the same statement.
_ACCOUNT = select(_USERS.c.name, _USERS.c.role, _USERS.c.disabled).where(
    _USERS.c.id == bindparam("user_id")
)
_ACCOUNT_IN_PROJECT = select(
    _USERS.c.name,
    _USERS.c.role,
    _USERS.c.disabled,
    select(_MEMBERS.c.role)
    .where(_MEMBERS.c.user_id == _USERS.c.id, _MEMBERS.c.project_id == bindparam("project_id"))
    .scalar_subquery()
    .label("member_role"),
).where(_USERS.c.id == bindparam("user_id"))


def _stored(session: Session, actor: Actor, project: int | None = None) -> Actor:
    # A session may outlive a demotion or a disable: the account as the database has it now.
    row: Any
    if project is None:
        row = session.execute(_ACCOUNT, {"user_id": actor.id}).one_or_none()
    else:
        values = {"user_id": actor.id, "project_id": project}
        row = session.execute(_ACCOUNT_IN_PROJECT, values).one_or_none()
    if row is None or row.disabled:
        raise PermissionDenied(f"the account {actor.name!r} is disabled or no longer exists")
    limit = actor.limited_to
    if project is None or row.role == Role.admin.value:
        return Actor(id=actor.id, name=row.name, role=Role(row.role), limited_to=limit)
    if row.member_role is None:
        raise NotAMember(f"{row.name} is not a member of this project")
    return Actor(id=actor.id, name=row.name, role=Role(row.member_role), limited_to=limit)


def judge(
    actor: Actor,
    action: Action,
    *,
    account: tuple[str, str, bool] | None,
    member_role: str | None,
    in_project: bool,
    project: int | None = None,
) -> Actor:
    """:func:`authorize`'s verdict on an account a service read itself, in a statement of its
    own (a hot path reads the account and its role in the claim's project with the claim's
    other rows): the same rules and the same words.

    ``account``: the stored (name, role, disabled), None when there is no such account;
    ``member_role``: its role in the project (None: not a member); ``in_project``: whether
    the action is about a project (False: the account's own role, as without ``project``);
    ``project``: its id, for a token limited to one project.
    """
    _check_limit(actor, action, project if in_project else None)
    if account is None or account[2]:
        raise PermissionDenied(f"the account {actor.name!r} is disabled or no longer exists")
    name, role = account[0], account[1]
    if in_project and action not in SITE_ACTIONS and role != Role.admin.value:
        if member_role is None:
            raise NotAMember(f"{name} is not a member of this project")
        role = member_role
    stored = Actor(id=actor.id, name=name, role=Role(role), limited_to=actor.limited_to)
    if not allowed(stored, action):
        raise PermissionDenied(f"{stored.name} is a {stored.role.value} and cannot {action.value}")
    return stored
