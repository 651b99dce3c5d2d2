"""A backup keeps reviewers' corrections of the extractor: the corrected and added claims,
their links to the claims they replaced, and those claims as ``superseded`` with their reviews;
the restored database counts them out of the queue as the original did."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from tests.transfer.test_backup import fill, tables_of
from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, Review
from workbench.db.open import open_database
from workbench.db.session import unit_of_work
from workbench.review import corrections, queue, stats
from workbench.transfer.backup import export_backup, restore_backup


def test_a_backup_restores_corrections_with_their_links(
    engine: Engine, tmp_path: Path, other_url: str
) -> None:
    fill(engine)
    ana = local_actor(engine, "Ana")
    with unit_of_work(engine) as session:
        reviewed = session.scalars(
            select(Claim).join(Review).where(Claim.status == "open").order_by(Claim.id).limit(1)
        ).one()
        claim_id, start, text = reviewed.id, reviewed.char_start, reviewed.text
    cut = start + text.index(" ")
    split = corrections.split_claim(engine, claim_id, ana, cut, confirm=True)
    second = split.created[1]
    shrunk = corrections.adjust_claim(
        engine, second.id, ana, second.char_start, second.char_end - 1
    ).created[0]
    path = tmp_path / "backup.jsonl"
    export_backup(engine, path, actor=SYSTEM)

    target = open_database(other_url)
    report = restore_backup(target, path, actor=SYSTEM)
    assert report.empty_target and report.written and report.conflict_count == 0
    assert tables_of(target)["claims"] == tables_of(engine)["claims"]
    with unit_of_work(target) as session:
        restored = session.get_one(Claim, shrunk.id)
        assert (restored.origin, restored.corrected_from_id) == ("corrected", second.id)
        assert session.get_one(Claim, second.id).status == "superseded"
    old = queue.get_claim(target, claim_id, SYSTEM)
    assert old.claim.status.value == "superseded" and old.reviews
    with unit_of_work(engine) as source, unit_of_work(target) as copy:
        assert stats.totals(copy) == stats.totals(source)
