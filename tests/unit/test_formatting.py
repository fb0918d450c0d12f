"""The arah as the lampiran prints it: the cell label and the legend under the table."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from signer import formatting
from signer.example.workspace import ceremony
from signer.generate.render import context
from signer.model import Arah


def test_each_arah_has_a_label() -> None:
    assert [formatting.arah(a) for a in Arah] == ["Naik", "Turun", "Predikat", "Rentang"]


def test_legend_explains_only_the_arah_used_in_a_fixed_order() -> None:
    assert formatting.arah_keterangan([Arah.PREDIKAT, Arah.NAIK, Arah.NAIK]) == (
        "Arah: Naik = makin tinggi makin baik; "
        "Predikat = tercapai bila predikat sama dengan atau lebih baik dari target."
    )
    every = formatting.arah_keterangan([Arah.RENTANG, Arah.PREDIKAT, Arah.TURUN, Arah.NAIK])
    assert every == (
        "Arah: Naik = makin tinggi makin baik; Turun = makin rendah makin baik; "
        "Rentang = tercapai bila di dalam rentang target; "
        "Predikat = tercapai bila predikat sama dengan atau lebih baik dari target."
    )
    assert formatting.arah_keterangan([]) == ""


def test_context_gives_each_row_its_arah_and_the_agreement_its_legend() -> None:
    bapperida = next(a for a in ceremony().agreements if a.id == "pk-2026-bapperida")
    ctx = context(bapperida, "0" * 64)
    rows = ctx["rows"]
    assert isinstance(rows, list)
    by_kode = {r["kode"]: r for r in rows}
    for i in bapperida.indikator:
        assert by_kode[i.kode]["arah"] == formatting.arah(i.arah)
        assert by_kode[i.kode]["arah_nilai"] == i.arah.value
    assert {i.arah for i in bapperida.indikator} == set(Arah)
    assert ctx["arah_keterangan"] == formatting.arah_keterangan(Arah)


def test_capitals_keep_the_abbreviations_whose_case_means_something() -> None:
    kapital = formatting.kapital
    assert kapital("Plt. Kepala Dinas Kesehatan") == "Plt. KEPALA DINAS KESEHATAN"
    assert kapital("Pj. Wali Kota Contoh") == "Pj. WALI KOTA CONTOH"
    assert kapital("Direktur RSUD dr. Soedono") == "DIREKTUR RSUD dr. SOEDONO"
    # a jabatan's comma is no gelar: everything after it is capitals too
    assert kapital("Kepala Dinas Kependudukan, Pencatatan Sipil") == (
        "KEPALA DINAS KEPENDUDUKAN, PENCATATAN SIPIL"
    )
    # a name keeps its gelar after the comma, and dr. (dokter) stays apart from Dr. (doktor)
    assert kapital("dr. Rina Kartikasari, M.Kes.", nama=True) == "dr. RINA KARTIKASARI, M.Kes."
    assert kapital("Prof. Dr. dr. Made Wiratama, Sp.PD-KGEH., M.Kes.", nama=True) == (
        "Prof. Dr. dr. MADE WIRATAMA, Sp.PD-KGEH., M.Kes."
    )
    assert kapital("Hj. Siti Aminah, S.Kom., M.Si.", nama=True) == "Hj. SITI AMINAH, S.Kom., M.Si."


def test_the_template_filters_and_the_stamp_print_the_same_capitals() -> None:
    from signer.generate.render import jinja_env

    env = jinja_env()
    jabatan = "Plt. Kepala Dinas Kesehatan"
    assert env.from_string("{{ j|kapital }}").render(j=jabatan) == "Plt. KEPALA DINAS KESEHATAN"
    nama = "dr. Rina Kartikasari, M.Kes."
    assert env.from_string("{{ n|nama_kapital }}").render(n=nama) == "dr. RINA KARTIKASARI, M.Kes."
    a = ceremony().agreements[0]
    pihak = replace(a.pihak_pertama, jabatan=jabatan)
    lines = formatting.stamp_lines(pihak, dt.datetime(2026, 1, 15, 3, tzinfo=dt.UTC), a.zona_waktu)
    assert lines[1] == "Plt. KEPALA DINAS KESEHATAN"
