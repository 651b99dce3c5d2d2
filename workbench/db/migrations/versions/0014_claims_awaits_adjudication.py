"""claims.awaits_adjudication: the Adjudication page counts and pages an index range

Revision ID: 0014
Revises: 0013

At 100,000 claims the Adjudication page read the ids of all 45,000 waiting claims on every
view to count them and cut a page of ten (three index reads and lists of ids; 1.6-2.8 s
under load, issue 13). Whether a claim waits for an admin is now a flag on its row, kept by
workbench.review.awaiting in the transaction of every change that can move it, and the
waiting claims are the entries of the partial index ``ix_claims_awaiting``.

The flag is filled here for the rows already there, by the rule the page applied until now,
written out (a migration must not change when the application's code does): open, and
either no admin decided and the verdicts disagree or one decided review was changed after
the reveal to something other than its blind verdict, or an admin decided and a review
changed after the decision. Before the index is made: filling it entry by entry would cost
more. Plain ALTER TABLE ADD COLUMN on SQLite (no batch mode, see 0006).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = 'ix_claims_awaiting'

CLAIMS = sa.table(
    'claims',
    sa.column('id', sa.Integer()),
    sa.column('status', sa.String()),
    sa.column('disagreement', sa.Float()),
    sa.column('awaits_adjudication', sa.Boolean()),
)
REVIEWS = sa.table(
    'reviews',
    sa.column('claim_id', sa.Integer()),
    sa.column('verdict', sa.String()),
    sa.column('blind_verdict', sa.String()),
    sa.column('changed_after_reveal', sa.Boolean()),
    sa.column('updated_at', sa.DateTime()),
)
FINALS = sa.table(
    'final_verdicts',
    sa.column('claim_id', sa.Integer()),
    sa.column('source', sa.String()),
    sa.column('decided_at', sa.DateTime()),
)


def _waiting() -> sa.ColumnElement[bool]:
    claims = CLAIMS.c
    # Each subquery names the claims row it is about (correlate): left to itself, the one
    # nested in another would read claims as a table of its own, every claim's reviews.
    adjudicated = (
        sa.exists()
        .where(FINALS.c.claim_id == claims.id, FINALS.c.source == 'adjudicated')
        .correlate(CLAIMS)
    )
    latest = (
        sa.select(sa.func.max(REVIEWS.c.updated_at))
        .where(REVIEWS.c.claim_id == claims.id)
        .correlate(CLAIMS)
        .scalar_subquery()
    )
    changed_since = (
        sa.exists()
        .where(
            FINALS.c.claim_id == claims.id,
            FINALS.c.source == 'adjudicated',
            latest > FINALS.c.decided_at,
        )
        .correlate(CLAIMS)
    )
    after_reveal = (
        sa.exists()
        .where(
            REVIEWS.c.claim_id == claims.id,
            REVIEWS.c.changed_after_reveal.is_(True),
            REVIEWS.c.verdict.is_not(None),
            REVIEWS.c.verdict != REVIEWS.c.blind_verdict,
        )
        .correlate(CLAIMS)
    )
    return sa.and_(
        claims.status == 'open',
        sa.or_(
            sa.and_(sa.not_(adjudicated), sa.or_(claims.disagreement > 0, after_reveal)),
            changed_since,
        ),
    )


def upgrade() -> None:
    op.add_column(
        'claims',
        sa.Column('awaits_adjudication', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute(CLAIMS.update().where(_waiting()).values(awaits_adjudication=sa.true()))
    where = sa.text('awaits_adjudication IS 1' if op.get_bind().dialect.name == 'sqlite' else 'awaits_adjudication IS true')
    op.create_index(
        INDEX, 'claims', ['id'], unique=False, sqlite_where=where, postgresql_where=where
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name='claims')
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode (see 0004).
    op.drop_column('claims', 'awaits_adjudication')
