"""Text as staff paste it, through the whole chain with the `kinerja` command: URLs long enough to
wrap (in the lampiran, a sasaran, a program, the kop), lists joined by '/' that wrap at the
slash (an indikator, the unit's name in the heading, a jabatan), soft hyphens, zero-width spaces,
a word joiner, non-breaking spaces, a tab and a line break pasted into one-line cells, and an
indikator as long as allowed, in capitals. `check` warns for each cell it changed; the agreements
are generated on A4 and F4, signed by both parties and verified: every one VALID. Text that cannot
be printed (too long for a page, a character the font has no glyph for) is refused at `check`
with its cell, exit 2."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from signer.verify.binding import LAMPIRAN_TW
from signer.verify.drawn import drawn_pages
from signer.verify.layout import segments, tables
from signer.workbooks.teks import PANJANG
from tests.conftest import edit_workbook, run_kinerja

pytestmark = [pytest.mark.slow, pytest.mark.office]

ENV = {**os.environ, "KINERJA_PASSPHRASE": "rahasia-upacara"}
URL = "https://sakip.kotacontoh.example/laporan/2026/dinas-kesehatan/perjanjian-kinerja"
UNIT = (
    "Dinas Kesehatan, Pengendalian Penduduk/Keluarga Berencana/Pemberdayaan Perempuan dan "
    "Perlindungan Anak"
)
WORDS = [
    "PERSENTASE",
    "CAKUPAN",
    "PELAYANAN",
    "KESEHATAN",
    "DASAR",
    "MASYARAKAT",
    "MISKIN",
    "YANG",
    "TERTANGANI",
]


# Indikator rows 16-20 and Program row 14 are DINKES's in the example workbook
PASTED = {
    ("Indikator", "D16"): f"Persentase laporan kinerja yang diunggah ke\u00a0{URL} tepat\twaktu",
    ("Indikator", "D17"): (
        "Cakupan pelayanan di Puskesmas/Pustu/Posyandu/Polindes/Poskesdes/Klinik Pratama "
        "dan/atau jejaring fasilitas kesehatan lainnya"
    ),
    ("Indikator", "D18"): "Preva\u00adlensi stunting\u200b pada balita (data\u2060 e-PPGBM)",
    ("Indikator", "D20"): (
        "Persentase puskesmas terakreditasi paripurna\r\nmenurut "
        "https://mutu.kotacontoh.example/akreditasi?tahun=2026&status=paripurna_utama"
    ),
    ("Program", "C14"): (
        "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota "
        "(https://sipd.kotacontoh.example/2026/program/1.02.01)"
    ),
    ("Unit", "B6"): UNIT,
    (
        "Pejabat",
        "D7",
    ): "Kepala Dinas Kesehatan/Pengendalian Penduduk/Keluarga Berencana Kota Contoh",
    ("Instansi", "B3"): (
        "Telepon (022) 555-0100, Laman https://www.kotacontoh.example/pemerintahan/"
        "organisasi-perangkat-daerah/dinas-kesehatan, Pos-el dinkes@kotacontoh.example"
    ),
}
SASARAN = f"Meningkatnya derajat kesehatan masyarakat sesuai {URL}/renstra/2026-2031"
# the kepala daerah (row 3), who signs every PK as pihak kedua and his own PK alone: a name and
# a jabatan that wrap in the signature columns, and a place that wraps beside the other column
KEPALA_DAERAH = {
    ("Pejabat", "B3"): "Prof. Dr. Ir. H. Muhammad Abdurrahman Wicaksono Prawiranegara, S.E., M.Si.",
    ("Pejabat", "D3"): "Wali Kota Contoh/Kepala Daerah Otonom Kota Contoh",
    ("Instansi", "B6"): "Sungai Harapan Barat Daya",
}


def _kepala_daerah_pk(wb) -> None:  # type: ignore[no-untyped-def]
    """The kepala daerah's own PK (unit KOTA), one indikator with a URL that wraps."""
    for sheet, values in (
        (
            "Unit",
            {
                "Kode Unit": "KOTA",
                "Nama Unit": "Pemerintah Kota Contoh",
                "Jenis Unit": "pemerintah-daerah",
                "Pihak Pertama": "KDH",
                "Dokumen": "PK Kepala Daerah",
            },
        ),
        (
            "Indikator",
            {
                "Kode Unit": "KOTA",
                "Sasaran": "Meningkatnya kualitas hidup masyarakat/warga Kota Contoh",
                "Kode Indikator": "IKU.01",
                "Indikator Kinerja": f"Indeks\u00a0Pembangunan Manusia menurut {URL}/ipm",
                "Satuan": "Indeks",
                "Arah": "naik",
                "Target": 74.2,
            },
        ),
    ):
        ws = wb[sheet]
        heads = [c.value for c in ws[1]]
        ws.append([values.get(h) for h in heads])


def ok(*args: str) -> str:
    r = run_kinerja(*args, env=ENV, timeout=900)
    assert r.returncode == 0, (args, r.stdout[-3000:], r.stderr[-3000:])
    assert "Traceback" not in r.stderr
    return r.stdout


def test_pasted_text_warns_prints_signs_and_verifies(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    edits = dict(PASTED)
    edits[("Indikator", "D19")] = " ".join(WORDS * 8)[: PANJANG["Indikator Kinerja"]].strip()
    for row in (16, 17, 18):
        edits[("Indikator", f"B{row}")] = SASARAN
    edit_workbook(book, edits | KEPALA_DAERAH, change=_kepala_daerah_pk)

    checked = json.loads(ok("check", str(book), "--json"))
    warned = {(w["sheet"], w["row"], w["column"]): w["message"] for w in checked["warnings"]}
    assert "non-breaking space" in warned["Indikator", 16, "D"]
    assert "tab" in warned["Indikator", 16, "D"]
    for what in ("soft hyphen", "zero-width space", "word joiner"):
        assert what in warned["Indikator", 18, "D"], warned
    assert "line break" in warned["Indikator", 20, "D"]
    assert ("Indikator", 17, "D") not in warned  # nothing to change in a slash-joined list

    out = workspace / "keluaran"
    only = ("--only", "DINKES", "--only", "KOTA")
    ok("generate", str(book), "-o", str(out / "a4"), *only)
    ok("generate", str(book), "-o", str(out / "f4"), *only, "--paper", "f4")
    pdfs = sorted(out.rglob("*.pdf"))
    names = ["pi-2026-dinkes.pdf", "pk-2026-dinkes.pdf", "pkd-2026-kota.pdf"]
    assert [p.name for p in pdfs] == names * 2

    # the pages break where the test means them to: at a slash inside a list, inside a URL,
    # and the unit's name in the heading over two lines
    pages = drawn_pages((out / "a4" / "pk-2026-dinkes.pdf").read_bytes())
    lines = [
        line
        for p in pages
        for t in tables(p, "Indikator Kinerja", LAMPIRAN_TW)
        for cells in t.columns.values()
        for c in cells
        for line in c.lines
    ]
    assert "Puskesmas/Pust" in lines and "dan/atau jejaring" in lines, lines
    assert any(line.endswith("/") and "//" not in line for line in lines), lines  # after a '/'
    assert any(line.endswith("?") for line in lines), lines
    assert any(line.startswith("https://") and line[-1].isalpha() for line in lines), lines
    first = [s.text for s in segments(pages[0])]
    place = [s.text for p in pages for s in segments(p) if "Sungai Harapan" in s.text]
    assert place and "Sungai Harapan Barat Daya, 15 Januari 2026" not in place, place  # wraps
    assert "DINAS KESEHATAN, PENGENDALIAN PENDUDUK/KELUARGA" in first, first
    assert any(s.endswith("Kesehatan/Pengendalian Penduduk/Keluarga") for s in first), first

    keys = workspace / "keys-teks"
    ok("keys", "demo", str(keys), "--workbook", str(book))
    for role in ("pihak-pertama", "pihak-kedua"):
        ok("sign", str(out), "--role", role, "--keys", str(keys), "--level", "B-B")
    r = run_kinerja("verify", str(out), "--trust", str(keys), "--json", env=ENV, timeout=900)
    verdicts = {
        str(Path(d["file"]).relative_to(out)): d["verdict"]
        for d in json.loads(r.stdout)["documents"]
    }
    assert r.returncode == 0 and set(verdicts.values()) == {"VALID"}, verdicts
    assert len(verdicts) == 6


def test_text_that_cannot_be_printed_is_refused_at_check(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    edit_workbook(
        book,
        {
            ("Indikator", "D19"): "Indeks kepuasan masyarakat " * 190,  # 5,130 characters
            ("Indikator", "D17"): "Cakupan pelayanan \u4e2d\u6587",
            ("Pejabat", "B7"): "dr. Rina Kartikasari, M.Kes. \U0001f3e5",
        },
    )
    for command in (("check", str(book)), ("generate", str(book), "-o", str(workspace / "o"))):
        r = run_kinerja(*command, env=ENV)
        said = r.stdout + r.stderr
        assert r.returncode == 2, said
        assert "Traceback" not in said
        assert "Indikator, row 19, column D (Indikator Kinerja): 5129 characters" in said
        assert f"at most {PANJANG['Indikator Kinerja']} fit the pages" in said
        assert "Indikator, row 17, column D (Indikator Kinerja): cannot be printed: cjk" in said
        assert "Pejabat, row 7, column B (Nama dan Gelar): cannot be printed: hospital" in said
    assert not (workspace / "o").exists() or not list((workspace / "o").rglob("*.pdf"))


def _at_limit(field: str, upper: bool = True) -> str:
    """A text of exactly the limit of ``field``, of words that wrap at '/' and at spaces."""
    words = [
        "PELAYANAN",
        "KESEHATAN/MASYARAKAT",
        "MISKIN",
        "WAJIB",
        "TERTANGANI",
        "SESUAI",
        "STANDAR",
    ]
    text, k = "", 0
    while len(text) < PANJANG[field] + 1:
        text += words[k % len(words)] + " "
        k += 1
    text = text[: PANJANG[field]].rstrip(" /")
    text += "A" * (PANJANG[field] - len(text))
    return text if upper else text.title()


def test_every_text_at_its_limit_signs_and_verifies(
    example_workspace: Path, tmp_path: Path
) -> None:
    """The limits of signer/workbooks/teks.py hold: a PK and a Pakta Integritas whose every text
    is as long as allowed (in capitals where a field may be typed so) generate on A4 and F4,
    sign by both parties and verify VALID."""
    from dataclasses import replace

    from signer.batch import Status, expand_inputs
    from signer.demo_pki.pki import build_demo_pki, write_demo_pki
    from signer.generate.render import Kertas
    from signer.generate.stage import GenerateOptions, generate
    from signer.model import Ceremony, Instansi, Peran, Sasaran
    from signer.sign import Level, SignOptions, sign_files
    from signer.trust import load_trust_config
    from signer.verify.evidence import VerifyOptions
    from signer.verify.result import Verdict
    from signer.verify.run import prepared_problems, verify_paths
    from signer.workbooks.ceremony_read import read_workbook
    from tests.helpers import demo_audit, demo_backend

    book = example_workspace / "kinerja.xlsx"
    c = read_workbook(book)
    pk = next(a for a in c.agreements if a.id == "pk-2026-dinkes")
    pi = next(a for a in c.agreements if a.id == "pi-2026-dinkes")
    instansi = Instansi(
        _at_limit("Pemerintah Daerah"),
        (_at_limit("Kop Baris"), _at_limit("Kop Baris", upper=False)),
        pk.instansi.logo,
    )
    pertama = replace(
        pk.pihak_pertama,
        nama=_at_limit("Nama dan Gelar", upper=False),
        jabatan=_at_limit("Jabatan", upper=False),
    )
    sasaran = tuple(
        Sasaran(
            _at_limit("Sasaran"),
            tuple(
                replace(i, uraian=_at_limit("Indikator Kinerja"), satuan=_at_limit("Satuan"))
                for i in s.indikator
            ),
        )
        for s in pk.sasaran
    )
    unit = replace(pk.unit, nama=_at_limit("Nama Unit", upper=False))
    tempat = _at_limit("Tempat", upper=False)
    agreements = tuple(
        replace(a, instansi=instansi, unit=unit, pihak_pertama=pertama, tempat=tempat)
        for a in (
            replace(
                pk,
                sasaran=sasaran,
                program=tuple(replace(p, uraian=_at_limit("Program")) for p in pk.program),
                nomor=_at_limit("Nomor"),
            ),
            pi,
        )
    )
    ceremony = Ceremony(instansi, c.tahun, agreements)
    for kertas in Kertas:
        made = generate(
            ceremony,
            book,
            GenerateOptions(
                out=tmp_path / kertas.value,
                kertas=kertas,
                jobs=2,
                progress=False,
                audit=prepared_problems,
            ),
        )
        assert {o.status for o in made} == {Status.DONE}, [o.detail for o in made]
    store = tmp_path / "keys"
    write_demo_pki(
        build_demo_pki(ceremony.parties, instansi.nama), store, ceremony.parties, b"demo"
    )
    files = expand_inputs([tmp_path / k.value for k in Kertas])
    backend, audit = demo_backend(store), demo_audit(store)
    for role in Peran:
        signed = sign_files(files, backend, audit, SignOptions(role, Level.B_B, progress=False))
        assert {o.status for o in signed} == {Status.DONE}, [o.detail for o in signed]
    reports = verify_paths(
        [f.path for f in files], VerifyOptions(load_trust_config([store])), progress=False
    )
    assert [getattr(r, "verdict", r) for r in reports] == [Verdict.VALID] * 4, [
        [str(c) for c in getattr(r, "failures", [r])][:3] for r in reports
    ]
