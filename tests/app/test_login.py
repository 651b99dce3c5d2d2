"""Logging in, out, and what each role's navigation offers, driven through AppTest."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.conftest import HOME
from tests.app.support import sidebar_text, sign_in
from workbench.app import access
from workbench.auth import accounts
from workbench.auth.accounts import SIGN_IN_FAILED
from workbench.auth.policy import SYSTEM
from workbench.auth.throttle import CLIENT_FREE_FAILURES, FREE_ATTEMPTS
from workbench.errors import LoginFailed
from workbench.schemas import Actor, Role

App = Callable[[], AppTest]
PAGES = HOME.parent / "views"
PASSWORD = "correct horse battery"
REVIEW, QUEUE, EXPORT, USERS = (
    "views/review.py",
    "views/queue.py",
    "views/export.py",
    "views/users.py",
)


@pytest.fixture
def team(seeded: Engine) -> Engine:
    """The sample corpus and three accounts: team mode."""
    for name, role in [("Ada", Role.admin), ("Rui", Role.reviewer), ("Vera", Role.viewer)]:
        accounts.add_user(seeded, SYSTEM, name, role, PASSWORD)
    return seeded


def log_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    if not at.text_input:  # not run yet
        at.run(timeout=30)
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button[0].click()  # the form's "Log in"
    return at.run(timeout=30)


def reachable(at: AppTest, page: str) -> bool:
    """Whether ``page`` is in this session's navigation (AppTest can only open those)."""
    try:
        at.switch_page(page)
    except ValueError as exc:
        assert "Could not find a navigation page" in str(exc)
        return False
    return True


def on_login_page(at: AppTest) -> bool:
    keys = {t.key for t in at.text_input}
    return {"login_name", "login_password"} <= keys and not at.subheader


def plain(elements: Iterable[object]) -> str:
    """The text of messages as a reader sees it (the app escapes Markdown in them)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(str(getattr(e, "value", "")) for e in elements))


def errors(at: AppTest) -> str:
    return plain(at.error)


def test_team_mode_shows_only_the_login_page(team: Engine, app: App) -> None:
    at = app().run(timeout=30)
    assert not at.exception
    assert on_login_page(at)
    assert at.text_input(key="login_password").proto.type == 1  # TextInput.PASSWORD: masked
    assert not at.sidebar.text and "Signed in" not in sidebar_text(at)
    for page in (REVIEW, QUEUE, EXPORT, USERS):
        assert not reachable(at, page)


def test_a_wrong_password_says_so_and_keeps_the_door_shut(team: Engine, app: App) -> None:
    at = log_in(app(), "Rui", "not the password")
    assert not at.exception
    assert f"Not signed in: {SIGN_IN_FAILED}." in errors(at)
    assert on_login_page(at)
    assert at.text_input(key="login_password").value == ""  # never kept in the session
    at = log_in(at, "Nobody", PASSWORD)
    assert f"Not signed in: {SIGN_IN_FAILED}." in errors(at)


def test_a_paused_account_gets_the_same_answer_as_a_wrong_password(team: Engine, app: App) -> None:
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(LoginFailed):
            accounts.login(team, "Rui", "guess")
    at = log_in(app(), "Rui")  # the right password, but too soon
    # Not "too many failed logins for Rui": that told a stranger the name exists.
    assert errors(at) == f"Not signed in: {SIGN_IN_FAILED}."
    assert on_login_page(at)


def test_one_browser_trying_many_names_is_slowed_down(team: Engine, app: App) -> None:
    at = app()
    for i in range(CLIENT_FREE_FAILURES):
        at = log_in(at, f"name {i}", "a guess")
        assert errors(at) == f"Not signed in: {SIGN_IN_FAILED}."
    at = log_in(at, "Rui")  # right, but this browser has spent its budget
    assert errors(at) == f"Not signed in: {SIGN_IN_FAILED}."
    assert on_login_page(at)
    # Another browser is not held up by this one.
    assert "Signed in as Rui" in sidebar_text(log_in(app(), "Rui"))


def test_a_reviewer_logs_in_reviews_and_logs_out(team: Engine, app: App) -> None:
    at = log_in(app(), "  Rui ")
    assert not at.exception
    assert str(at.subheader[0].value).startswith("Claim #")
    assert "Signed in as Rui (reviewer)" in sidebar_text(at)
    assert "single-user mode" not in " ".join(c.value for c in at.sidebar.caption)
    assert not any(b.disabled for b in at.button if b.key and b.key.startswith("verdict_"))
    assert reachable(at, QUEUE)
    assert not reachable(at, EXPORT)  # reviewers export nothing
    assert not reachable(at, USERS)

    at.sidebar.button(key="log_out").click()
    at.run(timeout=30)
    assert not at.exception
    assert on_login_page(at)
    assert at.text_input(key="login_name").value == ""  # nothing of Rui's session is left
    for page in (REVIEW, QUEUE):  # by any way in, a page shows the login form
        if reachable(at, page):
            at.run(timeout=30)
            assert on_login_page(at)


def test_a_viewer_reads_with_disabled_verdicts_and_no_export(team: Engine, app: App) -> None:
    at = log_in(app(), "Vera")
    assert not at.exception
    assert "Signed in as Vera (viewer)" in sidebar_text(at)
    assert str(at.subheader[0].value).startswith("Claim #")  # claims are readable
    verdicts = [b for b in at.button if b.key and b.key.startswith("verdict_")]
    assert len(verdicts) == 3 and all(b.disabled for b in verdicts)
    assert at.button(key="not_a_claim").disabled
    assert "cannot" not in errors(at)
    assert "you can read the claims, but not record verdicts" in plain(at.info)
    assert reachable(at, QUEUE)
    assert not reachable(at, EXPORT)
    assert not reachable(at, USERS)


def test_an_admin_gets_export_and_users(team: Engine, app: App) -> None:
    at = log_in(app(), "Ada")
    assert "Signed in as Ada (admin)" in sidebar_text(at)
    assert reachable(at, EXPORT)
    at.run(timeout=30)
    assert [b.label for b in at.button if b.label.startswith("Prepare")] == [
        "Prepare CSV",
        "Prepare JSONL",
        "Prepare Parquet",
        "Prepare ClaimReview",
    ]
    assert reachable(at, USERS)
    at.run(timeout=30)
    assert at.title[0].value == "Users"
    assert list(at.dataframe[0].value["name"]) == ["Ada", "Rui", "Vera"]


def test_a_disabled_account_is_signed_out_at_its_next_click(team: Engine, app: App) -> None:
    at = log_in(app(), "Rui")
    assert "Signed in as Rui" in sidebar_text(at)
    accounts.set_disabled(team, SYSTEM, "Rui")
    at.run(timeout=30)
    assert on_login_page(at)
    assert "The account Rui is disabled: signed out." in plain(at.warning)


def test_a_role_change_applies_at_the_next_click(team: Engine, app: App) -> None:
    at = log_in(app(), "Rui")
    accounts.set_role(team, SYSTEM, "Rui", Role.viewer)
    at.run(timeout=30)
    assert "Signed in as Rui (viewer)" in sidebar_text(at)
    assert at.button(key="verdict_verified").disabled


def test_a_name_session_from_before_accounts_existed_must_log_in(seeded: Engine, app: App) -> None:
    at = sign_in(app(), "Ana")  # single-user mode: a name is enough
    assert "Reviewer: Ana" in sidebar_text(at)
    accounts.add_user(seeded, SYSTEM, "Ada", Role.admin, PASSWORD)  # now there are accounts
    at.run(timeout=30)
    assert on_login_page(at)


def test_single_user_mode_is_labelled_and_asks_for_a_name(seeded: Engine, app: App) -> None:
    at = app().run(timeout=30)
    assert not at.exception
    label = at.sidebar.caption[-1].value
    assert label == "single-user mode — no accounts; anyone with this file can review as any name"
    assert at.sidebar.text_input(key="reviewer_name_input")
    at = sign_in(at, "Ana")
    assert str(at.subheader[0].value).startswith("Claim #")
    assert "Export" in page_titles(team=False, role=Role.admin)
    assert "Users" not in page_titles(team=False, role=Role.admin)  # accounts start in the CLI


@pytest.mark.parametrize(
    ("team", "role", "titles"),
    [
        (False, None, ["Review", "Queue", "Export"]),
        (
            False,
            Role.admin,
            ["Review", "Queue", "Export", "Adjudication", "Progress", "Agreement", "Projects"],
        ),
        (
            True,
            Role.admin,
            [
                "Review",
                "Queue",
                "Export",
                "Users",
                "Adjudication",
                "Progress",
                "Agreement",
                "Projects",
            ],
        ),
        # Everyone reads the project's guidelines, scale and members on the Projects page.
        (True, Role.reviewer, ["Review", "Queue", "Projects"]),
        (True, Role.viewer, ["Review", "Queue", "Projects"]),
    ],
)
def test_each_role_gets_its_navigation(team: bool, role: Role | None, titles: list[str]) -> None:
    assert page_titles(team=team, role=role) == titles


def page_titles(*, team: bool, role: Role | None) -> list[str]:
    actor = None if role is None else Actor(id=1, name="x", role=role)
    return [page.title for page in access.pages_for(team, actor)]


def test_no_pages_folder_lets_streamlit_run_a_page_without_the_navigation() -> None:
    # A folder named pages/ beside Home.py makes Streamlit run a requested page script
    # directly on a fresh server process (a deep link), bypassing Home.py's per-role navigation.
    assert not (HOME.parent / "pages").exists()
    assert (PAGES / "review.py").is_file()


def test_a_page_opened_directly_shows_the_login_form(team: Engine, app: App) -> None:
    # A page script run without Home.py (what a deep link did while the views lived in
    # pages/): its own frame.start() still shows the login form. (The app fixture points the
    # app at this test's database.)
    at = AppTest.from_file(str(PAGES / "review.py"), default_timeout=30).run()
    assert not at.exception
    assert on_login_page(at)
    at = AppTest.from_file(str(PAGES / "users.py"), default_timeout=30).run()
    assert on_login_page(at) and not at.dataframe


# --- the Users page ----------------------------------------------------------------------------


def users_page(app: App) -> AppTest:
    at = log_in(app(), "Ada")
    at.switch_page(USERS)
    return at.run(timeout=30)


def test_the_users_page_adds_an_account_with_role_and_password(team: Engine, app: App) -> None:
    at = users_page(app)
    at.text_input(key="new_user_name").input("Bea")
    at.selectbox(key="new_user_role").set_value(Role.viewer)
    at.text_input(key="new_user_password").input("bea's password")
    at.text_input(key="new_user_password_again").input("bea's password")
    at.button(key="FormSubmitter:add_user_form-Add user").click()
    at.run(timeout=30)
    assert not at.exception
    assert "Added Bea as viewer." in plain(at.success)
    assert accounts.login(team, "Bea", "bea's password").role == Role.viewer
    assert at.text_input(key="new_user_password").value == ""


def test_the_users_page_refuses_mismatched_and_weak_passwords(team: Engine, app: App) -> None:
    at = users_page(app)
    at.text_input(key="new_user_name").input("Bea")
    at.text_input(key="new_user_password").input("bea's password")
    at.text_input(key="new_user_password_again").input("something else")
    at.button(key="FormSubmitter:add_user_form-Add user").click()
    at.run(timeout=30)
    assert "the two passwords differ" in errors(at)
    at.text_input(key="new_user_name").input("Bea")
    at.text_input(key="new_user_password").input("short")
    at.text_input(key="new_user_password_again").input("short")
    at.button(key="FormSubmitter:add_user_form-Add user").click()
    at.run(timeout=30)
    assert "at least 8 characters" in errors(at)
    at.text_input(key="new_user_name").input("Bea")
    at.text_input(key="new_user_password").input(" " * 8)
    at.text_input(key="new_user_password_again").input(" " * 8)
    at.button(key="FormSubmitter:add_user_form-Add user").click()
    at.run(timeout=30)
    assert "a password cannot be only spaces" in errors(at)
    assert "Bea" not in [u.name for u in accounts.list_users(team, SYSTEM)]
    # The reset form goes through the same rule.
    at.selectbox(key="chosen_user").set_value("Rui")
    at.run(timeout=30)
    at.text_input(key="reset_password").input(" " * 9)
    at.text_input(key="reset_password_again").input(" " * 9)
    at.button(key="FormSubmitter:reset_password_form-Reset password").click()
    at.run(timeout=30)
    assert "a password cannot be only spaces" in errors(at)
    assert accounts.login(team, "Rui", PASSWORD).name == "Rui"


def test_the_users_page_sets_roles_disables_and_resets(team: Engine, app: App) -> None:
    at = users_page(app)
    at.selectbox(key="chosen_user").set_value("Rui")
    at.run(timeout=30)
    rui_id = next(u.id for u in accounts.list_users(team, SYSTEM) if u.name == "Rui")
    at.selectbox(key=f"chosen_user_role_{rui_id}").set_value(Role.viewer)
    at.button(key="set_role").click()
    at.run(timeout=30)
    assert "Rui is now viewer." in plain(at.success)
    at.button(key="disable_user").click()
    at.run(timeout=30)
    assert "Rui is disabled." in plain(at.success)
    at.button(key="enable_user").click()
    at.run(timeout=30)
    at.text_input(key="reset_password").input("rui's new password")
    at.text_input(key="reset_password_again").input("rui's new password")
    at.button(key="FormSubmitter:reset_password_form-Reset password").click()
    at.run(timeout=30)
    assert not at.exception
    rui = accounts.login(team, "Rui", "rui's new password")
    assert rui.role == Role.viewer

    # The last admin is protected here as everywhere.
    at.selectbox(key="chosen_user").set_value("Ada")
    at.run(timeout=30)
    at.button(key="disable_user").click()
    at.run(timeout=30)
    assert "Ada is the last admin who can log in" in errors(at)
