"""A PK Perubahan as a real revision (its own date, number, reason, and the signed agreement it
replaces) and the kepala daerah's own PK (one signer), from a real workbook through generate,
sign, verify and evaluate; each new printed field bound to the data."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from signer import formatting
from signer.batch import Status, expand_inputs
from signer.embedded import read_embedded
from signer.generate.revisions import ReplacedNotFound, link_revisions
from signer.generate.stage import GenerateOptions, generate, select
from signer.kinds import JenisDokumen
from signer.model import Peran, Rujukan
from signer.sign import Level, SignOptions, sign_files
from signer.sign.stage import BatchRefused
from signer.trust import load_trust_config
from signer.verify.binding import page_problems
from signer.verify.drawn import drawn_pages
from signer.verify.evidence import VerifyOptions
from signer.verify.result import Verdict
from signer.verify.run import verify_file
from signer.workbooks.ceremony_read import read_workbook
from tests.conftest import edit_workbook
from tests.helpers import demo_audit, demo_backend

pytestmark = [pytest.mark.slow, pytest.mark.office]

ALASAN = "pergantian Kepala Dinas Kesehatan pada bulan Maret"
NOMOR = "800/045/DINKES/2026"
TANGGAL = dt.date(2026, 3, 16)


def _revision_and_kepala_daerah(wb) -> None:  # type: ignore[no-untyped-def]
    unit = wb["Unit"]
    heads = [c.value for c in unit[1]]
    col = {h: heads.index(h) + 1 for h in heads}
    for r in range(2, unit.max_row + 1):
        if unit.cell(r, col["Kode Unit"]).value == "DINKES":
            unit.cell(r, col["Dokumen"]).value = "PK Perubahan"
            unit.cell(r, col["Perubahan Ke"]).value = 1
            unit.cell(r, col["Alasan Perubahan"]).value = ALASAN
            unit.cell(r, col["Tanggal"]).value = TANGGAL
            unit.cell(r, col["Nomor"]).value = NOMOR
    row = {h: None for h in heads}
    row.update(
        {
            "Kode Unit": "KOTA",
            "Nama Unit": "Pemerintah Kota Contoh",
            "Jenis Unit": "pemerintah-daerah",
            "Pihak Pertama": "KDH",
            "Dokumen": "PK Kepala Daerah",
        }
    )
    unit.append([row[h] for h in heads])
    ind = wb["Indikator"]
    iheads = [c.value for c in ind[1]]
    for kode, uraian, satuan, arah, target in (
        ("IKU.01", "Indeks Pembangunan Manusia", "Indeks", "naik", 74.2),
        ("IKU.02", "Persentase Penduduk Miskin", "%", "turun", 6.8),
    ):
        values = {
            "Kode Unit": "KOTA",
            "Sasaran": "Meningkatnya kualitas hidup masyarakat Kota Contoh",
            "Kode Indikator": kode,
            "Indikator Kinerja": uraian,
            "Satuan": satuan,
            "Arah": arah,
            "Target": target,
        }
        ind.append([values.get(h) for h in iheads])
    prog = wb["Program"]
    pheads = [c.value for c in prog[1]]
    values = {
        "Kode Unit": "KOTA",
        "Kode Program": "1.02.02",
        "Program": "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat",
        "Anggaran (Rp)": 52400000000,
    }
    prog.append([values.get(h) for h in pheads])


def test_revision_and_kepala_daerah_pk_generate_sign_verify(
    example_workspace: Path, signed_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "keluaran"
    shutil.copytree(signed_example, out)
    book = tmp_path / "kinerja.xlsx"
    shutil.copy(example_workspace / "kinerja.xlsx", book)
    shutil.copy(example_workspace / "logo.png", tmp_path / "logo.png")
    edit_workbook(book, change=_revision_and_kepala_daerah)
    ceremony = read_workbook(book)
    picked = select(
        ceremony,
        ["DINKES", "KOTA"],
        [JenisDokumen.PERJANJIAN_KINERJA_PERUBAHAN, JenisDokumen.PERJANJIAN_KINERJA_KEPALA_DAERAH],
    )
    revision = next(a for a in picked.agreements if a.jenis.revision)
    # its own date, number and reason, from the Unit sheet
    assert (revision.tanggal, revision.nomor, revision.alasan_perubahan) == (TANGGAL, NOMOR, ALASAN)
    # not found without the folder of the replaced, signed PK
    with pytest.raises(ReplacedNotFound, match=r"unit DINKES.*pk-2026-dinkes"):
        link_revisions(picked, tmp_path / "elsewhere")
    linked = link_revisions(picked, out)
    revision = next(a for a in linked.agreements if a.jenis.revision)
    with (out / "pk-2026-dinkes.pdf").open("rb") as f:
        from pyhanko.pdf_utils.reader import PdfFileReader

        original = read_embedded(PdfFileReader(io.BytesIO(f.read())).root)
    assert revision.menggantikan == Rujukan("pk-2026-dinkes", original.sha256)

    outcomes = generate(linked, book, GenerateOptions(out=out, jobs=2, progress=False))
    assert {o.status for o in outcomes} == {Status.DONE}, outcomes
    backend, audit = demo_backend(demo_store), demo_audit(demo_store)
    new = [out / "pkp-2026-dinkes-r1.pdf", out / "pkd-2026-kota.pdf"]
    kd = out / "pkd-2026-kota.pdf"
    # named one by one, the kepala daerah's own PK cannot be signed as pihak kedua
    strict = SignOptions(Peran.PIHAK_KEDUA, Level.B_B, jobs=1, progress=False, strict_roles=True)
    with pytest.raises(BatchRefused, match="has no pihak-kedua"):
        sign_files(expand_inputs([kd]), backend, audit, strict)
    for role in Peran:
        done = sign_files(
            expand_inputs(new),
            backend,
            audit,
            SignOptions(role, Level.B_LTA, jobs=1, progress=False),
        )
        want = {Status.DONE} if role is Peran.PIHAK_PERTAMA else {Status.DONE, Status.KEPT}
        assert {o.status for o in done} == want, [o.detail for o in done]
    options = VerifyOptions(load_trust_config([demo_store]))
    for path in new:
        report = verify_file(path, options)
        assert report.verdict is Verdict.VALID, (path.name, report.failures[:5])
    kd_report = verify_file(kd, options)
    assert [s.role for s in kd_report.signatures] == [Peran.PIHAK_PERTAMA.value]
    _each_new_field_is_bound(out)


def _pages_and_agreement(path: Path):  # type: ignore[no-untyped-def]
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = path.read_bytes()
    return drawn_pages(data), read_embedded(PdfFileReader(io.BytesIO(data)).root).agreement


def _each_new_field_is_bound(out: Path) -> None:
    """The pages as generated and signed, against data that differs in one new field: every
    difference is found (so a page whose field was changed does not verify either)."""
    pages, revision = _pages_and_agreement(out / "pkp-2026-dinkes-r1.pdf")
    assert page_problems(revision, pages) == ([], [])
    assert revision.menggantikan is not None
    other = "0" * 64
    changed = {
        "nomor": replace(revision, nomor="800/046/DINKES/2026"),
        "no nomor": replace(revision, nomor=None),
        "own date": replace(revision, tanggal=dt.date(2026, 1, 15)),
        "reason": replace(revision, alasan_perubahan="perubahan anggaran pada bulan Maret"),
        "replaced id": replace(
            revision, menggantikan=Rujukan("pk-2025-dinkes", revision.menggantikan.sha256)
        ),
        "replaced code": replace(revision, menggantikan=Rujukan("pk-2026-dinkes", other)),
        "nothing replaced": replace(revision, menggantikan=None),
    }
    for what, data in changed.items():
        wrong, _ = page_problems(data, pages)
        assert wrong, f"{what}: the pages print another value, and nothing was found"
    pages, kd = _pages_and_agreement(out / "pkd-2026-kota.pdf")
    assert page_problems(kd, pages) == ([], [])
    kepala = kd.pihak_pertama
    for what, data in {
        "name": replace(kd, pihak_pertama=replace(kepala, nama="H. Arif Wicaksana, S.E., M.Si.")),
        "jabatan": replace(kd, pihak_pertama=replace(kepala, jabatan="Wakil Wali Kota Contoh")),
        "date": replace(kd, tanggal=dt.date(2026, 1, 16)),
        "nomor": replace(kd, nomor="050/001/2026"),
    }.items():
        wrong, _ = page_problems(data, pages)
        assert wrong, f"kepala daerah PK {what}: nothing was found"
    assert formatting.kalimat_perubahan(revision).startswith(f"Sehubungan dengan {ALASAN}, ")
