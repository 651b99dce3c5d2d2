"""Which role may do what. Checked in the service layer, whatever the UI shows or hides."""

from __future__ import annotations

import enum

from workbench.errors import PermissionDenied
from workbench.schemas import Actor, Role


class Action(enum.StrEnum):
    read = "read claims and reviews"
    review = "review claims"
    adjudicate = "adjudicate disputed claims"
    manage_users = "manage users"
    change_settings = "change project settings"
    import_data = "import documents or reviews"
    export = "export the dataset"
    see_all_reviews = "see other reviewers' work before submitting a verdict"
    audit_agreement = "audit how far reviewers agree"


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.admin: frozenset(Action),
    Role.reviewer: frozenset({Action.read, Action.review}),
    Role.viewer: frozenset({Action.read}),
}


def allowed(actor: Actor, action: Action) -> bool:
    return action in ALLOWED[actor.role]


def require(actor: Actor, action: Action) -> None:
    """Raise :class:`PermissionDenied` unless ``actor``'s role allows ``action``."""
    if not allowed(actor, action):
        raise PermissionDenied(f"{actor.name} is a {actor.role.value} and cannot {action.value}")
