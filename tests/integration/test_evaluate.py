"""Evaluate end to end: verified agreements only, realisasi matched by unit and kode, outputs."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import _read_only, edit_workbook, example_units, run_kinerja

pytestmark = [pytest.mark.slow, pytest.mark.office]


@pytest.fixture(scope="session")
def signed_folder(signed_example: Path) -> Path:
    """The PKs and Pakta Integritas of DINKES, SETDA, INSPEKTORAT and a Bagian, signed by both
    parties (B-LTA): the shared `signed_example`, read-only."""
    return signed_example


def evaluate(*args: str) -> tuple[int, str, str]:
    result = run_kinerja("evaluate", *args)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


def test_evaluates_verified_agreements(
    signed_folder: Path,
    demo_store: Path,
    example_workspace: Path,
    example_realisasi: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "evaluasi"
    code, stdout, stderr = evaluate(
        str(signed_folder),
        "--realisasi",
        str(example_realisasi),
        "--trust",
        str(demo_store),
        "-o",
        str(out),
    )
    assert code == 0, stdout + stderr
    report = json.loads((out / "evaluasi.json").read_text())
    by_id = {p["id"]: p for p in report["perjanjian"]}
    assert {p["status"] for p in by_id.values()} == {"dievaluasi", "tidak berlaku"}
    assert by_id["pi-2026-dinkes"]["status"] == "tidak berlaku"
    dinkes = by_id["pk-2026-dinkes"]
    assert dinkes["sha256"] and [s["nama"] for s in dinkes["penandatangan"]] == [
        "dr. Rina Kartikasari, M.Kes.",
        "H. Arif Wicaksono, S.E., M.Si.",
    ]
    for row in dinkes["indikator"]:
        assert set(row) >= {
            "kode",
            "indikator",
            "satuan",
            "arah",
            "target",
            "realisasi",
            "capaian",
            "kategori",
        }
        assert isinstance(row["capaian"], (int, float))
    aki = next(r for r in dinkes["indikator"] if r["kode"] == "DINKES.01")
    assert aki["arah"] == "turun"
    assert aki["capaian"] == pytest.approx(
        (2 * aki["target"] - aki["realisasi"]) / aki["target"] * 100, abs=0.01
    )
    opini = next(r for r in by_id["pk-2026-setda"]["indikator"] if r["kode"] == "SETDA.01")
    assert opini["arah"] == "predikat" and opini["target"] == "WTP"
    assert 0 < dinkes["serapan_anggaran"] <= 100
    for name in ("evaluasi.json", "evaluasi.xlsx", "evaluasi.pdf"):
        assert (out / name).stat().st_size > 0
    sheets = load_workbook(out / "evaluasi.xlsx").sheetnames
    assert "DINKES" in sheets


def test_missing_realisasi_is_noted_not_fatal(
    signed_folder: Path,
    demo_store: Path,
    example_workspace: Path,
    example_realisasi: Path,
    tmp_path: Path,
) -> None:
    book = tmp_path / "realisasi.xlsx"
    shutil.copy(example_realisasi, book)
    ws = load_workbook(book)["Realisasi"]
    row = next(c.row for c in ws["C"] if c.value == "INSP.02")
    edit_workbook(book, {("Realisasi", f"L{row}"): None})
    code, stdout, _ = evaluate(
        str(signed_folder), "--realisasi", str(book), "--trust", str(demo_store), "--json"
    )
    assert code == 0
    inspektorat = next(
        p for p in json.loads(stdout)["perjanjian"] if p["id"] == "pk-2026-inspektorat"
    )
    insp02 = next(r for r in inspektorat["indikator"] if r["kode"] == "INSP.02")
    assert insp02["capaian"] is None and "belum diisi" in insp02["catatan"]
    assert inspektorat["capaian"] is not None


def test_triwulan_compares_cumulative_realisasi(
    signed_folder: Path, demo_store: Path, example_workspace: Path, example_realisasi: Path
) -> None:
    code, stdout, _ = evaluate(
        str(signed_folder),
        "--realisasi",
        str(example_realisasi),
        "--trust",
        str(demo_store),
        "--periode",
        "tw2",
        "--json",
    )
    assert code == 0
    [dinkes] = [p for p in json.loads(stdout)["perjanjian"] if p["id"] == "pk-2026-dinkes"]
    aki = next(r for r in dinkes["indikator"] if r["kode"] == "DINKES.01")
    assert aki["target"] == 92  # the triwulan II target, not the year's 85
    without = next(r for r in dinkes["indikator"] if r["kode"] == "DINKES.02")
    assert without["capaian"] is None and "triwulan" in without["catatan"]


def test_tampered_agreement_is_refused(
    signed_folder: Path,
    demo_store: Path,
    example_workspace: Path,
    example_realisasi: Path,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "arsip"
    shutil.copytree(signed_folder, folder)
    tampered = folder / "pk-2026-setda.pdf"
    data = bytearray(tampered.read_bytes())
    at = data.index(b"/CreationDate (D:") + 20
    data[at] = ord("1") if data[at] != ord("1") else ord("2")
    tampered.write_bytes(bytes(data))
    code, stdout, _ = evaluate(
        str(folder),
        "--realisasi",
        str(example_realisasi),
        "--trust",
        str(demo_store),
        "--json",
    )
    assert code == 1
    by_id = {p["id"]: p for p in json.loads(stdout)["perjanjian"]}
    assert by_id["pk-2026-setda"]["status"] == "ditolak"
    assert "INVALID" in by_id["pk-2026-setda"]["alasan"]
    assert by_id["pk-2026-setda"]["indikator"] == []
    assert by_id["pk-2026-dinkes"]["status"] == "dievaluasi"


def test_untrusted_agreements_are_not_evaluated(
    signed_folder: Path, example_workspace: Path, example_realisasi: Path
) -> None:
    code, stdout, _ = evaluate(str(signed_folder), "--realisasi", str(example_realisasi), "--json")
    assert code == 1
    statuses = {p["status"] for p in json.loads(stdout)["perjanjian"]}
    # every agreement refused, so no unit of the realisasi has one in force
    assert statuses == {"ditolak", "tanpa perjanjian"}


@pytest.mark.parametrize(
    ("column", "kode", "value", "message"),
    [
        ("C", "DINKES.02", "DINKES.99", "unknown indikator 'DINKES.99' for unit DINKES"),
        ("L", "DINKES.02", "delapan", "text 'delapan' where a number belongs"),
        ("L", "SETDA.01", "BAGUS", "'BAGUS' is not on the scale of SETDA.01"),
    ],
)
def test_realisasi_problems_exit_2_and_write_nothing(
    signed_folder: Path,
    demo_store: Path,
    example_workspace: Path,
    example_realisasi: Path,
    tmp_path: Path,
    column: str,
    kode: str,
    value: str,
    message: str,
) -> None:
    book = tmp_path / "realisasi.xlsx"
    shutil.copy(example_realisasi, book)
    ws = load_workbook(book)["Realisasi"]
    row = next(c.row for c in ws["C"] if c.value == kode)
    edit_workbook(book, {("Realisasi", f"{column}{row}"): value})
    out = tmp_path / "evaluasi"
    code, _, stderr = evaluate(
        str(signed_folder), "--realisasi", str(book), "--trust", str(demo_store), "-o", str(out)
    )
    assert code == 2
    assert f"Realisasi, row {row}, column {column}" in stderr and message in stderr
    assert not out.exists()


def test_missing_indikator_row(
    signed_folder: Path,
    demo_store: Path,
    example_workspace: Path,
    example_realisasi: Path,
    tmp_path: Path,
) -> None:
    book = tmp_path / "realisasi.xlsx"
    shutil.copy(example_realisasi, book)

    def drop(wb):  # type: ignore[no-untyped-def]
        ws = wb["Realisasi"]
        row = next(c.row for c in ws["C"] if c.value == "DINKES.03")
        ws.delete_rows(row)

    edit_workbook(book, change=drop)
    code, _, stderr = evaluate(
        str(signed_folder), "--realisasi", str(book), "--trust", str(demo_store), "--json"
    )
    assert code == 2
    assert "no row for DINKES DINKES.03" in stderr


def test_template_lists_every_verified_indikator(
    signed_folder: Path, demo_store: Path, example_workspace: Path, tmp_path: Path
) -> None:
    template = tmp_path / "blank.xlsx"
    code, stdout, _ = evaluate(
        str(signed_folder), "--trust", str(demo_store), "--template", str(template)
    )
    assert code == 0, stdout
    ws = load_workbook(template)["Realisasi"]
    rows = [(r[0].value, r[2].value, r[11].value) for r in ws.iter_rows(min_row=2)]
    units = {u for u, _, _ in rows}
    assert units == set(example_units(example_workspace / "kinerja.xlsx"))
    assert all(value is None for _, _, value in rows), "blank"
    assert ("DINKES", "DINKES.01", None) in rows


def test_cap_applies_to_averages_only(
    signed_folder: Path, demo_store: Path, example_workspace: Path, example_realisasi: Path
) -> None:
    args = (
        str(signed_folder),
        "--realisasi",
        str(example_realisasi),
        "--trust",
        str(demo_store),
        "--json",
    )
    _, plain, _ = evaluate(*args)
    _, capped, _ = evaluate(*args, "--cap", "100")
    [a] = [p for p in json.loads(plain)["perjanjian"] if p["id"] == "pk-2026-inspektorat"]
    [b] = [p for p in json.loads(capped)["perjanjian"] if p["id"] == "pk-2026-inspektorat"]
    assert max(i["capaian"] for i in a["indikator"]) > 100, "the example over-achieves here"
    assert [i["capaian"] for i in a["indikator"]] == [i["capaian"] for i in b["indikator"]]
    assert b["capaian"] < a["capaian"] and b["capaian"] <= 100


def test_only_the_pdf_needs_libreoffice(
    signed_folder: Path,
    demo_store: Path,
    example_workspace: Path,
    example_realisasi: Path,
    tmp_path: Path,
) -> None:
    """--format picks the files; without LibreOffice on PATH json and xlsx are still written,
    and asking for the PDF is a missing program (exit 3) found before anything is written."""
    import os

    no_office = tmp_path / "bin"  # the usual programs, LibreOffice left out
    no_office.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        for program in Path(folder).glob("*") if Path(folder).is_dir() else ():
            if (
                program.name not in ("soffice", "libreoffice")
                and not (no_office / program.name).exists()
            ):
                (no_office / program.name).symlink_to(program)
    env = {**os.environ, "PATH": str(no_office)}
    common = [
        str(signed_folder),
        "--realisasi",
        str(example_realisasi),
        "--trust",
        str(demo_store),
    ]
    out = tmp_path / "a"
    done = run_kinerja("evaluate", *common, "--format", "json,xlsx", "-o", str(out), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["evaluasi.json", "evaluasi.xlsx"]
    out = tmp_path / "b"
    refused = run_kinerja("evaluate", *common, "--format", "json,pdf", "-o", str(out), env=env)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "LibreOffice is not installed" in refused.stderr and "Traceback" not in refused.stderr
    assert not out.exists() or not any(out.iterdir())
    unknown = run_kinerja("evaluate", *common, "--format", "docx", "-o", str(out))
    assert unknown.returncode == 2 and "unknown format" in unknown.stderr


def _statuses(stdout: str) -> dict[str, list[tuple[str | None, str]]]:
    """By unit kode: each result's (id, status)."""
    out: dict[str, list[tuple[str | None, str]]] = {}
    for p in json.loads(stdout)["perjanjian"]:
        out.setdefault(p["unit"]["kode"], []).append((p["id"], p["status"]))
    return out


def test_a_file_name_is_not_an_identity(
    signed_folder: Path, demo_store: Path, example_realisasi: Path, tmp_path: Path
) -> None:
    """Another unit's PK saved under this unit's name, and a Pakta Integritas in place of a PK:
    the signed data says whose they are, and those units have no agreement in force. A second
    copy of a PK is refused, naming both files: it cannot be counted twice."""
    folder = tmp_path / "arsip"
    shutil.copytree(signed_folder, folder)
    (folder / "pk-2026-setda.pdf").replace(folder / "pk-2026-dinkes.pdf")
    shutil.copy(folder / "pi-2026-inspektorat.pdf", folder / "pk-2026-inspektorat.pdf")
    code, stdout, _ = evaluate(
        str(folder), "--realisasi", str(example_realisasi), "--trust", str(demo_store), "--json"
    )
    assert code == 1
    units = _statuses(stdout)
    assert units["DINKES"] == [(None, "tanpa perjanjian"), ("pi-2026-dinkes", "tidak berlaku")]
    assert units["SETDA"] == [("pk-2026-setda", "dievaluasi"), ("pi-2026-setda", "tidak berlaku")]
    assert units["INSPEKTORAT"] == [
        (None, "tanpa perjanjian"),
        ("pi-2026-inspektorat", "tidak berlaku"),
        ("pi-2026-inspektorat", "tidak berlaku"),
    ]
    copy = folder / "salinan" / "pk-2026-setda.pdf"
    copy.parent.mkdir()
    shutil.copy(folder / "pk-2026-dinkes.pdf", copy)
    out = tmp_path / "evaluasi"
    code, _, stderr = evaluate(
        str(folder),
        "--realisasi",
        str(example_realisasi),
        "--trust",
        str(demo_store),
        "-o",
        str(out),
    )
    assert code == 2
    assert str(folder / "pk-2026-dinkes.pdf") in stderr and str(copy) in stderr
    assert "the same signed agreement twice" in stderr
    assert not out.exists()


def test_only_this_pemdas_agreements_of_this_year(
    signed_folder: Path,
    prepared_example: Path,
    demo_store: Path,
    example_workspace: Path,
    example_realisasi: Path,
    tmp_path: Path,
) -> None:
    """Last year's PK of a unit and another pemerintah daerah's PK of another, both signed and
    VALID: refused for this realisasi, and their units have no agreement in force."""
    from dataclasses import replace

    from signer.demo_pki import pki
    from signer.generate import GenerateOptions, generate
    from signer.model import Ceremony, Instansi
    from signer.workbooks.ceremony_read import read_workbook
    from tests.helpers import sign_roles

    ceremony = read_workbook(example_workspace / "kinerja.xlsx")
    dinkes = next(a for a in ceremony.agreements if a.id == "pk-2026-dinkes")
    setda = next(a for a in ceremony.agreements if a.id == "pk-2026-setda")
    lain = Instansi("Pemerintah Kabupaten Lain", setda.instansi.kop, setda.instansi.logo)
    others = (replace(dinkes, tahun=2025), replace(setda, instansi=lain))
    made = tmp_path / "made"
    generate(
        Ceremony(ceremony.instansi, ceremony.tahun, others),
        example_workspace / "kinerja.xlsx",
        GenerateOptions(out=made, jobs=1, progress=False),
    )
    # the other pemda's officials sign with its own certificates (their organisation is theirs)
    lain_store = tmp_path / "lain-keys"
    parties = [setda.pihak_pertama, setda.pihak_kedua]
    pki.write_demo_pki(pki.build_demo_pki(parties, lain.nama), lain_store, parties, b"demo")
    folder = tmp_path / "arsip"
    shutil.copytree(signed_folder, folder)
    (folder / "pk-2026-dinkes.pdf").unlink()
    for pdf in sorted(made.glob("*.pdf")):
        own = "setda" in pdf.name
        target = folder / ("pk-2026-setda.pdf" if own else pdf.name)
        target.write_bytes(sign_roles(pdf.read_bytes(), lain_store if own else demo_store))
    code, stdout, _ = evaluate(
        str(folder),
        "--realisasi",
        str(example_realisasi),
        "--trust",
        str(demo_store),
        "--trust",
        str(lain_store),
        "--json",
    )
    assert code == 1
    results = json.loads(stdout)["perjanjian"]
    refused = {p["id"]: p["alasan"] for p in results if p["status"] == "ditolak"}
    assert set(refused) == {"pk-2025-dinkes", "pk-2026-setda"}
    assert "tahun 2025" in refused["pk-2025-dinkes"]
    assert "Pemerintah Kabupaten Lain" in refused["pk-2026-setda"]
    missing = {p["unit"]["kode"] for p in results if p["status"] == "tanpa perjanjian"}
    assert missing == {"DINKES", "SETDA"}


@pytest.fixture(scope="module")
def with_revision(
    signed_folder: Path,
    demo_store: Path,
    example_workspace: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Path]:
    """The signed example plus a signed PK Perubahan of DINKES from 1 July 2026 (DINKES.01's
    target lowered to 80, one program dropped), and a realisasi workbook for what is in force;
    read-only."""
    from dataclasses import replace

    from signer.example.workspace import realisasi
    from signer.generate import GenerateOptions, generate
    from signer.kinds import JenisDokumen
    from signer.model import Ceremony
    from signer.workbooks.ceremony_read import read_workbook
    from signer.workbooks.realisasi import write_realisasi
    from tests.helpers import sign_roles

    ceremony = read_workbook(example_workspace / "kinerja.xlsx")
    pk = next(a for a in ceremony.agreements if a.id == "pk-2026-dinkes")
    first, *rest = pk.sasaran
    aki = replace(first.indikator[0], target=Decimal(80))
    revised = replace(first, indikator=(aki, *first.indikator[1:]))
    r1 = replace(
        pk,
        jenis=JenisDokumen.PERJANJIAN_KINERJA_PERUBAHAN,
        perubahan_ke=1,
        alasan_perubahan="Penyesuaian target setelah refocusing anggaran",
        tanggal=dt.date(2026, 7, 1),
        sasaran=(revised, *rest),
        program=pk.program[:2],
    )
    root = tmp_path_factory.mktemp("revision")
    made = root / "made"
    generate(
        Ceremony(ceremony.instansi, ceremony.tahun, (r1,)),
        example_workspace / "kinerja.xlsx",
        GenerateOptions(out=made, jobs=1, progress=False),
    )
    folder = root / "arsip"
    shutil.copytree(signed_folder, folder)
    [pdf] = made.glob("*.pdf")
    (folder / pdf.name).write_bytes(sign_roles(pdf.read_bytes(), demo_store))
    units = set(example_units(example_workspace / "kinerja.xlsx"))
    in_force = [r1] + [
        a for a in ceremony.agreements if a.unit.kode in units - {"DINKES"} and a.jenis.has_targets
    ]
    values, spent = realisasi(ceremony)
    book = root / "realisasi.xlsx"
    write_realisasi(in_force, book, values, spent)
    yield from _read_only(root)


def test_a_pk_perubahan_replaces_the_pk(
    with_revision: Path, demo_store: Path, tmp_path: Path
) -> None:
    """The user's report: a unit's PK and PK Perubahan in one folder. The unit is evaluated
    once, with the revision's targets and budget; the PK is listed 'diganti' with the link; the
    budget totals count the unit once; the agreements come before the Pakta Integritas."""
    root = with_revision
    out = tmp_path / "evaluasi"
    code, stdout, stderr = evaluate(
        str(root / "arsip"),
        "--realisasi",
        str(root / "realisasi.xlsx"),
        "--trust",
        str(demo_store),
        "-o",
        str(out),
        "--format",
        "json,xlsx,pdf",
    )
    assert code == 0, stdout + stderr
    report = json.loads((out / "evaluasi.json").read_text())
    results = report["perjanjian"]
    assert _statuses(json.dumps({"perjanjian": results}))["DINKES"] == [
        ("pk-2026-dinkes", "diganti"),
        ("pkp-2026-dinkes-r1", "dievaluasi"),
        ("pi-2026-dinkes", "tidak berlaku"),
    ]
    kinds = [p["jenis"] for p in results]
    first_pakta = kinds.index("pakta-integritas")
    assert all(k == "pakta-integritas" for k in kinds[first_pakta:])
    by_id = {p["id"]: p for p in results}
    old, new = by_id["pk-2026-dinkes"], by_id["pkp-2026-dinkes-r1"]
    assert old["diganti_oleh"] == "pkp-2026-dinkes-r1" and "pkp-2026-dinkes-r1" in old["alasan"]
    assert new["menggantikan"] == "pk-2026-dinkes"
    aki = next(r for r in new["indikator"] if r["kode"] == "DINKES.01")
    assert aki["target"] == 80
    assert [p["kode"] for p in new["program"]] == ["1.02.01", "1.02.02"]
    evaluated = [p for p in results if p["status"] == "dievaluasi"]
    assert sorted(p["unit"]["kode"] for p in evaluated) == sorted(
        {p["unit"]["kode"] for p in evaluated}
    ), "each unit once"
    totals = report["ringkasan"]
    assert totals["unit"] == len(evaluated)
    assert totals["anggaran"] == sum(p["anggaran"] for p in evaluated)
    assert new["anggaran"] == 112_480_250_000 + 48_500_000_000
    summary = load_workbook(out / "evaluasi.xlsx")["Ringkasan"]
    dinkes_rows = [r for r in summary.iter_rows(values_only=True) if r[1] == "DINKES"]
    assert [(r[3], r[4]) for r in dinkes_rows] == [
        ("Perjanjian Kinerja", "diganti"),
        ("Perjanjian Kinerja Perubahan", "dievaluasi"),
        ("Pakta Integritas", "tidak berlaku"),
    ]
    assert (out / "evaluasi.pdf").stat().st_size > 0


def test_a_triwulan_before_the_revision_keeps_the_pk(with_revision: Path, demo_store: Path) -> None:
    """Triwulan II ends on 30 June, before the revision's 1 July: the PK is in force, with its
    own target; the revision is 'belum berlaku'."""
    root = with_revision
    code, stdout, stderr = evaluate(
        str(root / "arsip"),
        "--realisasi",
        str(root / "realisasi.xlsx"),
        "--trust",
        str(demo_store),
        "--periode",
        "tw2",
        "--json",
    )
    assert code == 0, stdout + stderr
    assert _statuses(stdout)["DINKES"] == [
        ("pk-2026-dinkes", "dievaluasi"),
        ("pkp-2026-dinkes-r1", "belum berlaku"),
        ("pi-2026-dinkes", "tidak berlaku"),
    ]
    [pk] = [p for p in json.loads(stdout)["perjanjian"] if p["id"] == "pk-2026-dinkes"]
    assert next(r for r in pk["indikator"] if r["kode"] == "DINKES.01")["target"] == 92
