"""Indonesian formatting of dates, numbers, rupiah and targets, through Babel.

One place for it, because the pages print these strings and the verifier later looks for the same
strings in the pages' text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from signer.model import Agreement, Arah, Nip, Pihak, Predikat, Rentang, Target, ZonaWaktu

LOCALE = "id_ID"


def tanggal(d: dt.date) -> str:
    """'13 Februari 2023'."""
    return format_date(d, format="d MMMM y", locale=LOCALE)


def angka(n: Decimal | int) -> str:
    """'1.234.567', '75,5', '0,25': every significant decimal kept, none added."""
    # Babel rounds in the current decimal context (28 digits): a number of more digits (a
    # cell can hold 1E+308) would raise InvalidOperation instead of printing
    digits, exponent = Decimal(n).as_tuple()[1:]
    size = len(digits) + (abs(exponent) if isinstance(exponent, int) else 0)
    with localcontext(Context(prec=max(28, size + 4))):
        return format_decimal(n, format="#,##0.###", locale=LOCALE, decimal_quantization=False)


def persen(n: Decimal) -> str:
    """A percentage with two decimals, as evaluations print them: '95,62', '100,00'; rounded half
    up as Excel's ROUND and LKjIP tables do ('84,445' -> '84,45'; Babel alone rounds half even)."""
    rounded = n.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_decimal(rounded, format="#,##0.00", locale=LOCALE)


def rupiah(n: int) -> str:
    """'Rp 1.234.567.890'."""
    return format_currency(n, "IDR", format="¤ #,##0", locale=LOCALE, currency_digits=False)


def target(t: Target) -> str:
    """A target as the lampiran prints it, without the satuan: '75,5', '69,1–69,5', 'WTP'."""
    if isinstance(t, Rentang):
        return f"{angka(t.bawah)}–{angka(t.atas)}"
    if isinstance(t, Predikat):
        return t.nilai
    return angka(t)


# The arah as the lampiran prints it, and what it means to the signer, in the legend's order.
ARAH_LABEL: dict[Arah, str] = {
    Arah.NAIK: "Naik",
    Arah.TURUN: "Turun",
    Arah.RENTANG: "Rentang",
    Arah.PREDIKAT: "Predikat",
}
ARAH_ARTI: dict[Arah, str] = {
    Arah.NAIK: "makin tinggi makin baik",
    Arah.TURUN: "makin rendah makin baik",
    Arah.RENTANG: "tercapai bila di dalam rentang target",
    Arah.PREDIKAT: "tercapai bila predikat sama dengan atau lebih baik dari target",
}


def arah(a: Arah) -> str:
    """An indikator's arah as its cell in the lampiran prints it: 'Naik', 'Rentang'."""
    return ARAH_LABEL[a]


def arah_keterangan(used: Iterable[Arah]) -> str:
    """The legend under the lampiran table, for the arah values ``used`` (each once, in the
    order naik, turun, rentang, predikat): 'Arah: Naik = makin tinggi makin baik; Turun =
    makin rendah makin baik.'; '' when there are none."""
    present = set(used)
    parts = [f"{label} = {ARAH_ARTI[a]}" for a, label in ARAH_LABEL.items() if a in present]
    return f"Arah: {'; '.join(parts)}." if parts else ""


# Abbreviations whose case is part of them, kept as written when a name, a jabatan or a unit is
# printed in capitals: "dr." (dokter) is not "Dr." (doktor), "Plt."/"Plh."/"Pj." name an acting
# official ("Plt. KEPALA DINAS KESEHATAN"), "Hj." a title. Real PKs print "dr. RINA KARTIKASARI,
# M.Kes." and "Plt. KEPALA ...".
KEEP_CASE = frozenset(
    {"dr.", "drg.", "Dr.", "Drs.", "Dra.", "Ir.", "Prof.", "Hj.", "Plt.", "Plh.", "Pj.", "Pjs."}
)


def kapital(text: str, *, nama: bool = False) -> str:
    """``text`` in capitals as the pages print a jabatan or a unit ('Plt. Kepala RSUD dr.
    Soetomo' -> 'Plt. KEPALA RSUD dr. SOETOMO'): the abbreviations of :data:`KEEP_CASE` stay as
    written. For a ``nama``, the gelar after its first comma stay as written too ('dr. Rina
    Kartikasari, M.Kes.' -> 'dr. RINA KARTIKASARI, M.Kes.')."""
    head, comma, gelar = text.partition(",") if nama else (text, "", "")
    words = re.split(r"(\s+)", head)
    return "".join(w if w in KEEP_CASE else w.upper() for w in words) + comma + gelar


def nip(n: Nip | None) -> str:
    """'19780226 199703 1 002', or '' for a kepala daerah."""
    return n.formatted() if n else ""


def digest_grouped(hexdigest: str, group: int = 4) -> str:
    """A SHA-256 hex digest grouped for reading aloud: '3f2a 9c1d ...'."""
    return " ".join(hexdigest[i : i + group] for i in range(0, len(hexdigest), group))


STAMP_HEADER = "Ditandatangani secara elektronik oleh:"


def waktu(when: dt.datetime, zona: ZonaWaktu) -> str:
    """'15 Januari 2026 10.23 WIB'."""
    local = when.astimezone(ZoneInfo(zona.iana))
    return f"{format_datetime(local, 'd MMMM y HH.mm', locale=LOCALE)} {zona.value}"


def stamp_lines(pihak: Pihak, when: dt.datetime, zona: ZonaWaktu) -> list[str]:
    """What a signature stamp says, line by line before wrapping: who signed, as what, when."""
    lines = [STAMP_HEADER, kapital(pihak.jabatan), pihak.nama]
    if pihak.nip:
        lines.append(f"NIP. {nip(pihak.nip)}")
    return [*lines, waktu(when, zona)]


def kalimat_perubahan(a: Agreement) -> str:
    """The sentence of a PK Perubahan that says why it was made and what it replaces, as printed
    (the verifier looks for exactly this sentence):

    "Sehubungan dengan pergantian pejabat, perjanjian ini merupakan perubahan ke-1 atas
    Perjanjian Kinerja Tahun 2026 dan menggantikan perjanjian pk-2026-dinkes dengan kode
    verifikasi 1a2b3c4d 5e6f7a8b ...". The replaced code is grouped by eight, so it is never
    read as this document's own code (grouped by four).
    """
    if a.perubahan_ke is None:
        return ""
    inti = f"merupakan perubahan ke-{a.perubahan_ke} atas Perjanjian Kinerja Tahun {a.tahun}"
    if a.menggantikan is not None:
        inti += (
            f" dan menggantikan perjanjian {a.menggantikan.id} dengan kode verifikasi "
            f"{digest_grouped(a.menggantikan.sha256, 8)}"
        )
    if a.alasan_perubahan:
        return f"Sehubungan dengan {a.alasan_perubahan}, perjanjian ini {inti}."
    return f"Perjanjian ini {inti}."


def nomor(a: Agreement) -> str:
    """The number line under the title: 'NOMOR: 800/112/ORG/2026' ('' when it has none)."""
    return f"NOMOR: {a.nomor}" if a.nomor else ""
