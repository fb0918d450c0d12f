"""The agreement model: NIP rules, parties, invariants of each document kind."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from signer.example.workspace import ceremony
from signer.kinds import JenisDokumen
from signer.model import (
    Agreement,
    Arah,
    Indikator,
    Nip,
    NipError,
    Pihak,
    Predikat,
    Program,
    Rentang,
    Sasaran,
)

VALID = "197405122001122003"


def test_valid_nip_parts() -> None:
    nip = Nip(VALID)
    assert nip.tanggal_lahir == dt.date(1974, 5, 12)
    assert nip.tmt_cpns == (2001, 12)
    assert nip.jenis_kelamin == "perempuan"
    assert nip.formatted() == "19740512 200112 2 003"


def test_nip_parse_accepts_printed_forms() -> None:
    assert Nip.parse("19740512 200112 2 003") == Nip(VALID)
    assert Nip.parse("19740512.200112.2.003") == Nip(VALID)


@pytest.mark.parametrize(
    ("digits", "reason"),
    [
        ("19740512200112200", "18 digits"),  # 17 digits
        ("1974051220011220031", "18 digits"),  # 19 digits
        ("19740512200112200A", "18 digits"),
        ("197402302001122003", "birth date"),  # 30 February
        ("197413122001122003", "birth date"),  # month 13
        ("197405122001132003", "TMT"),  # TMT month 13
        ("197405122001002003", "TMT"),  # TMT month 0
        ("197405121980122003", "does not fit"),  # CPNS at 6 years old
        ("197405122001123003", "sex digit"),
        ("197405122001122000", "serial"),
        ("190005122001122003", "plausible"),
    ],
)
def test_invalid_nip(digits: str, reason: str) -> None:
    with pytest.raises(NipError, match=reason):
        Nip(digits)


def test_party_pangkat_follows_golongan() -> None:
    p = Pihak("Drs. Hendra Gunawan, M.M.", "Inspektur", Nip("196909201994031005"), "IV/c")
    assert p.pangkat == "Pembina Utama Muda"
    assert p.pangkat_golongan == "Pembina Utama Muda (IV/c)"
    assert not p.kepala_daerah
    assert Pihak("H. Arif Wicaksono, S.E.", "Wali Kota Contoh").kepala_daerah
    with pytest.raises(ValueError, match="golongan"):
        Pihak("X", "Y", Nip(VALID), "V/a")


def _pk() -> Agreement:
    return next(
        a
        for a in ceremony().agreements
        if a.unit.kode == "DINKES" and a.jenis is JenisDokumen.PERJANJIAN_KINERJA
    )


def test_agreement_id_and_totals() -> None:
    a = _pk()
    assert a.id == "pk-2026-dinkes"
    assert a.jumlah_anggaran == sum(p.anggaran for p in a.program)
    assert a.has_triwulan
    r = replace(a, jenis=JenisDokumen.PERJANJIAN_KINERJA_PERUBAHAN, perubahan_ke=2)
    assert r.id == "pkp-2026-dinkes-r2"


def test_document_kind_invariants() -> None:
    a = _pk()
    with pytest.raises(ValueError, match="no sasaran"):
        replace(a, sasaran=())
    with pytest.raises(ValueError, match="Pakta Integritas has no sasaran"):
        replace(a, jenis=JenisDokumen.PAKTA_INTEGRITAS)
    with pytest.raises(ValueError, match="perubahan_ke"):
        replace(a, perubahan_ke=1)
    with pytest.raises(ValueError, match="repeated"):
        replace(a, sasaran=(*a.sasaran, a.sasaran[0]))
    with pytest.raises(ValueError, match="pihak pertama"):
        replace(a, pihak_pertama=a.pihak_kedua)


def test_indikator_target_must_fit_arah() -> None:
    with pytest.raises(ValueError, match="needs a Decimal"):
        Indikator("X.01", "Persentase", "%", Arah.NAIK, Rentang(Decimal(1), Decimal(2)))
    with pytest.raises(ValueError, match="needs a Rentang"):
        Indikator("X.01", "IKM", "Indeks", Arah.RENTANG, Decimal(80))
    with pytest.raises(ValueError, match="not on"):
        Indikator(
            "X.01", "Opini", "Predikat", Arah.PREDIKAT, Predikat("WTP"), skala=("AA", "A", "B")
        )
    with pytest.raises(ValueError, match="lower bound"):
        Rentang(Decimal(5), Decimal(4))
    ok = Indikator(
        "X.01",
        "Opini",
        "Predikat",
        Arah.PREDIKAT,
        Predikat("WTP"),
        skala=("WTP", "WDP", "TW", "TMP"),
        skala_nama="Opini BPK",
    )
    assert Sasaran("S", (ok,)).indikator[0].target == Predikat("WTP")


def test_program_anggaran_is_whole_rupiah() -> None:
    with pytest.raises(TypeError):
        Program("1", "P", 1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Program("1", "P", -1)


def test_example_ceremony_shape() -> None:
    c = ceremony()
    pk = [a for a in c.agreements if a.jenis is JenisDokumen.PERJANJIAN_KINERJA]
    pakta = [a for a in c.agreements if a.jenis is JenisDokumen.PAKTA_INTEGRITAS]
    assert len(pk) >= 40, "the example has at least 40 units"
    assert len(pakta) == len(pk)
    arah = {i.arah for a in pk for i in a.indikator}
    assert arah == set(Arah)
    assert any(a.has_triwulan for a in pk)
    assert max(len(a.indikator) for a in pk) >= 30
    assert any("&" in i.uraian for a in pk for i in a.indikator)
    assert len({a.id for a in c.agreements}) == len(c.agreements)
    jenis = {a.unit.jenis.value for a in pk}
    assert {"dinas", "badan", "bagian", "kecamatan"} <= jenis


def test_kind_table_is_consistent() -> None:
    from pathlib import Path

    from signer.kinds import JenisDokumen, in_unit_sheet

    templates = Path(__file__).resolve().parents[2] / "templates"
    prefixes = [k.id_prefix for k in JenisDokumen]
    labels = [label.lower() for k in JenisDokumen for label in k.workbook_labels]
    assert len(set(prefixes)) == len(prefixes)
    assert len(set(labels)) == len(labels)
    for k in JenisDokumen:
        assert (templates / k.template).is_file(), f"{k.value}: no template {k.template}"
        assert k.since >= 1
    # every kind with targets is chosen in the Unit sheet; the others come from their own sheet
    assert {k for k in JenisDokumen if k.has_targets} == set(in_unit_sheet())


def test_the_kepala_daerah_pk_has_one_signer_and_only_it_has_none() -> None:
    from dataclasses import replace

    from signer.example.workspace import sample_agreement
    from signer.kinds import JenisDokumen
    from signer.model import Peran

    kd = sample_agreement(JenisDokumen.PERJANJIAN_KINERJA_KEPALA_DAERAH)
    assert kd.peran == (Peran.PIHAK_PERTAMA,) and kd.pihak_semua == (kd.pihak_pertama,)
    with pytest.raises(ValueError, match="no pihak-kedua"):
        kd.pihak(Peran.PIHAK_KEDUA)
    pk = sample_agreement(JenisDokumen.PERJANJIAN_KINERJA)
    with pytest.raises(ValueError, match="has a pihak kedua"):
        replace(pk, pihak_kedua=None)
    with pytest.raises(ValueError, match="no pihak kedua"):
        replace(kd, pihak_kedua=pk.pihak_kedua)
    with pytest.raises(ValueError, match="pemerintah-daerah"):
        replace(kd, unit=pk.unit)
