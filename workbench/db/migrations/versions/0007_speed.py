"""agreement_snapshots: the Agreement page's figures, kept per version of the data

Revision ID: 0007
Revises: 0006

At 100,000 claims and a million reviews the Agreement page took 6.8 s to compute its figures
on first open in a server process (issue 13). They are now stored once computed, keyed by the
choice of verdicts and scope, with the version of the data they were computed at
(``workbench.agreement.snapshot``): any process on the database reuses them while the version
is unchanged, and recomputes them when it is not. The table holds derived data only: dropping
it (downgrade) loses nothing but time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'agreement_snapshots',
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('version', sa.String(length=200), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_agreement_snapshots')),
    )


def downgrade() -> None:
    op.drop_table('agreement_snapshots')
