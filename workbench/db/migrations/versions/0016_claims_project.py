"""claims.project_id and claim_counts.project_id: each project's pages cost its own size

Revision ID: 0016
Revises: 0015

A claim belongs to its document's project (0015); the queue, the assignment and the
adjudication queue must seek one project's claims, not walk every project's. So the claim
carries its project (``claims.project_id``, filled here from its document, never changed),
and it leads the indexes those pages read: ``ix_claims_queue``, ``ix_claims_assign_score``,
``ix_claims_disagreement`` and the partial ``ix_claims_awaiting``, and a new
``ix_claims_project_span`` gives one project's claims in reading order. The rows of changes the
queue's totals sum (``claim_counts``) are per project too: they are replaced here by one row
per project, counted from the claims as they are (the same figures the rows summed to, split
by project).

SQLite: plain ALTER TABLE ADD COLUMN with a server default, then UPDATE (SQLite refuses ADD
COLUMN with REFERENCES and a non-NULL default only while foreign keys are on; env.py turns
them off during migrations).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, columns before, columns after, partial)
INDEXES = (
    (
        'ix_claims_queue',
        ['status', 'verdicts', 'document_id', 'char_start', 'char_end'],
        None,
    ),
    ('ix_claims_assign_score', ['status', 'verdicts', sa.text('score DESC'), 'id'], None),
    (
        'ix_claims_disagreement',
        [
            'status',
            sa.text('disagreement DESC'),
            sa.text('verdicts DESC'),
            'document_id',
            'char_start',
            'char_end',
        ],
        None,
    ),
    ('ix_claims_awaiting', ['id'], 'awaiting'),
)


def _create(name: str, columns: list[object], partial: str | None) -> None:
    kwargs: dict[str, object] = {}
    if partial:
        sqlite = op.get_bind().dialect.name == 'sqlite'
        where = sa.text('awaits_adjudication IS 1' if sqlite else 'awaits_adjudication IS true')
        kwargs = {'sqlite_where': where, 'postgresql_where': where}
    op.create_index(name, 'claims', columns, unique=False, **kwargs)  # type: ignore[arg-type]


def _add_project_column(table: str, ondelete: str | None) -> None:
    name = f'fk_{table}_project_id_projects'
    if op.get_bind().dialect.name == 'sqlite':
        # Alembic would add the foreign key as an ALTER of its own, which SQLite lacks.
        cascade = f' ON DELETE {ondelete}' if ondelete else ''
        op.execute(
            f'ALTER TABLE {table} ADD COLUMN project_id INTEGER NOT NULL DEFAULT 1 '
            f'CONSTRAINT {name} REFERENCES projects (id){cascade}'
        )
        return
    op.add_column(
        table,
        sa.Column(
            'project_id',
            sa.Integer(),
            sa.ForeignKey('projects.id', name=name, ondelete=ondelete),
            nullable=False,
            server_default='1',
        ),
    )


def upgrade() -> None:
    _add_project_column('claims', None)
    op.execute(
        'UPDATE claims SET project_id = '
        '(SELECT documents.project_id FROM documents WHERE documents.id = claims.document_id)'
    )
    for name, columns, partial in INDEXES:
        op.drop_index(name, table_name='claims')
        _create(name, ['project_id', *columns], partial)

    _add_project_column('claim_counts', None)
    op.create_index(
        'ix_claims_project_span',
        'claims',
        ['project_id', 'document_id', 'char_start', 'char_end'],
    )
    op.create_index('ix_claim_counts_project_id', 'claim_counts', ['project_id'])
    # The totals per project, from the claims themselves (what the rows summed to, split).
    op.execute('DELETE FROM claim_counts')
    op.execute(
        'INSERT INTO claim_counts (project_id, reviewed, not_a_claim, superseded, held_out) '
        'SELECT project_id, '
        "sum(CASE WHEN status = 'open' AND verdicts > 0 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN status = 'not_a_claim' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN status = 'superseded' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN status = 'held_out' THEN 1 ELSE 0 END) "
        'FROM claims GROUP BY project_id'
    )


def downgrade() -> None:
    # Plain DROP COLUMN on SQLite too: the column's foreign key is its own (a column
    # constraint), which SQLite drops with it. Back to one set of totals: the rows' sums do
    # not depend on the project.
    op.drop_index('ix_claim_counts_project_id', table_name='claim_counts')
    op.drop_column('claim_counts', 'project_id')
    for name, columns, partial in INDEXES:
        op.drop_index(name, table_name='claims')
        _create(name, list(columns), partial)
    op.drop_index('ix_claims_project_span', table_name='claims')
    op.drop_column('claims', 'project_id')
