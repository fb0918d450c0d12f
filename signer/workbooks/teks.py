"""A text cell made fit to be printed, signed and verified, or refused with the reason.

What a cell holds is printed by LibreOffice and read back from the signed pages by the verifier,
which compares it with the embedded data character by character. Text pasted from Word, a web
page or a PDF often carries characters nobody sees in Excel (a soft hyphen, a zero-width space, a
byte order mark, a non-breaking space, a tab or a line break inside a one-line field): they would
reach the embedded data but not the pages, and the signed agreement would never verify. So each
class of character is decided here, once, when the workbook is read:

- removed (a warning names each): soft hyphen, zero-width space, joiner and non-joiner, word
  joiner, byte order mark, left-to-right and right-to-left marks, the other invisible format
  characters, control characters;
- replaced by a plain space (a warning): tabs, line breaks, and the other Unicode spaces
  (non-breaking, thin, em, ideographic ...);
- replaced by their plain form (a warning): full-width and other compatibility forms the fonts
  cannot draw ('Ａ' is 'A', 'ﬃ' is 'ffi'), and the canonical composition (NFC) of a letter typed
  as letter plus accent;
- refused (a problem, the cell named): bidi embeddings, overrides and isolates (they reorder what
  Excel shows), right-to-left scripts, a combining accent with no precomposed letter, private use
  and unassigned code points, and any character the templates' font (Arial, drawn as Liberation
  Sans) has no glyph for: LibreOffice would draw it in another font or as an empty box.

Runs of ordinary spaces collapse to one and the ends are trimmed without a warning, as before:
that changes nothing a reader sees.
"""

from __future__ import annotations

import functools
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

# The code points that both Liberation Sans Regular and Bold (fonts-liberation2 2.1, what Arial
# is drawn with) have a glyph for; tests/unit/test_teks.py checks it against the installed fonts.
DRAWABLE = (
    *((0x0020, 0x007E), (0x00A0, 0x036F), (0x0374, 0x0375), (0x037A, 0x037E), (0x0384, 0x038A)),
    *((0x038C, 0x038C), (0x038E, 0x03A1), (0x03A3, 0x03CE), (0x03D0, 0x0513), (0x051A, 0x051D)),
    *((0x0591, 0x05C7), (0x05D0, 0x05EA), (0x05F0, 0x05F4), (0x1D00, 0x1DCA), (0x1DFE, 0x1E9B)),
    *((0x1E9E, 0x1E9E), (0x1EA0, 0x1EF9), (0x1F00, 0x1F15), (0x1F18, 0x1F1D), (0x1F20, 0x1F45)),
    *((0x1F48, 0x1F4D), (0x1F50, 0x1F57), (0x1F59, 0x1F59), (0x1F5B, 0x1F5B), (0x1F5D, 0x1F5D)),
    *((0x1F5F, 0x1F7D), (0x1F80, 0x1FB4), (0x1FB6, 0x1FC4), (0x1FC6, 0x1FD3), (0x1FD6, 0x1FDB)),
    *((0x1FDD, 0x1FEF), (0x1FF2, 0x1FF4), (0x1FF6, 0x1FFE), (0x2000, 0x2010), (0x2012, 0x2022)),
    *((0x2026, 0x2026), (0x202A, 0x2030), (0x2032, 0x2034), (0x2039, 0x203A), (0x203C, 0x203C)),
    *((0x203E, 0x203E), (0x2044, 0x2044), (0x205E, 0x205E), (0x206A, 0x206F), (0x2074, 0x2079)),
    *((0x207F, 0x2089), (0x2090, 0x2094), (0x20A0, 0x20B5), (0x20BF, 0x20BF), (0x20F0, 0x20F0)),
    *((0x2105, 0x2105), (0x2113, 0x2113), (0x2116, 0x2117), (0x2122, 0x2122), (0x2126, 0x2126)),
    *((0x212E, 0x212E), (0x214D, 0x214E), (0x2153, 0x2154), (0x215B, 0x215E), (0x2184, 0x2184)),
    *((0x2190, 0x2195), (0x21A8, 0x21A8), (0x21D4, 0x21D4), (0x2202, 0x2202), (0x2206, 0x2206)),
    *((0x220F, 0x220F), (0x2211, 0x2212), (0x2215, 0x2215), (0x2219, 0x221A), (0x221E, 0x221F)),
    *((0x2229, 0x2229), (0x222B, 0x222B), (0x2248, 0x2248), (0x2260, 0x2262), (0x2264, 0x2265)),
    *((0x2302, 0x2302), (0x2310, 0x2310), (0x2320, 0x2321), (0x2500, 0x2500), (0x2502, 0x2502)),
    *((0x250C, 0x250C), (0x2510, 0x2510), (0x2514, 0x2514), (0x2518, 0x2518), (0x251C, 0x251C)),
    *((0x2524, 0x2524), (0x252C, 0x252C), (0x2534, 0x2534), (0x253C, 0x253C), (0x2550, 0x256C)),
    *((0x2580, 0x2580), (0x2584, 0x2584), (0x2588, 0x2588), (0x258C, 0x258C), (0x2590, 0x2593)),
    *((0x25A0, 0x25A1), (0x25AA, 0x25AC), (0x25B2, 0x25B2), (0x25BA, 0x25BA), (0x25BC, 0x25BC)),
    *((0x25C4, 0x25C4), (0x25CA, 0x25CC), (0x25CF, 0x25D9), (0x25E6, 0x25E6), (0x263A, 0x263C)),
    *((0x263F, 0x2647), (0x2660, 0x2660), (0x2663, 0x2663), (0x2665, 0x2666), (0x2669, 0x266C)),
    *((0x266F, 0x266F), (0x2C60, 0x2C6D), (0x2C71, 0x2C77), (0x2E17, 0x2E17), (0xA717, 0xA721)),
    *((0xA788, 0xA78C), (0xFB01, 0xFB02), (0xFB1D, 0xFB36), (0xFB38, 0xFB3C), (0xFB3E, 0xFB3E)),
    *((0xFB40, 0xFB41), (0xFB43, 0xFB44), (0xFB46, 0xFB4F), (0xFE20, 0xFE23), (0xFFFC, 0xFFFC)),
)
_STARTS = [lo for lo, _ in DRAWABLE]

# what each removed or replaced character is called in a warning (others: their Unicode name)
_KNOWN = {
    "\u00ad": "soft hyphen",
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "byte order mark",
    "\u200e": "left-to-right mark",
    "\u200f": "right-to-left mark",
    "\u061c": "Arabic letter mark",
    "\t": "tab",
    "\n": "line break",
    "\r": "line break",
    "\u00a0": "non-breaking space",
    "\u202f": "narrow non-breaking space",
    "\u2028": "line separator",
    "\u2029": "paragraph separator",
}
# explicit embeddings, overrides and isolates: they change the order Excel shows the text in
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def drawable(ch: str) -> bool:
    """Whether the templates' font has a glyph for ``ch``."""
    cp = ord(ch)
    k = bisect_right(_STARTS, cp) - 1
    return k >= 0 and DRAWABLE[k][0] <= cp <= DRAWABLE[k][1]


def describe(ch: str) -> str:
    """A character as a warning names it: "soft hyphen (U+00AD)"."""
    unnamed = "control character" if unicodedata.category(ch) == "Cc" else "unnamed character"
    name = _KNOWN.get(ch) or unicodedata.name(ch, "").lower() or unnamed
    return f"{name} (U+{ord(ch):04X})"


@dataclass(frozen=True)
class Cleaned:
    """A cell's text as kinerja keeps it, what was changed to get it, and why it cannot be used
    (None when it can)."""

    text: str
    changes: tuple[str, ...]
    refused: str | None


def clean(raw: str) -> Cleaned:
    """``raw`` made printable and verifiable (see the module's description)."""
    if raw.isascii() and raw.isprintable():  # the common case, kept fast: nothing to change
        return Cleaned(" ".join(raw.split()), (), None)
    changes: dict[str, int] = {}  # "removed soft hyphen (U+00AD)" -> times
    refused: list[str] = []
    text = unicodedata.normalize("NFC", raw)
    if text != raw:
        changes["composed letters typed as letter and accent (Unicode NFC)"] = 1
    out: list[str] = []
    for ch in text:
        keep, said, why = _decide(ch)
        out.append(keep)
        if said:
            _count(changes, said)
        if why:
            refused.append(why)
    cleaned = " ".join("".join(out).split())
    reported = tuple(f"{what} ({n} times)" if n > 1 else what for what, n in changes.items())
    return Cleaned(cleaned, reported, "; ".join(dict.fromkeys(refused)) if refused else None)


@functools.lru_cache(maxsize=4096)
def _decide(ch: str) -> tuple[str, str, str]:
    """What becomes of one character: what is kept of it, the change to report (or ''), and why
    it is refused (or '')."""
    kind = unicodedata.category(ch)
    if ch == " ":
        return ch, "", ""
    if ch in _BIDI_CONTROLS:
        return "", "", f"{describe(ch)}, which changes the order the text is shown in"
    if kind in ("Zs", "Zl", "Zp") or ch in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85":
        return " ", f"replaced {describe(ch)} by a space", ""
    if kind in ("Cc", "Cf"):
        return "", f"removed {describe(ch)}", ""
    if kind in ("Co", "Cn", "Cs"):
        return "", "", f"{describe(ch)}, a private or unassigned character no font draws"
    if unicodedata.bidirectional(ch) in ("R", "AL"):
        return "", "", f"{describe(ch)}, a right-to-left script the templates do not print"
    if kind.startswith("M"):
        return (
            "",
            "",
            f"{describe(ch)}, an accent with no precomposed letter: type the letter itself",
        )
    if drawable(ch):
        return ch, "", ""
    plain = unicodedata.normalize("NFKC", ch)
    if plain != ch and all(drawable(c) for c in plain):
        return plain, f"replaced {describe(ch)} by '{plain}'", ""
    return "", "", f"{describe(ch)}, which the templates' font (Arial) cannot draw"


def _count(changes: dict[str, int], what: str) -> None:
    changes[what] = changes.get(what, 0) + 1


# The longest text each field may have, by the header of its column (or the Instansi sheet's
# key). The lampiran's rows never split across a page (a signer must see an indikator whole, and
# the verifier reads it whole), so an indikator or a sasaran must fit on one page under the
# table's header: measured on A4, the tighter paper, an indikator in capitals broke its page at
# 650 characters (600 fit; in lower case 750 fit), a sasaran at 700 (500 fit). The limits keep a
# third in reserve for wide letters (W, M) and long words. The others are far above any real
# name, title or program, and below what wraps out of its place.
PANJANG: dict[str, int] = {
    "Indikator Kinerja": 400,
    "Sasaran": 400,
    "Satuan": 60,
    "Program": 300,
    "Nama dan Gelar": 150,
    "Jabatan": 200,
    "Nama Unit": 150,
    "Alasan Perubahan": 500,
    "Nomor": 100,
    "Skala Predikat": 60,
    "Pemerintah Daerah": 100,
    "Kop Baris": 200,
    "Tempat": 25,
}


def too_long(text: str, limit: int) -> str:
    """The problem of a text over its field's limit."""
    return (
        f"{len(text)} characters ({shown(text, 40)}), at most {limit} fit the pages: "
        "shorten it (a text that breaks the page cannot be signed and verified)"
    )


def shown(text: str, width: int = 80) -> str:
    """A text quoted for a message, cut to ``width`` characters."""
    return repr(text if len(text) <= width else text[: width - 1] + "…")
