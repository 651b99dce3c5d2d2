"""Fixtures of the review service tests: a project with two reviews a claim, and its people."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.review.support import account
from workbench.auth.policy import SYSTEM
from workbench.projects.settings import set_project_setting
from workbench.schemas import Actor, Role


@pytest.fixture
def k2(seeded: Engine) -> Engine:
    """The seeded database with k = 2 (two reviews a claim)."""
    set_project_setting(seeded, SYSTEM, "reviews_per_claim", 2)
    return seeded


@pytest.fixture
def people(seeded: Engine) -> dict[str, Actor]:
    """Two reviewers (Ana, Ben), an admin (Ada) and a viewer (Vic)."""
    return {
        "ana": account(seeded, "Ana"),
        "ben": account(seeded, "Ben"),
        "ada": account(seeded, "Ada", Role.admin),
        "vic": account(seeded, "Vic", Role.viewer),
    }
