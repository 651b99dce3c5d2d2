"""Every setting is declared once, in ``workbench.config.Settings``, described and documented.

The code may name a ``WORKBENCH_*`` variable (in a message, a help text, or the environment
``workbench serve`` hands to Streamlit), but each one it names must be a field of ``Settings``
(the only place the environment is read for one), each field must carry a description, and
each must be in the README's settings table. The suite's own variables
(``WORKBENCH_REQUIRE_POSTGRES``, ...) are read by tests/ only: they are not settings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.config import SCORER_NAMES, Settings, SettingsError, env_name, get_settings
from workbench.extract import scorers

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "workbench"
README = (ROOT / "README.md").read_text(encoding="utf-8")
VARIABLE = re.compile(r"\bWORKBENCH_[A-Z_]*[A-Z]\b")


def variables_in_the_package() -> dict[str, list[str]]:
    """Each WORKBENCH_* name the package's source mentions, and where."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in VARIABLE.findall(line):
                found.setdefault(name, []).append(f"{path.relative_to(ROOT)}:{number}")
    return found


def settings_table() -> str:
    """The README's "Settings" section."""
    section = README.split("\n## Settings\n", 1)[1]
    return section.split("\n## ", 1)[0]


FIELDS = {env_name(name): name for name in Settings.model_fields}


@pytest.mark.parametrize("variable", sorted(variables_in_the_package()))
def test_every_variable_the_code_names_is_a_setting(variable: str) -> None:
    where = ", ".join(variables_in_the_package()[variable][:3])
    assert variable in FIELDS, f"{variable} ({where}) is not a field of workbench.config.Settings"


@pytest.mark.parametrize("variable", sorted(FIELDS))
def test_every_setting_is_in_the_readme_table(variable: str) -> None:
    assert f"| `{variable}` |" in settings_table(), f"{variable} is not in the README's Settings"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_has_a_description(name: str) -> None:
    description = Settings.model_fields[name].description
    assert description and len(description.split()) >= 4, f"Settings.{name}: no description"


def test_the_environment_is_read_for_settings_only_in_config() -> None:
    reads = re.compile(r"(?:os\.environ(?:\.get)?\s*[\[(]|getenv\()\s*['\"](WORKBENCH_[A-Z_]+)")
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "config.py"
        for name in reads.findall(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"read WORKBENCH_* variables themselves: {offenders}"


def test_the_scorer_setting_names_exactly_the_registered_scorers() -> None:
    assert set(SCORER_NAMES) == set(scorers._LOADERS)
    assert scorers.SCORERS == SCORER_NAMES


def test_a_bad_value_is_one_sentence_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_SCORER", "bert")
    with pytest.raises(SettingsError) as caught:
        get_settings()
    message = str(caught.value)
    assert message.startswith("WORKBENCH_SCORER: input should be 'linear'")
    assert "'bert'" in message and len(message.splitlines()) == 1
