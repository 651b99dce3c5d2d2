"""reviews.verdict, reviews.blind_verdict and final_verdicts.verdict: any verdict of the scale

Revision ID: 0017
Revises: 0016

A project's verdicts are its scale's names (issue 14: PolitiFact's six, "misleading", ...),
checked against the claim's project's scale by the services that write them
(``workbench.review``), so the CHECK constraints that allowed only verified, disputed and
unsupported go. The columns stay VARCHAR(20), the longest name a scale allows. No row changes.

SQLite: batch mode copies the two tables without the constraints (env.py runs it with foreign
keys off and checks them at the end). Downgrade puts the constraints back, and refuses, naming
the values, while rows hold verdicts outside the three (map them first:
``workbench projects map-verdicts``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

THREE = "('verified', 'disputed', 'unsupported')"
# (table, constraint name as the naming convention gives it, column, NULL allowed)
CHECKS = (
    ('reviews', 'ck_reviews_verdict', 'verdict', True),
    ('reviews', 'ck_reviews_blind_verdict', 'blind_verdict', True),
    ('final_verdicts', 'ck_final_verdicts_verdict', 'verdict', False),
)


def _condition(column: str, nullable: bool) -> str:
    inside = f'{column} IN {THREE}'
    return f'{column} IS NULL OR {inside}' if nullable else inside


def upgrade() -> None:
    for table in ('reviews', 'final_verdicts'):
        with op.batch_alter_table(table) as batch_op:
            for name in (n for t, n, _, _ in CHECKS if t == table):
                batch_op.drop_constraint(op.f(name), type_='check')


def downgrade() -> None:
    bind = op.get_bind()
    other: list[str] = []
    for table, _, column, nullable in CHECKS:
        found = bind.execute(
            sa.text(
                f'SELECT DISTINCT {column} FROM {table} '
                f'WHERE NOT ({_condition(column, nullable)})'
            )
        ).scalars()
        other += [f'{table}.{column} {value!r}' for value in found]
    if other:
        raise RuntimeError(
            'cannot downgrade below 0017: rows hold verdicts other than verified, disputed and '
            f'unsupported ({", ".join(sorted(other))}); map them first with '
            '`workbench projects map-verdicts NAME OLD=NEW`'
        )
    sqlite = bind.dialect.name == 'sqlite'
    for table in ('reviews', 'final_verdicts'):
        checks = [(n, c, z) for t, n, c, z in CHECKS if t == table]
        # On SQLite blind_verdict's CHECK was its column's own (0006 added the column with it,
        # and 0006's downgrade drops the column, which SQLite allows only with the CHECK on
        # it): put it back there, not on the table.
        on_column = [(n, c, z) for n, c, z in checks if sqlite and c == 'blind_verdict']
        columns = tuple(
            sa.Column(c, sa.String(length=20), sa.CheckConstraint(_condition(c, z), name=op.f(n)))
            for n, c, z in on_column
        )
        with op.batch_alter_table(table, reflect_args=columns) as batch_op:
            for name, column, nullable in (check for check in checks if check not in on_column):
                batch_op.create_check_constraint(op.f(name), _condition(column, nullable))
