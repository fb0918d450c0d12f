"""Lampiran of every size on both papers: generated, signed by both parties and verified VALID.

1, 10, 35 and 80 indikator, with and without triwulan targets, on A4 and F4 (16 documents):
long sasaran and indikator texts, sasaran of 1 to 14 indikator, so that the table breaks at
many places (inside a sasaran's merged cell, between sasaran, just above the footer). No row is
split across pages, each signature block starts on a page with the lines above it, the jabatan
keeps "Plt." and "dr." in its capitals, and signing before the agreement's date warns.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from signer.batch import Status, expand_inputs
from signer.demo_pki.pki import build_demo_pki, write_demo_pki
from signer.generate.render import Kertas
from signer.generate.stage import GenerateOptions, generate
from signer.model import (
    SKALA_PREDIKAT,
    Agreement,
    Arah,
    Ceremony,
    Indikator,
    Peran,
    Predikat,
    Rentang,
    Sasaran,
    Target,
)
from signer.sign import Level, SignOptions, sign_files
from signer.trust import load_trust_config
from signer.verify.binding import LAMPIRAN_TW
from signer.verify.drawn import drawn_pages
from signer.verify.evidence import VerifyOptions
from signer.verify.layout import same_text, segments, tables
from signer.verify.result import Verdict
from signer.verify.run import prepared_problems, verify_paths
from signer.workbooks.ceremony_read import read_workbook
from tests.helpers import demo_audit, demo_backend

pytestmark = [pytest.mark.slow, pytest.mark.office]

SIZES = (1, 10, 35, 80)
WORDS = (
    *("persentase", "cakupan", "pelayanan", "kesehatan", "dasar", "masyarakat", "miskin"),
    *("yang", "tertangani", "sesuai", "standar", "pelayanan", "minimal", "bidang"),
    *("kesehatan", "di", "seluruh", "puskesmas", "kecamatan"),
)
JABATAN = "Plt. Direktur Rumah Sakit Umum Daerah dr. Soedono"


def _words(start: int, count: int) -> str:
    return " ".join(WORDS[(start + k) % len(WORDS)] for k in range(count))


def indikator(n: int, triwulan: bool) -> Indikator:
    """Indikator ``n``: 7 to 28 words, each arah in turn."""
    kode, uraian = f"RSUD.{n:03d}", f"Indikator {n}: {_words(n, 6 + (n * 7) % 22)}"
    quarters: dict[Arah, tuple[Target, Target, Target, Target]] = {
        Arah.NAIK: (Decimal(20), Decimal(40), Decimal(60), Decimal("75.5")),
        Arah.TURUN: (Decimal(15), Decimal(14), Decimal(13), Decimal(12)),
        Arah.RENTANG: (Rentang(Decimal("69.1"), Decimal("69.5")),) * 4,
        Arah.PREDIKAT: (Predikat("WTP"),) * 4,
    }
    arah = list(quarters)[n % 4]
    satuan = {Arah.NAIK: "persen", Arah.TURUN: "kasus per 1.000 kelahiran"}.get(arah, "indeks")
    skala = ("Opini BPK", SKALA_PREDIKAT["Opini BPK"]) if arah is Arah.PREDIKAT else (None, None)
    tw: tuple[Target, Target, Target, Target] = quarters[arah]
    return Indikator(
        kode,
        uraian,
        "predikat" if arah is Arah.PREDIKAT else satuan,
        arah,
        tw[3],
        tw if triwulan else None,
        skala[1],
        skala[0],
    )


def with_lampiran(base: Agreement, size: int, triwulan: bool, tanggal: dt.date) -> Agreement:
    """``base`` with ``size`` indikator in sasaran of 1, 9, 3, 14, 2, 7, 5, 1, ... indikator."""
    pattern, n = (1, 9, 3, 14, 2, 7, 5), 0
    sasaran: list[Sasaran] = []
    while n < size:
        count = min(pattern[len(sasaran) % len(pattern)], size - n)
        rows = tuple(indikator(n + k + 1, triwulan) for k in range(count))
        n += count
        s = len(sasaran) + 1
        uraian = f"Sasaran {s}: meningkatnya kualitas {_words(s * 3, 4 + (s * 5) % 18)}"
        sasaran.append(Sasaran(uraian, rows))
    kode = f"RS{size}{'TW' if triwulan else ''}"
    return replace(
        base,
        unit=replace(base.unit, kode=kode, nama="Rumah Sakit Umum Daerah dr. Soedono"),
        pihak_pertama=replace(base.pihak_pertama, jabatan=JABATAN),
        sasaran=tuple(sasaran),
        tanggal=tanggal,
    )


def split_rows(pdf: Path, a: Agreement) -> list[str]:
    """Indikator cells that hold part of an indikator (a row split across pages)."""
    uraian = [i.uraian for i in a.indikator]
    return [
        f"page {p.index + 1}: '{cell.text[:40]}'"
        for p in drawn_pages(pdf.read_bytes())
        for t in tables(p, "Indikator Kinerja", LAMPIRAN_TW)
        for cell in t.columns["Indikator Kinerja"]
        if not any(same_text(list(cell.lines), u) for u in uraian)
    ]


def lonely_signature_blocks(pdf: Path) -> list[str]:
    """Pages whose first line is a signature block's (it started a page alone)."""
    out = []
    for p in drawn_pages(pdf.read_bytes()):
        segs = segments(p)
        if segs and any(s.text == "PIHAK PERTAMA," for s in segs[:3]):
            out.append(f"page {p.index + 1} starts with a signature block")
    return out


def test_every_lampiran_size_on_a4_and_f4_signs_and_verifies(
    example_workspace: Path, tmp_path: Path
) -> None:
    book = example_workspace / "kinerja.xlsx"
    ceremony = read_workbook(book)
    base = next(a for a in ceremony.agreements if a.id == "pk-2026-dinkes")
    later = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)  # signed before its date
    agreements = tuple(
        with_lampiran(base, size, tw, later) for size in SIZES for tw in (False, True)
    )
    for kertas in Kertas:
        out = tmp_path / kertas.value
        made = generate(
            Ceremony(ceremony.instansi, ceremony.tahun, agreements),
            book,
            GenerateOptions(
                out=out, kertas=kertas, jobs=2, progress=False, audit=prepared_problems
            ),
        )
        assert {o.status for o in made} == {Status.DONE}, [o.detail for o in made]
        for a in agreements:
            pdf = out / f"{a.id}.pdf"
            assert not split_rows(pdf, a), (kertas, a.id, split_rows(pdf, a))
            assert not lonely_signature_blocks(pdf), (kertas, a.id)
        text = subprocess.run(
            ["pdftotext", str(out / f"{agreements[0].id}.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Plt. DIREKTUR RUMAH SAKIT UMUM DAERAH dr. SOEDONO" in re.sub(r"\s+", " ", text)

    # a demo key store whose certificates carry the Plt. jabatan (the signer checks the title)
    demo_store = tmp_path / "keys"
    parties = Ceremony(ceremony.instansi, ceremony.tahun, agreements).parties
    write_demo_pki(build_demo_pki(parties, ceremony.instansi.nama), demo_store, parties, b"demo")
    files = expand_inputs([tmp_path / k.value for k in Kertas])
    assert len(files) == 2 * len(agreements)
    backend, audit = demo_backend(demo_store), demo_audit(demo_store)
    for role in Peran:
        signed = sign_files(
            files, backend, audit, SignOptions(role, Level.B_B, jobs=2, progress=False)
        )
        assert {o.status for o in signed} == {Status.DONE}, [o.detail for o in signed]
        assert all(
            len(o.warnings) == 1 and "before the agreement's date" in o.warnings[0] for o in signed
        ), [o.warnings for o in signed]
    reports = verify_paths(
        [f.path for f in files],
        VerifyOptions(load_trust_config([demo_store])),
        jobs=2,
        progress=False,
    )
    invalid = {
        str(f.path.relative_to(tmp_path)): (
            str(r) if isinstance(r, Exception) else [str(c) for c in r.failures][:3]
        )
        for f, r in zip(files, reports, strict=True)
        if isinstance(r, Exception) or r.verdict is not Verdict.VALID
    }
    assert not invalid, invalid
