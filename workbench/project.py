"""Project-wide settings kept in the database, so every reviewer's process sees the same ones."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Engine, select

from workbench.audit import Change, Entity, record
from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import ProjectSetting
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput


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


def get_project_settings(engine: Engine) -> ProjectSettings:
    with unit_of_work(engine) as session:
        stored = {row.key: row.value for row in session.scalars(select(ProjectSetting))}
    known = {key: value for key, value in stored.items() if key in ProjectSettings.model_fields}
    return ProjectSettings.model_validate(known)


def set_project_setting(engine: Engine, actor: Caller, key: str, value: Any) -> ProjectSettings:
    """Change one setting (admins, or the command line as ``SYSTEM``); it is audited."""
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.change_settings)
        if key not in ProjectSettings.model_fields:
            names = ", ".join(ProjectSettings.model_fields)
            raise InvalidInput(f"unknown setting {key!r}; the settings are: {names}")
        row = session.get(ProjectSetting, key)
        current = {r.key: r.value for r in session.scalars(select(ProjectSetting))}
        try:
            checked = ProjectSettings.model_validate(current | {key: value})
        except ValidationError as exc:
            error = exc.errors()[0]
            raise InvalidInput(f"setting {key}: {error['msg']} (got {value!r})") from exc
        new_value = getattr(checked, key)
        before = None if row is None else {key: row.value}
        if row is None:
            row = ProjectSetting(key=key, value=new_value)
            session.add(row)
        else:
            row.value = new_value
        row.updated_by_id = actor.id
        record(
            session,
            actor_id=actor.id,
            entity=Entity.setting,
            entity_id=key,
            action=Change.create if before is None else Change.update,
            before=before,
            after={key: new_value},
        )
        return checked
