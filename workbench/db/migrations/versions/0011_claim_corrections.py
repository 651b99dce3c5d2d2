"""claims.origin, corrected_from_id, merged_from_id, status 'superseded': reviewers correct the extractor

Revision ID: 0011
Revises: 0010

A reviewer can move a claim's boundaries, split it, merge it with the next one, or add a
sentence the extractor missed (workbench.review.corrections). The corrected claim is a new row
(``origin`` 'corrected' or 'added'; ``corrected_from_id`` and, for a merge, ``merged_from_id``
name the claims it came from); the claims it replaces stay, with their reviews, as
``status = 'superseded'``. ``claim_counts.superseded`` counts them as the other totals are
counted (workbench.review.stats). Rows already there are all 'extracted'.

SQLite cannot alter a CHECK constraint, and Alembic's batch mode would copy ``claims`` and
drop the old table, which with foreign keys on deletes every review through ON DELETE CASCADE
(see 0006). So the status CHECK is widened the way SQLite documents for constraint changes
that leave the stored rows valid ("Making Other Kinds Of Table Schema Changes"): the table's
CREATE statement in ``sqlite_schema`` is edited and the schema version bumped, in this
migration's transaction. Every row stored before satisfies the wider rule.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUS = "status IN ('open', 'not_a_claim')"
NEW_STATUS = "status IN ('open', 'not_a_claim', 'superseded')"
ORIGIN = "origin IN ('extracted', 'corrected', 'added')"
LINKS = ('corrected_from_id', 'merged_from_id')


def _fk(column: str) -> str:
    return (
        f'CONSTRAINT fk_claims_{column}_claims FOREIGN KEY({column}) '
        'REFERENCES claims (id) ON DELETE SET NULL'
    )


def _edit_sqlite_claims(edit: Callable[[str], str]) -> None:
    """Rewrite ``claims``' CREATE statement (CHECK and FOREIGN KEY clauses only: nothing of
    the stored rows' format changes, and every row satisfies the new clauses)."""
    bind = op.get_bind()
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'claims'")
    ).scalar_one()
    version = bind.execute(sa.text('PRAGMA schema_version')).scalar_one()
    bind.execute(sa.text('PRAGMA writable_schema = ON'))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'claims'"),
        {'sql': edit(sql)},
    )
    bind.execute(sa.text(f'PRAGMA schema_version = {int(version) + 1}'))
    bind.execute(sa.text('PRAGMA writable_schema = OFF'))


def _widen(sql: str) -> str:
    if OLD_STATUS not in sql or not sql.rstrip().endswith(')'):
        raise RuntimeError(f'claims is not the table 0006 left: {sql}')
    sql = sql.replace(OLD_STATUS, NEW_STATUS)
    body = sql.rstrip()[:-1].rstrip()
    return body + ''.join(f', \n\t{_fk(column)}' for column in LINKS) + '\n)'


def _narrow(sql: str) -> str:
    for column in LINKS:
        sql = sql.replace(f', \n\t{_fk(column)}', '')
    return sql.replace(NEW_STATUS, OLD_STATUS)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        op.execute(
            "ALTER TABLE claims ADD COLUMN origin VARCHAR(20) DEFAULT 'extracted' NOT NULL "
            f'CONSTRAINT ck_claims_origin CHECK ({ORIGIN})'
        )
        for column in LINKS:
            op.execute(f'ALTER TABLE claims ADD COLUMN {column} INTEGER')
        # Table-level, named foreign keys (a column's inline REFERENCES keeps no name that
        # reflection reads back), and the wider status rule.
        _edit_sqlite_claims(_widen)
        op.execute('ALTER TABLE claim_counts ADD COLUMN superseded INTEGER DEFAULT 0 NOT NULL')
    else:
        op.drop_constraint(op.f('ck_claims_status'), 'claims', type_='check')
        op.create_check_constraint('status', 'claims', NEW_STATUS)
        op.add_column(
            'claims',
            sa.Column('origin', sa.String(length=20), server_default='extracted', nullable=False),
        )
        op.create_check_constraint('origin', 'claims', ORIGIN)
        for column in LINKS:
            op.add_column('claims', sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(
                op.f(f'fk_claims_{column}_claims'),
                'claims',
                'claims',
                [column],
                ['id'],
                ondelete='SET NULL',
            )
        op.add_column(
            'claim_counts',
            sa.Column('superseded', sa.Integer(), server_default='0', nullable=False),
        )
    for column in LINKS:
        op.create_index(op.f(f'ix_claims_{column}'), 'claims', [column], unique=False)


def downgrade() -> None:
    bind = op.get_bind()
    # Corrections cannot be expressed in the old schema: their claims go, and the claims they
    # replaced are open again (their reviews were kept all along).
    op.execute("DELETE FROM claims WHERE origin <> 'extracted'")
    op.execute("UPDATE claims SET status = 'open' WHERE status = 'superseded'")
    for column in LINKS:
        op.drop_index(op.f(f'ix_claims_{column}'), table_name='claims')
    if bind.dialect.name == 'sqlite':
        # The foreign keys first: SQLite refuses to drop a column one names. Then plain DROP
        # COLUMN (SQLite 3.35+), for the reason in the module's docstring; a column's own
        # CHECK goes with it.
        _edit_sqlite_claims(_narrow)
        for column in (*LINKS, 'origin'):
            op.drop_column('claims', column)
        op.drop_column('claim_counts', 'superseded')
    else:
        for column in LINKS:
            op.drop_constraint(op.f(f'fk_claims_{column}_claims'), 'claims', type_='foreignkey')
            op.drop_column('claims', column)
        op.drop_constraint(op.f('ck_claims_origin'), 'claims', type_='check')
        op.drop_column('claims', 'origin')
        op.drop_column('claim_counts', 'superseded')
        op.drop_constraint(op.f('ck_claims_status'), 'claims', type_='check')
        op.create_check_constraint('status', 'claims', OLD_STATUS)
    # The totals: recounted from the claims, as 0004 first counted them.
    op.execute('DELETE FROM claim_counts')
    op.execute(
        'INSERT INTO claim_counts (reviewed, not_a_claim) SELECT '
        "coalesce(sum(CASE WHEN status = 'open' AND verdicts > 0 THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN status = 'not_a_claim' THEN 1 ELSE 0 END), 0) FROM claims"
    )
