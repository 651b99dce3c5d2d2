"""users.email: the address single sign-on (OpenID Connect) maps to an account

Revision ID: 0007
Revises: 0006

An admin gives an account the e-mail its owner's identity provider vouches for; a sign-in
through the provider with that verified address becomes that account (workbench.auth.oidc).
Nullable (accounts without single sign-on) and unique among the accounts that have one, as a
unique index: NULLs may repeat on both backends.

SQLite adds the column with ALTER TABLE, not batch mode: batch mode copies the table and
drops the old one, and with foreign keys on, dropping ``users`` would reach every table that
names an account.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = 'ix_users_email'


def upgrade() -> None:
    op.add_column('users', sa.Column('email', sa.String(length=254), nullable=True))
    op.create_index(INDEX, 'users', ['email'], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name='users')
    # Plain DROP COLUMN (SQLite 3.35+) for the reason given above.
    op.drop_column('users', 'email')
