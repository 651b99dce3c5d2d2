"""docs/deploy.md is run by people setting up servers: each `workbench …` command it shows
must exist, with the options it gives, and each file it cites must be there."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import typer

from workbench.cli import app

ROOT = Path(__file__).parents[1]
DEPLOY = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
BASH = re.compile(r"^```bash\n(.*?)^```$", re.S | re.M)


def shown_commands() -> list[list[str]]:
    commands: list[list[str]] = []
    for block in BASH.findall(DEPLOY):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("workbench "):
                commands.append(shlex.split(line)[1:])
    return commands


def unknown_parts(words: list[str]) -> list[str]:
    """The words of ``workbench WORDS`` that name no command or option."""
    # typer's own click: groups have ``commands``, every command ``params``.
    command: Any = typer.main.get_command(app)
    unknown: list[str] = []
    for word in words:
        if word in getattr(command, "commands", {}):
            command = command.commands[word]
        elif word.startswith("--"):
            names = {n for p in command.params for n in (*p.opts, *p.secondary_opts)}
            if word.split("=")[0] not in names:
                unknown.append(f"{command.name} {word}")
        elif hasattr(command, "commands"):
            unknown.append(f"no command {word!r}")
    return unknown


def test_every_command_in_deploy_md_exists() -> None:
    commands = shown_commands()
    assert len(commands) >= 6, commands  # the blocks are read at all
    problems = [p for words in commands for p in unknown_parts(words)]
    assert problems == []


def test_the_files_deploy_md_cites_exist() -> None:
    for path in (
        "tests/api/test_many_servers.py",
        "tests/api/test_behind_proxy.py",
        "workbench/db/session.py",
    ):
        assert path in DEPLOY and (ROOT / path).exists(), path
