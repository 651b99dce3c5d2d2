"""claim_sketch_keys without a rowid on SQLite: the band keys' primary key is the table

Revision ID: 0005
Revises: 0004

Ingest adds up to 32 band keys a claim, and SQLite kept each of them three times: in the
table's rowid tree, in the index of its primary key (key, claim_id) and in the index on
claim_id. As a WITHOUT ROWID table the primary key is the table, which saves one of the
three writes of every key and a third of the table's size; lookups by key read the same
index as before. PostgreSQL has no rowid: nothing changes there. The rows are copied in key
order in the same transaction.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = """
CREATE TABLE claim_sketch_keys (
    "key" BIGINT NOT NULL,
    claim_id INTEGER NOT NULL,
    CONSTRAINT pk_claim_sketch_keys PRIMARY KEY ("key", claim_id),
    CONSTRAINT fk_claim_sketch_keys_claim_id_claims FOREIGN KEY(claim_id)
        REFERENCES claims (id) ON DELETE CASCADE
)"""


def _rebuild(rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # Nothing references this table, so renaming and dropping it touches no other table.
    op.execute("ALTER TABLE claim_sketch_keys RENAME TO claim_sketch_keys_old")
    op.execute("DROP INDEX ix_claim_sketch_keys_claim_id")
    op.execute(TABLE + ("" if rowid else " WITHOUT ROWID"))
    op.execute(
        'INSERT INTO claim_sketch_keys ("key", claim_id) '
        'SELECT "key", claim_id FROM claim_sketch_keys_old ORDER BY "key", claim_id'
    )
    op.execute("DROP TABLE claim_sketch_keys_old")
    op.execute("CREATE INDEX ix_claim_sketch_keys_claim_id ON claim_sketch_keys (claim_id)")


def upgrade() -> None:
    _rebuild(rowid=False)


def downgrade() -> None:
    _rebuild(rowid=True)
