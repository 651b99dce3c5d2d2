"""Mapping a project's verdicts in use to others: a verdict renamed, or two merged.

A verdict that reviews or final verdicts use cannot leave the scale (``projects.service.
set_scale`` refuses); ``workbench projects map-verdicts NAME OLD=NEW`` is how it leaves. In one
transaction, for the project's claims: every review's verdict and blind verdict, and every
final verdict, that is an OLD becomes its NEW; the scale becomes the one given, or else the
current one with each OLD renamed NEW (NEW not on it) or dropped (NEW on it: a merge); then
what follows from the verdicts is brought in line, as after any change of a verdict: the
claims' figures (``stats.recount``: disagreement counts merged verdicts as agreeing) and their
automatic finals (two reviews that differed may agree now: ``writes.refresh_final``).

History: an entry per review and final verdict changed, as any change of them writes (the
same shapes, ``writes.review_state`` and ``final_state``), and the project's entry for its
scale. One summary entry would be lighter, but a review's trail is read as its verdicts over
time (the claim's history, the history export, migration 0006's replay of blind verdicts):
a row that changed with no entry would contradict its own trail. The entries name their
claims, so the Agreement figures held in memory are patched (and, the scale having changed,
read again whole: ``agreement.incremental`` compares the labels).

Here in ``review``, not ``projects``: reviews and final verdicts are written only by this
part, and their figures and finals follow them here (``projects`` sits below it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, TypeAdapter, ValidationError
from sqlalchemy import ColumnElement, Engine, case, select, update
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity, entry, insert_entries
from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import Claim, FinalVerdict, Review
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput
from workbench.projects.scale import ScaleVerdict, VerdictScale
from workbench.projects.service import change_scale, find_project, project_out
from workbench.reports import Report
from workbench.review import blind, stats
from workbench.review.writes import (
    claim_k,
    final_state,
    refresh_final,
    review_state_of,
    wanted_final,
)
from workbench.schemas import FinalSource, VerdictName

_NAME: TypeAdapter[str] = TypeAdapter(VerdictName)


class VerdictMapping(Report):
    """What ``workbench projects map-verdicts`` changed."""

    project: str
    mapping: dict[str, str]
    reviews: int = 0  # reviews whose verdict or blind verdict changed
    finals: int = 0  # final verdicts changed by the mapping
    finals_refreshed: int = 0  # automatic finals given, changed or taken back after it
    verdicts: list[str] = Field(default_factory=list)  # the scale after it, best first

    def summary(self) -> str:
        pairs = ", ".join(f"{old} -> {new}" for old, new in self.mapping.items())
        return (
            f"project {self.project}: {pairs}: {self.reviews} review(s), {self.finals} final "
            f"verdict(s) changed; {self.finals_refreshed} automatic final(s) followed; "
            f"verdicts = {','.join(self.verdicts)}"
        )


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``["OLD=NEW", ...]`` as a mapping; InvalidInput naming the pair that is wrong."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep:
            raise InvalidInput(f"{pair!r}: write each mapping as OLD=NEW")
        try:
            old, new = _NAME.validate_python(old), _NAME.validate_python(new)
        except ValidationError:
            raise InvalidInput(
                f"{pair!r}: a verdict is lower case letters, digits, '-' or '_' (20 at most)"
            ) from None
        if old in mapping:
            raise InvalidInput(f"{old} is mapped twice")
        mapping[old] = new
    return mapping


def map_verdicts(
    engine: Engine,
    actor: Caller,
    project: str,
    mapping: Mapping[str, str],
    scale: VerdictScale | None = None,
) -> VerdictMapping:
    """Map the project's verdicts ``OLD -> NEW`` (see the module's docstring); ``scale``: the
    scale afterwards (default: the current one with each OLD renamed or merged). All of it or
    nothing: InvalidInput, one line, when a pair is wrong or the scale lacks a verdict in use."""
    if not mapping:
        raise InvalidInput("give at least one OLD=NEW")
    if any(old == new for old, new in mapping.items()):
        raise InvalidInput("a verdict mapped to itself: drop that pair")
    chained = sorted(set(mapping) & set(mapping.values()))
    if chained:
        raise InvalidInput(
            f"{', '.join(chained)}: both mapped and mapped to; map them in two commands"
        )
    with unit_of_work(engine) as session:
        row = find_project(session, project)
        authorize(session, actor, Action.change_settings, row.id)
        current = VerdictScale.model_validate(row.verdict_scale)
        unknown = [old for old in mapping if current.get(old) is None]
        if unknown:
            raise InvalidInput(
                f"project {row.name}: {', '.join(unknown)} not on its scale "
                f"({', '.join(current.names)})"
            )
        after = scale or _mapped_scale(current, mapping)
        # Every claim of the project locked, as a verdict's save locks its claim: a save
        # waiting here reads the new scale once this commits (saves.read_claim reads the
        # scale after the lock), so no OLD verdict is saved behind the mapping.
        session.execute(select(Claim.id).where(Claim.project_id == row.id).with_for_update())
        report = VerdictMapping(project=row.name, mapping=dict(mapping))
        touched: set[int] = set()
        report.reviews = _map_reviews(session, actor, row.id, mapping, touched)
        report.finals = _map_finals(session, actor, row.id, mapping, touched)
        change_scale(session, actor, row, after)
        report.verdicts = list(project_out(row).scale.names)
        stats.recount(session, touched)
        report.finals_refreshed = _follow_finals(session, touched)
        return report


def _mapped_scale(current: VerdictScale, mapping: Mapping[str, str]) -> VerdictScale:
    """The scale with each OLD renamed NEW where NEW is not on it yet (its label, description,
    key and rating kept), and dropped where NEW is (a merge)."""
    verdicts: list[ScaleVerdict] = []
    names = set(current.names)
    for verdict in current.verdicts:
        new = mapping.get(verdict.name)
        if new is None:
            verdicts.append(verdict)
        elif new not in names:
            verdicts.append(verdict.model_copy(update={"name": new}))
            names.add(new)
    try:
        return VerdictScale(verdicts=tuple(verdicts))
    except ValidationError as exc:
        raise InvalidInput(f"the scale after the mapping: {exc.errors()[0]['msg']}") from None


def _mapped(column: Any, mapping: Mapping[str, str]) -> ColumnElement[Any]:
    return case(*((column == old, new) for old, new in mapping.items()), else_=column)


def _map_reviews(
    session: Session, actor: Caller, project_id: int, mapping: Mapping[str, str], touched: set[int]
) -> int:
    olds = list(mapping)
    claims = select(Claim.id).where(Claim.project_id == project_id)
    rows = session.execute(
        select(
            Review.id, Review.claim_id, Review.verdict, Review.note, Review.changed_after_reveal
        ).where(
            Review.claim_id.in_(claims),
            Review.verdict.in_(olds) | Review.blind_verdict.in_(olds),
        )
    ).all()
    if not rows:
        return 0
    session.execute(
        update(Review)
        .where(Review.id.in_([r.id for r in rows]))
        .values(
            verdict=_mapped(Review.verdict, mapping),
            blind_verdict=_mapped(Review.blind_verdict, mapping),
        )
        .execution_options(synchronize_session=False)
    )
    entries = []
    for r in rows:
        touched.add(r.claim_id)
        new = mapping.get(r.verdict, r.verdict) if r.verdict is not None else None
        entries.append(
            entry(
                actor_id=actor.id,
                entity=Entity.review,
                entity_id=r.id,
                action=Change.update,
                before=review_state_of(r.verdict, r.note, r.changed_after_reveal),
                after=review_state_of(new, r.note, r.changed_after_reveal),
                claim_id=r.claim_id,
            )
        )
    insert_entries(session, entries)  # none for a blind verdict alone: not in the state
    return len(rows)


def _map_finals(
    session: Session, actor: Caller, project_id: int, mapping: Mapping[str, str], touched: set[int]
) -> int:
    claims = select(Claim.id).where(Claim.project_id == project_id)
    rows = session.execute(
        select(
            FinalVerdict.id,
            FinalVerdict.claim_id,
            FinalVerdict.verdict,
            FinalVerdict.source,
            FinalVerdict.reason,
        ).where(FinalVerdict.claim_id.in_(claims), FinalVerdict.verdict.in_(list(mapping)))
    ).all()
    if not rows:
        return 0
    session.execute(
        update(FinalVerdict)
        .where(FinalVerdict.id.in_([r.id for r in rows]))
        .values(verdict=_mapped(FinalVerdict.verdict, mapping), version=FinalVerdict.version + 1)
        .execution_options(synchronize_session=False)
    )
    entries = []
    for r in rows:
        touched.add(r.claim_id)
        entries.append(
            entry(
                actor_id=actor.id,
                entity=Entity.final_verdict,
                entity_id=r.claim_id,
                action=Change.update,
                before=final_state(r.verdict, r.source, r.reason),
                after=final_state(mapping[r.verdict], r.source, r.reason),
                claim_id=r.claim_id,
            )
        )
    insert_entries(session, entries)
    return len(rows)


def _follow_finals(session: Session, claim_ids: set[int]) -> int:
    """The automatic finals of the claims touched, where their reviews now call for another
    (two verdicts merged agree): refresh_final, claim by claim, only for those."""
    if not claim_ids:
        return 0
    ids = sorted(claim_ids)
    pairs: dict[int, list[blind.VerdictPair]] = {claim_id: [] for claim_id in ids}
    finals: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        for claim_id, verdict, blind_verdict in session.execute(
            select(Review.claim_id, Review.verdict, Review.blind_verdict).where(
                Review.claim_id.in_(chunk), Review.verdict.is_not(None)
            )
        ):
            pairs[claim_id].append((str(verdict), blind_verdict))
        finals.update(
            (claim_id, (verdict, source))
            for claim_id, verdict, source in session.execute(
                select(FinalVerdict.claim_id, FinalVerdict.verdict, FinalVerdict.source).where(
                    FinalVerdict.claim_id.in_(chunk)
                )
            )
        )
    k = claim_k(session, ids[0])  # the project's k: every claim here is of one project
    followed = 0
    for claim_id in ids:
        final = finals.get(claim_id)
        if final is not None and final[1] == FinalSource.adjudicated:
            continue  # an admin's decision is only ever replaced by an admin
        wanted = wanted_final(pairs[claim_id], k)
        if (None if wanted is None else (wanted[0], wanted[1].value)) != final:
            refresh_final(session, claim_id, k)
            followed += 1
    return followed
