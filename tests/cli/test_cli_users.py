"""`workbench users ...` and `workbench settings ...`, used the way the README shows."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.cli_output import errors
from workbench.auth.accounts import login
from workbench.auth.throttle import FREE_ATTEMPTS
from workbench.cli import app
from workbench.db.open import open_database
from workbench.errors import LoginFailed
from workbench.projects.settings import get_project_settings
from workbench.schemas import Role

runner = CliRunner()
PASSWORD = "correct horse battery"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


# Every test starts on an initialised database (commands other than init refuse a SQLite file
# that does not exist), except those about what happens before that.
NOT_INITIALISED = {"test_commands_on_an_uninitialised_database_say_so"}


@pytest.fixture(autouse=True)
def _initialised(request: pytest.FixtureRequest) -> None:
    if "db_url" in request.fixturenames and request.node.originalname not in NOT_INITIALISED:
        assert run("init", "--db", request.getfixturevalue("db_url"))[0] == 0


def one_error_line(err: str) -> str:
    lines = errors(err).strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def add(db_url: str, name: str, role: str, password: str = PASSWORD) -> tuple[int, str, str]:
    return run(
        "users",
        "add",
        name,
        "--role",
        role,
        "--password-stdin",
        "--db",
        db_url,
        stdin=password + "\n",
    )


def test_add_with_password_stdin_then_log_in(db_url: str) -> None:
    code, out, err = add(db_url, "Ana Silva", "admin")
    assert (code, out.strip(), errors(err)) == (0, "added Ana Silva (admin)", "")
    actor = login(open_database(db_url), "Ana Silva", PASSWORD)
    assert actor.role == Role.admin


def test_the_password_stdin_line_keeps_its_spaces_but_not_its_newline(db_url: str) -> None:
    assert add(db_url, "Ana", "admin", password="  spaced out pass  ")[0] == 0
    assert login(open_database(db_url), "Ana", "  spaced out pass  ").name == "Ana"
    with pytest.raises(LoginFailed):
        login(open_database(db_url), "Ana", "spaced out pass")


def test_add_with_the_hidden_prompt_asks_twice(db_url: str) -> None:
    code, out, err = run(
        "users",
        "add",
        "Rui",
        "--role",
        "reviewer",
        "--db",
        db_url,
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert code == 0 and "added Rui (reviewer)" in out
    assert PASSWORD not in out + err  # the prompt does not echo it
    assert login(open_database(db_url), "Rui", PASSWORD).role == Role.reviewer


def test_two_different_entries_at_the_prompt_add_no_one(db_url: str) -> None:
    code, out, err = run(
        "users",
        "add",
        "Rui",
        "--role",
        "reviewer",
        "--db",
        db_url,
        stdin=f"{PASSWORD}\nother one\n",
    )
    assert code == 1
    assert "do not match" in out + err
    assert "Rui" not in run("users", "list", "--db", db_url)[1]


def test_a_password_is_never_an_argument(db_url: str) -> None:
    code, _, err = run("users", "add", "Ana", "--role", "admin", PASSWORD, "--db", db_url)
    assert code == 2 and "unexpected extra argument" in err.lower()
    code, _, err = run(
        "users", "add", "Ana", "--role", "admin", "--password", PASSWORD, "--db", db_url
    )
    assert code == 2 and "no such option" in err.lower()


def test_list_shows_a_table_and_json(db_url: str) -> None:
    add(db_url, "Ana", "admin")
    add(db_url, "Rui", "reviewer")
    add(db_url, "Vera", "viewer")
    run("users", "disable", "Vera", "--db", db_url)

    code, out, _ = run("users", "list", "--db", db_url)
    assert code == 0
    rows = [line.split() for line in out.strip().splitlines()]
    assert rows == [
        ["name", "role", "disabled", "can", "log", "in"],
        ["Ana", "admin", "no", "yes"],
        ["Rui", "reviewer", "no", "yes"],
        ["Vera", "viewer", "yes", "no"],
    ]
    assert "$argon2" not in out

    code, out, _ = run("users", "list", "--json", "--db", db_url)
    users = json.loads(out)
    assert [(u["name"], u["role"], u["disabled"], u["can_log_in"]) for u in users] == [
        ("Ana", "admin", False, True),
        ("Rui", "reviewer", False, True),
        ("Vera", "viewer", True, False),
    ]
    assert all("password" not in key for u in users for key in u)


def test_set_role_disable_enable_and_set_password(db_url: str) -> None:
    add(db_url, "Ana", "admin")
    add(db_url, "Rui", "reviewer")
    assert run("users", "set-role", "Rui", "viewer", "--db", db_url)[:2] == (
        0,
        "Rui is now viewer\n",
    )
    assert run("users", "disable", "Rui", "--db", db_url)[:2] == (0, "Rui is disabled\n")
    with pytest.raises(LoginFailed):
        login(open_database(db_url), "Rui", PASSWORD)
    assert run("users", "enable", "Rui", "--db", db_url)[:2] == (0, "Rui is enabled\n")
    code, out, _ = run(
        "users",
        "set-password",
        "Rui",
        "--password-stdin",
        "--db",
        db_url,
        stdin="brand new password\n",
    )
    assert (code, out) == (0, "password set for Rui\n")
    assert login(open_database(db_url), "Rui", "brand new password").role == Role.viewer


def test_unlock_ends_a_sign_in_pause(db_url: str) -> None:
    add(db_url, "Ana", "admin")
    engine = open_database(db_url)
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(LoginFailed):
            login(engine, "Ana", "a guess")
    with pytest.raises(LoginFailed):
        login(engine, "Ana", PASSWORD)  # paused: a stranger's guesses keep the admin out
    assert run("users", "unlock", "Ana", "--db", db_url)[:2] == (
        0,
        "Ana may sign in again at once\n",
    )
    assert login(engine, "Ana", PASSWORD).name == "Ana"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("users", "set-role", "Zed", "viewer"), None, "error: no user named 'Zed'"),
        (("users", "disable", "Zed"), None, "error: no user named 'Zed'"),
        (("users", "enable", "Zed"), None, "error: no user named 'Zed'"),
        (("users", "unlock", "Zed"), None, "error: no user named 'Zed'"),
        (
            ("users", "set-password", "Zed", "--password-stdin"),
            "long enough pass\n",
            "error: no user named 'Zed'",
        ),
        (
            ("users", "set-role", "Ana", "reviewer"),
            None,
            "error: Ana is the last admin who can log in; add another first",
        ),
        (
            ("users", "disable", "Ana"),
            None,
            "error: Ana is the last admin who can log in; add another first",
        ),
        (
            ("users", "add", "Bo", "--role", "reviewer", "--password-stdin"),
            "short\n",
            "error: a password needs at least 8 characters",
        ),
        (
            ("users", "add", "Bo", "--role", "reviewer", "--password-stdin"),
            " " * 8 + "\n",
            "error: a password cannot be only spaces or other blank characters",
        ),
        (
            ("users", "set-password", "Ana", "--password-stdin"),
            "\t" * 10 + "\n",
            "error: a password cannot be only spaces or other blank characters",
        ),
        (
            ("users", "add", "Ana", "--role", "reviewer", "--password-stdin"),
            f"{PASSWORD}\n",
            "error: a user named 'Ana' already exists",
        ),
        (
            ("users", "add", "Bo", "--role", "reviewer", "--password-stdin"),
            "",
            "error: --password-stdin: stdin is empty; pipe the password in",
        ),
        (
            ("settings", "set", "reviews_per_claim", "0"),
            None,
            "error: setting reviews_per_claim: Input should be greater than or equal to 1"
            " (got '0')",
        ),
        (
            ("settings", "set", "colour", "blue"),
            None,
            "error: unknown setting 'colour'; the settings are: "
            "reviews_per_claim, lease_minutes, assignment_order, scorer, claim_threshold",
        ),
    ],
)
def test_errors_are_one_line_and_exit_1(
    db_url: str, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    add(db_url, "Ana", "admin")
    code, out, err = run(*args, "--db", db_url, stdin=stdin)
    assert (code, out) == (1, "")
    assert one_error_line(err) == message


def test_an_unknown_role_is_a_usage_error(db_url: str) -> None:
    code, _, err = run(
        "users", "add", "Bo", "--role", "boss", "--password-stdin", "--db", db_url, stdin=PASSWORD
    )
    assert code == 2 and "boss" in err


def test_commands_on_an_uninitialised_database_say_so(db_url: str) -> None:
    for args in (("users", "list"), ("users", "disable", "Ana"), ("settings", "show")):
        code, _, err = run(*args, "--db", db_url)
        assert code == 1
        # SQLite: no file yet; PostgreSQL: a schema without tables. Either way: init first.
        assert "workbench init" in one_error_line(err)


def test_settings_show_and_set(db_url: str) -> None:
    open_database(db_url)
    code, out, _ = run("settings", "show", "--db", db_url)
    assert code == 0
    assert out.splitlines()[0].startswith("reviews_per_claim = 1  # ")
    assert {line.split(" = ")[0] for line in out.splitlines()} == {
        "reviews_per_claim",
        "lease_minutes",
        "assignment_order",
        "scorer",
        "claim_threshold",
    }
    assert run("settings", "set", "reviews_per_claim", "2", "--db", db_url)[:2] == (
        0,
        "reviews_per_claim = 2\n",
    )
    assert run("settings", "set", "assignment_order", "document", "--db", db_url)[0] == 0
    code, out, _ = run("settings", "show", "--json", "--db", db_url)
    assert json.loads(out) == {
        "reviews_per_claim": 2,
        "lease_minutes": 30,
        "assignment_order": "document",
        "scorer": None,
        "claim_threshold": None,
    }
    settings = get_project_settings(open_database(db_url))
    assert (settings.reviews_per_claim, settings.assignment_order) == (2, "document")


# --- single sign-on: the e-mail an account signs in with ---------------------------------


def test_add_with_an_email_and_no_password_then_set_and_clear_it(db_url: str) -> None:
    code, out, err = run(
        "users", "add", "Ana", "--role", "reviewer", "--email", "Ana@Example.org",
        "--no-password", "--db", db_url,
    )  # fmt: skip
    assert code == 0, err
    assert out == "added Ana (reviewer, ana@example.org)\n"
    add(db_url, "Rui", "admin")
    code, out, _ = run("users", "list", "--db", db_url)
    rows = [line.split() for line in out.strip().splitlines()]
    assert rows == [
        ["name", "role", "disabled", "can", "log", "in", "e-mail"],
        ["Ana", "reviewer", "no", "yes", "ana@example.org"],
        ["Rui", "admin", "no", "yes"],
    ]
    assert run("users", "set-email", "Rui", "rui@example.org", "--db", db_url)[1] == (
        "Rui signs in as rui@example.org\n"
    )
    code, out, _ = run("users", "list", "--json", "--db", db_url)
    assert {u["name"]: u["email"] for u in json.loads(out)} == {
        "Ana": "ana@example.org",
        "Rui": "rui@example.org",
    }
    assert run("users", "set-email", "Rui", "--clear", "--db", db_url)[1] == "Rui has no e-mail\n"


def test_email_mistakes_are_one_line(db_url: str) -> None:
    add(db_url, "Ana", "admin")
    add(db_url, "Rui", "reviewer")
    run("users", "set-email", "Ana", "ana@example.org", "--db", db_url)
    cases = {
        ("users", "add", "Bo", "--role", "viewer", "--no-password"): "--no-password needs --email",
        ("users", "set-email", "Rui", "ana@example.org"): "already the e-mail of Ana",
        ("users", "set-email", "Rui", "not-an-address"): "not an e-mail address",
        ("users", "set-email", "Rui"): "give an e-mail address, or --clear",
        ("users", "set-email", "Rui", "r@example.org", "--clear"): "give an e-mail address, or",
        ("users", "set-email", "Nobody", "n@example.org"): "no user named 'Nobody'",
    }
    for args, message in cases.items():
        code, _, err = run(*args, "--db", db_url)
        assert code == 1 and message in one_error_line(err), (args, err)
