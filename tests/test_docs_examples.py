"""The examples in docs/*.md are run, and their shown output compared, where they can be.

Run here (each against a database or data made in the test, never the user's):

- docs/agreement.md, ``$ workbench agreement ... --by reviewer``: the database is made by
  ``scripts/agreement_example.py`` (seeded, so the same every time), then the command's output
  must be the block's, line for line;
- docs/agreement.md, "The raw table": the first rows of ``workbench agreement --csv`` on that
  database;
- docs/extraction.md, ``python bench/extraction_quality.py`` (the default scorer,
  minilm-onnx@4), ``python bench/extraction_quality.py --scorer linear`` and
  ``python bench/screen.py``: deterministic over the labelled news set and the similarity
  constants; their output must be the blocks'.

Not run, and why:

- docs/exports.md, ``$ workbench export --format claimreview ...``, the JSON, CSV, ClaimReview
  and manifest examples and the ``>>>`` pandas session: they come from "the demo database of
  these examples", whose sixth article is described but not given (only its title, URL and
  sha256), and whose reviews carry the wall-clock times they were made at; the formats
  themselves are held by tests/export.
- the synopsis blocks (``workbench export [--format ...]``) and the pictures in text: not
  commands.

:func:`test_every_shown_command_is_run_or_excused` fails when docs/*.md gains a ``$ workbench``
block that is in neither list, so a new example gets a decision.
"""

from __future__ import annotations

import os
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```[\w-]*\n(.*?)^```$", re.S | re.M)

RUN = {
    ("agreement.md", "workbench agreement --db sqlite:////tmp/agreement.sqlite --by reviewer"),
}
EXCUSED = {
    ("exports.md", "workbench export --format claimreview"): "the demo database of exports.md "
    "has an article whose text the docs do not give, and wall-clock review times",
}


def doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def block_after(text: str, anchor: str) -> list[str]:
    """The lines of the first fenced block after ``anchor``, trailing blanks dropped."""
    found = FENCE.search(text, text.index(anchor))
    assert found is not None, f"no block after {anchor!r}"
    return [line.rstrip() for line in found.group(1).splitlines()]


def shown_commands() -> set[tuple[str, str]]:
    """(file, command) of every block of docs/*.md that starts with ``$ workbench``."""
    shown = set()
    for path in sorted(DOCS.glob("*.md")):
        for block in FENCE.findall(path.read_text(encoding="utf-8")):
            first = block.splitlines()[0] if block.strip() else ""
            if first.startswith("$ workbench "):
                shown.add((path.name, first.removeprefix("$ ")))
    return shown


def test_every_shown_command_is_run_or_excused() -> None:
    decided = RUN | set(EXCUSED)
    undecided = [
        (name, command)
        for name, command in shown_commands()
        if not any(name == n and command.startswith(c) for n, c in decided)
    ]
    assert not undecided, f"run these examples in this file, or say why they cannot be: {undecided}"


def lines(output: str) -> list[str]:
    rows = [line.rstrip() for line in output.splitlines()]
    while rows and not rows[-1]:
        rows.pop()
    return rows


@pytest.fixture(scope="module")
def agreement_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database docs/agreement.md's example runs on, made as the doc says."""
    path = tmp_path_factory.mktemp("agreement") / "agreement.sqlite"
    argv = sys.argv
    sys.argv = ["agreement_example.py", str(path)]
    try:
        runpy.run_path(str(ROOT / "scripts" / "agreement_example.py"), run_name="__main__")
    finally:
        sys.argv = argv
    return f"sqlite:///{path}"


def workbench(command: str, *, db: str) -> str:
    """Run a ``workbench ...`` line of the docs, its ``--db`` pointed at ``db``."""
    args = shlex.split(command)[1:]
    args[args.index("--db") + 1] = db
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_agreement_example_prints_what_the_docs_show(agreement_db: str) -> None:
    block = block_after(doc("agreement.md"), "## Example")
    command, shown = block[0].removeprefix("$ "), block[1:]
    assert (("agreement.md", command)) in RUN
    assert lines(workbench(command, db=agreement_db)) == shown


def test_the_raw_table_starts_as_the_docs_show(agreement_db: str, tmp_path: Path) -> None:
    shown = block_after(doc("agreement.md"), "## The raw table")
    out = tmp_path / "table.csv"
    workbench(f"workbench agreement --csv {out} --db URL", db=agreement_db)
    assert out.read_text(encoding="utf-8").splitlines()[: len(shown)] == shown


@pytest.mark.parametrize(
    ("anchor", "script"),
    [
        ("`python bench/extraction_quality.py` (the default", "bench/extraction_quality.py"),
        ("`python bench/extraction_quality.py --scorer linear`", "bench/extraction_quality.py"),
        ("`python bench/screen.py`", "bench/screen.py"),
    ],
)
def test_the_extraction_figures_are_what_the_benchmarks_print(anchor: str, script: str) -> None:
    shown = block_after(doc("extraction.md"), anchor)
    arguments = shlex.split(anchor.split("`")[1])[2:]  # what the anchor shows after the script
    # The default scorer is the one the block shows: not whatever the caller's environment says.
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_SCORER"}
    env |= {"PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(ROOT / script), *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=True,
    )
    assert lines(result.stdout) == shown
