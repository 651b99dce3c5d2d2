"""What the CLI prints, read the way the tests need it."""

from __future__ import annotations


def errors(err: str) -> str:
    """stderr without the line every command starts with, naming its database."""
    lines = err.splitlines(keepends=True)
    assert lines and lines[0].startswith("database: "), err
    return "".join(lines[1:])
