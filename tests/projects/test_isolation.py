"""A reviewer of one desk can neither see nor change another desk's claims (issue 14).

Two projects, ``health`` and ``election``, each with a document and its claims; Rae reviews
for health only, Ada is admin of health only (neither is a site admin). Every service that
acts on one claim is called by them on a health claim (allowed) and on an election claim
(refused with ``authorize``'s own words, nothing written), on SQLite and PostgreSQL. The
model is tests/auth/test_permissions.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select

from workbench.auth import accounts
from workbench.auth.policy import SYSTEM
from workbench.db.models import (
    Claim,
    ClaimSimilarity,
    Comment,
    Document,
    HistoryEntry,
    Lease,
    Project,
)
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, PermissionDenied
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_documents
from workbench.projects.membership import grant
from workbench.projects.service import add_project
from workbench.projects.settings import set_project_setting
from workbench.review import (
    adjudicate,
    assign,
    correction_form,
    corrections,
    decisions,
    discussion,
    history,
    queue,
    recent,
    similar,
)
from workbench.schemas import Actor, DocumentIn, Role, Verdict
from workbench.similarity import query

TEXT = (
    "Harbour report\n\n"
    "The ministry said 4,000 people were evacuated from the harbour district on Monday. "
    "Officials said 12 bridges closed in 2023 after the storm, according to the city council.\n\n"
    "It rained all week and the streets were quiet.\n"
)
QUIET = "It rained all week and the streets were quiet."


@dataclass(frozen=True)
class Desk:
    """One project's document and its two claims (same paragraph)."""

    project_id: int
    document_id: int
    first: int
    second: int


@dataclass(frozen=True)
class World:
    engine: Engine
    desks: dict[str, Desk]
    rae: Actor  # reviewer of health only
    ada: Actor  # admin of health only
    eli: Actor  # reviewer of election only
    boss: Actor  # site admin


def _actor(engine: Engine, name: str, role: Role) -> Actor:
    user = accounts.add_user(engine, SYSTEM, name, role)
    return Actor(id=user.id, name=user.name, role=user.role)


@pytest.fixture
def world(engine: Engine) -> World:
    desks: dict[str, Desk] = {}
    for name in ("health", "election"):
        add_project(engine, SYSTEM, name)
        document = DocumentIn(text=TEXT, title=f"{name} report", source=f"{name}.txt")
        assert ingest_documents(engine, [document], default_extractor(), project=name).added == 1
        with unit_of_work(engine) as session:
            project_id = session.scalar(select(Project.id).where(Project.name == name))
            assert project_id is not None
            document_id = session.scalar(
                select(Document.id).where(Document.project_id == project_id)
            )
            assert document_id is not None
            ids = session.scalars(
                select(Claim.id).where(Claim.document_id == document_id).order_by(Claim.char_start)
            ).all()
        assert len(ids) == 2, "the extractor should find the two claims of the paragraph"
        desks[name] = Desk(project_id, document_id, ids[0], ids[1])
    rae = _actor(engine, "Rae", Role.reviewer)
    ada = _actor(engine, "Ada", Role.reviewer)
    eli = _actor(engine, "Eli", Role.reviewer)
    boss = _actor(engine, "Boss", Role.admin)
    grant(engine, SYSTEM, "Rae", "health", Role.reviewer)
    grant(engine, SYSTEM, "Ada", "health", Role.admin)
    grant(engine, SYSTEM, "Eli", "election", Role.reviewer)
    grant(engine, SYSTEM, "Eli", "health", Role.reviewer)
    for desk in desks.values():
        # Eli reviewed each desk's second claim: something to send back, to adjudicate.
        decisions.set_verdict(engine, desk.second, eli, Verdict.disputed)
    return World(engine, desks, rae, ada, eli, boss)


def _quiet(w: World, desk: Desk) -> tuple[int, int]:
    start = TEXT.index(QUIET)
    return start, start + len(QUIET)


def _question(w: World, desk: Desk) -> int:
    """A question a site admin sent Eli on the desk's second claim."""
    return discussion.send_back(w.engine, w.boss, desk.second, "Eli", "Which release?").id


# Each call: (who, what they do to a desk). The desk is health (theirs) or election (not).
Call = Callable[[World, Desk], object]


def _as(who: str, do: Callable[[World, Actor, Desk], object]) -> Call:
    return lambda w, desk: do(w, getattr(w, who), desk)


CALLS: dict[str, Call] = {
    "verdict": _as(
        "rae", lambda w, a, d: decisions.set_verdict(w.engine, d.first, a, Verdict.verified)
    ),
    "clear verdict": _as("rae", lambda w, a, d: decisions.set_verdict(w.engine, d.first, a, None)),
    "note": _as("rae", lambda w, a, d: decisions.set_note(w.engine, d.first, a, "a note")),
    "URL add": _as(
        "rae", lambda w, a, d: decisions.add_url(w.engine, d.first, a, "https://example.org/a")
    ),
    "URL remove": _as(
        "rae",
        lambda w, a, d: decisions.remove_url(w.engine, d.second, a, "https://example.org/e"),
    ),
    "not a claim": _as("rae", lambda w, a, d: decisions.mark_not_a_claim(w.engine, d.first, a)),
    "put back": _as("rae", lambda w, a, d: decisions.reopen_claim(w.engine, d.first, a)),
    "similar": _as(
        "rae",
        lambda w, a, d: similar.apply_verdict_to_similar(
            w.engine, d.first, a, Verdict.verified, []
        ),
    ),
    "correction: adjust": _as(
        "rae",
        lambda w, a, d: corrections.adjust_claim(
            w.engine, d.first, a, TEXT.index("The ministry"), TEXT.index(" on Monday")
        ),
    ),
    "correction: split": _as(
        "rae",
        lambda w, a, d: corrections.split_claim(
            w.engine, d.first, a, TEXT.index(" were evacuated"), confirm=True
        ),
    ),
    "correction: merge": _as(
        "rae", lambda w, a, d: corrections.merge_with_next(w.engine, d.first, a, confirm=True)
    ),
    "correction: add sentence": _as(
        "rae", lambda w, a, d: corrections.add_claim(w.engine, d.document_id, a, *_quiet(w, d))
    ),
    "correction form": _as(
        "rae", lambda w, a, d: correction_form.correction_context(w.engine, d.first, a)
    ),
    "comment": _as("rae", lambda w, a, d: discussion.comment(w.engine, a, d.first, "see p. 2")),
    "send back": _as(
        "ada", lambda w, a, d: discussion.send_back(w.engine, a, d.second, "Eli", "Which?")
    ),
    "answer": _as("eli", lambda w, a, d: discussion.answer(w.engine, a, _question(w, d), "p. 2")),
    "read discussion": _as(
        "rae", lambda w, a, d: discussion.claim_discussion(w.engine, a, d.first)
    ),
    "adjudicate": _as(
        "ada",
        lambda w, a, d: adjudicate.adjudicate(w.engine, a, d.second, Verdict.disputed, "sources"),
    ),
    "adjudication item": _as(
        "ada", lambda w, a, d: adjudicate.adjudication_item(w.engine, a, d.second)
    ),
    "lease": _as("rae", lambda w, a, d: assign.lease_claim(w.engine, a, d.first)),
    "read a claim": _as("rae", lambda w, a, d: queue.get_claim(w.engine, d.first, a)),
    "read its history": _as(
        "rae", lambda w, a, d: history.visible_claim_history(w.engine, a, d.first)
    ),
    "similar claims": _as("rae", lambda w, a, d: query.similar_claims(w.engine, d.first, a)),
    # The lists a page shows, asked for a project: a non-member is refused, as for a claim.
    "open questions": _as(
        "rae", lambda w, a, d: discussion.open_questions(w.engine, a, d.project_id)
    ),
    "recent claims": _as(
        "rae", lambda w, a, d: recent.recent_claims(w.engine, a, project=d.project_id)
    ),
}
WRITES_NOTHING_CHECKED = (HistoryEntry, Comment, Lease)


def _counts(engine: Engine) -> tuple[int, ...]:
    with unit_of_work(engine) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in WRITES_NOTHING_CHECKED
        )


def _prepare(w: World, call: str, desk: Desk) -> None:
    """What the call needs to find on the desk (its own state, made by a site admin or Eli)."""
    # Rae's own URL on health; on election Rae can have none: the refusal comes first.
    if call == "URL remove" and desk is w.desks["health"]:
        decisions.add_url(w.engine, desk.second, w.rae, "https://example.org/e")
    if call == "put back":
        decisions.mark_not_a_claim(w.engine, desk.first, w.boss)


@pytest.mark.parametrize("call", list(CALLS), ids=list(CALLS))
def test_each_claim_action_is_allowed_on_ones_own_desk(world: World, call: str) -> None:
    desk = world.desks["health"]
    _prepare(world, call, desk)
    CALLS[call](world, desk)


@pytest.mark.parametrize("call", list(CALLS), ids=list(CALLS))
def test_each_claim_action_is_refused_on_another_desk(world: World, call: str) -> None:
    desk = world.desks["election"]
    _prepare(world, call, desk)
    if call == "answer":
        # Eli belongs to both desks; the question on election is his. Take him out of it.
        from workbench.projects.membership import revoke

        question = _question(world, desk)
        revoke(world.engine, SYSTEM, "Eli", "election")
        before = _counts(world.engine)
        with pytest.raises(PermissionDenied, match=r"^Eli is not a member of this project$"):
            discussion.answer(world.engine, world.eli, question, "p. 2")
        assert _counts(world.engine) == before
        return
    before = _counts(world.engine)
    with pytest.raises(PermissionDenied) as refused:
        CALLS[call](world, desk)
    # authorize's own words: the service asked the one check, with the claim's project.
    assert str(refused.value).endswith(" is not a member of this project")
    assert _counts(world.engine) == before  # refused before anything was written


def test_a_site_admin_acts_on_every_desk(world: World) -> None:
    for desk in world.desks.values():
        assert queue.get_claim(world.engine, desk.first, world.boss).claim.id == desk.first
        decisions.set_verdict(world.engine, desk.first, world.boss, Verdict.verified)
        adjudicate.adjudication_item(world.engine, world.boss, desk.second)


def test_a_desks_admin_is_only_a_reviewer_elsewhere(world: World) -> None:
    grant(world.engine, SYSTEM, "Ada", "election", Role.reviewer)
    election = world.desks["election"]
    decisions.set_verdict(world.engine, election.first, world.ada, Verdict.verified)
    with pytest.raises(PermissionDenied, match=r"^Ada is a reviewer and cannot adjudicate"):
        adjudicate.adjudicate(world.engine, world.ada, election.second, Verdict.disputed, "x")
    # Blind review follows the role in the claim's project: on election Ada sees only her own
    # until she has decided, and Eli's review stays hidden.
    detail = queue.get_claim(world.engine, election.second, world.ada)
    assert detail.hidden_reviews == 1 and detail.reviews == []
    health = world.desks["health"]
    assert queue.get_claim(world.engine, health.second, world.ada).hidden_reviews == 0


# --- the queue, the assignment and their settings are the project's own ---------------------


def test_next_claim_hands_out_only_the_projects_claims(world: World) -> None:
    health, election = world.desks["health"], world.desks["election"]
    # Rae belongs to health only: no project named, it is hers.
    assert assign.next_claim(world.engine, world.rae) == health.first
    with pytest.raises(PermissionDenied, match=r"^Rae is not a member of this project$"):
        assign.next_claim(world.engine, world.rae, project="election")
    # Eli is in both: each project's claims, by name or id.
    assert assign.next_claim(world.engine, world.eli, project="election") == election.first
    # On health Rae holds the first claim (k = 1) and Eli decided the second: none for him.
    assert assign.next_claim(world.engine, world.eli, project=health.project_id) is None
    with pytest.raises(InvalidInput, match="several projects"):
        assign.next_claim(world.engine, world.eli)


def test_reviews_per_claim_is_read_for_the_claims_project(world: World) -> None:
    health, election = world.desks["health"], world.desks["election"]
    set_project_setting(world.engine, SYSTEM, "reviews_per_claim", 2, "election")
    grant(world.engine, SYSTEM, "Rae", "election", Role.reviewer)
    # Election wants two reviews: its second claim, decided once by Eli, has a free slot;
    # health keeps one, so its second claim is full.
    assert assign.lease_claim(world.engine, world.rae, election.second)
    assert not assign.lease_claim(world.engine, world.rae, health.second)
    decisions.set_verdict(world.engine, election.second, world.rae, Verdict.disputed)
    # Two agreeing verdicts of two wanted: a consensus final on election.
    final = adjudicate.final_verdict(world.engine, election.second)
    assert final is not None and final.source == "consensus"


def test_the_queue_and_the_adjudication_queue_are_the_projects(world: World) -> None:
    health, election = world.desks["health"], world.desks["election"]
    page = queue.list_claims(world.engine, queue.ClaimFilter(state="all"), actor=world.rae)
    assert {c.id for c in page.items} == {health.first, health.second}
    assert page.total == 2
    with pytest.raises(PermissionDenied, match="not a member"):
        queue.list_claims(
            world.engine,
            queue.ClaimFilter(state="all", project_id=election.project_id),
            actor=world.rae,
        )
    # A disagreement on each desk: each desk's admin sees their own.
    for desk in (health, election):
        set_project_setting(world.engine, SYSTEM, "reviews_per_claim", 2, desk.project_id)
        decisions.set_verdict(world.engine, desk.second, world.boss, Verdict.verified)
    waiting = adjudicate.adjudication_queue(world.engine, world.ada)
    assert [i.claim.id for i in waiting.items] == [health.second] and waiting.total == 1
    with pytest.raises(PermissionDenied, match="not a member"):
        adjudicate.adjudication_queue(world.engine, world.ada, project="election")
    both = adjudicate.adjudication_queue(world.engine, world.boss, project="election")
    assert [i.claim.id for i in both.items] == [election.second]


# --- agreement: the claim x reviewer table and its stored figures per project ---------------


def test_agreement_is_the_projects_own(world: World) -> None:
    from workbench.agreement import snapshot
    from workbench.agreement.report import agreement_report
    from workbench.agreement.table import audited_table
    from workbench.db.models import FigureSnapshot

    health, election = world.desks["health"], world.desks["election"]
    for desk in (health, election):
        set_project_setting(world.engine, SYSTEM, "reviews_per_claim", 2, desk.project_id)
        decisions.set_verdict(world.engine, desk.second, world.boss, Verdict.verified)
    table = audited_table(world.engine, world.ada, project="health")
    assert table.claim_ids.tolist() == [health.second]
    other = audited_table(world.engine, world.boss, project=election.project_id)
    assert other.claim_ids.tolist() == [election.second]
    with pytest.raises(PermissionDenied, match=r"^Ada is not a member of this project$"):
        audited_table(world.engine, world.ada, project="election")
    with pytest.raises(PermissionDenied, match=r"^Ada is not a member of this project$"):
        snapshot.figures(world.engine, world.ada, project="election")
    assert (
        agreement_report(world.engine, world.ada, samples=0, project="health").overall.claims == 1
    )
    snapshot.forget()
    mine = snapshot.figures(world.engine, world.ada, project="health")
    assert mine.claims == 1
    assert snapshot.figures(world.engine, world.boss).claims == 2  # every project's: a site's
    with unit_of_work(world.engine) as session:
        keys = set(session.scalars(select(FigureSnapshot.key)))
    assert f"agreement:blind:all:project-{health.project_id}" in keys
    assert "agreement:blind:all" in keys
    csv = snapshot.csv_bytes(world.engine, world.ada, project="health").decode()
    assert str(election.second) not in {line.split(",")[0] for line in csv.splitlines()[1:]}


# --- the lists a page shows are the project's: nothing of another desk's leaks ---------------


def test_open_questions_and_recent_claims_are_the_projects(world: World) -> None:
    health, election = world.desks["health"], world.desks["election"]
    # Eli is in both desks, with a question and a verdict on each.
    on_health, on_election = _question(world, health), _question(world, election)
    asked = {
        name: [q.id for q in discussion.open_questions(world.engine, world.eli, name)]
        for name in ("health", "election")
    }
    assert asked == {"health": [on_health], "election": [on_election]}
    assert recent.recent_claims(world.engine, world.eli, project="health") == [health.second]
    assert recent.recent_claims(world.engine, world.eli, project=election.project_id) == [
        election.second
    ]
    with pytest.raises(InvalidInput, match="several projects"):
        discussion.open_questions(world.engine, world.eli)
    # Taken out of election, Eli no longer reads its questions (their text is the desk's)
    # nor finds its claims among those he worked on.
    from workbench.projects.membership import revoke

    revoke(world.engine, SYSTEM, "Eli", "election")
    with pytest.raises(PermissionDenied, match=r"^Eli is not a member of this project$"):
        discussion.open_questions(world.engine, world.eli, "election")
    with pytest.raises(PermissionDenied, match=r"^Eli is not a member of this project$"):
        recent.recent_claims(world.engine, world.eli, project="election")
    # Now in one project only: his, without naming it.
    assert [q.id for q in discussion.open_questions(world.engine, world.eli)] == [on_health]
    assert recent.recent_claims(world.engine, world.eli) == [health.second]


def test_similar_claims_of_another_desk_are_never_listed_nor_decided(world: World) -> None:
    health, election = world.desks["health"], world.desks["election"]
    with unit_of_work(world.engine) as session:
        linked = set(
            session.scalars(
                select(ClaimSimilarity.similar_id).where(ClaimSimilarity.claim_id == health.first)
            )
        )
    assert election.first in linked, "the same sentence on both desks is linked across them"
    # Not to Rae (health only), nor to Eli or a site admin (in both: they open it there).
    for who in (world.rae, world.eli, world.boss):
        shown = query.similar_claims(world.engine, health.first, who)
        assert election.first not in {s.id for s in shown}
    # A verdict given to "every similar claim" stays on the desk too.
    with pytest.raises(InvalidInput, match="not among the claims similar"):
        similar.apply_verdict_to_similar(
            world.engine, health.first, world.eli, Verdict.verified, [election.first]
        )
    done = similar.apply_verdict_to_similar(world.engine, health.first, world.eli, Verdict.verified)
    assert election.first not in done.applied + done.kept + done.skipped
    assert queue.get_claim(world.engine, election.first, world.boss).reviews == []
