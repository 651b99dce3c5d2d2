"""Projects: several desks on one database (issue 14), their scale, guidelines and members."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select

from workbench.auth.accounts import add_user, set_role
from workbench.auth.policy import SYSTEM, Action, authorize
from workbench.db.models import Document, HistoryEntry, Membership
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, PermissionDenied
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_documents
from workbench.projects.membership import grant, members, revoke
from workbench.projects.scale import DEFAULT_SCALE, VerdictScale, parse_scale
from workbench.projects.service import (
    add_project,
    list_projects,
    resolve_project,
    set_guidelines,
    set_scale,
)
from workbench.projects.settings import get_project_settings, set_project_setting
from workbench.schemas import DocumentIn, Role

PASSWORD = "correct horse battery"
ARTICLE = (
    "The minister said unemployment fell to 4.1 percent in March. "
    "Critics said the figure was 5 percent according to the statistics office."
)


def test_a_new_database_has_one_project_default_with_the_scale_of_before(engine: Engine) -> None:
    project = resolve_project(engine)
    assert project.name == "default" and project.id == 1
    assert project.scale == DEFAULT_SCALE
    assert project.scale.names == ("verified", "disputed", "unsupported")
    # The ClaimReview ratings the export always gave: verified 3, unsupported 2, disputed 1.
    assert [v.rating for v in project.scale.verdicts] == [3, 1, 2]


def test_with_one_project_nothing_needs_naming_and_with_two_everything_does(
    engine: Engine,
) -> None:
    assert resolve_project(engine, None).name == "default"
    add_project(engine, SYSTEM, "health", description="The health desk")
    with pytest.raises(InvalidInput, match=r"several projects \(default, health\).*--project"):
        resolve_project(engine, None)
    assert resolve_project(engine, "health").description == "The health desk"
    with pytest.raises(NotFound, match="no project 'sport'; the projects are: default, health"):
        resolve_project(engine, "sport")


def test_a_user_in_one_project_of_several_needs_not_name_it(engine: Engine) -> None:
    add_project(engine, SYSTEM, "health")
    ana = add_user(engine, SYSTEM, "Ana", Role.reviewer, PASSWORD)
    grant(engine, SYSTEM, "Ana", "health", Role.reviewer)
    from workbench.schemas import Actor

    actor = Actor(id=ana.id, name=ana.name, role=Role.reviewer)
    assert resolve_project(engine, None, actor).name == "health"


@pytest.mark.parametrize("name", ["", "Health", "health desk", "-x", "a" * 65, "é", "../x"])
def test_a_project_name_must_fit_a_url_and_a_command_line(engine: Engine, name: str) -> None:
    with pytest.raises(InvalidInput, match="project name"):
        add_project(engine, SYSTEM, name)


def test_two_projects_cannot_share_a_name(engine: Engine) -> None:
    add_project(engine, SYSTEM, "health")
    with pytest.raises(InvalidInput, match="already exists"):
        add_project(engine, SYSTEM, "health")


def test_only_a_site_admin_adds_projects(engine: Engine) -> None:
    from workbench.auth.policy import actor_of
    from workbench.db.models import User

    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    add_user(engine, SYSTEM, "Bo", Role.reviewer, PASSWORD)
    add_project(engine, SYSTEM, "health")
    grant(engine, SYSTEM, "Bo", "health", Role.admin)  # admin of one desk, not of the site
    with unit_of_work(engine) as session:
        ana, bo = (actor_of(u) for u in session.scalars(select(User).order_by(User.name)).all())
    add_project(engine, ana, "sport")
    with pytest.raises(PermissionDenied):
        add_project(engine, bo, "politics")
    with pytest.raises(PermissionDenied):
        grant(engine, bo, "Ana", "health", Role.viewer)


def test_the_same_text_goes_once_into_each_project(engine: Engine) -> None:
    add_project(engine, SYSTEM, "health")
    article = DocumentIn(text=ARTICLE, title="Jobs", source="jobs.txt")
    first = ingest_documents(engine, [article], default_extractor(), project="default")
    again = ingest_documents(engine, [article], default_extractor(), project="default")
    other = ingest_documents(engine, [article], default_extractor(), project="health")
    assert (first.added, again.added, again.duplicates, other.added) == (1, 0, 1, 1)
    with unit_of_work(engine) as session:
        projects = sorted(session.scalars(select(Document.project_id)))
    assert projects == [1, 2]


def test_ingest_into_one_of_several_projects_must_name_it(engine: Engine) -> None:
    add_project(engine, SYSTEM, "health")
    article = DocumentIn(text=ARTICLE, title="Jobs", source="jobs.txt")
    with pytest.raises(InvalidInput, match="several projects"):
        ingest_documents(engine, [article], default_extractor())
    with unit_of_work(engine) as session:
        assert session.scalar(select(Document.id)) is None


def test_roles_are_per_project(engine: Engine) -> None:
    user = add_user(engine, SYSTEM, "Bo", Role.reviewer, PASSWORD)  # one project: default's
    health = add_project(engine, SYSTEM, "health")
    from workbench.schemas import Actor

    bo = Actor(id=user.id, name=user.name, role=Role.reviewer)
    assert authorize(engine, bo, Action.review, 1).role == Role.reviewer
    with pytest.raises(PermissionDenied, match="not a member of this project"):
        authorize(engine, bo, Action.read, health.id)
    grant(engine, SYSTEM, "Bo", "health", Role.admin)
    assert authorize(engine, bo, Action.adjudicate, health.id).role == Role.admin
    with pytest.raises(PermissionDenied, match="is a reviewer and cannot adjudicate"):
        authorize(engine, bo, Action.adjudicate, 1)
    # Managing users is the site's, not a project's: a desk's admin may not.
    with pytest.raises(PermissionDenied):
        authorize(engine, bo, Action.manage_users, health.id)
    revoke(engine, SYSTEM, "Bo", "health")
    with pytest.raises(PermissionDenied, match="not a member"):
        authorize(engine, bo, Action.read, health.id)
    assert [m.user for m in members(engine, SYSTEM, "default")] == ["Bo"]


def test_a_site_admin_is_admin_of_every_project(engine: Engine) -> None:
    health = add_project(engine, SYSTEM, "health")
    user = add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    from workbench.schemas import Actor

    ana = Actor(id=user.id, name=user.name, role=Role.admin)
    assert authorize(engine, ana, Action.adjudicate, health.id).role == Role.admin


def test_on_one_project_users_add_and_set_role_keep_the_membership(engine: Engine) -> None:
    add_user(engine, SYSTEM, "Bo", Role.reviewer, PASSWORD)
    set_role(engine, SYSTEM, "Bo", Role.viewer)
    with unit_of_work(engine) as session:
        assert session.scalars(select(Membership.role)).all() == ["viewer"]


def test_settings_are_per_project(engine: Engine) -> None:
    add_project(engine, SYSTEM, "health")
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 3, "health")
    set_project_setting(engine, SYSTEM, "claim_threshold", "0.4", "health")
    assert get_project_settings(engine, "health").reviews_per_claim == 3
    assert get_project_settings(engine, "health").claim_threshold == 0.4
    assert get_project_settings(engine, "default").reviews_per_claim == 1
    set_project_setting(engine, SYSTEM, "claim_threshold", "none", "health")
    assert get_project_settings(engine, "health").claim_threshold is None
    with pytest.raises(InvalidInput, match="setting scorer"):
        set_project_setting(engine, SYSTEM, "scorer", "gpt", "health")


def test_a_scale_from_the_command_line() -> None:
    scale = parse_scale("true, mostly-true, half-true, mostly-false, false, pants-on-fire")
    assert scale.names[0] == "true" and scale.names[-1] == "pants-on-fire"
    assert (scale.best_rating, scale.worst_rating) == (6, 1)
    assert [v.key for v in scale.verdicts] == ["1", "2", "3", "4", "5", "6"]
    assert parse_scale("verified,disputed,unsupported") == DEFAULT_SCALE


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("true", "at least 2"),
        ("true,true", "appears twice"),
        ("true,not_a_claim", "not a verdict"),
        ("True,False", "string_pattern_mismatch|should match pattern"),
        ("a b,c", "should match pattern"),
    ],
)
def test_a_bad_scale_is_refused(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_scale(spec)


def test_a_scale_may_change_but_not_lose_a_verdict_in_use(seeded: Engine) -> None:
    from workbench.review import assign, decisions
    from workbench.schemas import Actor, Verdict

    user = add_user(seeded, SYSTEM, "Ana", Role.reviewer, PASSWORD)
    ana = Actor(id=user.id, name=user.name, role=Role.reviewer)
    claim = assign.next_claim(seeded, ana)
    assert claim is not None
    decisions.set_verdict(seeded, claim, ana, Verdict.disputed)
    with pytest.raises(InvalidInput, match="disputed are in use"):
        set_scale(seeded, SYSTEM, "default", parse_scale("verified,unsupported"))
    assert resolve_project(seeded).scale == DEFAULT_SCALE  # nothing changed by the refusal
    smaller = set_scale(seeded, SYSTEM, "default", parse_scale("verified,disputed"))
    assert smaller.scale.names == ("verified", "disputed")  # unsupported was not in use
    relabelled = parse_scale(
        '[{"name": "disputed", "label": "False", "description": "Contradicted.", "key": "f"},'
        ' {"name": "verified", "label": "True", "key": "t"}]'
    )
    changed = set_scale(seeded, SYSTEM, "default", relabelled)
    assert [v.shown for v in changed.scale.verdicts] == ["False", "True"]
    assert [v.rating for v in changed.scale.verdicts] == [2, 1]


def test_any_scale_of_valid_names_is_stored_and_filter_words_are_not_names(
    engine: Engine,
) -> None:
    politifact = parse_scale("true,mostly-true,half-true,mostly-false,false,pants-on-fire")
    added = add_project(engine, SYSTEM, "elections", scale=politifact)
    assert added.scale.names == politifact.names
    changed = set_scale(engine, SYSTEM, "default", parse_scale("verified,misleading,disputed"))
    assert changed.scale.names == ("verified", "misleading", "disputed")
    for taken in ("any", "none"):
        with pytest.raises(ValueError, match=f"{taken}: taken by the filters"):
            parse_scale(f"true,{taken}")
    assert [p.name for p in list_projects(engine, SYSTEM)] == ["default", "elections"]


def test_guidelines_are_versioned_in_the_history(engine: Engine) -> None:
    first = set_guidelines(engine, SYSTEM, "default", "# Rules\n\nCite *primary* sources.")
    second = set_guidelines(engine, SYSTEM, "default", "# Rules\n\nTwo sources.")
    same = set_guidelines(engine, SYSTEM, "default", "# Rules\n\nTwo sources.")
    assert (first.guidelines_version, second.guidelines_version) == (1, 2)
    assert same.guidelines_version == 2  # unchanged text: no new version
    with unit_of_work(engine) as session:
        entries = session.scalars(
            select(HistoryEntry).where(HistoryEntry.entity == "guidelines")
        ).all()
        versions = [
            (json.loads(e.after) if isinstance(e.after, str) else e.after)["version"]
            for e in entries
        ]
    assert versions == [1, 2]


def test_projects_are_listed_with_their_counts(seeded: Engine) -> None:
    add_project(seeded, SYSTEM, "health", scale=parse_scale("verified,disputed"))
    listed = {p.name: p for p in list_projects(seeded, SYSTEM)}
    assert listed["default"].documents == 5 and listed["default"].claims > 0
    assert listed["health"].documents == 0
    assert listed["health"].scale.names == ("verified", "disputed")


def test_a_stored_scale_round_trips(engine: Engine) -> None:
    scale = parse_scale("true,false")
    assert VerdictScale.model_validate(scale.model_dump(mode="json")) == scale


def test_twelve_admins_adding_one_project_at_once_make_one(engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def add() -> str:
        try:
            add_project(engine, SYSTEM, "health")
        except InvalidInput as exc:
            return str(exc)
        return "added"

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(lambda _: add(), range(12)))
    assert outcomes.count("added") == 1
    assert set(outcomes) - {"added"} == {"a project named 'health' already exists"}
    assert [p.name for p in list_projects(engine, SYSTEM)] == ["default", "health"]


def test_twelve_grants_of_one_membership_at_once_make_one_row(engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    add_user(engine, SYSTEM, "Bo", Role.reviewer, PASSWORD)
    add_project(engine, SYSTEM, "health")
    roles = [Role.reviewer, Role.viewer, Role.admin] * 4
    with ThreadPoolExecutor(12) as pool:
        granted = list(pool.map(lambda r: grant(engine, SYSTEM, "Bo", "health", r), roles))
    assert len(granted) == 12
    (member,) = members(engine, SYSTEM, "health")
    assert member.user == "Bo" and member.role in set(roles)


def test_a_description_has_a_limit(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="at most 2000 characters"):
        add_project(engine, SYSTEM, "health", description="x" * 2001)
