"""Correcting the extractor: a reviewer moves a claim's boundaries, splits it, merges it with
the next claim, or adds a sentence the extractor missed.

The only writer of claims after ingest. Every correction is one transaction that

* **creates** the corrected claims as new rows (``origin`` ``corrected``, or ``added`` for a
  sentence the extractor missed), whose ``text`` is always ``document.text[char_start:
  char_end]``; ``corrected_from_id`` (and, for a merge, ``merged_from_id``) name the claims
  they came from;
* **retires** the claims they replace (status ``superseded``): never deleted, so their reviews,
  final verdict and history stay as they were and stay auditable. They leave the queue, the
  assignment and the agreement figures, as "not a claim" does, and cannot be put back (their
  correction is the claim now);
* writes a history entry for each claim created (``claim`` / ``create``, with what it came
  from) and each retired (``claim_status`` / ``update``: ``superseded`` and ``replaced_by``),
  and links the new claims to similar claims as ingest does.

A correction that asks for the span of a claim an earlier correction replaced (a merge split
back at the same place) puts that claim back in the queue, with the reviews it had, instead of
storing a second claim with its span (``uq_claims_span`` keeps a span to one row, which the
queue's order relies on).

What happens to reviews. A review judged the text as it was cut, so it stays with the original
claim; the corrected claim starts with none and enters the queue. Because that takes a claim
others have decided on out of the queue, a correction of a claim that carries another
reviewer's verdict (or a final verdict) is refused unless the caller confirms it
(``confirm=True``; :class:`NeedsConfirmation` says how many verdicts stay behind). The
corrector's own verdict needs no confirmation.

The rules a span must keep: inside the document, not empty once the whitespace at its ends is
trimmed (it is trimmed: a slider or a sentence boundary often lands on a space), within one
paragraph (no blank line inside), at most ``MAX_CLAIM_CHARS`` characters, overlapping no other
open claim (merge with it instead), and not the span of a claim that exists. Bad input changes
nothing: the checks come before the first write, and the transaction is all or nothing.

Concurrency: the document's row is locked first, so corrections of one document take turns
(on SQLite every write transaction already does), and the claims to retire are read again
under that lock: of twelve reviewers correcting the same claim at once, one succeeds and the
others are told who corrected it, when, and into which claims.

Who may: :data:`Action.correct_claims` (reviewers and admins), checked against the stored
account, and :data:`Action.read` for the document. Viewers and the command line may not: a
correction is some person's judgement, like a verdict.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity, record
from workbench.auth.policy import Action, authorize
from workbench.db.models import Claim, Document, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, StaleEdit
from workbench.extract.segment import MAX_SENTENCE_CHARS, paragraph_span
from workbench.review import scope, stats
from workbench.review.correction_form import (
    ClaimSpan,
    Span,
    open_claims,
    replaced_by,
    span_of,
    verdicts_by_others,
)
from workbench.schemas import Actor, ClaimOrigin, ClaimStatus
from workbench.similarity.link import link_claims
from workbench.similarity.measure import sketch

# A corrected claim is held to the extractor's limit on a sentence (workbench.extract.segment):
# a claim a reviewer can read, and a spreadsheet cell can hold.
MAX_CLAIM_CHARS = MAX_SENTENCE_CHARS
# The extractor column of a claim a reviewer cut ("name@version" for a model).
REVIEWER_EXTRACTOR = "reviewer"
# The score of a sentence a reviewer added: they judged it check-worthy.
ADDED_SCORE = 1.0
# A blank line (also with CR LF, or spaces on it) ends a paragraph (segment.paragraphs).
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


class CorrectionKind(enum.StrEnum):
    adjust = "adjust"  # boundaries moved: by sentence, or to chosen characters
    split_in_two = "split"  # one claim into two (not `split`: that is str.split)
    merge = "merge"  # a claim and the next claim of its paragraph into one
    add = "add"  # a sentence the extractor missed


class NeedsConfirmation(InvalidInput):
    """The correction would leave other reviewers' verdicts behind on the original claim."""

    def __init__(self, message: str, verdicts: int) -> None:
        super().__init__(message)
        self.verdicts = verdicts


class Corrected(BaseModel):
    """What a correction did: the claims it created and the ones it retired."""

    model_config = ConfigDict(frozen=True)

    kind: CorrectionKind
    created: list[ClaimSpan]
    retired: list[int]

    def summary(self) -> str:
        made = ", ".join(f"#{c.id}" for c in self.created)
        if self.kind == CorrectionKind.add:
            return f"Added claim {made}."
        gone = ", ".join(f"#{i}" for i in self.retired)
        return f"Claim {gone} corrected ({self.kind.value}): now claim {made}."


# --- writing ----------------------------------------------------------------------------------


def adjust_claim(
    engine: Engine, claim_id: int, actor: Actor, start: int, end: int, *, confirm: bool = False
) -> Corrected:
    """Move the claim's boundaries to ``document.text[start:end]`` (trimmed of whitespace)."""
    with unit_of_work(engine) as session:
        claim, document = _lock_claims(session, actor, claim_id)
        return _correct(
            session, actor, document, CorrectionKind.adjust, [claim], [(start, end)], confirm
        )


def split_claim(
    engine: Engine, claim_id: int, actor: Actor, at: int, *, confirm: bool = False
) -> Corrected:
    """Cut the claim in two at the character offset ``at`` (into the document's text)."""
    with unit_of_work(engine) as session:
        claim, document = _lock_claims(session, actor, claim_id)
        if not claim.char_start < at < claim.char_end:
            raise InvalidInput(
                f"a split must fall inside claim {claim_id} (characters {claim.char_start + 1} "
                f"to {claim.char_end - 1}); {at} is not"
            )
        spans = [(claim.char_start, at), (at, claim.char_end)]
        return _correct(
            session, actor, document, CorrectionKind.split_in_two, [claim], spans, confirm
        )


def merge_with_next(
    engine: Engine, claim_id: int, actor: Actor, *, confirm: bool = False
) -> Corrected:
    """Join the claim and the next open claim of its paragraph into one claim."""
    with unit_of_work(engine) as session:
        claim, document = _lock_claims(session, actor, claim_id)
        start, end = paragraph_span(document.text, claim.char_start, claim.char_end)
        following = [
            c
            for c in open_claims(session, document.id, start, end)
            if c.char_start >= claim.char_end and c.id != claim.id
        ]
        if not following:
            raise InvalidInput(
                f"claim {claim_id} has no claim after it in its paragraph; extend it to the "
                "next sentence instead"
            )
        other = _locked(session, following[0].id)
        _check_open(session, other)
        spans = [(claim.char_start, other.char_end)]
        return _correct(
            session, actor, document, CorrectionKind.merge, [claim, other], spans, confirm
        )


def add_claim(engine: Engine, document_id: int, actor: Actor, start: int, end: int) -> Corrected:
    """Add ``document.text[start:end]`` (trimmed) as a claim the extractor missed."""
    with unit_of_work(engine) as session:
        _authorize(session, actor, scope.project_of_document(session, document_id))
        document = _lock_document(session, document_id)
        return _correct(session, actor, document, CorrectionKind.add, [], [(start, end)], False)


# --- the one write path -----------------------------------------------------------------------


def _correct(
    session: Session,
    actor: Actor,
    document: Document,
    kind: CorrectionKind,
    retire: Sequence[Claim],
    wanted: Sequence[Span],
    confirm: bool,
) -> Corrected:
    text = document.text
    spans = [_checked_span(text, start, end) for start, end in wanted]
    if len(set(spans)) != len(spans):
        raise InvalidInput("the two parts would be the same text; choose another split")
    if retire and sorted(spans) == sorted((c.char_start, c.char_end) for c in retire):
        raise InvalidInput("the corrected span is the claim as it is: nothing to change")
    retired_ids = {c.id for c in retire}
    revived = _check_free(session, document.id, spans, retired_ids)
    others = verdicts_by_others(session, sorted(retired_ids), actor.id)
    if others and not confirm:
        names = ", ".join(f"#{c.id}" for c in retire)
        raise NeedsConfirmation(
            f"claim {names} has {others} verdict{'s' if others > 1 else ''} from other "
            "reviewers or a final verdict; they stay with the original claim, which leaves the "
            "queue, and the corrected claim starts without reviews. Confirm to correct it anyway.",
            others,
        )

    origin = ClaimOrigin.added if kind == CorrectionKind.add else ClaimOrigin.corrected
    source = retire[0] if retire else None
    created = [
        Claim(
            document_id=document.id,
            project_id=document.project_id,
            text=text[start:end],
            char_start=start,
            char_end=end,
            speaker=source.speaker if source else None,
            score=max(c.score for c in retire) if retire else ADDED_SCORE,
            extractor=REVIEWER_EXTRACTOR,
            status=ClaimStatus.open.value,
            origin=origin.value,
            corrected_from_id=source.id if source else None,
            merged_from_id=retire[1].id if len(retire) > 1 else None,
        )
        for start, end in sorted(spans)
        if (start, end) not in revived
    ]
    session.add_all(created)
    try:
        session.flush()
    except IntegrityError as exc:  # a span stored meanwhile by a path that skips the lock
        raise InvalidInput(
            "another claim with this span was stored meanwhile; reload and try again"
        ) from exc

    now = datetime.now(UTC)
    for again in revived.values():
        _revive(session, again, actor, kind, [c.id for c in retire], now)
    new_ids = sorted(c.id for c in (*created, *revived.values()))
    for old in retire:
        stats.status_changed(session, old.id, ClaimStatus.superseded)
        old.status = ClaimStatus.superseded.value  # what status_changed wrote, in this session
        old.status_changed_by_id = actor.id
        old.status_changed_at = now
        record(
            session,
            actor_id=actor.id,
            entity=Entity.claim_status,
            entity_id=old.id,
            action=Change.update,
            before={"status": ClaimStatus.open.value},
            after={
                "status": ClaimStatus.superseded.value,
                "correction": kind.value,
                "replaced_by": new_ids,
            },
            claim_id=old.id,
        )
    for claim in created:
        record(
            session,
            actor_id=actor.id,
            entity=Entity.claim,
            entity_id=claim.id,
            action=Change.create,
            before=None,
            after={
                "text": claim.text,
                "char_start": claim.char_start,
                "char_end": claim.char_end,
                "origin": origin.value,
                "correction": kind.value,
                "corrected_from": [c.id for c in retire],
            },
            claim_id=claim.id,
        )
    # Found by similarity as an ingested claim is (the Review page lists similar claims).
    link_claims(session, document.id, [(c.id, sketch(c.text)) for c in created])
    made = sorted((*created, *revived.values()), key=lambda c: c.char_start)
    return Corrected(kind=kind, created=[span_of(c) for c in made], retired=[c.id for c in retire])


def _revive(
    session: Session,
    claim: Claim,
    actor: Actor,
    kind: CorrectionKind,
    replaces: list[int],
    now: datetime,
) -> None:
    """Put back a claim a correction had replaced, when a later one asks for its span again
    (a merge split back), or a sentence the extractor held out (workbench.review.rescore) that
    a reviewer adds: the claim, with what it had, rather than a copy of it."""
    before = claim.status
    stats.status_changed(session, claim.id, ClaimStatus.open)
    claim.status = ClaimStatus.open.value
    claim.status_changed_by_id = actor.id
    claim.status_changed_at = now
    record(
        session,
        actor_id=actor.id,
        entity=Entity.claim_status,
        entity_id=claim.id,
        action=Change.update,
        before={"status": before},
        after={"status": ClaimStatus.open.value, "correction": kind.value, "replaces": replaces},
        claim_id=claim.id,
    )


def _checked_span(text: str, start: int, end: int) -> Span:
    """``(start, end)`` trimmed of whitespace, or :class:`InvalidInput` saying what is wrong."""
    if not (0 <= start <= len(text) and 0 <= end <= len(text)):
        raise InvalidInput(
            f"characters {start} to {end} are outside the document (0 to {len(text)})"
        )
    if end <= start:
        raise InvalidInput(f"the span {start} to {end} is empty: its end must come after its start")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        raise InvalidInput("the span holds only whitespace")
    if _BLANK_LINE.search(text, start, end):
        raise InvalidInput("a claim stays within one paragraph: the span crosses a blank line")
    if end - start > MAX_CLAIM_CHARS:
        raise InvalidInput(
            f"a claim is at most {MAX_CLAIM_CHARS} characters; this span has {end - start}"
        )
    return start, end


def _check_free(
    session: Session, document_id: int, spans: Sequence[Span], retired: set[int]
) -> dict[Span, Claim]:
    """No other open claim may overlap a new span, and no claim may already have one, except
    a claim an earlier correction replaced or a sentence the extractor held out: that one is
    put back in the queue (returned by span, locked)."""
    revive: dict[Span, Claim] = {}
    for start, end in spans:
        clash = session.scalars(
            select(Claim)
            .where(
                Claim.document_id == document_id,
                Claim.char_start < end,
                Claim.char_end > start,
                or_(
                    Claim.status == ClaimStatus.open.value,
                    (Claim.char_start == start) & (Claim.char_end == end),
                ),
            )
            .order_by(Claim.char_start)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        for other in clash:
            if other.id in retired:
                continue
            if (other.char_start, other.char_end) == (start, end):
                if other.status in (ClaimStatus.superseded, ClaimStatus.held_out):
                    revive[(start, end)] = other
                    continue
                raise InvalidInput(_same_span(other))
            raise InvalidInput(
                f"the span overlaps claim {other.id} ({other.text[:60]!r}); merge with it, or "
                "shrink this one first"
            )
    return revive


def _same_span(other: Claim) -> str:
    if other.status == ClaimStatus.not_a_claim:
        return (
            f"this span is claim {other.id}, marked 'not a claim': open it and put it back in "
            "the queue instead"
        )
    return f"this span is already claim {other.id}"


# --- locks and reads --------------------------------------------------------------------------


def _authorize(session: Session, actor: Actor, project: int | None) -> None:
    # The account as stored now: a demoted or disabled reviewer is refused at once; the role
    # is the one in the document's project (a non-member is refused). Reading the document
    # is a right of its own.
    stored = authorize(session, actor, Action.correct_claims, project)
    if not scope.sees_all(stored, Action.read):
        authorize(session, actor, Action.read, project)


def _lock_claims(session: Session, actor: Actor, claim_id: int) -> tuple[Claim, Document]:
    """The claim to correct, under its document's lock, checked to be still open."""
    _authorize(session, actor, scope.project_of_claim(session, claim_id))
    found = session.scalar(select(Claim.document_id).where(Claim.id == claim_id))
    if found is None:
        raise NotFound(f"claim {claim_id} does not exist")
    document = _lock_document(session, found)
    claim = _locked(session, claim_id)
    _check_open(session, claim)
    return claim, document


def _lock_document(session: Session, document_id: int) -> Document:
    document = session.scalar(select(Document).where(Document.id == document_id).with_for_update())
    if document is None:
        raise NotFound(f"document {document_id} does not exist")
    return document


def _locked(session: Session, claim_id: int) -> Claim:
    """The claim as committed now (not as this session may have loaded it), row locked."""
    claim = session.scalar(
        select(Claim)
        .where(Claim.id == claim_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if claim is None:
        raise NotFound(f"claim {claim_id} does not exist")
    return claim


def _check_open(session: Session, claim: Claim) -> None:
    if claim.status == ClaimStatus.open:
        return
    if claim.status == ClaimStatus.not_a_claim:
        raise InvalidInput(
            f"claim {claim.id} is marked 'not a claim'; put it back in the queue to correct "
            "it, or add the sentence you mean from its paragraph"
        )
    if claim.status == ClaimStatus.held_out:
        raise InvalidInput(
            f"claim {claim.id} is held out of the queue by the extractor; put it in the queue "
            "to correct it, or add the sentence you mean from its paragraph"
        )
    into = replaced_by(session, claim.id)
    who = session.get(User, claim.status_changed_by_id) if claim.status_changed_by_id else None
    raise StaleEdit(
        f"claim {claim.id} (now claim {', '.join(f'#{i}' for i in into) or 'gone'})",
        changed_by=who.name if who else "someone",
        changed_at=claim.status_changed_at or datetime.now(UTC),
        current=list(into),
    )
