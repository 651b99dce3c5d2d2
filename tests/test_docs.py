"""The README stays true: every command and every export column is documented."""

from pathlib import Path

import typer.main

from workbench.cli import app
from workbench.export.csv_format import COLUMNS

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
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
