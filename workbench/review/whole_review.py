"""A reviewer's whole review in one save: verdict, note and URLs, against the version seen.

The HTTP API's ``PUT /claims/{id}/review`` (issue 15) replaces a review as a whole, where the
app saves a verdict, a note or a URL one at a time. Each part goes through the app's own save
(``decisions.record_verdict``, ``note_saves``), in one transaction, so the rules, history
entries and figures are the app's; the version is checked once, on the first, under the
claim's lock: of concurrent saves that saw the same version, one wins and the others are
:class:`StaleEdit` with the review as it is now.

``seen_version`` None means "I saw no review of mine": a review that exists by then is stale
too (the app's None means "do not check", which an API client must not get by omission).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound
from workbench.review import assign, decisions, note_saves
from workbench.schemas import Actor, ReviewOut
from workbench.storable import unstorable
from workbench.urls import normalise_url

MAX_URLS = 50


def put_review(
    engine: Engine,
    claim_id: int,
    actor: Actor,
    *,
    verdict: str | None,  # checked against the claim's project scale
    note: str,
    urls: Sequence[str],
    seen_version: int | None,
) -> ReviewOut:
    """Make ``actor``'s review of ``claim_id`` say exactly this; the review as saved."""
    wanted = _checked(note, urls)
    with unit_of_work(engine) as session:
        saved = decisions.record_verdict(
            session,
            claim_id,
            actor,
            verdict,
            # 0: "no review" to record_verdict's check, which a review found then fails.
            expected_version=0 if seen_version is None else seen_version,
        )
        if saved.note == note and {u.url for u in saved.urls} == set(wanted):
            # The usual save, a verdict alone: the review the verdict's save answered (read
            # under the claim's lock, in this transaction) already says the rest.
            return saved
        reviewer = assign.account_in(session, actor, claim_id)
        # The review is read again only after a part changed it, not once per part.
        own = _own(session, claim_id, reviewer)
        if own.mine is not None and own.mine.note != note:
            saved = note_saves.save_note(session, own, reviewer, note)
            own = _own(session, claim_id, reviewer)
        for url in wanted:
            if all(u.url != url for u in own.urls):
                saved = note_saves.save_url(session, own, reviewer, url)
                own = _own(session, claim_id, reviewer)
        for url in {u.url for u in own.urls} - set(wanted):
            saved = note_saves.drop_url(session, own, reviewer, url)
            own = _own(session, claim_id, reviewer)
        return saved


def _checked(note: str, urls: Sequence[str]) -> list[str]:
    if len(note) > decisions.MAX_NOTE_CHARS:
        raise InvalidInput(
            f"a note is at most {decisions.MAX_NOTE_CHARS} characters ({len(note)} given)"
        )
    problem = unstorable(note)
    if problem is not None:
        raise InvalidInput(f"the note {problem}")
    if len(urls) > MAX_URLS:
        raise InvalidInput(f"a review keeps at most {MAX_URLS} URLs ({len(urls)} given)")
    wanted: list[str] = []
    for raw in urls:
        url = normalise_url(raw)
        if url not in wanted:
            wanted.append(url)
    return wanted


def _own(session: Session, claim_id: int, reviewer: Actor) -> note_saves.OwnReview:
    own = note_saves.read_own(session, claim_id, reviewer.id)
    if own.status is None:
        raise NotFound(f"claim {claim_id} does not exist")
    return own
