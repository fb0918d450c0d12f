"""Where a line break on the page may stand for nothing: the verifier reads wrapped text as the
data only where LibreOffice can break there, never where the data has no such break."""

from __future__ import annotations

from signer.verify.layout import (
    LONG_WORD,
    broken_lines,
    may_break,
    prints,
    same_text,
    without,
)

URL = "https://sakip.kotacontoh.example/laporan/2026/dinas-kesehatan"


def test_a_break_after_a_slash_or_inside_a_long_word_is_nothing() -> None:
    assert same_text(["Puskesmas/", "Pustu/Posyandu"], "Puskesmas/Pustu/Posyandu", LONG_WORD)
    assert same_text(
        ["ke https://sakip.kotaco", "ntoh.example/laporan/2026/dinas-kesehatan"],
        f"ke {URL}",
        LONG_WORD,
    )
    assert same_text(["akreditasi?", "tahun=2026"], "akreditasi?tahun=2026", LONG_WORD)
    assert same_text(["Kepala Dinas", "Kesehatan"], "Kepala Dinas Kesehatan", LONG_WORD)


def test_a_break_in_a_short_word_outside_the_tables_is_refused() -> None:
    # "20" / "26" reads as two numbers: outside the tables no line is that narrow
    assert not same_text(["TAHUN 20", "26"], "TAHUN 2026", LONG_WORD)
    assert not same_text(["Dinas Keseh", "atan"], "Dinas Kesehatan", LONG_WORD)
    # a narrow table cell breaks any word that does not fit its width
    assert same_text(["per 100.", "000 KH"], "per 100.000 KH")
    assert not may_break("Kota 2026", 7, LONG_WORD) and may_break("Kota 2026", 7, 0)


def test_a_break_never_stands_for_a_space_the_data_lacks_nor_drops_one() -> None:
    assert not same_text(["Puskesmas", "Pustu"], "Puskesmas/Pustu")
    assert not same_text(["Puskesmas/ Pustu"], "Puskesmas/Pustu")
    assert not same_text(["Puskesmas/Pustu"], "Puskesmas/ Pustu")
    assert not same_text(["Target 9", "5"], "Target 9 5 persen", LONG_WORD)


def test_a_field_wrapped_on_the_page_is_found_and_blanked_only_as_printed() -> None:
    page = broken_lines(["Jabatan : Kepala Dinas Kesehatan/", "Pengendalian Penduduk 2026"])
    field = "Kepala Dinas Kesehatan/Pengendalian Penduduk 2026"
    assert prints(page, field)
    assert without(page, field) == "Jabatan :  "
    wrapped_url = broken_lines([f"Laman {URL[:30]}", URL[30:]])
    assert prints(wrapped_url, f"Laman {URL}")
    # a number split where no break can be is not the field: it stays to be judged
    split = broken_lines(["Jalan Merdeka Nomor 1, Kota Contoh 401", "11"])
    assert not prints(split, "Jalan Merdeka Nomor 1, Kota Contoh 40111")
    assert "401" in without(split, "Jalan Merdeka Nomor 1, Kota Contoh 40111")
    # nor is a text with a character more or less
    assert not prints(page, "Kepala Dinas Kesehatan/Pengendalian Penduduk 2027")
    assert not prints(page, "Kepala Dinas Kesehatan Pengendalian Penduduk 2026")
