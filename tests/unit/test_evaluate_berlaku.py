"""The agreement in force and the budget arithmetic, in-process on the example's agreements:
a unit and its budget are counted once, a revision replaces the PK from its date on, a budget
not filled is 'belum diisi' (not 0), spending over the pagu is flagged."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import pytest

from signer import canonical
from signer.errors import InputError
from signer.evaluate import berlaku
from signer.evaluate.results import AgreementResult, Periode, Status
from signer.evaluate.stage import EvaluateOptions, Verified, evaluate, in_force
from signer.example.workspace import ceremony
from signer.kinds import JenisDokumen
from signer.model import Agreement, Program, Rujukan
from signer.trust import TrustConfig
from signer.workbooks.realisasi import (
    RealisasiData,
    RealisasiIndikator,
    RealisasiOf,
    read_realisasi,
    write_realisasi,
)

Item = tuple[str, Agreement, str]


def item(a: Agreement, file: str | None = None) -> Item:
    return (file or f"arsip/{a.id}.pdf", a, canonical.digest(canonical.to_json(a)))


@pytest.fixture(scope="module")
def example() -> dict[str, Agreement]:
    return {a.id: a for a in ceremony().agreements}


@pytest.fixture(scope="module")
def pk(example: dict[str, Agreement]) -> Agreement:
    return example["pk-2026-dinkes"]


def revision(pk: Agreement, n: int, tanggal: dt.date, replaces: Item | None = None) -> Agreement:
    """A PK Perubahan of ``pk``'s unit: one program fewer and a lower budget, from ``tanggal``."""
    return replace(
        pk,
        jenis=JenisDokumen.PERJANJIAN_KINERJA_PERUBAHAN,
        perubahan_ke=n,
        alasan_perubahan="Refocusing anggaran",
        tanggal=tanggal,
        program=(
            Program(pk.program[0].kode, pk.program[0].uraian, 100_000_000_000),
            Program(pk.program[1].kode, pk.program[1].uraian, 40_000_000_000),
        ),
        menggantikan=Rujukan(replaces[1].id, replaces[2]) if replaces else None,
    )


OF = RealisasiOf("Pemerintah Kota Contoh", 2026)


def by_id(results: tuple[AgreementResult, ...]) -> dict[str | None, AgreementResult]:
    return {r.id: r for r in results}


def test_the_newest_revision_is_in_force_for_the_year(pk: Agreement) -> None:
    r1 = revision(pk, 1, dt.date(2026, 7, 1))
    chosen = in_force(Verified((item(pk), item(r1)), (), ()), OF)
    assert [a.id for _, a, _ in chosen.agreements] == ["pkp-2026-dinkes-r1"]
    old = by_id(chosen.results)["pk-2026-dinkes"]
    assert old.status is Status.SUPERSEDED and old.diganti_oleh == "pkp-2026-dinkes-r1"
    assert "diganti oleh pkp-2026-dinkes-r1" in (old.reason or "")
    assert "1 Juli 2026" in (old.reason or "")
    # without menggantikan in the signed data, the link falls back to unit, year, perubahan_ke
    assert chosen.menggantikan == {item(r1)[0]: "pk-2026-dinkes"}


@pytest.mark.parametrize(
    ("periode", "expected"),
    [
        (Periode.TW1, "pk-2026-dinkes"),
        (Periode.TW2, "pk-2026-dinkes"),  # 30 June: the revision of 1 July is not yet in force
        (Periode.TW3, "pkp-2026-dinkes-r1"),
        (Periode.TW4, "pkp-2026-dinkes-r2"),
        (Periode.TAHUNAN, "pkp-2026-dinkes-r2"),
    ],
)
def test_a_triwulan_takes_the_one_in_force_at_its_end(
    pk: Agreement, periode: Periode, expected: str
) -> None:
    r1 = revision(pk, 1, dt.date(2026, 7, 1))
    r2 = revision(pk, 2, dt.date(2026, 10, 1))
    chosen = in_force(Verified((item(r2), item(pk), item(r1)), (), ()), OF, periode)
    assert [a.id for _, a, _ in chosen.agreements] == [expected]
    statuses = {r.id: r.status for r in chosen.results}
    order = ["pk-2026-dinkes", "pkp-2026-dinkes-r1", "pkp-2026-dinkes-r2"]
    at = order.index(expected)
    assert statuses == {
        **{i: Status.SUPERSEDED for i in order[:at]},
        **{i: Status.NOT_YET for i in order[at + 1 :]},
    }
    assert not any(s.failed for s in statuses.values())
    if at == 2:  # each replaced document names the one that replaced it, not the last
        assert by_id(chosen.results)["pk-2026-dinkes"].diganti_oleh == "pkp-2026-dinkes-r1"
        assert by_id(chosen.results)["pkp-2026-dinkes-r1"].diganti_oleh == "pkp-2026-dinkes-r2"


def test_the_signed_link_is_used_when_present(pk: Agreement) -> None:
    """A revision naming the PK it replaces (id and verification code): the link is the signed
    one; naming another code than the PK in the folder is said on the PK's line."""
    original = item(pk)
    r1 = revision(pk, 1, dt.date(2026, 7, 1), replaces=original)
    chosen = in_force(Verified((original, item(r1)), (), ()), OF)
    old = by_id(chosen.results)["pk-2026-dinkes"]
    assert old.diganti_oleh == "pkp-2026-dinkes-r1" and "kode verifikasi lain" not in (
        old.reason or ""
    )
    assert chosen.menggantikan == {item(r1)[0]: "pk-2026-dinkes"}

    other_draft = item(replace(pk, program=pk.program[:2]))  # an earlier draft, also signed
    r1_other = revision(pk, 1, dt.date(2026, 7, 1), replaces=other_draft)
    chosen = in_force(Verified((original, item(r1_other)), (), ()), OF)
    old = by_id(chosen.results)["pk-2026-dinkes"]
    assert old.status is Status.SUPERSEDED
    assert "merujuk pk-2026-dinkes dengan kode verifikasi lain" in (old.reason or "")


def test_two_copies_are_an_error_naming_both_files(pk: Agreement) -> None:
    copy = item(pk, "salinan/pk-2026-dinkes (1).pdf")
    with pytest.raises(InputError) as caught:
        in_force(Verified((item(pk), copy), (), ()), OF)
    message = str(caught.value)
    assert "arsip/pk-2026-dinkes.pdf" in message and "salinan/pk-2026-dinkes (1).pdf" in message
    assert "the same signed agreement twice" in message and "DINKES" in message


def test_two_revisions_of_the_same_number_are_an_error(pk: Agreement) -> None:
    a = revision(pk, 1, dt.date(2026, 7, 1))
    b = replace(a, alasan_perubahan="Perubahan struktur organisasi")
    with pytest.raises(InputError) as caught:
        in_force(Verified((item(pk), item(a, "a.pdf"), item(b, "b.pdf")), (), ()), OF)
    message = str(caught.value)
    assert "a.pdf and b.pdf" in message and "perubahan ke-1" in message
    assert "two different agreements" in message


def test_end_of_triwulan() -> None:
    assert berlaku.akhir(2028, Periode.TW1) == dt.date(2028, 3, 31)
    assert berlaku.akhir(2028, Periode.TW2) == dt.date(2028, 6, 30)
    assert berlaku.akhir(2028, Periode.TW4) == dt.date(2028, 12, 31)
    assert berlaku.akhir(2028, Periode.TAHUNAN) is None


def _realisasi(
    agreements: list[Agreement],
    spent: dict[tuple[str, str], int | None],
    tw: dict[tuple[str, str], tuple[int | None, int | None, int | None, int | None]] | None = None,
) -> RealisasiData:
    values = {
        (a.unit.kode, i.kode): RealisasiIndikator((None, None, None, None), None)
        for a in agreements
        for i in a.indikator
    }
    names = {a.unit.kode: a.unit.nama for a in agreements}
    return RealisasiData(values, spent, frozenset(), OF, names, tw or {})


def _options(periode: Periode = Periode.TAHUNAN) -> EvaluateOptions:
    return EvaluateOptions(TrustConfig(), periode, progress=False)


def test_a_unit_and_its_budget_are_counted_once(
    pk: Agreement, example: dict[str, Agreement]
) -> None:
    """The user's report: a unit's PK and PK Perubahan both in the folder. The unit is
    evaluated once, with the revision's budget; the PK is listed 'diganti'."""
    r1 = revision(pk, 1, dt.date(2026, 7, 1))
    setda = example["pk-2026-setda"]
    chosen = in_force(Verified((item(pk), item(r1), item(setda)), (), ()), OF)
    spent = {("DINKES", p.kode or p.uraian): p.anggaran // 2 for p in r1.program}
    spent |= {("SETDA", p.kode or p.uraian): p.anggaran for p in setda.program}
    result = evaluate(chosen, _realisasi([r1, setda], spent), _options())
    assert [(r.id, r.status) for r in result.results] == [
        ("pk-2026-dinkes", Status.SUPERSEDED),
        ("pkp-2026-dinkes-r1", Status.EVALUATED),
        ("pk-2026-setda", Status.EVALUATED),
    ]
    dinkes = by_id(result.results)["pkp-2026-dinkes-r1"]
    assert dinkes.anggaran == 140_000_000_000 and dinkes.menggantikan == "pk-2026-dinkes"
    assert dinkes.realisasi_anggaran == 70_000_000_000 and dinkes.serapan == D(50)
    totals = result.totals
    assert totals.unit == 2
    assert totals.anggaran == 140_000_000_000 + setda.jumlah_anggaran
    assert totals.realisasi_anggaran == 70_000_000_000 + setda.jumlah_anggaran
    report = result.as_dict()["ringkasan"]
    assert isinstance(report, dict) and report["anggaran"] == totals.anggaran


def test_a_budget_not_filled_is_not_zero(pk: Agreement, example: dict[str, Agreement]) -> None:
    """One program of DINKES not filled: DINKES's realisasi anggaran is 'belum diisi', left out
    of the sums, and counted as a unit not filled; SETDA spent over the pagu of a program."""
    setda = example["pk-2026-setda"]
    chosen = in_force(Verified((item(pk), item(setda)), (), ()), OF)
    spent: dict[tuple[str, str], int | None] = {
        ("DINKES", p.kode or p.uraian): p.anggaran for p in pk.program
    }
    spent["DINKES", pk.program[-1].kode or ""] = None
    first, *rest = setda.program
    spent["SETDA", first.kode or first.uraian] = first.anggaran + 1
    spent |= {("SETDA", p.kode or p.uraian): 0 for p in rest}  # nothing spent is 0, filled
    result = evaluate(chosen, _realisasi([pk, setda], spent), _options())
    dinkes = by_id(result.results)["pk-2026-dinkes"]
    assert dinkes.realisasi_anggaran is None and dinkes.serapan is None
    assert dinkes.anggaran_belum_diisi and not dinkes.melebihi_pagu
    s = by_id(result.results)["pk-2026-setda"]
    assert s.realisasi_anggaran == first.anggaran + 1
    assert s.melebihi_pagu and s.program[0].melebihi_pagu  # the total is under, one program over
    totals = result.totals
    assert totals.anggaran_belum_diisi == 1 and totals.melebihi_pagu == 1
    assert totals.anggaran_terisi == setda.jumlah_anggaran
    assert totals.realisasi_anggaran == first.anggaran + 1
    assert totals.serapan == D(first.anggaran + 1) / D(setda.jumlah_anggaran) * 100


def test_a_triwulan_report_takes_the_budget_spent_to_its_end(pk: Agreement) -> None:
    chosen = in_force(Verified((item(pk),), (), ()), OF, Periode.TW2)
    spent = {("DINKES", p.kode or p.uraian): p.anggaran for p in pk.program}
    upto = {("DINKES", p.kode or p.uraian): (10, 20, None, None) for p in pk.program}
    result = evaluate(chosen, _realisasi([pk], spent, upto), _options(Periode.TW2))
    [dinkes] = result.evaluated
    assert dinkes.realisasi_anggaran == 20 * len(pk.program)
    # a workbook without the triwulan columns: the triwulan's budget is not filled, not 0
    result = evaluate(chosen, _realisasi([pk], spent), _options(Periode.TW2))
    [dinkes] = result.evaluated
    assert dinkes.realisasi_anggaran is None and dinkes.anggaran_belum_diisi


def test_the_agreements_come_before_the_pakta_integritas(example: dict[str, Agreement]) -> None:
    docs = [a for a in example.values() if a.unit.kode in ("DINKES", "SETDA")]
    pakta = [a for a in docs if not a.jenis.has_targets]
    pks = [a for a in docs if a.jenis.has_targets]
    results = tuple(
        AgreementResult(
            f"{a.id}.pdf", Status.NOT_APPLICABLE, "", a.id, "", a.unit.kode, "", a.jenis
        )
        for a in pakta
    )
    chosen = in_force(Verified(tuple(item(a) for a in pks), results, ()), OF)
    result = evaluate(chosen, _realisasi(pks, {}), _options())
    assert [r.id for r in result.results] == [
        "pk-2026-dinkes",
        "pk-2026-setda",
        "pi-2026-dinkes",
        "pi-2026-setda",
    ]


def test_old_realisasi_workbooks_without_triwulan_budget_still_read(
    pk: Agreement, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "realisasi.xlsx"
    key = ("DINKES", pk.program[0].kode or "")
    write_realisasi([pk], book, anggaran={key: 5}, anggaran_triwulan={key: (1, 2, 3, 4)})
    data = read_realisasi(book, [pk])
    assert data.anggaran[key] == 5 and data.anggaran_triwulan[key] == (1, 2, 3, 4)
    wb = load_workbook(book)
    ws = wb["Anggaran"]
    ws.delete_cols(5, 4)  # the four triwulan columns, as a workbook made before them
    wb.save(book)
    data = read_realisasi(book, [pk])
    assert data.anggaran[key] == 5 and data.anggaran_triwulan[key] == (None, None, None, None)


@pytest.mark.parametrize("rows", [1, 9, 99, 100, 999, 1000, 12345])
def test_row_numbers_have_room_on_one_line(rows: int) -> None:
    """The report's No column grows with the largest row number (8 mm held two digits only;
    seen wrapping '105' into '10/5' in a rendered report), and the table keeps its width."""
    from signer.evaluate.outputs.pdf import SUMMARY_WIDTHS, UNIT_WIDTHS, numbered

    for widths in (SUMMARY_WIDTHS, UNIT_WIDTHS):
        out = numbered(widths, rows)
        assert sum(out) == pytest.approx(sum(widths))
        assert out[0] >= 4.5 + 1.6 * len(str(rows)) and out[0] >= widths[0]
        assert out[2:] == tuple(widths[2:])


def test_the_kepala_daerah_pk_is_evaluated_with_its_one_signer() -> None:
    from signer.evaluate.stage import evaluate_agreement
    from signer.example.workspace import sample_agreement
    from signer.kinds import JenisDokumen

    a = sample_agreement(JenisDokumen.PERJANJIAN_KINERJA_KEPALA_DAERAH)
    realisasi: dict[str, D | str | None] = {i.kode: None for i in a.indikator}
    anggaran = {p.kode or p.uraian: p.anggaran for p in a.program}
    r = evaluate_agreement(a, "0" * 64, f"{a.id}.pdf", Periode.TAHUNAN, realisasi, anggaran)
    assert r.status is Status.EVALUATED
    assert [s.role for s in r.signers] == ["pihak-pertama"]
    assert r.signers[0].nama == a.pihak_pertama.nama
