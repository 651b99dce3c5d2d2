"""A claim's discussion: comments for the adjudicator, and claims sent back with a question.

Three kinds of rows in ``comments`` (:class:`~workbench.db.models.Comment`):

* a **comment**: a reviewer (or an admin) writes to the adjudicator about a claim;
* a **question**: an admin sends the claim back to one of its reviewers. It is *open* until
  that reviewer answers; while open, the claim comes first in their assignment
  (:func:`question_first`, read by ``assign.next_claim``) and the Review page shows it;
* an **answer**: the reviewer's reply to the question (``reply_to_id``). Answering resolves
  the question; so does changing their verdict on the claim (:func:`answered_by_verdict`,
  called in the verdict's own transaction by ``decisions.record_verdict``): a changed verdict
  is an answer too, and the question must not stay open over it.

Who may do what is ``auth.policy``'s table: ``comment`` (reviewers and admins, never the
command line: a comment is someone's word), ``send_back`` (admins). The author is always the
authorised account, never a name the caller passes. Who may *read* which is blind review
(``workbench.review.blind``), the rule ``queue.visible_reviews`` applies to reviews: until a
reader has given their own verdict on the claim, they see only what they wrote and the
questions sent to them; others' comments could anchor their verdict as others' notes would.
Admins (``see_all_reviews``) and anyone who has decided see everything; a viewer, who never
decides, sees nothing of others', as with reviews.

Every change is one transaction with its history entry (``Entity.comment``): a comment's
``create`` carries its kind and body, a question's resolution is an ``update`` of
``resolved_at``. Comments are plain text, stored as typed (stripped), at most
:data:`MAX_COMMENT_CHARS`; the pages show them as text, never as HTML or Markdown.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, bindparam, select
from sqlalchemy.orm import Session, selectinload

from workbench.audit import Change, Entity, record
from workbench.auth.memberships import role_in
from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import Base, Claim, Comment, Review, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, PermissionDenied
from workbench.review import scope
from workbench.schemas import Actor, ClaimStatus, Role
from workbench.storable import unstorable

MAX_COMMENT_CHARS = 4_000
_COMMENTS = Base.metadata.tables[Comment.__tablename__]
_CLAIMS = Base.metadata.tables[Claim.__tablename__]


class CommentKind(enum.StrEnum):
    comment = "comment"
    question = "question"
    answer = "answer"


@dataclass(frozen=True)
class CommentOut:
    id: int
    claim_id: int
    author: str
    kind: CommentKind
    body: str
    created_at: datetime
    addressed_to: str | None = None  # a question's reviewer
    resolved_at: datetime | None = None  # a question's answer (or verdict change)
    reply_to: int | None = None  # an answer's question

    @property
    def is_open(self) -> bool:
        return self.kind == CommentKind.question and self.resolved_at is None


@dataclass(frozen=True)
class ClaimDiscussion:
    """A claim's discussion as one reader may see it."""

    comments: list[CommentOut]  # oldest first
    hidden: int  # others' comments blind review hides from this reader for now
    open_question: CommentOut | None  # the oldest open question sent to this reader


# --- writing --------------------------------------------------------------------------------


def comment(engine: Engine, actor: Actor, claim_id: int, body: str) -> CommentOut:
    """``actor``'s comment for the adjudicator on ``claim_id``."""
    text = _body(body, "comment")
    with unit_of_work(engine) as session:
        author = scope.authorize_claim(session, actor, Action.comment, claim_id)
        _claim(session, claim_id)
        row = _add(session, claim_id, author.id, CommentKind.comment, text)
        return _out(row)


def send_back(
    engine: Engine, actor: Actor, claim_id: int, reviewer: str, question: str
) -> CommentOut:
    """An admin sends ``claim_id`` back to ``reviewer`` (by account name) with ``question``.

    The reviewer must have reviewed the claim and still be able to review; a reviewer has
    at most one open question per claim (a second one waits for the first's answer).
    """
    text = _body(question, "question")
    with unit_of_work(engine) as session:
        admin = scope.authorize_claim(session, actor, Action.send_back, claim_id)
        # Under the claim's row lock (PostgreSQL; SQLite writes one at a time anyway), as a
        # verdict is: two admins asking at once cannot both open a question, and a verdict
        # change that answers questions sees this one or none of it.
        claim = _claim(session, claim_id, lock=True)
        if claim.status != ClaimStatus.open.value:
            raise InvalidInput(
                f"claim {claim_id} is marked 'not a claim': put it back in the queue before "
                "sending it back to a reviewer"
            )
        user = session.scalar(select(User).where(User.name == reviewer))
        if user is None:
            raise NotFound(f"no account named {reviewer!r}")
        project = scope.project_of_claim(session, claim_id)
        role = None if project is None else role_in(session, user.id, project)
        if user.disabled or role in (None, Role.viewer):
            raise InvalidInput(
                f"{user.name} cannot review now (disabled, a viewer, or not in the project)"
            )
        reviewed = session.scalar(
            select(Review.id).where(Review.claim_id == claim_id, Review.reviewer_id == user.id)
        )
        if reviewed is None:
            raise InvalidInput(f"{user.name} has not reviewed claim {claim_id}")
        if _open_question(session, claim_id, user.id) is not None:
            raise InvalidInput(
                f"{user.name} already has an open question on claim {claim_id}: wait for "
                "the answer, or add a comment"
            )
        row = _add(session, claim_id, admin.id, CommentKind.question, text, addressed_to=user.id)
        return _out(row)


def answer(engine: Engine, actor: Actor, question_id: int, body: str) -> CommentOut:
    """``actor``'s answer to a question sent to them; it resolves the question."""
    text = _body(body, "answer")
    with unit_of_work(engine) as session:
        author = authorize(
            session, actor, Action.comment, scope.project_of_question(session, question_id)
        )
        question = session.get(Comment, question_id)
        if question is None or question.kind != CommentKind.question.value:
            raise NotFound(f"question {question_id} does not exist")
        # Under the claim's row lock, like every change that resolves a question (a verdict
        # holds it too): two tabs answering at once cannot both find it open, and locks are
        # taken in one order (claim, then question), so the two never deadlock.
        _claim(session, question.claim_id, lock=True)
        session.refresh(question)
        if question.addressed_to_id != author.id:
            raise PermissionDenied(f"question {question_id} was not sent to {author.name}")
        if question.resolved_at is not None:
            raise InvalidInput(f"question {question_id} is already answered: add a comment instead")
        row = _add(
            session, question.claim_id, author.id, CommentKind.answer, text, reply_to=question.id
        )
        _resolve(session, question, author.id, f"answer {row.id}")
        return _out(row)


def answered_by_verdict(session: Session, claim_id: int, user_id: int, verdict: str) -> None:
    """A reviewer changed their verdict on ``claim_id``: their open questions on it are
    answered (inside the verdict's transaction, so both are kept or neither)."""
    open_ = session.scalars(
        select(Comment).where(
            Comment.claim_id == claim_id,
            Comment.addressed_to_id == user_id,
            Comment.resolved_at.is_(None),
        )
    ).all()
    for question in open_:
        _resolve(session, question, user_id, f"verdict changed to {verdict}")


def question_first(
    user_id: ColumnElement[int], *, excluding: bool, project: bool = False
) -> Select[Any]:
    """The open claim with the oldest open question to ``user_id``, as a query (Core
    tables: ``assign.next_claim`` runs it inside its first read). ``excluding``: the claims
    of an expanding ``exclude`` parameter are left out; ``project``: only the claims of the
    project the ``project_id`` parameter names."""
    comments, claims = _COMMENTS.c, _CLAIMS.c
    query = (
        select(comments.claim_id)
        .join(_CLAIMS, claims.id == comments.claim_id)
        .where(
            comments.addressed_to_id == user_id,
            comments.resolved_at.is_(None),
            claims.status == ClaimStatus.open.value,
        )
        .order_by(comments.created_at, comments.id)
        .limit(1)
    )
    if excluding:
        query = query.where(comments.claim_id.not_in(bindparam("exclude", expanding=True)))
    if project:
        query = query.where(claims.project_id == bindparam("project_id"))
    return query


# --- reading --------------------------------------------------------------------------------


def claim_discussion(engine: Engine, actor: Caller, claim_id: int) -> ClaimDiscussion:
    """``claim_id``'s comments as ``actor`` may see them (blind review, see the module)."""
    with unit_of_work(engine) as session:
        reader = scope.authorize_claim(session, actor, Action.read, claim_id)
        rows = session.scalars(
            select(Comment)
            .where(Comment.claim_id == claim_id)
            .order_by(Comment.created_at, Comment.id)
            .options(selectinload(Comment.author), selectinload(Comment.addressed_to))
        ).all()
        if scope.sees_all(reader) or _decided(session, claim_id, reader):
            shown = list(rows)
        else:
            shown = [r for r in rows if reader.id in (r.author_id, r.addressed_to_id)]
        mine = [
            r
            for r in shown
            if r.kind == CommentKind.question.value
            and r.addressed_to_id == reader.id
            and r.resolved_at is None
        ]
        return ClaimDiscussion(
            comments=[_out(r) for r in shown],
            hidden=len(rows) - len(shown),
            open_question=_out(mine[0]) if mine else None,
        )


def open_questions(
    engine: Engine, actor: Actor, project: int | str | None = None
) -> list[CommentOut]:
    """The open questions sent to ``actor`` on claims of ``project`` (id or name; None: the
    only project, or the only one ``actor`` belongs to) still open, oldest first.

    One project's only (issue 14): a question's text is the project's, and a reviewer removed
    from the project it was asked in is refused its claims, questions included."""
    with unit_of_work(engine) as session:
        project_id = scope.project_for(session, project, actor)
        reader = authorize(session, actor, Action.read, project_id)
        rows = session.scalars(
            select(Comment)
            .join(Claim, Claim.id == Comment.claim_id)
            .where(
                Comment.addressed_to_id == reader.id,
                Comment.resolved_at.is_(None),
                Claim.status == ClaimStatus.open.value,
                Claim.project_id == project_id,
            )
            .order_by(Comment.created_at, Comment.id)
            .options(selectinload(Comment.author), selectinload(Comment.addressed_to))
        ).all()
        return [_out(r) for r in rows]


# --- shared pieces --------------------------------------------------------------------------


def _body(raw: str, what: str) -> str:
    """The text as stored: stripped, not empty, within the limit, storable on every backend."""
    text = raw.strip()
    if not text:
        raise InvalidInput(f"the {what} is empty: write something first")
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput(
            f"a {what} is at most {MAX_COMMENT_CHARS:,} characters ({len(text):,} given)"
        )
    problem = unstorable(text)
    if problem is not None:
        raise InvalidInput(f"the {what} {problem}")
    return text


def _claim(session: Session, claim_id: int, *, lock: bool = False) -> Claim:
    query = select(Claim).where(Claim.id == claim_id)
    claim = session.scalar(query.with_for_update() if lock else query)
    if claim is None:
        raise NotFound(f"claim {claim_id} does not exist")
    return claim


def _decided(session: Session, claim_id: int, reader: Caller) -> bool:
    if reader.id is None:
        return False
    return (
        session.scalar(
            select(Review.id).where(
                Review.claim_id == claim_id,
                Review.reviewer_id == reader.id,
                Review.verdict.is_not(None),
            )
        )
        is not None
    )


def _open_question(session: Session, claim_id: int, user_id: int) -> Comment | None:
    return session.scalar(
        select(Comment)
        .where(
            Comment.claim_id == claim_id,
            Comment.addressed_to_id == user_id,
            Comment.resolved_at.is_(None),
        )
        .limit(1)
    )


def _add(
    session: Session,
    claim_id: int,
    author_id: int,
    kind: CommentKind,
    body: str,
    *,
    addressed_to: int | None = None,
    reply_to: int | None = None,
) -> Comment:
    row = Comment(
        claim_id=claim_id,
        author_id=author_id,
        kind=kind.value,
        body=body,
        created_at=datetime.now(UTC),
        addressed_to_id=addressed_to,
        reply_to_id=reply_to,
    )
    session.add(row)
    session.flush()  # the id, for the history entry
    after: dict[str, object] = {"kind": kind.value, "body": body}
    if addressed_to is not None:
        after["addressed_to"] = session.get_one(User, addressed_to).name
    if reply_to is not None:
        after["reply_to"] = reply_to
    record(
        session,
        actor_id=author_id,
        entity=Entity.comment,
        entity_id=row.id,
        action=Change.create,
        before=None,
        after=after,
        claim_id=claim_id,
    )
    return row


def _resolve(session: Session, question: Comment, actor_id: int, how: str) -> None:
    question.resolved_at = datetime.now(UTC)
    record(
        session,
        actor_id=actor_id,
        entity=Entity.comment,
        entity_id=question.id,
        action=Change.update,
        before={"resolved_at": None},
        after={"resolved_at": question.resolved_at.isoformat(), "resolved_by": how},
        claim_id=question.claim_id,
    )


def _out(row: Comment) -> CommentOut:
    return CommentOut(
        id=row.id,
        claim_id=row.claim_id,
        author=row.author.name,
        kind=CommentKind(row.kind),
        body=row.body,
        created_at=row.created_at,
        addressed_to=row.addressed_to.name if row.addressed_to else None,
        resolved_at=row.resolved_at,
        reply_to=row.reply_to_id,
    )
