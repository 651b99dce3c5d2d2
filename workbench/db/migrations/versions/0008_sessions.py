"""browser_sessions: sign-in that survives a reload, a new tab and a second server process

Revision ID: 0008
Revises: 0007

One row per signed-in browser (workbench.auth.sessions): the cookie's random token and the
one-time sign-in ticket are stored only as SHA-256 hashes, with the account, when the row was
made and last seen, and when it ends. A new table only: nothing existing changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'browser_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('ticket_hash', sa.String(length=64), nullable=True),
        sa.Column('ticket_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['users.id'],
            name=op.f('fk_browser_sessions_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_browser_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_browser_sessions_token_hash')),
        sa.UniqueConstraint('ticket_hash', name=op.f('uq_browser_sessions_ticket_hash')),
    )
    op.create_index(
        'ix_browser_sessions_expires_at', 'browser_sessions', ['expires_at'], unique=False
    )
    op.create_index(
        op.f('ix_browser_sessions_user_id'), 'browser_sessions', ['user_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_browser_sessions_user_id'), table_name='browser_sessions')
    op.drop_index('ix_browser_sessions_expires_at', table_name='browser_sessions')
    op.drop_table('browser_sessions')
