"""Text from articles, accounts and input files made safe to print on a terminal.

An ingested article is written by whoever wrote the page, and the CLI prints its sentences,
titles and sources, as it prints reviewer names, notes and the values an error quotes. A
terminal obeys control characters in what it prints: ESC starts sequences that clear the
screen, move the cursor over earlier lines, set the window title or hide a link behind other
text (OSC 8); the C1 controls (U+0080-U+009F) are the same sequences in one code point on
terminals that honour them; a bidi override (U+202E) prints what follows backwards, so
``txt.exe`` can read as ``exe.txt``. So every human-readable line the CLI prints passes
through :func:`printable`, once, where it is printed: a new command is safe without its
author having to remember which of its values came from outside.

An escaped character is shown the way Python writes it (``\\x1b``, ``\\u202e``): visible,
unambiguous, and what a user would type to search for it.

JSON output is already escaped for C0 controls by every JSON encoder, but not for C1
controls, DEL and bidi characters when non-ASCII text is kept readable (``ensure_ascii=False``,
pydantic's ``model_dump_json``): :func:`printable_json` escapes those as ``\\uXXXX``, which
leaves the same JSON value (they can only occur inside strings).
"""

from __future__ import annotations

import re

# The bidi formatting characters (Unicode's Bidi_Control property): embeddings, overrides,
# isolates, their terminators and the implicit marks.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")
_UNSAFE_IN_JSON = re.compile(f"[\\x7f-\\x9f{BIDI_CONTROLS}]")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep: str = "") -> str:
    """``text`` with every control character (C0, DEL, C1) and bidi control escaped, except
    those in ``keep`` (say ``"\\n"`` for a report of several lines)."""
    if keep:
        return _UNSAFE.sub(lambda m: m[0] if m[0] in keep else _escape(m[0]), text)
    return _UNSAFE.sub(lambda m: _escape(m[0]), text)


def printable_json(text: str) -> str:
    """JSON text with the C1 controls, DEL and bidi controls its strings hold raw written as
    ``\\uXXXX`` escapes: the same JSON value, harmless on a terminal."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
