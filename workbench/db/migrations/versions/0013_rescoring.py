"""claims.scored_by, rescore_token, rescore_claimed_at, status 'held_out': provisional scores re-scored later

Revision ID: 0013
Revises: 0012

With a two-stage scorer (``onnx``: linear@1, then a fine-tuned MiniLM) ingest stores the
linear score at once and a background worker (workbench.review.rescore) replaces it with the
transformer's. ``scored_by`` names the scorer of the stored score when it is not the
``extractor`` (NULL: the extractor's, as for every row stored before). ``rescore_token`` and
``rescore_claimed_at`` are a worker's hold on a claim while it scores it.

Ingest also stores, out of the queue, the sentences the cascade would have shown the
transformer but linear@1 scores under its threshold: status ``held_out``, the extractor's own
decision, kept apart from a person's ``not_a_claim`` (the "Not a claim" counts and filter,
agreement and training negatives are people's). ``claim_counts.held_out`` counts them, so the
totals leave them out of the claims (workbench.review.stats).

Plain ALTER TABLE ADD COLUMN on SQLite (no batch mode, which copies and drops the table and
with foreign keys on would delete the reviews through ON DELETE CASCADE; see 0006), and the
status CHECK widened as 0011 does, by editing the stored CREATE statement.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = 'ix_claims_scored_by'
OLD_STATUS = "status IN ('open', 'not_a_claim', 'superseded')"
NEW_STATUS = "status IN ('open', 'not_a_claim', 'superseded', 'held_out')"


def _edit_sqlite_claims(edit: Callable[[str], str]) -> None:
    """Rewrite ``claims``' CREATE statement (its CHECK clause only: every stored row satisfies
    the new one; see 0011 for why this and not a copy of the table)."""
    bind = op.get_bind()
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'claims'")
    ).scalar_one()
    version = bind.execute(sa.text('PRAGMA schema_version')).scalar_one()
    bind.execute(sa.text('PRAGMA writable_schema = ON'))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'claims'"),
        {'sql': edit(sql)},
    )
    bind.execute(sa.text(f'PRAGMA schema_version = {int(version) + 1}'))
    bind.execute(sa.text('PRAGMA writable_schema = OFF'))


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(sql: str) -> str:
        if old not in sql:
            raise RuntimeError(f'claims does not have the status rule {old}: {sql}')
        return sql.replace(old, new)

    return edit


def upgrade() -> None:
    op.add_column('claims', sa.Column('scored_by', sa.String(length=100), nullable=True))
    op.add_column('claims', sa.Column('rescore_token', sa.String(length=32), nullable=True))
    op.add_column(
        'claims', sa.Column('rescore_claimed_at', sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(INDEX, 'claims', ['scored_by', 'extractor'], unique=False)
    op.add_column(
        'claim_counts', sa.Column('held_out', sa.Integer(), server_default='0', nullable=False)
    )
    if op.get_bind().dialect.name == 'sqlite':
        _edit_sqlite_claims(_replace(OLD_STATUS, NEW_STATUS))
    else:
        op.drop_constraint(op.f('ck_claims_status'), 'claims', type_='check')
        op.create_check_constraint('status', 'claims', NEW_STATUS)


def downgrade() -> None:
    # The old schema has no held-out status and no re-scorer to judge them: the extractor's
    # held-out sentences go, with their sketches and links. One a person reviewed anyway (an
    # imported review) is kept, in the queue, rather than lose the review.
    reviewed = 'EXISTS (SELECT 1 FROM reviews WHERE reviews.claim_id = claims.id)'
    op.execute(f"DELETE FROM claims WHERE status = 'held_out' AND NOT {reviewed}")
    op.execute("UPDATE claims SET status = 'open' WHERE status = 'held_out'")
    if op.get_bind().dialect.name == 'sqlite':
        _edit_sqlite_claims(_replace(NEW_STATUS, OLD_STATUS))
    else:
        op.drop_constraint(op.f('ck_claims_status'), 'claims', type_='check')
        op.create_check_constraint('status', 'claims', OLD_STATUS)
    # The totals recounted from the claims, as 0011's downgrade does.
    op.drop_column('claim_counts', 'held_out')
    op.execute('DELETE FROM claim_counts')
    op.execute(
        'INSERT INTO claim_counts (reviewed, not_a_claim, superseded) SELECT '
        "coalesce(sum(CASE WHEN status = 'open' AND verdicts > 0 THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN status = 'not_a_claim' THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN status = 'superseded' THEN 1 ELSE 0 END), 0) FROM claims"
    )
    op.drop_index(INDEX, table_name='claims')
    op.drop_column('claims', 'rescore_claimed_at')
    op.drop_column('claims', 'rescore_token')
    op.drop_column('claims', 'scored_by')
