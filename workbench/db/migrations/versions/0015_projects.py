"""projects and memberships: several desks on one server; everything so far moves into `default`

Revision ID: 0015
Revises: 0014

Until now a database was one project. The projects table holds each desk's name, description,
verdict scale and guidelines; memberships give a user a role per project; every document
belongs to one project (``documents.project_id``) and the same text may be stored once per
project (unique (project_id, sha256) instead of unique sha256); settings are per project
(``project_settings`` keyed by (project_id, key)).

The upgrade makes project 1, ``default``, with the verdict scale every database had
(verified, disputed, unsupported, with the ClaimReview ratings the export gave them), moves
every document and setting into it, and makes every account a member of it with the role it
has: ids, settings, reviews and history stay as they were, and the export is the same.

On SQLite the documents and project_settings tables are rebuilt (a UNIQUE constraint and a
primary key cannot be altered in place); workbench/db/migrations/env.py runs the migrations
with foreign keys off so that dropping the old documents table does not cascade to claims,
and checks them after.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')

# The scale as this release defines the default, written out: a migration must not change
# when the application's code does.
DEFAULT_SCALE = {
    'verdicts': [
        {
            'name': 'verified',
            'label': '',
            'description': 'The evidence supports the claim as stated.',
            'key': '1',
            'rating': 3,
        },
        {
            'name': 'disputed',
            'label': '',
            'description': 'Credible evidence contradicts it, or it is contested.',
            'key': '2',
            'rating': 1,
        },
        {
            'name': 'unsupported',
            'label': '',
            'description': 'No evidence was found that would confirm it.',
            'key': '3',
            'rating': 2,
        },
    ]
}


def upgrade() -> None:
    projects = op.create_table(
        'projects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('verdict_scale', JSON, nullable=False),
        sa.Column('guidelines', sa.Text(), nullable=False),
        sa.Column('guidelines_version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
        sa.UniqueConstraint('name', name=op.f('uq_projects_name')),
    )
    op.bulk_insert(
        projects,
        [
            {
                'id': 1,
                'name': 'default',
                'description': '',
                'verdict_scale': DEFAULT_SCALE,
                'guidelines': '',
                'guidelines_version': 0,
                'created_at': datetime.now(UTC),
            }
        ],
    )
    if op.get_bind().dialect.name == 'postgresql':
        # The explicit id 1 leaves the sequence behind: the next project must not collide.
        op.execute("SELECT setval(pg_get_serial_sequence('projects', 'id'), 1)")
    op.create_table(
        'memberships',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'reviewer', 'viewer')", name=op.f('ck_memberships_role')
        ),
        sa.ForeignKeyConstraint(
            ['project_id'],
            ['projects.id'],
            name=op.f('fk_memberships_project_id_projects'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('user_id', 'project_id', name=op.f('pk_memberships')),
    )
    op.create_index('ix_memberships_project_id', 'memberships', ['project_id'])
    op.execute("INSERT INTO memberships (user_id, project_id, role) SELECT id, 1, role FROM users")

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('project_id', sa.Integer(), nullable=False, server_default='1')
        )
        batch_op.drop_constraint('uq_documents_sha256', type_='unique')
        batch_op.create_foreign_key(
            batch_op.f('fk_documents_project_id_projects'), 'projects', ['project_id'], ['id']
        )
        batch_op.create_unique_constraint(
            'uq_documents_project_sha256', ['project_id', 'sha256']
        )
        batch_op.create_index(batch_op.f('ix_documents_project_id'), ['project_id'])
        batch_op.create_index(batch_op.f('ix_documents_sha256'), ['sha256'])
    with op.batch_alter_table('documents', schema=None) as batch_op:
        # The default only filled the rows already there: a new document names its project.
        batch_op.alter_column('project_id', server_default=None)

    with op.batch_alter_table('project_settings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('project_id', sa.Integer(), nullable=False, server_default='1')
        )
        batch_op.drop_constraint('pk_project_settings', type_='primary')
        batch_op.create_primary_key('pk_project_settings', ['project_id', 'key'])
        batch_op.create_foreign_key(
            batch_op.f('fk_project_settings_project_id_projects'),
            'projects',
            ['project_id'],
            ['id'],
            ondelete='CASCADE',
        )
    with op.batch_alter_table('project_settings', schema=None) as batch_op:
        batch_op.alter_column('project_id', server_default=None)


def downgrade() -> None:
    bind = op.get_bind()
    others = bind.execute(sa.text("SELECT count(*) FROM projects WHERE id <> 1")).scalar_one()
    if others:
        raise RuntimeError(
            f"cannot downgrade: the database holds {others} project(s) besides 'default'; "
            "export them (workbench export --project NAME) and remove them first"
        )
    with op.batch_alter_table('project_settings', schema=None) as batch_op:
        batch_op.drop_constraint('fk_project_settings_project_id_projects', type_='foreignkey')
        batch_op.drop_constraint('pk_project_settings', type_='primary')
        batch_op.create_primary_key('pk_project_settings', ['key'])
        batch_op.drop_column('project_id')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_sha256'))
        batch_op.drop_index(batch_op.f('ix_documents_project_id'))
        batch_op.drop_constraint('uq_documents_project_sha256', type_='unique')
        batch_op.drop_constraint('fk_documents_project_id_projects', type_='foreignkey')
        batch_op.create_unique_constraint('uq_documents_sha256', ['sha256'])
        batch_op.drop_column('project_id')
    op.drop_index('ix_memberships_project_id', table_name='memberships')
    op.drop_table('memberships')
    op.drop_table('projects')
