"""page indexes: per-claim verdict figures, indexed for the queue, assignment and adjudication

Revision ID: 0004
Revises: 0003

``claims.verdicts`` (how many reviews have a verdict) and ``claims.disagreement`` (the share of
pairs of those verdicts that differ; 0 under two verdicts), and the table ``claim_counts`` (how
many open claims are reviewed and how many are out of the queue, as rows of changes), are
kept by workbench.review.stats from now on; this migration fills them in for the rows
already there, in the same transaction as the new columns.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same figures as workbench.review.stats.RECOUNT, written out here: a migration must not
# change when the application's code does. 1 - sum over verdicts of c(c-1) / n(n-1).
BACKFILL = """
UPDATE claims SET
    verdicts = (
        SELECT count(*) FROM reviews
        WHERE reviews.claim_id = claims.id AND reviews.verdict IS NOT NULL
    ),
    disagreement = coalesce((
        SELECT 1.0 - CAST(
                sum(CASE WHEN verdict = 'verified' THEN 1 ELSE 0 END)
                    * (sum(CASE WHEN verdict = 'verified' THEN 1 ELSE 0 END) - 1)
                + sum(CASE WHEN verdict = 'disputed' THEN 1 ELSE 0 END)
                    * (sum(CASE WHEN verdict = 'disputed' THEN 1 ELSE 0 END) - 1)
                + sum(CASE WHEN verdict = 'unsupported' THEN 1 ELSE 0 END)
                    * (sum(CASE WHEN verdict = 'unsupported' THEN 1 ELSE 0 END) - 1)
                AS FLOAT)
            / CAST(count(*) * (count(*) - 1) AS FLOAT)
        FROM reviews
        WHERE reviews.claim_id = claims.id AND reviews.verdict IS NOT NULL
        HAVING count(*) >= 2
    ), 0)
WHERE EXISTS (
    SELECT 1 FROM reviews WHERE reviews.claim_id = claims.id AND reviews.verdict IS NOT NULL
)
"""


# The totals as one row of changes from nothing, if there is anything to count (an empty
# database gets no row: it counts as zero).
COUNTS = """
INSERT INTO claim_counts (reviewed, not_a_claim)
SELECT reviewed, not_a_claim FROM (
    SELECT
        sum(CASE WHEN status = 'open' AND verdicts > 0 THEN 1 ELSE 0 END) AS reviewed,
        sum(CASE WHEN status = 'not_a_claim' THEN 1 ELSE 0 END) AS not_a_claim
    FROM claims
) AS totals
WHERE reviewed > 0 OR not_a_claim > 0
"""


def upgrade() -> None:
    op.create_table('claim_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reviewed', sa.Integer(), nullable=False),
    sa.Column('not_a_claim', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_counts'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verdicts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('disagreement', sa.Float(), server_default='0', nullable=False))

    # Before the indexes: filling them row by row as the figures change would cost more.
    op.execute(BACKFILL)
    op.execute(COUNTS)

    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index('ix_claims_queue', ['status', 'verdicts', 'document_id', 'char_start', 'char_end'], unique=False)
        batch_op.create_index('ix_claims_assign_score', ['status', 'verdicts', sa.literal_column('score DESC'), 'id'], unique=False)
        batch_op.create_index('ix_claims_disagreement', ['status', sa.literal_column('disagreement DESC'), sa.literal_column('verdicts DESC'), 'document_id', 'char_start', 'char_end'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index('ix_claims_disagreement')
        batch_op.drop_index('ix_claims_assign_score')
        batch_op.drop_index('ix_claims_queue')
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode: on SQLite batch mode copies
    # the table and drops the old one, and with foreign keys on, dropping claims would delete
    # every review through ON DELETE CASCADE.
    op.drop_column('claims', 'disagreement')
    op.drop_column('claims', 'verdicts')

    op.drop_table('claim_counts')
