"""A verdict imported and the same verdict given in the app store the same rows and history.

Both go through ``workbench.review.writes``; this pins that the import cannot drift from the
app again. Compared without ids (the two databases number claims differently: ``other``
ingests in the opposite order) and without times. Also left out, by design: the actor of a
review's and a URL's history entries (the reviewer in the app, the importing admin for an
import), the time spent (measured in the app, copied from the file by an import), the
review's edit counter ``version`` (the app creates the row on first touch, then edits it),
and the ``[imported]`` prefix of an imported adjudication's reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from tests.transfer.support import key_of, open_claims, write_jsonl
from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, Document, FinalVerdict, HistoryEntry, Review
from workbench.db.session import unit_of_work
from workbench.projects.settings import set_project_setting
from workbench.review import decisions
from workbench.review.adjudicate import adjudicate
from workbench.schemas import Verdict
from workbench.transfer import import_reviews
from workbench.transfer.import_reviews import IMPORTED

URL = "https://example.org/source"


def rows_of(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Reviews, URLs, finals, per-claim figures and the claims' history, ids and times out."""
    with unit_of_work(engine) as session:
        keys = {
            claim.id: (document.sha256, claim.char_start, claim.char_end)
            for claim, document in session.execute(
                select(Claim, Document).join(Document, Claim.document_id == Document.id)
            )
        }
        reviews = {review.id: review for review in session.scalars(select(Review))}
        reviews_out = sorted(
            (
                keys[r.claim_id],
                r.reviewer.name,
                r.verdict,
                r.blind_verdict,
                r.changed_after_reveal,
                r.note,
                tuple(sorted(e.url for e in r.evidence)),
            )
            for r in reviews.values()
        )
        finals = sorted(
            (
                keys[f.claim_id],
                f.verdict,
                f.source,
                f.reason.removeprefix(f"{IMPORTED} "),
                None if f.decided_by is None else f.decided_by.name,
                f.version,
            )
            for f in session.scalars(select(FinalVerdict))
        )
        figures = sorted(
            (keys[c.id], c.verdicts, c.disagreement)
            for c in session.scalars(select(Claim).where(Claim.verdicts > 0))
        )
        history = []
        for entry in session.scalars(
            select(HistoryEntry).where(HistoryEntry.claim_id.is_not(None)).order_by(HistoryEntry.id)
        ):
            assert entry.claim_id is not None  # the query asks for claims' entries only
            after = dict(entry.after or {})
            if "review_id" in after:  # a URL's entry names its review by id
                after["review_id"] = reviews[after["review_id"]].reviewer.name
            if entry.entity == "final_verdict" and "reason" in after:
                after["reason"] = after["reason"].removeprefix(f"{IMPORTED} ")
            final = entry.entity == "final_verdict"
            history.append(
                (
                    keys[entry.claim_id],
                    entry.entity,
                    entry.action,
                    entry.before,
                    after,
                    # Who: compared for final verdicts (the system, or the deciding admin).
                    (entry.actor.name if entry.actor else None) if final else "-",
                )
            )
        return {"reviews": reviews_out, "finals": finals, "figures": figures, "history": history}


def test_an_imported_verdict_stores_what_the_app_stores(
    seeded: Engine, other: Engine, tmp_path: Path
) -> None:
    # The app: a single verdict with a URL (k = 1: a single final follows).
    (claim_id,) = open_claims(seeded, 1)
    ana = local_actor(seeded, "Ana")
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    decisions.add_url(seeded, claim_id, ana, URL)
    # The import, into a database with the same claims under other ids.
    sha256, start, end = key_of(seeded, claim_id)
    line = {
        "document": {"sha256": sha256},
        "char_start": start,
        "char_end": end,
        "reviews": [{"reviewer": "Ana", "verdict": "verified", "urls": [URL]}],
    }
    import_reviews(other, write_jsonl(tmp_path / "one.jsonl", [line]), actor=SYSTEM)

    here, there = rows_of(seeded), rows_of(other)
    # The app takes two saves (the verdict, whose final follows at once, then the URL), the
    # import one line: the same entries, the URL's before the final's.
    assert [entry[1:3] for entry in here["history"]] == [
        ("review", "create"),
        ("final_verdict", "create"),
        ("url", "create"),
    ]
    history = here["history"]
    history[1], history[2] = history[2], history[1]
    assert here == there


def test_a_consensus_and_an_adjudication_imported_store_what_the_app_stores(
    seeded: Engine, other: Engine, tmp_path: Path
) -> None:
    for engine in (seeded, other):
        set_project_setting(engine, SYSTEM, "reviews_per_claim", 2)
    agreed, split = open_claims(seeded, 2)
    ana, ben, boss = (local_actor(seeded, name) for name in ("Ana", "Ben", "Boss"))
    decisions.set_verdict(seeded, agreed, ana, Verdict.verified)
    decisions.set_verdict(seeded, agreed, ben, Verdict.verified)
    decisions.set_verdict(seeded, split, ana, Verdict.verified)
    decisions.set_verdict(seeded, split, ben, Verdict.disputed)
    adjudicate(seeded, boss, split, Verdict.disputed, "Ben's source holds")

    def line(claim_id: int, *verdicts: str, **final: str) -> dict[str, Any]:
        sha256, start, end = key_of(seeded, claim_id)
        reviews = [
            {"reviewer": name, "verdict": verdict}
            for name, verdict in zip(("Ana", "Ben"), verdicts, strict=True)
        ]
        return {
            "document": {"sha256": sha256},
            "char_start": start,
            "char_end": end,
            "reviews": reviews,
            **final,
        }

    lines = [
        line(agreed, "verified", "verified"),
        line(
            split,
            "verified",
            "disputed",
            final_verdict="disputed",
            final_source="adjudicated",
            final_reason="Ben's source holds",
        ),
    ]
    import_reviews(
        other, write_jsonl(tmp_path / "two.jsonl", lines), actor=local_actor(other, "Boss")
    )

    here, there = rows_of(seeded), rows_of(other)
    assert here == there
    assert [(f[1], f[2], f[4]) for f in here["finals"]] in (
        [("verified", "consensus", None), ("disputed", "adjudicated", "Boss")],
        [("disputed", "adjudicated", "Boss"), ("verified", "consensus", None)],
    )
