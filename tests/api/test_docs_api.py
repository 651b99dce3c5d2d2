"""docs/api.md's examples, run as they are against a live `workbench api` (issue 15).

Every ``curl`` command of its ```bash blocks (continuation lines joined) runs through bash
with ``$API``, ``$TOKEN``, ``$AUTH``, ``$CLAIM`` and ``$CURSOR`` set, and must exit 0 with a
2xx answer, or the status a comment just above it names ("…: 409 stale"); every ```python
block runs with the venv's interpreter and must exit 0. The world: a project ``health`` of
two reviews a claim, whose admin ``alice`` the token acts as.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.api.conftest import api_server, build_world
from workbench.auth import accounts
from workbench.auth.policy import SYSTEM
from workbench.auth.tokens import create_token
from workbench.projects.membership import grant
from workbench.projects.settings import set_project_setting
from workbench.schemas import Role

API_MD = Path(__file__).parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"^```(bash|python)\n(.*?)^```", re.M | re.S)
STATUS = re.compile(r"\b([45]\d\d)\b")
CURL = shutil.which("curl")


@dataclass(frozen=True)
class Example:
    command: str
    expected: int | None  # None: any 2xx


def curl_examples(text: str) -> list[Example]:
    """Each curl command of the bash blocks, with the status the comment above it names."""
    examples = []
    for kind, body in BLOCK.findall(text):
        if kind != "bash":
            continue
        lines = iter(body.replace("\\\n", " ").splitlines())
        comment = ""
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("#"):
                comment = stripped
            elif stripped.startswith("curl "):
                # A quoted body may go on over lines: up to its closing quote.
                while stripped.count("'") % 2:
                    stripped += "\n" + next(lines)
                found = STATUS.search(comment)
                examples.append(Example(stripped, int(found.group(1)) if found else None))
            elif not stripped:
                comment = ""
    return examples


def python_examples(text: str) -> list[str]:
    return [body for kind, body in BLOCK.findall(text) if kind == "python"]


def test_the_doc_has_examples_of_each_kind() -> None:
    text = API_MD.read_text(encoding="utf-8")
    commands = curl_examples(text)
    assert len(commands) >= 15 and python_examples(text)
    assert {e.expected for e in commands} >= {None, 400, 409}
    # Every endpoint of the table has an example.
    for path in (
        "/health",
        "/documents",
        "/claims",
        "/review",
        "/final",
        "/history",
        "/agreement",
        "/export",
        "/export/manifest",
    ):
        assert any(path in e.command for e in commands), path


@pytest.mark.skipif(CURL is None, reason="curl is not installed")
def test_every_example_in_docs_api_runs(engine: Engine, db_url: str, tmp_path: Path) -> None:
    world = build_world(engine)
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 2, "health")
    accounts.add_user(engine, SYSTEM, "alice", Role.reviewer)
    grant(engine, SYSTEM, "alice", "health", Role.admin)
    token = create_token(engine, SYSTEM, "alice", "docs").secret
    text = API_MD.read_text(encoding="utf-8")
    with api_server(db_url, tmp_path) as api:
        first = httpx.get(
            f"{api}/claims",
            params={"project": "health", "state": "to_review", "limit": 1},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        env = {
            **os.environ,
            "API": api,
            "TOKEN": token,
            "AUTH": f"Authorization: Bearer {token}",
            "CLAIM": str(world.claims["health"][0]),
            "CURSOR": first["next_cursor"],
        }
        for example in curl_examples(text):
            done = subprocess.run(
                ["bash", "-c", example.command + " -w '\\n%{http_code}'"],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, (example.command, done.stderr)
            status = int(done.stdout.rstrip().rsplit("\n", 1)[-1])
            if example.expected is None:
                assert 200 <= status < 300, (example.command, done.stdout)
            else:
                assert status == example.expected, (example.command, done.stdout)
        # The downloads landed, the CSV with its header.
        assert (tmp_path / "disputed.csv").read_text().startswith("claim_id,")
        assert (tmp_path / "claims.jsonl").exists()
        for code in python_examples(text):
            ran = subprocess.run(
                [sys.executable, "-c", code],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert ran.returncode == 0, (code, ran.stdout, ran.stderr)
            assert "saved" in ran.stdout, ran.stdout
