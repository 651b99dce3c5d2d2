"""comments: a discussion on a claim between its reviewers and the adjudicator

Revision ID: 0010
Revises: 0009

One table, ``comments``: a reviewer's comment for the adjudicator, an admin's question that
sends the claim back to one reviewer (open until ``resolved_at``), and that reviewer's answer
(``reply_to_id``). Who may read which is workbench.review.discussion's rule (blind review).
A new table only: nothing already stored changes, so downgrading drops it and nothing else.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('addressed_to_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reply_to_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(kind = 'question') = (addressed_to_id IS NOT NULL)", name=op.f('ck_comments_question_addressed')),
    sa.CheckConstraint("kind IN ('comment', 'question', 'answer')", name=op.f('ck_comments_kind')),
    sa.ForeignKeyConstraint(['addressed_to_id'], ['users.id'], name=op.f('fk_comments_addressed_to_id_users')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_comments_author_id_users')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_comments_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reply_to_id'], ['comments.id'], name=op.f('fk_comments_reply_to_id_comments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comments_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index('ix_comments_open_questions', ['addressed_to_id', 'resolved_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_open_questions')
        batch_op.drop_index(batch_op.f('ix_comments_claim_id'))

    op.drop_table('comments')
