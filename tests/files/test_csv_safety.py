"""CSV cells never run as formulas: the one guard shared by the claims and agreement CSVs."""

import csv
import io
import unicodedata

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.agreement.table import VerdictTable
from workbench.files.csv_safety import neutralise


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_prefixes_are_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@given(st.text())
def test_neutralised_cells_never_start_a_formula_and_keep_the_text(cell: str) -> None:
    safe = neutralise(cell)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert safe in (cell, "'" + cell)


# --- the formula guard decides on the first visible character ------------------------------

TRIGGERS = ("=", "+", "-", "@", "|")
# Characters a reader does not see, which a spreadsheet may skip before the formula sign.
INVISIBLE = [" ", "\n", "\u00a0", "\u200b", "\ufeff", "\u2060", "\u200e", "\u3000", "\x01"]
LOOKALIKES = ["＝", "＋", "－", "＠", "｜", "﹦", "⁼"]  # NFKC folds each to a trigger


def visible_start(value: str) -> str:
    """The test's own reading of the first visible character: skip whitespace, control,
    format and combining characters, then fold the next one with NFKC."""
    for char in value:
        if char.isspace() or unicodedata.category(char)[0] in "CMZ":
            continue
        if char in "\u115f\u1160\u3164\uffa0\u2800":
            continue
        return unicodedata.normalize("NFKC", char)[:1]
    return ""


@pytest.mark.parametrize(
    "cell",
    [
        "  =1+1",
        "\n=1+1",
        "\u00a0=cmd|' /C calc'!A0",
        '\u200b=HYPERLINK("http://evil.example")',
        "\ufeff@SUM(A1)",
        "＝1+1",
        "\u3000＋1",
        "|calc!A0",
        " \t-2",
    ],
)
def test_a_formula_behind_invisible_characters_or_in_full_width_is_neutralised(
    cell: str,
) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Budget rose 4%", " 1,000 people", "'=quoted", "", "\u200b"])
def test_a_cell_whose_first_visible_character_is_harmless_is_unchanged(cell: str) -> None:
    assert neutralise(cell) == cell


formula_like = st.builds(
    lambda pad, sign, rest: "".join(pad) + sign + rest,
    st.lists(st.sampled_from(INVISIBLE), max_size=4),
    st.sampled_from([*TRIGGERS, *LOOKALIKES, "a", "'", "1"]),
    st.text(max_size=8),
)


@given(st.one_of(st.text(), formula_like))
def test_after_neutralising_no_cell_starts_a_formula(cell: str) -> None:
    safe = neutralise(cell)
    assert visible_start(safe) not in TRIGGERS
    assert not safe.startswith(("\t", "\r"))
    if visible_start(cell) not in TRIGGERS and not cell.startswith(("\t", "\r")):
        assert safe == cell  # harmless text is left exactly as it was
    else:
        assert safe == "'" + cell  # only ever a prefix: the text itself is kept


def test_the_agreement_csv_neutralises_reviewer_names_behind_a_space() -> None:
    table = VerdictTable(
        claim_ids=np.array([1]),
        document_ids=np.array([1]),
        reviewers=[" =cmd()", "\u200b@x"],
        ratings=np.array([[0.0, 1.0]]),
        seconds=np.full((1, 2), np.nan),
        decided=np.full((1, 2), np.nan),
        final=np.array([np.nan]),
        claim_texts=["A claim."],
        document_titles={1: "A document"},
    )
    out = io.StringIO()
    table.write_csv(out)
    names = [row["reviewer"] for row in csv.DictReader(io.StringIO(out.getvalue()))]
    assert names == ["' =cmd()", "'\u200b@x"]
