"""ix_claims_project_speaker: a project's speakers without walking the other projects'

Revision ID: 0020
Revises: 0019

The Queue page's Speaker box lists the first speakers of the project open in name order, one
index seek each (``workbench.review.options``). Through ``ix_claims_speaker`` alone each seek
walks the speakers of every other project that sort between two of this project's; with the
project leading, it is one seek.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_claims_project_speaker', 'claims', ['project_id', 'speaker'])


def downgrade() -> None:
    op.drop_index('ix_claims_project_speaker', table_name='claims')
