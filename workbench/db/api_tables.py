"""The API's tables (issue 15): personal API tokens, and the bad tokens counted per client.

A module of its own rather than more of ``models.py``, which is at the 600-line limit; the
package's ``__init__`` imports it, so ``Base.metadata`` (Alembic, the schema test) always
holds its tables beside the others.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workbench.db.models import Base, UTCDateTime, utcnow


class ApiToken(Base):
    """A personal API token, stored only as the SHA-256 of its secret (auth/tokens.py).

    It acts as its account, with the roles the account has at each request; ``project_id``
    limits it to one project (NULL: every project the account may use). A revoked token
    keeps its row (``revoked_at``) so ``workbench tokens list`` still shows what existed.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiClientFailure(Base):
    """Bad tokens from one client (its address), shared by every API process on the database
    (``auth.client_failures``): with several ``workbench api`` processes behind a proxy a
    client gets one budget, not one per process. Only failures write here; a row quiet for
    ``throttle.CLIENT_FORGET_AFTER`` is dropped at the next failure of any client."""

    __tablename__ = "api_client_failures"
    __table_args__ = (Index("ix_api_client_failures_last_failure", "last_failure"),)

    client: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure: Mapped[datetime] = mapped_column(UTCDateTime())
