"""A project's verdict scale: its verdicts in order, best first.

Each verdict has a name (what is stored in reviews and exports), a label for buttons, a
description shown as help, a keyboard key, and its ClaimReview rating. "Not a claim" is not a
verdict: it takes a claim out of the queue whatever the scale. The default is the scale every
database had before projects (verified, disputed, unsupported), with the ClaimReview ratings
the export has always given them, so an upgraded database exports what it exported before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from workbench.errors import OffScale
from workbench.schemas import VerdictName

# What the filters of a final verdict say besides a verdict: no scale may use them.
FILTER_WORDS = frozenset({"any", "none"})
# Keys the Review page already binds to something else ("X" not a claim, "P" previous, "S" skip).
RESERVED_KEYS = frozenset({"x", "p", "s"})


class ScaleVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: VerdictName
    label: str = Field(default="", max_length=60, description="button text; the name if empty")
    description: str = Field(default="", max_length=500, description="help shown beside it")
    key: str = Field(default="", max_length=1, description="keyboard shortcut; none if empty")
    rating: int = Field(ge=1, le=100, description="ClaimReview ratingValue")

    @property
    def shown(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


class VerdictScale(BaseModel):
    """The verdicts, best first; ratings need not be consecutive but must fall with the order."""

    model_config = ConfigDict(frozen=True)

    verdicts: tuple[ScaleVerdict, ...] = Field(min_length=2, max_length=12)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [v.name for v in self.verdicts]
        if len(set(names)) != len(names):
            raise ValueError(f"a verdict appears twice: {', '.join(names)}")
        if "not_a_claim" in names:
            raise ValueError("'not_a_claim' is not a verdict: every project has it")
        taken = sorted(FILTER_WORDS & set(names))
        if taken:
            # The queue's and the export's filters say "final verdict: any / none" with them.
            raise ValueError(
                f"{', '.join(taken)}: taken by the filters; name the verdict otherwise"
            )
        keys = [v.key.lower() for v in self.verdicts if v.key]
        if len(set(keys)) != len(keys):
            raise ValueError("two verdicts share a key")
        if RESERVED_KEYS & set(keys):
            raise ValueError(f"keys {', '.join(sorted(RESERVED_KEYS))} are taken by the page")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.verdicts)

    @property
    def best_rating(self) -> int:
        return max(v.rating for v in self.verdicts)

    @property
    def worst_rating(self) -> int:
        return min(v.rating for v in self.verdicts)

    def get(self, name: str) -> ScaleVerdict | None:
        return next((v for v in self.verdicts if v.name == name), None)

    def label(self, name: str) -> str:
        """What people read for the verdict stored as ``name``: its label on this scale (the
        button's text), or, for a name the scale no longer has, the name as a label would
        show it. Stored rows and exports keep the name."""
        verdict = self.get(name)
        return verdict.shown if verdict is not None else name.replace("_", " ").capitalize()


DEFAULT_SCALE = VerdictScale(
    verdicts=(
        ScaleVerdict(
            name="verified",
            description="The evidence supports the claim as stated.",
            key="1",
            rating=3,
        ),
        ScaleVerdict(
            name="disputed",
            description="Credible evidence contradicts it, or it is contested.",
            key="2",
            rating=1,
        ),
        ScaleVerdict(
            name="unsupported",
            description="No evidence was found that would confirm it.",
            key="3",
            rating=2,
        ),
    )
)


def parse_scale(spec: str) -> VerdictScale:
    """A scale from the command line's ``"best,...,worst"``: names in order, ratings n..1, keys
    1..9; the default scale's descriptions and ratings where a name is one of its own.

    Or JSON, for labels, descriptions, keys and ratings of one's own: a list of objects
    ``{"name", "label", "description", "key", "rating"}``, best first (a missing rating is
    n..1 by position, as above). Raises ValueError (pydantic's) naming what is wrong.
    """
    if spec.lstrip().startswith(("[", "{")):
        return _from_json(spec)
    names = [part.strip() for part in re.split(r"[,\n]", spec) if part.strip()]
    count = len(names)
    verdicts: list[ScaleVerdict | dict[str, object]] = []
    for position, name in enumerate(names):
        known = DEFAULT_SCALE.get(name)
        key = str(position + 1) if position < 9 else ""
        if known is not None and names == list(DEFAULT_SCALE.names):
            verdicts.append(known)
            continue
        description = known.description if known is not None else ""
        verdicts.append(
            {"name": name, "description": description, "key": key, "rating": count - position}
        )
    return VerdictScale.model_validate({"verdicts": verdicts})


def _from_json(spec: str) -> VerdictScale:
    try:
        value = json.loads(spec)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at character {exc.pos}") from None
    items = value.get("verdicts") if isinstance(value, dict) else value
    if not isinstance(items, list):
        raise ValueError("JSON: a list of verdicts, best first")
    count = len(items)
    filled = [
        item | {"rating": count - position}
        if isinstance(item, dict) and "rating" not in item
        else item
        for position, item in enumerate(items)
    ]
    return VerdictScale.model_validate({"verdicts": filled})


def names_of(stored: object) -> tuple[str, ...]:
    """The names of a scale as ``projects.verdict_scale`` stores it, best first, without
    validating the rest: the verdict's save reads them with the claim, and the service that
    stored the scale validated it whole."""
    verdicts = stored.get("verdicts", ()) if isinstance(stored, dict) else ()
    return tuple(str(v["name"]) for v in verdicts if isinstance(v, dict) and "name" in v)


def check_on_scale(verdict: str, names: Sequence[str], project: str) -> None:
    """Refuse a verdict that is not on the project's scale: one line naming both."""
    if verdict not in names:
        raise OffScale(
            f"verdict {verdict!r} is not on project {project}'s scale "
            f"({', '.join(names)}); use one of those, or add it to the scale first "
            f"(workbench projects set {project} verdicts ...)"
        )
