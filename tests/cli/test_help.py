"""Every command says what it does, and the docs say every command exists.

The command tree is walked the way click sees it (``typer.main.get_command``), so a command
or subcommand added later is checked without this file changing: it must have a help text,
each of its options and arguments too, and its full path (``workbench users unlock``) must
appear in README.md or in one of docs/*.md (datasette and sqlite-utils keep their docs true
the same way).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from workbench.cli import app

ROOT = Path(__file__).parents[2]
DOCS = "\n".join(
    path.read_text(encoding="utf-8")
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
)


def _walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, (*path, name))


COMMANDS = list(_walk(typer.main.get_command(app), ("workbench",)))
SUBCOMMANDS = [(path, command) for path, command in COMMANDS if len(path) > 1]


def _name(path_and_command: tuple[tuple[str, ...], Any]) -> str:
    return " ".join(path_and_command[0])


def test_the_tree_holds_the_groups_and_their_subcommands() -> None:
    paths = {" ".join(path) for path, _ in COMMANDS}
    assert {"workbench export", "workbench users unlock", "workbench settings set"} <= paths


@pytest.mark.parametrize("entry", COMMANDS, ids=[_name(entry) for entry in COMMANDS])
def test_every_command_has_help(entry: tuple[tuple[str, ...], Any]) -> None:
    path, command = entry
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"


@pytest.mark.parametrize("entry", COMMANDS, ids=[_name(entry) for entry in COMMANDS])
def test_every_option_and_argument_has_help(entry: tuple[tuple[str, ...], Any]) -> None:
    path, command = entry
    bare = [
        param.name
        for param in command.params
        if not (getattr(param, "help", None) or "").strip() and param.name != "help"
    ]
    assert not bare, f"{' '.join(path)}: no help for {bare}"


@pytest.mark.parametrize("entry", SUBCOMMANDS, ids=[_name(entry) for entry in SUBCOMMANDS])
def test_every_command_is_in_the_docs(entry: tuple[tuple[str, ...], Any]) -> None:
    name = " ".join(entry[0])
    # Whole words: `workbench import` is not documented by `workbench imports`.
    mentioned = re.search(re.escape(name) + r"(?![\w-])", DOCS)
    assert mentioned, f"`{name}` is in neither README.md nor docs/*.md"
