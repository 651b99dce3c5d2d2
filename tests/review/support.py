"""Helpers of the review service tests: accounts and the first claim of the queue."""

from __future__ import annotations

from sqlalchemy import Engine

from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
from workbench.review import queue
from workbench.schemas import Actor, Role


def account(engine: Engine, name: str, role: Role = Role.reviewer) -> Actor:
    """A new account (no password), as the actor the services take."""
    user = add_user(engine, SYSTEM, name, role)
    return Actor(id=user.id, name=user.name, role=user.role)


def first_claim(engine: Engine) -> int:
    """The first claim the queue lists."""
    return queue.list_claims(engine, queue.ClaimFilter(), page_size=1, actor=SYSTEM).items[0].id
