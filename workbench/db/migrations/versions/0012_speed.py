"""figure_snapshots: the Agreement and Progress pages' figures, kept per version of the data

Revision ID: 0012
Revises: 0011

At 100,000 claims and a million reviews the Agreement page took 6.8 s to compute its figures
on first open in a server process (issue 13). They are now stored once computed, keyed by the
choice of verdicts and scope, with the version of the data they were computed at
(``workbench.db.snapshots``); the Progress page's per-reviewer sums likewise. Any process
on the database reuses them while the version is unchanged, and recomputes them when it is
not. The table holds derived data only: dropping it (downgrade) loses nothing but time.

Index ``ix_reviews_claim_updated`` (claim_id, updated_at): the Adjudication page asks, for
each of the claims an admin decided (45,000 in the 100,000-claim synthetic corpus), whether a
review changed after the decision, as ``max(updated_at)`` of the claim's reviews: one seek in
this index instead of reading the claim's reviews (0.8 s on SQLite, 1.1 s on PostgreSQL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'figure_snapshots',
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('version', sa.String(length=200), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_figure_snapshots')),
    )
    op.create_index('ix_reviews_claim_updated', 'reviews', ['claim_id', 'updated_at'])


def downgrade() -> None:
    op.drop_index('ix_reviews_claim_updated', table_name='reviews')
    op.drop_table('figure_snapshots')
