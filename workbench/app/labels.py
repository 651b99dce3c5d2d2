"""Verdicts as people read them in the app: the current project's scale's labels.

Reviews, final verdicts, history entries and exports store a verdict's name
(``verified``); the pages show the label the project's scale gives it (the Review page's
buttons), so a desk that calls ``disputed`` "False" reads "False" everywhere on its pages:
the decision, the queue, the adjudication page, the history. Downloads keep names.
"""

from __future__ import annotations

import enum

from workbench.app import state
from workbench.projects.scale import VerdictScale


def scale() -> VerdictScale:
    """The current project's scale (the default scale before a project is found)."""
    return state.scale()


def verdict(value: str | enum.Enum | None, none: str = "") -> str:
    """A verdict (its name, or the ``Verdict`` enum) as the current scale labels it."""
    if value is None:
        return none
    name = value.value if isinstance(value, enum.Enum) else value
    return scale().label(str(name))
