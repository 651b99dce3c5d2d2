"""reviews.open_verdicts and two indexes per reviewer: the sidebar's figures stay cheap

Revision ID: 0009
Revises: 0008

The sidebar shows each reviewer their decisions today and the claims left for them (open,
fewer than k verdicts, none of them theirs). Counting those over the reviews of every claim
grows with the corpus; with ``reviews.open_verdicts`` (the claim's verdict count, copied onto
each of its decided reviews while the claim is open; workbench.review.stats keeps it) both
are a range of one reviewer's entries in an index.

SQLite adds the column with ALTER TABLE, not batch mode, for the reason 0006 gives (batch mode
would drop ``reviews`` and, with foreign keys on, every URL with it). The fill is written out
here rather than imported: a migration must not change when the application's code does.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DECIDED = 'ix_reviews_reviewer_decided'
OPEN_VERDICTS = 'ix_reviews_reviewer_open_verdicts'


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE reviews ADD COLUMN open_verdicts INTEGER')
    else:
        op.add_column('reviews', sa.Column('open_verdicts', sa.Integer(), nullable=True))
    op.execute(
        'UPDATE reviews SET open_verdicts = (SELECT claims.verdicts FROM claims'
        " WHERE claims.id = reviews.claim_id AND claims.status = 'open')"
        ' WHERE verdict IS NOT NULL'
    )
    op.create_index(DECIDED, 'reviews', ['reviewer_id', 'decided_at'], unique=False)
    op.create_index(OPEN_VERDICTS, 'reviews', ['reviewer_id', 'open_verdicts'], unique=False)


def downgrade() -> None:
    op.drop_index(OPEN_VERDICTS, table_name='reviews')
    op.drop_index(DECIDED, table_name='reviews')
    op.drop_column('reviews', 'open_verdicts')
