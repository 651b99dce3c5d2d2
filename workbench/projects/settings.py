"""A project's settings kept in the database, so every reviewer's process sees the same ones.

Each project has its own (``project_settings`` keyed by project and setting); a setting never
set has its default. Functions take the project by id or name, or none: the only project
(``projects.service.resolve_project``), as every database had before projects.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity, record, setting_entity_id
from workbench.auth.policy import Action, Caller, authorize
from workbench.config import ScorerName
from workbench.db.models import ProjectSetting
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput
from workbench.projects.service import resolve_project


class ProjectSettings(BaseModel):
    """The settings and their defaults; a stored row overrides its default."""

    reviews_per_claim: int = Field(
        default=1, ge=1, le=10, description="k: how many reviewers judge each claim"
    )
    lease_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="how long a claim handed out stays reserved"
    )
    assignment_order: Literal["score", "document"] = Field(
        default="score", description="'next claim' by check-worthiness or in reading order"
    )
    scorer: ScorerName | None = Field(
        default=None,
        description="the extractor's scorer for this project's new documents "
        "(none: the server's, WORKBENCH_SCORER, by default onnx)",
    )
    claim_threshold: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="the score from which a sentence is a claim here "
        "(none: WORKBENCH_CLAIM_THRESHOLD, else the scorer's own)",
    )


# Words that clear an optional setting back to its default on the command line.
NONE_WORDS = frozenset({"", "none", "null", "default"})


def get_project_settings(engine: Engine, project: int | str | None = None) -> ProjectSettings:
    with unit_of_work(engine) as session:
        return settings_in(session, resolve_project(session, project).id)


def settings_in(session: Session, project_id: int) -> ProjectSettings:
    """The settings of one project, read in the caller's transaction."""
    rows = session.execute(
        select(ProjectSetting.key, ProjectSetting.value).where(
            ProjectSetting.project_id == project_id
        )
    )
    known = {key: value for key, value in rows if key in ProjectSettings.model_fields}
    return ProjectSettings.model_validate(known)


def set_project_setting(
    engine: Engine, actor: Caller, key: str, value: Any, project: int | str | None = None
) -> ProjectSettings:
    """Change one setting (the project's admins, or the command line as ``SYSTEM``); audited."""
    with unit_of_work(engine) as session:
        project_id = resolve_project(session, project).id
        authorize(session, actor, Action.change_settings, project_id)
        if key not in ProjectSettings.model_fields:
            names = ", ".join(ProjectSettings.model_fields)
            raise InvalidInput(f"unknown setting {key!r}; the settings are: {names}")
        optional = ProjectSettings.model_fields[key].default is None
        if optional and isinstance(value, str) and value.strip().lower() in NONE_WORDS:
            value = None
        row = session.get(ProjectSetting, (project_id, key))
        query = select(ProjectSetting.key, ProjectSetting.value).where(
            ProjectSetting.project_id == project_id
        )
        current: dict[str, Any] = {k: v for k, v in session.execute(query)}
        current = {k: v for k, v in current.items() if k in ProjectSettings.model_fields}
        try:
            checked = ProjectSettings.model_validate(current | {key: value})
        except ValidationError as exc:
            error = exc.errors()[0]
            raise InvalidInput(f"setting {key}: {error['msg']} (got {value!r})") from exc
        new_value = getattr(checked, key)
        before = None if row is None else {key: row.value}
        if row is None:
            row = ProjectSetting(project_id=project_id, key=key, value=new_value)
            session.add(row)
        else:
            row.value = new_value
        row.updated_by_id = actor.id
        record(
            session,
            actor_id=actor.id,
            entity=Entity.setting,
            entity_id=setting_entity_id(project_id, key),
            action=Change.create if before is None else Change.update,
            before=before,
            after={key: new_value},
        )
        return checked
