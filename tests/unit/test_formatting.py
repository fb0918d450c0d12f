"""The arah as the lampiran prints it: the cell label and the legend under the table."""

from __future__ import annotations

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
