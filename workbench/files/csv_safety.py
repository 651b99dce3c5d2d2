"""CSV cells that a spreadsheet shows as text, never runs as a formula (CWE-1236).

One function, :func:`neutralise`, for every CSV the workbench writes (the claims export and
the agreement table): free text from sources and reviewers (a claim, a speaker, a note, a
reviewer's name) may start like a formula, and a spreadsheet that opens the file would run it.
"""

from __future__ import annotations

import unicodedata

# A spreadsheet runs a cell that starts with one of these as a formula (CWE-1236); "|" is
# LibreOffice's and old Excel's DDE trigger ("|calc!A0"). Tab and CR are in OWASP's list too.
FORMULA_PREFIXES = ("=", "+", "-", "@", "|", "\t", "\r")
_TRIGGERS = frozenset(FORMULA_PREFIXES)
# What a reader does not see before the first character they do: whitespace (NBSP and the
# ideographic space included), control and format characters (ZWSP, BOM, direction marks),
# combining marks with nothing to combine with, and the blank-looking letters some fonts draw
# as nothing. Spreadsheets and their CSV import differ in what they skip; we assume all of it.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Zs", "Zl", "Zp"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def first_visible(value: str) -> str:
    """The first character a reader sees, in its NFKC form (``＝`` is ``=``); "" if none."""
    for char in value:
        if char.isspace() or char in _BLANK_LETTERS:
            continue
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            continue
        return unicodedata.normalize("NFKC", char)[:1]
    return ""


def neutralise(value: str) -> str:
    """Prefix a would-be formula with an apostrophe, which spreadsheets show as text.

    Decided on the first *visible* character after NFKC, not on the first code point: a
    spreadsheet that trims `` \u200b=cmd()`` or folds the full-width ``＝`` runs it all the
    same. A cell that starts with a tab or CR is neutralised whatever follows (OWASP).
    Anything else is returned unchanged: the prefix is added, never a character removed.
    """
    if value.startswith(("\t", "\r")) or first_visible(value) in _TRIGGERS:
        return "'" + value
    return value
