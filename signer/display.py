"""Text from files, workbooks and certificates, made safe to print on a terminal.

A certificate's name, a file name, a unit's name or an error that quotes one is data, and data
may carry what a terminal or rich would act on: escape sequences (ESC [2J clears the screen, a
colour code paints a fake green "VALID"), a line break that starts a forged line of its own,
bidi overrides (U+202E) that show text in another order than it is, and rich markup (``[/red]``
is a markup error, ``[green]`` a colour). Every human-output path prints data through
:func:`shown` (plain text, printed with markup off) or :func:`cell` (a rich table cell); JSON
output needs neither (``json.dumps`` escapes control characters itself).
"""

from __future__ import annotations

import re

from rich.markup import escape
from rich.text import Text

# C0 (line breaks and tabs included: a field stays on its line), DEL and C1, the bidi
# embeddings, overrides and isolates, the directional marks, and the line and paragraph
# separators
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def shown(value: object) -> str:
    """``value`` as one line of plain text that cannot act on a terminal: every control, bidi
    and line-separating character is written out visibly (``\\x1b``, ``\\n``, ``\\u202e``).
    Print it with markup off (or through :func:`markup`)."""
    return _UNSAFE.sub(_visible, str(value))


def markup(value: object) -> str:
    """``value`` made safe (:func:`shown`) and escaped, for a string printed with rich markup."""
    return escape(shown(value))


def cell(value: object) -> Text:
    """``value`` as a rich table cell: made safe, and never read as markup."""
    return Text(shown(value))


# what json.dumps(ensure_ascii=False) leaves raw although a terminal may act on it
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with DEL, C1 and the bidi and line
    separators written as ``\\uXXXX`` escapes too: the same JSON value, safe on a terminal
    (they can only occur inside strings, where such an escape means the same character)."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def lines(error: BaseException) -> list[str]:
    """An error's message as the lines it means, each made safe: a multi-line error (a header
    and its problems, :attr:`signer.errors.KinerjaError.lines`) keeps its lines, and a line break
    inside quoted data never starts a line."""
    meant = getattr(error, "lines", None) or (str(error),)
    return [shown(line) for line in meant]
