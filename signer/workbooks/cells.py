"""What a cell of a staff-filled workbook holds, read as the staff see it in Excel.

Excel keeps a number and shows it through the cell's number format: 0.95 formatted as percent
shows "95%", a formula's 65.97500000000001 formatted "0.00" shows "65.98". The staff read, check
and sign what is shown, so kinerja reads the shown value: a percent cell carries both (its satuan
decides which one is meant, see :func:`is_persen`), a formula's cached value is rounded to the
decimals its format shows, and any number is cut to the 15 significant digits Excel itself keeps.
Numbers typed as text are read the Indonesian way ("98,6", "1.250.000.000") through Babel, and a
text that reads differently the English way ("1.250") is refused as ambiguous.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from functools import lru_cache

from babel.numbers import NumberFormatError, parse_decimal

from signer.formatting import angka

EXCEL_DIGITS = 15  # Excel keeps and shows at most 15 significant digits


@dataclass(frozen=True)
class Percent:
    """A number in a cell formatted as percent: Excel holds 0.95 and shows 95%."""

    shown: Decimal  # 95
    held: Decimal  # 0.95

    def __str__(self) -> str:
        return f"{angka(self.shown)}%"


@dataclass(frozen=True)
class Uncomputed:
    """A formula cell with no cached value: the workbook was written by a program and never
    opened and saved in Excel or LibreOffice, so nobody has seen what it computes."""

    formula: str


@dataclass(frozen=True)
class ErrorValue:
    """A cell showing an Excel error (#DIV/0!, #REF!, ...), usually a formula's result."""

    code: str
    formula: str | None


Special = Percent | Uncomputed | ErrorValue


def problem_of(v: object) -> str | None:
    """Why a cell value is unusable whatever the column expects, or None."""
    if isinstance(v, Uncomputed):
        return (
            f"a formula ({v.formula}) with no computed value: open and save the workbook in "
            "Excel or LibreOffice"
        )
    if isinstance(v, ErrorValue):
        what = f"the formula ({v.formula}) shows" if v.formula else "the cell shows"
        return f"{what} the error {v.code}, expected a value"
    return None


def _first_section(number_format: str) -> str:
    """The format for positive numbers, without quoted text, escapes, [colours] and padding."""
    text = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", number_format)
    return text.split(";", 1)[0]


@lru_cache(maxsize=512)
def number_format_shows(number_format: str | None) -> tuple[bool, int | None]:
    """Whether a number format shows percent, and how many decimals it shows ("0.00" -> 2,
    "#,##0" -> 0, "0.0%" -> 1; None when as many as fit: General, text, scientific)."""
    section = _first_section(number_format or "General")
    percent = "%" in section
    if section.strip().lower() in ("general", "@", "") or re.search(r"[eE][+-]", section):
        return percent, None
    if not re.search(r"[0#?]", section):
        return percent, None
    m = re.search(r"\.([0#?]+)", section)
    return percent, len(m.group(1)) if m else 0


def significant(d: Decimal, digits: int = EXCEL_DIGITS) -> Decimal:
    """``d`` cut to ``digits`` significant digits, without trailing zeros after the point:
    the binary noise of 65.97500000000001 goes, 100 stays 100 (not 1E+2)."""
    if not d.is_finite() or d == 0:
        return d
    exponent = d.adjusted() - digits + 1
    if d.as_tuple().exponent < exponent:  # type: ignore[operator]
        d = d.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
    return plain(d)


def plain(d: Decimal) -> Decimal:
    """No trailing zeros after the decimal point, and never an exponent above zero."""
    d = d.normalize()
    if d.as_tuple().exponent <= 0:  # type: ignore[operator]
        return d
    # 1E+308 (a float Excel can hold) has 309 digits: more than the default context's 28
    return d.quantize(Decimal(1), context=Context(prec=d.adjusted() + 1))


def shown_number(
    held: int | float, number_format: str | None, *, formula: bool
) -> Decimal | Percent:
    """The number a numeric cell shows. A formula's result is rounded to the decimals its
    format shows (it was never typed: what the staff saw is what they meant); a typed number is
    kept as typed, only cut to the 15 significant digits Excel keeps."""
    with localcontext(_WIDE):  # a float runs to 1.8E+308: 309 digits, beyond the default 28
        return _shown_number(held, number_format, formula=formula)


_WIDE = Context(prec=400)
_MAX_PLACES = 30  # Excel shows at most 30 decimals, whatever a format's zeros ask


def _shown_number(
    held: int | float, number_format: str | None, *, formula: bool
) -> Decimal | Percent:
    percent, places = number_format_shows(number_format)
    places = None if places is None else min(places, _MAX_PLACES)
    if isinstance(held, int):
        value = Decimal(held)
    else:
        text = repr(held)  # the shortest text that reads back as the same float
        if "e" in text or len(text.lstrip("-0.").replace(".", "")) > EXCEL_DIGITS:
            value = significant(Decimal(text))
        else:  # the common case, kept fast: a big workbook has a hundred thousand numbers
            value = Decimal(text.removesuffix(".0"))
    if not percent and (places is None or not formula):
        return value
    shown = significant(value * 100) if percent else value
    if places is not None and formula:
        shown = plain(shown.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    return Percent(shown, value) if percent else shown


_NUMBER_TEXT = re.compile(r"^[+-]?(?:\d[\d.,]*)$")


def number_text(text: str) -> tuple[Decimal, bool]:
    """A number typed as text, and whether it ended in '%': '98,6', '1.234,5', '75,50 %',
    '1.250.000.000' (Indonesian: dots group thousands, a comma marks decimals), or '98.6' (the
    only reading there is). Raises ValueError with the reason when it is no number or when the
    Indonesian and the English reading differ ('1.250': 1250 or 1,25?)."""
    body = " ".join(text.split())
    percent = body.endswith("%")
    body = body.removesuffix("%").strip().replace(" ", "")
    if not _NUMBER_TEXT.match(body):
        raise ValueError("not a number")
    readings = []
    for locale in ("id", "en"):
        with contextlib.suppress(NumberFormatError, InvalidOperation):
            readings.append(parse_decimal(body, locale=locale, strict=True))
    if not readings:
        raise ValueError("not a number")
    if len(readings) == 2 and readings[0] != readings[1]:
        indonesian, english = (angka(r) for r in readings)
        raise ValueError(
            f"ambiguous: {indonesian} or {english}? expected it typed as a number, or as text "
            "with no doubt left (a comma for decimals, dots only between thousands)"
        )
    return plain(readings[0]), percent


def is_persen(satuan: str | None) -> bool:
    """Whether an indikator counts in percent ('%', 'Persen', 'Persentase (%)'): only then is a
    cell that shows 95% the number 95."""
    if not satuan:
        return False
    words = re.findall(r"%|[a-z]+", satuan.lower())
    return bool(words) and words[0] in ("%", "persen", "persentase", "prosen")
