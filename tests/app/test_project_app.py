"""The app's current project: named by ``?project=``, kept in the address and across pages,
refused with a message when the user may not open it, and the sidebar's switcher."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from tests.app.support import sidebar_text
from workbench.app import guidelines, project, state
from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
from workbench.db.models import Review
from workbench.db.session import unit_of_work
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_documents
from workbench.projects.choice import guidelines_read
from workbench.projects.membership import grant
from workbench.projects.scale import parse_scale
from workbench.projects.service import add_project, set_guidelines, set_scale
from workbench.review import queue
from workbench.schemas import Actor, DocumentIn, Role

App = Callable[[], AppTest]
PASSWORD = "correct horse battery staple"


HEALTH_ARTICLE = (
    "The health minister said vaccination rates rose to 92 percent in 2024. "
    "Hospital admissions fell by a third over the same period, the agency reported."
)


def two_projects(engine: Engine) -> None:
    """Ada (site admin), Ana (reviewer of default only) and Ben (reviewer of default, viewer
    of health): accounts made while default was the only project belong to it."""
    for name, role in [("Ada", Role.admin), ("Ana", Role.reviewer), ("Ben", Role.reviewer)]:
        add_user(engine, SYSTEM, name, role, PASSWORD)
    add_project(engine, SYSTEM, "health", description="The health desk")
    grant(engine, SYSTEM, "Ben", "health", Role.viewer)


def log_in(at: AppTest, name: str, **query: str) -> AppTest:
    at.query_params.update(query)
    at.run(timeout=30)
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    return at.run(timeout=30)


def errors(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in at.error)


def test_one_project_keeps_the_addresses_as_they_were(seeded: Engine, app: App) -> None:
    add_user(seeded, SYSTEM, "Ana", Role.reviewer, PASSWORD)
    at = log_in(app(), "Ana")
    assert not at.exception
    assert at.subheader[0].value.startswith("Claim #")
    assert project.PARAM not in at.query_params  # /review?claim=ID, as before projects
    assert state.LINK in at.query_params
    assert not [s for s in at.sidebar.selectbox if s.key == project.SWITCH]


def test_the_project_goes_in_the_address_when_there_are_several(seeded: Engine, app: App) -> None:
    two_projects(seeded)
    ana = log_in(app(), "Ana")  # a member of default only: it opens, named in the address
    assert not ana.exception
    assert ana.query_params[project.PARAM] == "default"
    assert ana.subheader[0].value.startswith("Claim #")
    assert "Project: default" in sidebar_text(ana)
    assert not [s for s in ana.sidebar.selectbox if s.key == project.SWITCH]


def test_a_project_the_user_is_not_in_is_refused_with_a_message(seeded: Engine, app: App) -> None:
    two_projects(seeded)
    for name in ("health", "nope"):
        at = log_in(app(), "Ana", project=name)
        assert not at.exception
        assert f"You cannot open the project “{name}”" in errors(at)
        assert not at.subheader  # nothing of the project: no claim
        # Her own project, one click away.
        at.button(key="open_project_default").click()
        at.run(timeout=30)
        assert at.query_params[project.PARAM] == "default"
        assert at.subheader[0].value.startswith("Claim #")


def test_a_link_with_project_and_claim_opens_the_claim(seeded: Engine, app: App) -> None:
    two_projects(seeded)
    flt = queue.ClaimFilter(project_id=1)  # two projects: the queue is one project's
    claims = queue.list_claims(seeded, flt, page_size=1000, actor=SYSTEM).items
    target = claims[-1].id
    at = log_in(app(), "Ben", project="default", claim=str(target))
    assert not at.exception
    assert at.subheader[0].value == f"Claim #{target}"
    assert at.query_params[project.PARAM] == "default"
    assert at.query_params[state.LINK] == str(target)


def test_the_switcher_changes_project_role_and_address(seeded: Engine, app: App) -> None:
    two_projects(seeded)
    health = [DocumentIn(text=HEALTH_ARTICLE, title="Vaccines", source="vaccines.txt")]
    ingest_documents(seeded, health, default_extractor(), project="health")
    at = log_in(app(), "Ben")  # in two projects, named none: the first of his by name
    assert not at.exception
    assert at.query_params[project.PARAM] == "default"
    switch = at.sidebar.selectbox(key=project.SWITCH)
    assert switch.options == ["default (reviewer)", "health (viewer)"]
    assert not at.button(key="verdict_verified").disabled  # a reviewer here

    switch.set_value("health")
    at.run(timeout=30)
    assert not at.exception
    assert at.query_params[project.PARAM] == "health"
    # His role there is viewer: the page reads only (the services refuse a write anyway).
    assert "Viewer: you can read" in "\n".join(str(c.value) for c in at.sidebar.caption)
    assert at.button(key="verdict_verified").disabled

    # A page change (the address loses its query) keeps the project.
    at.switch_page(state.QUEUE_PAGE_PATH)
    at.run(timeout=30)
    assert not at.exception
    assert at.query_params[project.PARAM] == "health"


def test_a_site_admin_opens_every_project(seeded: Engine, app: App) -> None:
    two_projects(seeded)
    at = log_in(app(), "Ada", project="health")
    assert not at.exception
    assert at.query_params[project.PARAM] == "health"
    assert at.sidebar.selectbox(key=project.SWITCH).value == "health"


# --- the guidelines on the Review page -----------------------------------------------------

GUIDELINES = "# How we check\n\n- Quote the source\n- Name the **date**\n"


def _guidelines(at: AppTest) -> Any:
    found = [e for e in at.expander if "Guidelines of default" in e.label]
    assert len(found) == 1, [e.label for e in at.expander]
    return found[0]


def test_guidelines_are_open_until_read_then_folded(seeded: Engine, app: App) -> None:
    add_user(seeded, SYSTEM, "Ana", Role.reviewer, PASSWORD)
    set_guidelines(seeded, SYSTEM, "default", GUIDELINES)
    at = log_in(app(), "Ana")
    assert not at.exception
    panel = _guidelines(at)
    assert "please read" in panel.label
    assert panel.proto.expanded
    assert any("How we check" in str(m.value) for m in panel.markdown)
    ana = Actor(id=at.session_state[state.REVIEWER].id, name="Ana", role=Role.reviewer)
    assert guidelines_read(seeded, ana, 1) == 0

    at.button(key=guidelines.READ_BUTTON).click()
    at.run(timeout=30)
    assert guidelines_read(seeded, ana, 1) == 1
    assert "please read" not in _guidelines(at).label

    # Another session of hers: folded, as read.
    again = log_in(app(), "Ana")
    panel = _guidelines(again)
    assert "please read" not in panel.label and not panel.proto.expanded
    # A new version opens again.
    set_guidelines(seeded, SYSTEM, "default", GUIDELINES + "- Link the evidence\n")
    third = log_in(app(), "Ana")
    assert "please read" in _guidelines(third).label


def test_no_guidelines_no_panel(seeded: Engine, app: App) -> None:
    add_user(seeded, SYSTEM, "Ana", Role.reviewer, PASSWORD)
    at = log_in(app(), "Ana")
    assert not [e for e in at.expander if "Guidelines" in e.label]


def test_the_verdict_help_follows_the_project_scale(seeded: Engine, app: App) -> None:
    add_user(seeded, SYSTEM, "Ana", Role.reviewer, PASSWORD)
    # The verdicts reviews can store today, with a desk's own labels, order and keys.
    described = parse_scale(
        '[{"name": "verified", "label": "True", "description": "Accurate as stated.",'
        ' "key": "1"}, {"name": "unsupported", "label": "Mostly true", "key": "2"},'
        ' {"name": "disputed", "label": "False", "key": "3"}]'
    )
    set_scale(seeded, SYSTEM, "default", described)
    at = log_in(app(), "Ana")
    help_text = "\n".join(str(m.value) for m in at.sidebar.expander[-1].markdown)
    assert "**True** — Accurate as stated" in help_text
    assert "**Mostly true**" in help_text
    assert "**2** mostly true" in help_text
    assert "verified" not in help_text.lower()
    # The buttons follow the scale: its order, labels and keys.
    labels = [b.label for b in at.button if b.key and b.key.startswith("verdict_")]
    assert labels == ["True", "Mostly true", "False"]


def test_a_politifact_desk_reviews_with_its_own_verdicts(seeded: Engine, app: App) -> None:
    """A scale of names of its own (issue 14): the buttons are its verdicts, and a click
    stores the verdict's own name."""
    add_user(seeded, SYSTEM, "Ana", Role.reviewer, PASSWORD)
    politifact = "true,mostly-true,half-true,mostly-false,false,pants-on-fire"
    set_scale(seeded, SYSTEM, "default", parse_scale(politifact))
    at = log_in(app(), "Ana")
    assert not at.exception
    keys = [b.key for b in at.button if b.key and b.key.startswith("verdict_")]
    assert keys == [f"verdict_{name}" for name in politifact.split(",")]
    next(b for b in at.button if b.key == "verdict_mostly-true").click()
    at.run(timeout=30)
    assert not at.exception and not at.error
    with unit_of_work(seeded) as session:
        assert list(session.scalars(select(Review.verdict))) == ["mostly-true"]


def test_the_review_page_names_only_the_projects_claims_sent_back(seeded: Engine, app: App) -> None:
    """A question on a health claim is health's: Ben reviewing default is not offered it."""
    from workbench.auth.accounts import list_users
    from workbench.review import decisions, discussion

    def person(name: str) -> Actor:
        user = next(u for u in list_users(seeded, SYSTEM) if u.name == name)
        return Actor(id=user.id, name=user.name, role=user.role)

    two_projects(seeded)
    grant(seeded, SYSTEM, "Ben", "health", Role.reviewer)
    health = [DocumentIn(text=HEALTH_ARTICLE, title="Vaccines", source="vaccines.txt")]
    ingest_documents(seeded, health, default_extractor(), project="health")
    flt = queue.ClaimFilter(project_id=2)
    asked = queue.list_claims(seeded, flt, page_size=10, actor=SYSTEM).items[-1].id
    decisions.set_verdict(seeded, asked, person("Ben"), "verified")
    discussion.send_back(seeded, person("Ada"), asked, "Ben", "Which survey?")

    def sent_back(at: AppTest) -> list[str]:
        return [str(c.value) for c in at.caption if "sent a claim back" in str(c.value)]

    at = log_in(app(), "Ben", project="default")
    assert not at.exception and at.query_params[project.PARAM] == "default"
    assert sent_back(at) == []
    assert not [b for b in at.button if b.key == f"discussion_open_{asked}"]
    at = log_in(app(), "Ben", project="health")
    assert not at.exception
    # On health the claim itself comes first (its open question): no line for it, no error.
    assert at.subheader[0].value == f"Claim #{asked}"
    assert not errors(at)


def test_the_queue_boxes_list_the_open_projects_documents_only(seeded: Engine, app: App) -> None:
    """A reviewer of default sees default's documents in the Queue's Document box, not
    health's titles (the list is cached per project, not per database)."""
    two_projects(seeded)
    health = [DocumentIn(text=HEALTH_ARTICLE, title="Vaccines", source="vaccines.txt")]
    ingest_documents(seeded, health, default_extractor(), project="health")
    for name, shown, hidden in (("Ada", "Vaccines", None), ("Ana", None, "Vaccines")):
        at = log_in(app(), name, **({"project": "health"} if shown else {}))
        at.switch_page(state.QUEUE_PAGE_PATH)
        at.run(timeout=30)
        assert not at.exception
        box = at.selectbox(key="qf_document")
        titles = [box.format_func(option) for option in box.options]
        if shown:
            assert titles == ["All documents", shown]
        else:
            assert hidden not in titles and len(titles) > 1
