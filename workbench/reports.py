"""What every report a command prints has in common: its text and its JSON.

Ingest, synth, restore, rebuild and retrain reports used to be dataclasses while import and
agreement reports were pydantic models, so the command line printed them two ways, each
command with its own function picking fields. A report is now always a :class:`Report`: the
lines a person reads (``summary``) and the JSON a script reads (``json_text``) are the
report's own, next to its fields, and the command line has one printer for all of them
(``workbench.cli.common.print_report``). The services fill reports in as work goes (counters
in hot loops): plain pydantic attribute assignment, no validation on assignment.
"""

from __future__ import annotations

import json
from abc import abstractmethod

from pydantic import BaseModel


class Report(BaseModel):
    """The outcome of one piece of work, printable as text or JSON."""

    @abstractmethod
    def summary(self) -> str:
        """The report as a person reads it: the lines a command prints, without the final
        line break."""

    def json_text(self) -> str:
        """The report as one JSON object."""
        return self.model_dump_json()


class SpacedJsonReport(Report):
    """A report whose JSON has always been ``json.dumps``'s (``", "`` and ``": "``
    separators, non-ASCII escaped): scripts may compare it byte for byte, so it stays."""

    def json_text(self) -> str:
        return json.dumps(self.model_dump())
