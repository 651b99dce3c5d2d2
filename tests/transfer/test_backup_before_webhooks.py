"""A backup made before the webhook tables (0016) restores into this release: 0019 added only
tables that backups leave out, so the file is the same as one made today."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from tests.review.test_assign import add_claims, add_user
from workbench.auth.policy import SYSTEM
from workbench.db.migrate import head_revision
from workbench.db.open import open_database
from workbench.review import decisions
from workbench.schemas import Verdict
from workbench.transfer.backup import export_backup, restore_backup


def test_a_backup_from_before_webhooks_restores(
    engine: Engine, other_url: str, tmp_path: Path
) -> None:
    (claim_id,) = add_claims(engine, [0.9])
    decisions.set_verdict(engine, claim_id, add_user(engine, "ann"), Verdict.verified)
    backup, old = tmp_path / "all.jsonl", tmp_path / "old.jsonl"
    export_backup(engine, backup, actor=SYSTEM)
    lines = backup.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["alembic_revision"] == head_revision(engine)
    header["alembic_revision"] = "0016"
    old.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n", encoding="utf-8")
    report = restore_backup(open_database(other_url), old, actor=SYSTEM)
    assert report.written and report.conflict_count == 0, report.summary()
