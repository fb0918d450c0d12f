"""A ceremony that is not the bundled example, run as a new user runs it, with the `kinerja`
command: 60 units on F4 paper (WITA), a 35-indikator lampiran, names over 64 characters with many
gelar, a Plt. holding two posts, percent and formula cells, a text date; then PK Perubahan in
March with their own dates and numbers, linked to the signed PK they replace; a few units on A4;
and the evaluation of realisasi typed with formulas and percent cells. Every untouched agreement
verifies VALID and the capaian are recomputed here independently."""

from __future__ import annotations

import json
import os
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.ceremony_lain import PERUBAHAN, store_computed_values, units, write_workbook
from tests.conftest import run_kinerja

pytestmark = [pytest.mark.slow, pytest.mark.office]

ENV = {**os.environ, "KINERJA_PASSPHRASE": "rahasia-upacara"}


def ok(*args: str) -> str:
    r = run_kinerja(*args, env=ENV, timeout=900)
    assert r.returncode == 0, (args, r.stdout[-3000:], r.stderr[-3000:])
    return r.stdout


def sign_and_verify(folder: Path, keys: Path) -> dict[str, str]:
    for role in ("pihak-pertama", "pihak-kedua"):
        ok("sign", str(folder), "--role", role, "--keys", str(keys), "--level", "B-LTA")
    r = run_kinerja("verify", str(folder), "--trust", str(keys), "--json", env=ENV, timeout=900)
    reports = json.loads(r.stdout)["documents"]
    verdicts = {Path(x["file"]).name: x["verdict"] for x in reports}
    assert r.returncode == 0, {k: v for k, v in verdicts.items() if v != "VALID"}
    return verdicts


def _fill_realisasi(book: Path) -> dict[tuple[str, str], Decimal]:
    """Staff type the realisasi: numbers, percent cells, a formula whose stored double carries
    binary noise; the value each cell shows is returned, to recompute the capaian here."""
    wb = load_workbook(book)
    ws = wb["Realisasi"]
    head = [c.value for c in ws[1]]
    col = {h: head.index(h) + 1 for h in head}
    shown: dict[tuple[str, str], Decimal] = {}
    formulas: dict[str, float] = {}
    for r in range(2, ws.max_row + 1):
        unit, kode = ws.cell(r, col["Kode Unit"]).value, ws.cell(r, col["Kode Indikator"]).value
        arah, satuan = ws.cell(r, col["Arah"]).value, ws.cell(r, col["Satuan"]).value
        target = str(ws.cell(r, col["Target"]).value)
        cell = ws.cell(r, col["Realisasi Tahunan"])
        if arah == "predikat":
            cell.value = "BB"
            continue
        t = Decimal(target.replace(".", "").replace(",", "."))
        if arah == "turun":
            value = (t * Decimal("1.1")).quantize(Decimal("0.1"))
            cell.value = float(value)
        elif satuan == "%":  # a percent cell: 0.9 shows 90%
            value = (t * Decimal("0.93")).quantize(Decimal(1))
            cell.value = float(value / 100)
            cell.number_format = "0%"
        else:  # a formula: 1319.5 / 2000 * 100 is stored as 65.97500000000001
            numerator = float((t * Decimal("0.97") * 20).quantize(Decimal("0.1")))
            cell.value = f"={numerator}/2000*100"
            cell.number_format = "0.00"
            formulas[cell.coordinate] = numerator / 2000 * 100
            value = Decimal(repr(numerator)) / 20
            value = value.quantize(Decimal("0.01"), ROUND_HALF_UP)
        shown[unit, kode] = value
    money = wb["Anggaran"]
    mhead = [c.value for c in money[1]]
    for r in range(2, money.max_row + 1):
        pagu = money.cell(r, mhead.index("Anggaran (Rp)") + 1).value
        money.cell(r, mhead.index("Realisasi Anggaran (Rp)") + 1).value = int(pagu * 0.9)
    sheet_index = wb.sheetnames.index("Realisasi") + 1
    wb.save(book)
    store_computed_values(book, sheet_index, formulas)
    return shown


def test_another_ceremony_end_to_end(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "kinerja.xlsx")
    checked = json.loads(ok("check", str(book), "--json"))
    assert len(checked["agreements"]) == 120
    keys, out = tmp_path / "keys", tmp_path / "keluaran"
    ok("keys", "demo", str(keys), "--workbook", str(book))
    ok("generate", str(book), "-o", str(out), "--paper", "f4")
    assert len(list(out.glob("*.pdf"))) == 120
    verdicts = sign_and_verify(out, keys)
    assert len(verdicts) == 120 and set(verdicts.values()) == {"VALID"}

    # March: three units revise their PK; each revision names the signed PK it replaces
    revisi = write_workbook(tmp_path / "perubahan.xlsx", perubahan=True)
    ok("generate", str(revisi), "-o", str(out), "--paper", "f4")
    verdicts = sign_and_verify(out, keys)
    assert len(verdicts) == 123 and set(verdicts.values()) == {"VALID"}
    report = json.loads(
        ok("verify", str(out / "pkp-2027-dinkes-r1.pdf"), "--trust", str(keys), "--json")
    )
    assert report["documents"][0]["verdict"] == "VALID"

    # the same ceremony on A4 for the long lampiran and the Plt.
    a4 = tmp_path / "a4"
    only = ("--only", "BAPPERIDA", "--only", "DISARPUS", "--only", "SETDA")
    ok("generate", str(book), "-o", str(a4), "--paper", "a4", *only)
    assert set(sign_and_verify(a4, keys).values()) == {"VALID"}

    # evaluation: each unit once, the revisions' targets and budgets, the PK 'diganti'
    realisasi = tmp_path / "realisasi.xlsx"
    ok("evaluate", str(out), "--trust", str(keys), "--template", str(realisasi))
    shown = _fill_realisasi(realisasi)
    ok(
        "evaluate", str(out), "--trust", str(keys), "--realisasi", str(realisasi),
        "--format", "json,xlsx", "-o", str(tmp_path / "evaluasi"),
    )  # fmt: skip
    evaluation = json.loads((tmp_path / "evaluasi" / "evaluasi.json").read_text())
    results = evaluation["perjanjian"]
    evaluated = [r for r in results if r["status"] == "dievaluasi"]
    assert len(evaluated) == 60 and len({r["unit"]["kode"] for r in evaluated}) == 60
    assert evaluation["ringkasan"]["unit"] == 60
    replaced = {r["id"]: r for r in results if r["status"] == "diganti"}
    assert set(replaced) == {f"pk-2027-{u.lower()}" for u in PERUBAHAN}
    _, rows = units()
    pagu = {u.kode: sum(p[2] for p in u.program) for u in rows}
    for r in evaluated:
        kode = r["unit"]["kode"]
        cut = 100_000_000 if kode in PERUBAHAN else 0
        assert r["anggaran"] == pagu[kode] - cut, kode
        for i in r["indikator"]:
            if i["arah"] in ("naik", "turun"):
                _check_capaian(i, shown[kode, i["kode"]])
    # agreements first, the Pakta Integritas after them
    kinds = [r["jenis"] for r in results]
    first_pakta = kinds.index("pakta-integritas")
    assert "pakta-integritas" not in kinds[:first_pakta]
    assert all(k == "pakta-integritas" for k in kinds[first_pakta:])


def _check_capaian(i: dict[str, object], realisasi: Decimal) -> None:
    """Recomputed here: naik r / t x 100, turun (2t - r) / t x 100; shown half up to 0,01."""
    target = Decimal(str(i["target"]))
    assert Decimal(str(i["realisasi"])) == realisasi, i
    raw = (
        realisasi / target * 100 if i["arah"] == "naik" else (2 * target - realisasi) / target * 100
    )
    raw = max(raw, Decimal(0))
    assert Decimal(str(i["capaian"])) == raw.quantize(Decimal("0.01"), ROUND_HALF_UP), i
