"""`workbench init` on a database of the release before projects (migration 0014) moves
everything into a project named `default`: ids, settings, reviews and history as they were,
and the export the same, byte for byte (issue 14)."""

from __future__ import annotations

import io
import json

from alembic import command
from sqlalchemy import Engine, func, inspect, select, text
from typer.testing import CliRunner

from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.db.migrate import alembic_config, current_revision, head_revision
from workbench.db.models import Document, HistoryEntry, Membership, ProjectSetting, User
from workbench.db.open import open_database
from workbench.db.session import forget, get_engine, unit_of_work
from workbench.export.service import ExportFormat, render_export
from workbench.projects.service import list_projects
from workbench.synth import synthesize

FORMATS = (ExportFormat.jsonl, ExportFormat.csv, ExportFormat.claimreview)


def _exports(engine: Engine) -> dict[str, bytes]:
    return {fmt.value: render_export(engine, fmt, actor=SYSTEM) for fmt in FORMATS}


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("documents", "claims", "reviews", "final_verdicts", "history", "users")
        }


def test_an_old_database_upgrades_into_the_default_project_and_exports_the_same(
    db_url: str,
) -> None:
    engine = open_database(db_url)
    synthesize(engine, documents=30, reviewers=4, reviews_per_claim=2, seed=3)
    # The release before projects: the schema it made and its data (0015 taken back).
    command.downgrade(alembic_config(engine), "0014")
    assert current_revision(engine) == "0014"
    assert "projects" not in inspect(engine).get_table_names()
    with engine.connect() as connection:
        users: dict[str, str] = dict(connection.execute(text("SELECT name, role FROM users")).all())
        documents = connection.execute(text("SELECT id, sha256 FROM documents ORDER BY id")).all()
        settings: dict[str, object] = dict(
            connection.execute(text("SELECT key, value FROM project_settings")).all()
        )
    before, counts = _exports_at_0014(engine), _counts(engine)
    assert counts["reviews"] > 100 and before["jsonl"].count(b"\n") > 100
    forget(db_url)

    result = CliRunner().invoke(app, ["init", "--db", db_url])
    assert result.exit_code == 0, result.output

    engine = get_engine(db_url)
    assert current_revision(engine) == head_revision(engine)
    assert _exports(engine) == before
    history_before = counts.pop("history")
    after_counts = _counts(engine)
    assert after_counts.pop("history") == history_before  # the upgrade writes no history
    assert after_counts == counts
    (default,) = list_projects(engine, SYSTEM)
    assert default.name == "default" and default.documents == 30
    with unit_of_work(engine) as session:
        assert session.execute(
            select(Document.id, Document.sha256).order_by(Document.id)
        ).all() == [tuple(row) for row in documents]
        assert set(session.scalars(select(Document.project_id))) == {1}
        memberships = {
            name: role
            for name, role in session.execute(
                select(User.name, Membership.role).join(Membership, Membership.user_id == User.id)
            )
        }
        assert memberships == users  # every account, with the role it had
        stored = {
            row.key: row.value
            for row in session.scalars(select(ProjectSetting).where(ProjectSetting.project_id == 1))
        }
        assert {k: _json(v) for k, v in stored.items()} == {
            k: _json(v) for k, v in settings.items()
        }
        assert session.scalar(select(func.count()).select_from(HistoryEntry)) == history_before


def _exports_at_0014(engine: Engine) -> dict[str, bytes]:
    """The export as the release before projects wrote it. Today's format writers, fed rows
    of every claim (no project: 0014 has none) and rating on the default scale, read only
    columns 0014 has (documents, claims, reviews, finals): run on the old schema, that is the
    old release's output, which the test then compares with the export after the upgrade."""
    from workbench.export import claimreview_format, csv_format, jsonl_format
    from workbench.export.rows import iter_row_batches
    from workbench.export.service import effective_filter

    writers = {
        ExportFormat.jsonl: jsonl_format.write,
        ExportFormat.csv: csv_format.write,
        ExportFormat.claimreview: claimreview_format.write,
    }
    exports = {}
    for fmt in FORMATS:
        buffer = io.BytesIO()
        batches = iter_row_batches(
            engine, effective_filter(fmt, None), reviews=fmt is not ExportFormat.claimreview
        )
        writers[fmt](batches, buffer)
        exports[fmt.value] = buffer.getvalue()
    return exports


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value
