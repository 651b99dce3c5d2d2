"""``/projects``: the projects the caller belongs to (all of them for a site admin)."""

from __future__ import annotations

from fastapi import APIRouter

from workbench.api.deps import CallerDep, EngineDep
from workbench.api.errors import not_found
from workbench.api.routers.common import ERRORS
from workbench.projects.service import ProjectSummary, list_projects
from workbench.schemas import Actor

router = APIRouter(prefix="/projects", tags=["projects"], responses=ERRORS)


def _visible(db: EngineDep, caller: Actor) -> list[ProjectSummary]:
    projects = list_projects(db, caller)
    if caller.limited_to is not None:
        projects = [p for p in projects if p.id == caller.limited_to]
    return projects


@router.get("", response_model=list[ProjectSummary])
def projects(db: EngineDep, caller: CallerDep) -> list[ProjectSummary]:
    """The projects the token may act in, with their counts."""
    return _visible(db, caller)


@router.get("/{project}", response_model=ProjectSummary)
def project(project: str, db: EngineDep, caller: CallerDep) -> ProjectSummary:
    """One project, by id or name."""
    for row in _visible(db, caller):
        if str(row.id) == project or row.name == project:
            return row
    raise not_found(f"project {project!r}")
