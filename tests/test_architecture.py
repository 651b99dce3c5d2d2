"""The layout docs/architecture.md draws is the layout the code has.

Every top-level part of the package sits in a layer; a module may import its own part and the
parts of lower layers, never a higher or a same-layer sibling. So the data flows one way
(ingest → extract → store → review → agree → export), the entry points (the app and the CLI)
are siblings that nothing imports, and a cycle between parts cannot come back unnoticed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "workbench"
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")

# Lowest first. "workbench" is the package's own __init__ (its version).
LAYERS: list[set[str]] = [
    {"workbench", "errors", "terminal", "process"},
    {"config", "schemas", "storable", "urls", "reports"},
    {"db"},
    {"audit", "files", "outbox"},
    {"auth"},
    {"projects", "extract"},
    {"similarity"},
    {"ingest", "review"},
    {"agreement", "transfer", "synth", "webhooks"},
    {"export"},
    {"app", "cli", "api"},
    {"site"},
]
LAYER = {part: number for number, parts in enumerate(LAYERS) for part in parts}
# Module size: a module over this many lines is usually two ideas (data tables excepted).
MAX_LINES = 600
DATA_TABLES = {"workbench/synth/vocabulary.py"}


def part_of(module: str) -> str:
    """The top-level part a dotted name under ``workbench`` belongs to."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "workbench"


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def imports_of(path: Path) -> set[str]:
    """The ``workbench.*`` modules ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "workbench" or name.startswith("workbench.")}


def own_part(path: Path) -> str:
    first = path.relative_to(PACKAGE).parts[0]
    return first.removesuffix(".py") if first != "__init__.py" else "workbench"


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {own_part(path) for path in modules()}
    assert parts <= set(LAYER), f"not in LAYERS (and docs/architecture.md): {parts - set(LAYER)}"
    assert set(LAYER) <= parts, f"in LAYERS but gone: {set(LAYER) - parts}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_its_own_part_and_lower_layers(path: Path) -> None:
    mine = own_part(path)
    upward = [
        name
        for name in sorted(imports_of(path))
        if part_of(name) != mine and LAYER[part_of(name)] >= LAYER[mine]
    ]
    assert not upward, f"{mine} (layer {LAYER[mine]}) imports {upward}: see docs/architecture.md"


def test_the_document_names_every_part_in_its_layer() -> None:
    # docs/architecture.md has a table "| layer | parts | ..." whose rows list the parts.
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \|", ARCHITECTURE, re.M)
    documented = {int(n): {p.strip(" `") for p in parts.split(",")} for n, parts in rows}
    assert documented == dict(enumerate(LAYERS))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_600_lines_but_data_tables(path: Path) -> None:
    name = str(path.relative_to(ROOT))
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert name in DATA_TABLES or lines <= MAX_LINES, f"{name}: {lines} lines"
