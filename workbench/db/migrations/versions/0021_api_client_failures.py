"""api_client_failures: the bad-token throttle shared by every API process

Revision ID: 0021
Revises: 0020

One row per client (its address) that sent bad API tokens (workbench.auth.client_failures):
how many in a row, until when it is paused, and its last failure. It was kept in each
process's memory, so N ``workbench api`` processes behind a proxy gave a client N times the
tries. A new table only: nothing existing changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'api_client_failures',
        sa.Column('client', sa.String(length=200), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_failure', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('client', name=op.f('pk_api_client_failures')),
    )
    op.create_index(
        'ix_api_client_failures_last_failure',
        'api_client_failures',
        ['last_failure'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_api_client_failures_last_failure', table_name='api_client_failures')
    op.drop_table('api_client_failures')
