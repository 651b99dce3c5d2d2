"""reviews.blind_verdict and reviews.changed_after_reveal: blind review that stays blind

Revision ID: 0006
Revises: 0005

A reviewer sees the other reviewers' verdicts once they have given their own, and could then
change theirs to match; the export showed a consensus and nothing told that it came after the
reveal. Each review now keeps its **blind verdict** (the verdict as it stood before its
reviewer could see anyone else's) beside the current one, and ``changed_after_reveal`` records
that the reviewer later saved another verdict. The rule is workbench.review.blind's.

Rows already there get what their history proves, else the plain reading:

* A claim whose every review has a history trail that begins with its ``create`` entry (the
  trail is then complete: every verdict change appends an entry in its transaction) and ends
  on the verdict stored, is replayed entry by entry under the rule: its reviews get the blind
  verdict and flag the replay gives.
* Every other decided review (made before 0003 added the history, written in bulk by
  ``workbench synth``, or with a trail that does not end on the stored verdict) gets
  ``blind_verdict = verdict`` and no flag: what was stored is all that is known.

SQLite adds the columns with ALTER TABLE, not batch mode: batch mode copies the table and
drops the old one, and with foreign keys on, dropping ``reviews`` would delete every URL
through ON DELETE CASCADE. The replay is written out here rather than imported: a migration
must not change when the application's code does.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "blind_verdict IS NULL OR blind_verdict IN ('verified', 'disputed', 'unsupported')"
INDEX = 'ix_reviews_changed_after_reveal'

REVIEWS = sa.table(
    'reviews',
    sa.column('id', sa.Integer()),
    sa.column('claim_id', sa.Integer()),
    sa.column('verdict', sa.String()),
    sa.column('blind_verdict', sa.String()),
    sa.column('changed_after_reveal', sa.Boolean()),
)
HISTORY = sa.table(
    'history',
    sa.column('id', sa.Integer()),
    sa.column('entity', sa.String()),
    sa.column('entity_id', sa.String()),
    sa.column('claim_id', sa.Integer()),
    sa.column('action', sa.String()),
    sa.column('after', sa.JSON()),
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        op.execute(
            'ALTER TABLE reviews ADD COLUMN blind_verdict VARCHAR(20) '
            f'CONSTRAINT ck_reviews_blind_verdict CHECK ({CHECK})'
        )
        op.execute(
            'ALTER TABLE reviews ADD COLUMN changed_after_reveal BOOLEAN DEFAULT 0 NOT NULL'
        )
    else:
        op.add_column('reviews', sa.Column('blind_verdict', sa.String(length=20), nullable=True))
        op.add_column(
            'reviews',
            sa.Column('changed_after_reveal', sa.Boolean(), server_default=sa.false(), nullable=False),
        )
        op.create_check_constraint('blind_verdict', 'reviews', CHECK)
    op.execute(
        REVIEWS.update().where(REVIEWS.c.verdict.is_not(None)).values(blind_verdict=REVIEWS.c.verdict)
    )
    _replay_history(bind)
    op.create_index(INDEX, 'reviews', ['changed_after_reveal'], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name='reviews')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_reviews_blind_verdict'), 'reviews', type_='check')
    # Plain DROP COLUMN (SQLite 3.35+) for the reason given above; a column's own CHECK goes
    # with it.
    op.drop_column('reviews', 'changed_after_reveal')
    op.drop_column('reviews', 'blind_verdict')


# --- the history replay ------------------------------------------------------------------------

# (history entry id, action, verdict after the change) of one review, oldest first.
Trail = list[tuple[int, str, Any]]


CHUNK = 500  # claims replayed at a time


def _replay_history(bind: sa.Connection) -> None:
    """Correct the plain reading where the history proves otherwise.

    Only a claim with a review whose trail has an ``update`` can come out differently (a
    verdict that never changed is its own blind verdict), so only those claims are read, a
    chunk at a time: the work and the memory follow the reviews that changed, not the corpus.
    """
    changed = bind.scalars(
        sa.select(HISTORY.c.claim_id)
        .where(
            HISTORY.c.entity == 'review',
            HISTORY.c.action == 'update',
            HISTORY.c.claim_id.is_not(None),
        )
        .distinct()
    ).all()
    claims = sorted(changed)
    for start in range(0, len(claims), CHUNK):
        _replay_chunk(bind, claims[start : start + CHUNK])


def _replay_chunk(bind: sa.Connection, claim_ids: list[int]) -> None:
    stored = {
        review_id: (claim_id, verdict)
        for review_id, claim_id, verdict in bind.execute(
            sa.select(REVIEWS.c.id, REVIEWS.c.claim_id, REVIEWS.c.verdict).where(
                REVIEWS.c.claim_id.in_(claim_ids)
            )
        )
    }
    trails: dict[int, Trail] = {}
    entries = bind.execute(
        sa.select(HISTORY.c.id, HISTORY.c.entity_id, HISTORY.c.action, HISTORY.c.after)
        .where(HISTORY.c.entity == 'review', HISTORY.c.claim_id.in_(claim_ids))
        .order_by(HISTORY.c.id)  # ids are the order the changes were written in
    )
    for entry_id, entity_id, action, after in entries:
        if not str(entity_id).isdigit() or int(entity_id) not in stored:
            continue
        verdict = after.get('verdict') if isinstance(after, dict) else None
        trails.setdefault(int(entity_id), []).append((entry_id, action, verdict))
    by_claim: dict[int, list[int]] = {}
    for review_id, (claim_id, _) in stored.items():
        by_claim.setdefault(claim_id, []).append(review_id)
    updates: list[dict[str, Any]] = []
    for review_ids in by_claim.values():
        replayed = _replay_claim(review_ids, trails, stored)
        for review_id, (blind, flagged) in (replayed or {}).items():
            if (blind, flagged) != (stored[review_id][1], False):  # else the UPDATE wrote it
                updates.append({'rid': review_id, 'blind': blind, 'flag': flagged})
    if updates:
        bind.execute(
            REVIEWS.update()
            .where(REVIEWS.c.id == sa.bindparam('rid'))
            .values(blind_verdict=sa.bindparam('blind'), changed_after_reveal=sa.bindparam('flag')),
            updates,
        )


def _replay_claim(
    review_ids: list[int], trails: dict[int, Trail], stored: dict[int, tuple[int, str | None]]
) -> dict[int, tuple[str | None, bool]] | None:
    """The blind verdict and flag of each review of one claim, replayed from the history, or
    None when a trail is incomplete (it must begin with the review's creation and end on the
    verdict stored): then nothing is proven, and the plain reading stands."""
    for review_id in review_ids:
        trail = trails.get(review_id)
        if not trail or trail[0][1] != 'create' or trail[-1][2] != stored[review_id][1]:
            return None
    steps = sorted(
        (entry_id, review_id, verdict)
        for review_id in review_ids
        for entry_id, _, verdict in trails[review_id]
    )
    blind: dict[int, str | None] = dict.fromkeys(review_ids)
    flagged = dict.fromkeys(review_ids, False)
    for _, review_id, verdict in steps:
        if verdict is not None:
            # The reveal: another reviewer of the claim has decided (blind verdict set).
            revealed = any(blind[other] is not None for other in review_ids if other != review_id)
            if blind[review_id] is None or not revealed:
                blind[review_id] = verdict
            elif verdict != blind[review_id]:
                flagged[review_id] = True
    return {review_id: (blind[review_id], flagged[review_id]) for review_id in review_ids}
