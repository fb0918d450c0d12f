"""The Instansi sheet (key and value: pemerintah daerah, kop, logo, tahun, tempat, tanggal, zona
waktu) and the predikat scales of the Daftar sheet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openpyxl import Workbook

from signer.errors import Problem
from signer.model import (
    SKALA_PREDIKAT,
    ZonaWaktu,
    normalise_text,
)
from signer.workbooks.columns import (
    DAFTAR,
    INSTANSI,
    K_KOP,
    K_LOGO,
    K_NAMA,
    K_TAHUN,
    K_TANGGAL,
    K_TEMPAT,
    K_ZONA,
)
from signer.workbooks.sheet import show


@dataclass
class InstansiSheet:
    nama: str | None = None
    kop: list[str] = field(default_factory=list)
    logo: str | None = None
    tahun: int | None = None
    tempat: str | None = None
    tanggal: dt.date | None = None
    zona: ZonaWaktu | None = None


def read_date(value: object) -> dt.date:
    """A date cell of a kinerja workbook (the Instansi sheet's Tanggal, the Unit sheet's own
    Tanggal): a date cell, or text as 2026-01-15. The one place dates are read, so a reader of
    Indonesian text dates replaces it for every sheet at once. ``ValueError`` says what is
    wrong."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"{show(value)}, expected a date (a date cell, or text as 2026-01-15)"
            ) from None
    raise ValueError(f"{show(value) if value is not None else 'empty'}, expected a date")


def read_instansi(wb: Workbook, problems: list[Problem]) -> InstansiSheet:
    out = InstansiSheet()
    if INSTANSI not in wb.sheetnames:
        problems.append(Problem(INSTANSI, None, None, None, "sheet is missing"))
        return out
    seen: dict[str, int] = {}
    kop: list[tuple[int, str]] = []
    for r, values in enumerate(wb[INSTANSI].iter_rows(min_row=1, max_col=2, values_only=True), 1):
        key = normalise_text(str(values[0])) if values and values[0] is not None else ""
        value = values[1] if len(values) > 1 else None
        if isinstance(value, str):
            value = normalise_text(value) or None

        def bad(message: str, r: int = r, key: str = key) -> None:
            problems.append(Problem(INSTANSI, r, "B", key, message))

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
            if (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and float(value).is_integer()
                and 2000 <= value <= 2999
            ):
                out.tahun = int(value)
            else:
                bad(
                    f"{show(value) if value is not None else 'empty'}, expected a year such as 2026"
                )
        elif key == K_TANGGAL:
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


def read_scales(wb: Workbook) -> dict[str, tuple[str, ...]]:
    """Predikat scales from the Daftar sheet: a column headed 'Skala: <name>', best first."""
    scales = dict(SKALA_PREDIKAT)
    if DAFTAR not in wb.sheetnames:
        return scales
    rows = [tuple(r) for r in wb[DAFTAR].iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    columns = [tuple(r[c] if c < len(r) else None for r in rows) for c in range(width)]
    for col in columns:
        if not col or not isinstance(col[0], str) or not col[0].startswith("Skala:"):
            continue
        name = normalise_text(col[0][len("Skala:") :])
        values = tuple(normalise_text(str(v)) for v in col[1:] if v is not None and str(v).strip())
        if name and len(values) >= 2:
            scales[name] = values
    return scales
