"""The printed pages equal the embedded data for every document the generator makes: each kind,
A4 and F4, a lampiran over several pages (with a sasaran split by page breaks), long names and
jabatan that wrap, a PK Perubahan. The attacks that must fail are in test_verify_attacks.py."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest

from signer.canonical import verification_payload
from signer.embedded import read_embedded
from signer.generate.render import Kertas
from signer.generate.stage import GenerateOptions, generate
from signer.kinds import JenisDokumen
from signer.model import Ceremony
from signer.verify.binding import code_problems, page_problems
from signer.verify.drawn import drawn_pages
from signer.verify.glyphs import glyph_problems
from signer.verify.qr import drawn_qr_codes
from signer.workbooks.ceremony_read import read_workbook

pytestmark = [pytest.mark.slow, pytest.mark.office]


def problems(path: Path) -> list[str]:
    """Everything the content checks would find in an untouched document."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = path.read_bytes()
    embedded = read_embedded(PdfFileReader(io.BytesIO(data)).root)
    a, sha256 = embedded.agreement, embedded.sha256
    pages = drawn_pages(data)
    wrong, unconfirmed = page_problems(a, pages)
    out = wrong + unconfirmed + code_problems(a, sha256, pages)
    payload = verification_payload(a, sha256)
    codes = drawn_qr_codes(data)
    out += [
        f"page {p + 1}: QR"
        for p in range(len(pages))
        if [c.payload for c in codes if c.page == p] != [payload]
    ]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out += [g.reason for g in glyph_problems(pdf)]
    return out


def test_every_prepared_agreement_is_bound(prepared_example: Path) -> None:
    files = sorted(prepared_example.glob("*.pdf"))
    assert any(f.name.startswith("pk-") for f in files) and any(
        f.name.startswith("pi-") for f in files
    )
    found = {f.name: problems(f) for f in files}
    assert not any(found.values()), {k: v[:3] for k, v in found.items() if v}


def test_f4_long_lampiran_perubahan_and_long_names_are_bound(
    example_workspace: Path, tmp_path: Path
) -> None:
    book = example_workspace / "kinerja.xlsx"
    ceremony = read_workbook(book)
    dinkes = next(a for a in ceremony.agreements if a.id == "pk-2026-dinkes")
    setda = next(a for a in ceremony.agreements if a.id == "pk-2026-setda")
    pakta = next(a for a in ceremony.agreements if a.jenis is JenisDokumen.PAKTA_INTEGRITAS)
    triwulan = next(i for i in dinkes.indikator if i.target_triwulan)
    plain = next(i for i in dinkes.indikator if not i.target_triwulan)
    # 26 indikator of one sasaran, alternating with and without triwulan: the sasaran's merged
    # cell runs over page breaks
    rows = tuple(
        replace(
            triwulan if n % 2 else plain,
            kode=f"DINKES.{n + 50:02d}",
            uraian=f"Indikator uji nomor {n} dengan uraian yang cukup panjang untuk dua baris",
        )
        for n in range(1, 27)
    )
    long_jabatan = (
        "Kepala Dinas Kependudukan, Pencatatan Sipil, Pemberdayaan Perempuan dan "
        "Perlindungan Anak Kota Contoh"
    )
    long_dinkes = replace(
        dinkes,
        sasaran=(replace(dinkes.sasaran[0], indikator=rows), *dinkes.sasaran[1:]),
        pihak_pertama=replace(
            dinkes.pihak_pertama,
            nama="Prof. Dr. dr. Anak Agung Ngurah Gede Wiratama Putra Kusumadewi, "
            "Sp.PD-KGEH., M.Kes.",
            jabatan=long_jabatan,
        ),
    )
    perubahan = replace(
        setda,
        jenis=JenisDokumen.PERJANJIAN_KINERJA_PERUBAHAN,
        perubahan_ke=1,
        # a reason citing another year and a date must not read as a contradiction
        alasan_perubahan="penyesuaian RPJMD Tahun 2025-2029 dan Perda tanggal 5 Maret 2026",
    )
    agreements = (long_dinkes, perubahan, pakta, setda)
    for kertas in Kertas:
        out = tmp_path / kertas.value
        generate(
            Ceremony(ceremony.instansi, ceremony.tahun, agreements),
            book,
            GenerateOptions(out=out, kertas=kertas, jobs=1, progress=False),
        )
        files = sorted(out.glob("*.pdf"))
        assert len(files) == len(agreements)
        found = {f"{kertas.value}/{f.name}": problems(f) for f in files}
        assert not any(found.values()), {k: v[:3] for k, v in found.items() if v}
        with pikepdf.open(out / f"{long_dinkes.id}.pdf") as pdf:
            assert len(pdf.pages) >= 4  # the lampiran really runs over pages
