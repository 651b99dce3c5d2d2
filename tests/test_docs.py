"""The README stays true: every command and every export column is documented."""

import re
from pathlib import Path

import typer.core
import typer.main

from workbench.cli import app
from workbench.export.csv_format import COLUMNS

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    commands = group.commands
    for name in commands:
        assert f"`workbench {name}" in README, f"workbench {name} is not in the README"


def test_every_csv_column_is_documented() -> None:
    for column in COLUMNS:
        assert f"| `{column}` |" in README, f"CSV column {column} is not in the README"


def test_readme_opens_with_the_two_setup_commands() -> None:
    first_block = README.split("```")[1].strip().splitlines()
    assert first_block[0] == "bash"
    demo, tests = first_block[1:]
    assert demo.endswith("workbench demo")
    assert tests.endswith("pytest")


def test_every_test_docs_security_names_exists() -> None:
    """docs/security.md cites a test for each promise: each cited test must be real.

    A citation is ``tests/path.py::name`` or ``tests/path.py`` (a whole file), and
    ``::name`` after one of those means a test in the file named last.
    """
    root = Path(__file__).parents[1]
    text = (root / "docs" / "security.md").read_text(encoding="utf-8")
    missing: list[str] = []
    current: Path | None = None
    for match in re.finditer(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`", text):
        file, name = match.groups()
        if file:
            current = root / file
            if not current.is_file():
                missing.append(file)
                continue
        if name and (current is None or f"def {name}" not in current.read_text("utf-8")):
            missing.append(f"{current}::{name}")
    assert not missing, f"docs/security.md cites tests that do not exist: {missing}"
