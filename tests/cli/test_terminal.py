"""Control characters from articles, names and file names never reach the terminal raw.

Each test feeds the command text carrying ESC sequences (clear screen, an OSC 8 link), a C1
control and a bidi override, and checks the human output shows them escaped and the JSON
output escapes them too, while still decoding to the same text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from workbench.cli import app
from workbench.db.models import User
from workbench.db.open import open_database
from workbench.terminal import printable, printable_json

runner = CliRunner()

CLEAR = "\x1b[2J"
LINK = "\x1b]8;;http://evil.example\x07"
CSI = "\x9b"  # the one-character CSI of terminals that honour C1 controls
RLO = "\u202e"  # right-to-left override: "txt.exe" printed as "exe.txt"
HOSTILE = (CLEAR, "\x1b", LINK, "\x07", CSI, RLO, "\x7f")
SENTENCE = f"The ministry said 4,000 people {CLEAR}{LINK}were evacuated{CSI}{RLO} in 2023.\x7f"


def raw_controls(text: str) -> list[str]:
    """The hostile characters present, unescaped, in ``text``."""
    return [c for c in ("\x1b", "\x07", CSI, RLO, "\x7f") if c in text]


def test_printable_escapes_every_control_and_bidi_character() -> None:
    assert printable(SENTENCE) == (
        "The ministry said 4,000 people \\x1b[2J\\x1b]8;;http://evil.example\\x07"
        "were evacuated\\x9b\\u202e in 2023.\\x7f"
    )
    assert printable("a\nb\tc\r") == "a\\x0ab\\x09c\\x0d"
    assert printable("a\nb", keep="\n") == "a\nb"
    assert printable("plain café ‹text› — ünïcode") == "plain café ‹text› — ünïcode"
    for code in [*range(0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, 0x2066, 0x2069]:
        assert printable(chr(code)).startswith("\\"), hex(code)


def test_printable_json_is_the_same_value_without_raw_controls() -> None:
    text = json.dumps({"text": SENTENCE}, ensure_ascii=False)
    safe = printable_json(text)
    assert not raw_controls(safe)
    assert json.loads(safe) == {"text": SENTENCE}


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(f"Evacuation {CLEAR}news\n\n{SENTENCE}\n", encoding="utf-8")
    return path


def test_extract_shows_an_articles_escapes_escaped(article: Path) -> None:
    result = runner.invoke(app, ["extract", str(article)])
    assert result.exit_code == 0, result.output
    assert "\\x1b[2J\\x1b]8;;http://evil.example\\x07were evacuated" in result.stdout
    assert not raw_controls(result.stdout)


def test_extract_jsonl_escapes_them_and_keeps_the_text(article: Path) -> None:
    result = runner.invoke(app, ["extract", str(article), "--jsonl"])
    assert result.exit_code == 0, result.output
    assert not raw_controls(result.stdout)
    claims = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(SENTENCE.rstrip("\x7f") in claim["text"] for claim in claims)


def test_score_shows_sentences_escaped_in_text_and_json(tmp_path: Path) -> None:
    sentences = tmp_path / "s.txt"
    sentences.write_text(SENTENCE.replace("\x07", "") + "\n", encoding="utf-8")
    text = runner.invoke(app, ["score", str(sentences)])
    assert text.exit_code == 0 and not raw_controls(text.stdout), text.output
    assert "\\x1b[2J" in text.stdout
    lines = runner.invoke(app, ["score", str(sentences), "--jsonl"])
    assert lines.exit_code == 0 and not raw_controls(lines.stdout), lines.output
    assert RLO in json.loads(lines.stdout)["text"]


def test_an_error_quoting_a_file_name_shows_it_escaped(tmp_path: Path) -> None:
    missing = tmp_path / f"x{CLEAR}{RLO}.tsv"
    result = runner.invoke(app, ["score", str(missing)])
    assert result.exit_code == 1
    assert "x\\x1b[2J\\u202e.tsv" in result.stderr and not raw_controls(result.stderr)


def test_ingest_errors_name_a_hostile_file_escaped(db_url: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "--db", db_url]).exit_code == 0
    bad = tmp_path / f"bad{CLEAR}.jsonl"
    bad.write_text("{broken\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(bad), "--db", db_url, "--no-progress"])
    assert result.exit_code == 1
    assert "bad\\x1b[2J.jsonl:1" in result.stderr and not raw_controls(result.stderr)


def test_users_list_shows_a_stored_name_escaped(db_url: str) -> None:
    # The account services refuse such names; an older database or a restored backup may
    # still hold one, so the output does not rely on that.
    engine = open_database(db_url)
    with engine.begin() as connection:
        connection.execute(insert(User).values(name=f"Eve{RLO}{CSI}2J", role="reviewer"))
    text = runner.invoke(app, ["users", "list", "--db", db_url])
    assert text.exit_code == 0 and not raw_controls(text.stdout), text.output
    assert "Eve\\u202e\\x9b2J" in text.stdout
    as_json = runner.invoke(app, ["users", "list", "--json", "--db", db_url])
    assert as_json.exit_code == 0 and not raw_controls(as_json.stdout)
    assert json.loads(as_json.stdout)[0]["name"] == f"Eve{RLO}{CSI}2J"
