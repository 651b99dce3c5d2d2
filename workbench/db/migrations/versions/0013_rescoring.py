"""claims.scored_by, rescore_token, rescore_claimed_at: provisional scores re-scored later

Revision ID: 0013
Revises: 0012

With a two-stage scorer (``onnx``: linear@1, then a fine-tuned MiniLM) ingest stores the
linear score at once and a background worker (workbench.review.rescore) replaces it with the
transformer's. ``scored_by`` names the scorer of the stored score when it is not the
``extractor`` (NULL: the extractor's, as for every row stored before). ``rescore_token`` and
``rescore_claimed_at`` are a worker's hold on a claim while it scores it.

Plain ALTER TABLE ADD COLUMN on SQLite (no batch mode, which copies and drops the table and
with foreign keys on would delete the reviews through ON DELETE CASCADE; see 0006 and 0011).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = 'ix_claims_scored_by'


def upgrade() -> None:
    op.add_column('claims', sa.Column('scored_by', sa.String(length=100), nullable=True))
    op.add_column('claims', sa.Column('rescore_token', sa.String(length=32), nullable=True))
    op.add_column(
        'claims', sa.Column('rescore_claimed_at', sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(INDEX, 'claims', ['scored_by', 'extractor'], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name='claims')
    op.drop_column('claims', 'rescore_claimed_at')
    op.drop_column('claims', 'rescore_token')
    op.drop_column('claims', 'scored_by')
