"""The Instansi sheet (key and value: pemerintah daerah, kop, logo, tahun, tempat, tanggal, zona
waktu, and the optional alamat verifikasi) and the predikat scales of the Daftar sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from signer import verify_url
from signer.errors import Problem
from signer.model import (
    SKALA_PREDIKAT,
    ZonaWaktu,
    normalise_text,
)
from signer.workbooks.book import Book
from signer.workbooks.cells import problem_of
from signer.workbooks.columns import (
    DAFTAR,
    INSTANSI,
    K_KOP,
    K_LOGO,
    K_NAMA,
    K_TAHUN,
    K_TANGGAL,
    K_TEMPAT,
    K_VERIFY_URL_KEYS,
    K_ZONA,
)
from signer.workbooks.sheet import read_date, show
from signer.workbooks.teks import PANJANG, clean, shown, too_long


@dataclass
class InstansiSheet:
    nama: str | None = None
    kop: list[str] = field(default_factory=list)
    logo: str | None = None
    tahun: int | None = None
    tempat: str | None = None
    tanggal: dt.date | None = None
    zona: ZonaWaktu | None = None
    verify_url: str | None = None


def read_instansi(book: Book, problems: list[Problem]) -> InstansiSheet:
    out = InstansiSheet()
    title = book.find(INSTANSI, problems)
    if title is None:
        return out
    seen: dict[str, int] = {}
    kop: list[tuple[int, str]] = []
    for r, values in enumerate(book.rows(title)[0], 1):
        key = normalise_text(str(values[0])) if values and values[0] is not None else ""
        value = values[1] if len(values) > 1 else None

        def bad(message: str, r: int = r, key: str = key) -> None:
            problems.append(Problem(INSTANSI, r, "B", key, message))

        address = key.lower() in K_VERIFY_URL_KEYS  # checked as an address, never cleaned
        if isinstance(value, str) and key == K_LOGO:  # a file name, never printed
            value = normalise_text(value) or None
        elif isinstance(value, str) and not address:
            value = _cleaned(book, r, key, value, bad)

        unusable = problem_of(value)
        if unusable is not None:
            if key:
                bad(unusable)
            continue
        if address:
            out.verify_url = _address(book, r, key, value, bad)
            continue
        if key.lower().startswith(K_KOP.lower()):
            if value is not None:
                kop.append((r, str(value)))
            continue
        seen[key.lower()] = r
        if key == K_NAMA:
            out.nama = str(value) if value is not None else None
        elif key == K_LOGO:
            out.logo = str(value) if value is not None else None
        elif key == K_TEMPAT:
            out.tempat = str(value) if value is not None else None
        elif key == K_TAHUN:
            if isinstance(value, Decimal) and value == int(value) and 2000 <= value <= 2999:
                out.tahun = int(value)
            else:
                bad(
                    f"{show(value) if value is not None else 'empty'}, expected a year such as 2026"
                )
        elif key == K_TANGGAL:
            if value is None:
                bad("empty, expected a date")
            else:
                try:
                    out.tanggal = read_date(value)
                except ValueError as e:
                    bad(str(e))
        elif key == K_ZONA:
            try:
                out.zona = ZonaWaktu(str(value).upper()) if value is not None else None
            except ValueError:
                bad(f"unknown time zone {value!r}, expected WIB, WITA or WIT")
    out.kop = [text for _, text in sorted(kop)]
    for key, attr in (
        (K_NAMA, "nama"),
        (K_TAHUN, "tahun"),
        (K_TEMPAT, "tempat"),
        (K_TANGGAL, "tanggal"),
        (K_ZONA, "zona"),
    ):
        if getattr(out, attr) is None and not any(
            p.sheet == INSTANSI and p.header == key for p in problems
        ):
            row = seen.get(key.lower())
            problems.append(
                Problem(
                    INSTANSI,
                    row,
                    "B" if row else None,
                    key,
                    "empty, expected a value" if row else f"no row '{key}' in column A",
                )
            )
    return out


def _address(
    book: Book, row: int, key: str, value: object, bad: Callable[[str], None]
) -> str | None:
    """The verification address in its canonical form, None when empty; a change of form (a
    '/' added, the host in lower case) is a warning."""
    if isinstance(value, str):
        value = value.strip() or None
    if value is None:
        return None
    if not isinstance(value, str):
        bad(f"{show(value)}, expected an address such as https://sakip.example.go.id/v/")
        return None
    try:
        got = verify_url.canonical(value)
    except ValueError as e:
        bad(str(e))
        return None
    if got != value:
        book.warnings.append(Problem(INSTANSI, row, "B", key, f"now reads {got}"))
    return got


def read_scales(book: Book) -> dict[str, tuple[str, ...]]:
    """Predikat scales from the Daftar sheet: a column headed 'Skala: <name>', best first."""
    scales = dict(SKALA_PREDIKAT)
    title = book.find(DAFTAR, None)
    if title is None:
        return scales
    rows = book.rows(title)[0]
    width = max((len(r) for r in rows), default=0)
    columns = [tuple(r[c] if c < len(r) else None for r in rows) for c in range(width)]
    for col in columns:
        if not col or not isinstance(col[0], str) or not col[0].startswith("Skala:"):
            continue
        # a grade is printed as the scale spells it: without the invisible characters a paste
        # brings (what cannot be printed at all is refused by generate's read-back)
        name = clean(col[0][len("Skala:") :]).text
        values = tuple(t for t in (clean(str(v)).text for v in col[1:] if v is not None) if t)
        if name and len(values) >= 2:
            scales[name] = values
    return scales


def _cleaned(book: Book, row: int, key: str, raw: str, bad: Callable[[str], None]) -> str | None:
    """A text value as it will be printed (:mod:`signer.workbooks.teks`): changes are warnings,
    what cannot be printed or is too long for its line a problem."""
    got = clean(raw)
    if got.refused is not None:
        bad(f"cannot be printed: {got.refused}")
        return None
    if got.changes:
        said = "; ".join(got.changes)
        book.warnings.append(
            Problem(INSTANSI, row, "B", key, f"{said}: now reads {shown(got.text)}")
        )
    limit = PANJANG.get(K_KOP if key.lower().startswith(K_KOP.lower()) else key)
    if limit is not None and len(got.text) > limit:
        bad(too_long(got.text, limit))
        return None
    return got.text or None
