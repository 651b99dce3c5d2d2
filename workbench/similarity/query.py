"""The claims similar to one claim, with their documents and the verdicts they have.

A group is the set of claims linked to one claim, not a transitive closure: A~B and B~C
does not make A~C, so what is listed (and what a verdict is applied to) was itself found
similar to the claim on the page.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Engine, select

from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import Claim, ClaimSimilarity, Document, Review, User
from workbench.db.session import unit_of_work
from workbench.errors import NotFound
from workbench.schemas import ClaimStatus, ReviewerVerdict, SimilarClaim
from workbench.similarity.store import chunks


def similar_claims(engine: Engine, claim_id: int, actor: Caller) -> list[SimilarClaim]:
    """The claims of other documents of the same project that say what ``claim_id`` says,
    most similar first, for ``actor`` (who may read the claim's project).

    Links are measured across the whole database, but only the claim's own project's are
    listed (issue 14): another desk's claims, their text and their reviewers' verdicts are
    that desk's, whoever reads (a member of both opens them in the other project), and its
    verdicts are on another scale."""
    with unit_of_work(engine) as session:
        claim = session.get(Claim, claim_id)
        authorize(session, actor, Action.read, None if claim is None else claim.project_id)
        if claim is None:
            raise NotFound(f"claim {claim_id} does not exist")
        rows = session.execute(
            select(Claim, Document.title, ClaimSimilarity.score)
            .join(ClaimSimilarity, ClaimSimilarity.similar_id == Claim.id)
            .join(Document, Document.id == Claim.document_id)
            .where(ClaimSimilarity.claim_id == claim_id, Claim.project_id == claim.project_id)
            # Not the sentences the extractor holds out of the queue (workbench.review.rescore).
            .where(Claim.status != ClaimStatus.held_out.value)
            .order_by(ClaimSimilarity.score.desc(), Claim.id)
        ).all()
        verdicts: dict[int, list[ReviewerVerdict]] = defaultdict(list)
        for chunk in chunks([claim.id for claim, _, _ in rows]):
            for other, name, verdict in session.execute(
                select(Review.claim_id, User.name, Review.verdict)
                .join(User, User.id == Review.reviewer_id)
                .where(Review.claim_id.in_(chunk), Review.verdict.is_not(None))
                .order_by(Review.id)
            ):
                if verdict is not None:  # the query excludes NULL; this tells the checker
                    verdicts[other].append(ReviewerVerdict(reviewer=name, verdict=str(verdict)))
        return [
            SimilarClaim(
                id=claim.id,
                document_id=claim.document_id,
                document_title=title,
                text=claim.text,
                speaker=claim.speaker,
                status=ClaimStatus(claim.status),
                similarity=score,
                verdicts=verdicts[claim.id],
            )
            for claim, title, score in rows
        ]
