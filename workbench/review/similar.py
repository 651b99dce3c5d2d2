"""Giving one reviewer's verdict to every claim similar to one, in one transaction.

A review write, so it lives in the review package (the only writer of reviews) and reads
the group from :mod:`workbench.similarity.query`'s links. A group is the set of claims linked
to one claim, not a transitive closure: A~B and B~C does not make A~C, so applying a
verdict never reaches a claim that was not itself found similar to the one decided.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel
from sqlalchemy import Engine, select

from workbench.auth.policy import Action
from workbench.db.models import Claim, ClaimSimilarity, Review
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound
from workbench.review import decisions, scope
from workbench.schemas import Actor, ClaimStatus, VerdictName


class GroupVerdict(BaseModel):
    """What :func:`apply_verdict_to_similar` did, claim by claim."""

    verdict: VerdictName
    applied: list[int] = []  # now carry the reviewer's verdict
    kept: list[int] = []  # the reviewer had already given another verdict: left as it was
    skipped: list[int] = []  # marked "not a claim": out of the queue, not reviewed

    def summary(self, label: Callable[[str], str] = str) -> str:
        """In words; ``label``: the verdict's name as people read it (the scale's label)."""
        parts = [f"“{label(self.verdict)}” saved for {_claims(len(self.applied))}"]
        if self.kept:
            parts.append(f"{_claims(len(self.kept))} kept your other verdict")
        if self.skipped:
            parts.append(f"{_claims(len(self.skipped))} marked not a claim skipped")
        return "; ".join(parts) + "."


def _claims(n: int) -> str:
    return f"{n} claim" if n == 1 else f"{n} claims"


def apply_verdict_to_similar(
    engine: Engine,
    claim_id: int,
    actor: Actor,
    verdict: str,
    claim_ids: Sequence[int] | None = None,
    *,
    overwrite: bool = False,
) -> GroupVerdict:
    """Give ``actor``'s ``verdict`` to the claims similar to ``claim_id``, in one step.

    Each claim gets (or updates) the reviewer's own review, exactly as a verdict given on
    its page would; other reviewers' reviews are never read for writing. ``claim_ids``
    narrows the group (each must be similar to ``claim_id``). A claim where the reviewer
    already chose another verdict keeps it unless ``overwrite``; claims marked "not a
    claim" are skipped. One transaction: all of the verdicts are stored, or none.
    """
    with unit_of_work(engine) as session:
        # The actor's role in the claim's project; each target is checked again in its own.
        scope.authorize_claim(session, actor, Action.review, claim_id)
        claim = session.get(Claim, claim_id)
        if claim is None:
            raise NotFound(f"claim {claim_id} does not exist")
        # The claim's own project's, as listed (similarity.query): a verdict given on one
        # desk never lands on another desk's claim, on another scale.
        linked = set(
            session.scalars(
                select(ClaimSimilarity.similar_id)
                .join(Claim, Claim.id == ClaimSimilarity.similar_id)
                .where(ClaimSimilarity.claim_id == claim_id, Claim.project_id == claim.project_id)
            )
        )
        targets = sorted(linked if claim_ids is None else set(claim_ids))
        strangers = [t for t in targets if t not in linked]
        if strangers:
            listed = ", ".join(f"#{t}" for t in strangers)
            raise InvalidInput(f"claims {listed} are not among the claims similar to #{claim_id}")
        statuses = dict(
            session.execute(select(Claim.id, Claim.status).where(Claim.id.in_(targets))).all()
        )
        mine = dict(
            session.execute(
                select(Review.claim_id, Review.verdict).where(
                    Review.reviewer_id == actor.id, Review.claim_id.in_(targets)
                )
            ).all()
        )
        verdict = str(verdict)
        result = GroupVerdict(verdict=verdict)
        for target in targets:
            if statuses.get(target) != ClaimStatus.open:
                result.skipped.append(target)
            elif mine.get(target) not in (None, verdict) and not overwrite:
                result.kept.append(target)
            else:
                decisions.record_verdict(session, target, actor, verdict)
                result.applied.append(target)
        return result
