"""``GET /health``: the server answers (no token needed), for load balancers and tests."""

from __future__ import annotations

from fastapi import APIRouter

from workbench import __version__
from workbench.api.bodies import Health, TokenInfo
from workbench.api.deps import CallerDep
from workbench.api.routers.common import ERRORS

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health() -> Health:
    return Health(version=__version__)


@router.get("/me", response_model=TokenInfo, responses=ERRORS)
def me(caller: CallerDep) -> TokenInfo:
    """Whom the token acts as."""
    return TokenInfo(
        id=caller.id,
        name=caller.name,
        role=caller.role.value,
        limited_to_project=caller.limited_to,
    )
