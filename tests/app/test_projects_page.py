"""The Projects page: a site admin adds projects and manages members; a project's admin edits
its description and guidelines (with a preview) and sees its scale; every refusal of a
service is a message."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.test_project_app import PASSWORD, log_in
from workbench.app import project, state
from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
from workbench.projects.membership import grant, members
from workbench.projects.service import ProjectOut, add_project, resolve_project
from workbench.schemas import Role

App = Callable[[], AppTest]
# The page's widget keys (workbench/app/views/projects.py, which runs when imported).
NEW_NAME, NEW_DESCRIPTION, NEW_VERDICTS = (
    "new_project_name",
    "new_project_description",
    "new_project_verdicts",
)
MEMBER_NAME, MEMBER_ROLE, REVOKED = "member_name", "member_role", "revoked_member"


def description_key(chosen: ProjectOut) -> str:
    return f"project_description_{chosen.id}"


def guidelines_key(chosen: ProjectOut) -> str:
    return f"project_guidelines_{chosen.id}_{chosen.guidelines_version}"


def people(engine: Engine) -> None:
    """Ada, site admin; Pat, a reviewer of default and admin of health; Ben, a reviewer."""
    for name, role in [("Ada", Role.admin), ("Pat", Role.reviewer), ("Ben", Role.reviewer)]:
        add_user(engine, SYSTEM, name, role, PASSWORD)
    add_project(engine, SYSTEM, "health")
    grant(engine, SYSTEM, "Pat", "health", Role.admin)


def projects_page(at: AppTest) -> AppTest:
    at.switch_page(state.PROJECTS_PAGE)
    return at.run(timeout=30)


def messages(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in [*at.error, *at.success])


def test_a_site_admin_adds_a_project_with_its_scale(engine: Engine, app: App) -> None:
    people(engine)
    at = projects_page(log_in(app(), "Ada"))
    assert not at.exception
    assert at.title[0].value == "Projects"
    at.text_input(key=NEW_NAME).input("elections")
    at.text_input(key=NEW_DESCRIPTION).input("The election desk")
    at.text_input(key=NEW_VERDICTS).input("disputed,verified")
    next(b for b in at.button if b.label == "Add project").click()
    at.run(timeout=30)
    assert "Project elections added" in messages(at)
    made = resolve_project(engine, "elections")
    assert made.scale.names == ("disputed", "verified")
    assert made.description == "The election desk"

    # Refusals are messages: a bad name, a name taken, a bad scale.
    for name, verdicts, words in [
        ("Bad Name", "", "project name"),
        ("elections", "", "already exists"),
        ("other", "a", "verdicts"),
    ]:
        at.text_input(key=NEW_NAME).input(name)
        at.text_input(key=NEW_VERDICTS).input(verdicts)
        next(b for b in at.button if b.label == "Add project").click()
        at.run(timeout=30)
        assert not at.exception
        assert words in "\n".join(str(e.value) for e in at.error), name


def test_a_site_admin_grants_and_revokes_members(engine: Engine, app: App) -> None:
    people(engine)
    at = projects_page(log_in(app(), "Ada", project="health"))
    assert not at.exception
    at.text_input(key=MEMBER_NAME).input("Ben")
    at.selectbox(key=MEMBER_ROLE).set_value(Role.viewer)
    next(b for b in at.button if b.label == "Grant").click()
    at.run(timeout=30)
    assert "Ben is now viewer of health" in messages(at)
    assert {(m.user, m.role) for m in members(engine, SYSTEM, "health")} == {
        ("Ben", Role.viewer),
        ("Pat", Role.admin),
    }
    at.text_input(key=MEMBER_NAME).input("Nobody")
    next(b for b in at.button if b.label == "Grant").click()
    at.run(timeout=30)
    assert "no user named" in "\n".join(str(e.value) for e in at.error)

    at.selectbox(key=REVOKED).set_value("Ben")
    at.button(key="revoke_member").click()
    at.run(timeout=30)
    assert "Ben is no longer a member of health" in messages(at)
    assert [m.user for m in members(engine, SYSTEM, "health")] == ["Pat"]


def test_a_project_admin_edits_description_and_guidelines(engine: Engine, app: App) -> None:
    people(engine)
    at = projects_page(log_in(app(), "Pat", project="health"))
    assert not at.exception
    assert at.query_params[project.PARAM] == "health"  # kept through the page change
    # Not a site admin: no list of every project, no adding, no granting.
    assert not [e for e in at.expander if e.label == "Add a project"]
    assert not [b for b in at.button if b.label == "Grant"]
    health = resolve_project(engine, "health")
    at.text_area(key=description_key(health)).input("The health desk")
    at.button(key="save_description").click()
    at.run(timeout=30)
    assert "Description saved" in messages(at)
    at.text_area(key=guidelines_key(health)).input("# Rules\n\n- cite the study\n")
    at.run(timeout=30)
    # The preview shows the Markdown as it will be shown (headings made smaller).
    assert any("#### Rules" in str(m.value) for m in at.markdown)
    at.button(key="save_guidelines").click()
    at.run(timeout=30)
    assert "Guidelines saved" in messages(at)
    health = resolve_project(engine, "health")
    assert health.description == "The health desk"
    assert health.guidelines_version == 1 and "cite the study" in health.guidelines
    # The scale, with its keys, ratings and descriptions.
    scale = at.dataframe[-2].value
    assert list(scale["verdict"]) == ["verified", "disputed", "unsupported"]
    assert list(scale["key"]) == ["1", "2", "3"]


def test_a_refusal_by_the_service_is_a_message(engine: Engine, app: App) -> None:
    people(engine)
    at = projects_page(log_in(app(), "Pat", project="health"))
    health = resolve_project(engine, "health")
    grant(engine, SYSTEM, "Pat", "health", Role.viewer)  # demoted while the page is open
    at.text_area(key=description_key(health)).input("Mine now")
    at.button(key="save_description").click()
    at.run(timeout=30)
    assert not at.exception
    assert "cannot change project settings" in "\n".join(str(e.value) for e in at.error)
    assert resolve_project(engine, "health").description == ""


def test_members_who_are_not_admins_read_the_project(engine: Engine, app: App) -> None:
    people(engine)
    at = projects_page(log_in(app(), "Pat", project="default"))  # a reviewer there
    assert not at.exception
    default = resolve_project(engine, "default")
    assert at.text_area(key=description_key(default)).disabled
    assert at.text_area(key=guidelines_key(default)).disabled
    assert not [b for b in at.button if b.key in ("save_description", "save_guidelines")]
    assert list(at.dataframe[-1].value["user"]) == ["Ada", "Ben", "Pat"]
