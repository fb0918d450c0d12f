"""Generate for real: the whole example ceremony through docxtpl, LibreOffice and prepare,
checked with poppler (pdftotext, pdffonts) and qpdf as second opinions."""

from __future__ import annotations

import io
import json
import re
import shutil
import signal
import subprocess
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest

from signer import canonical, formatting
from signer.batch import Status
from signer.canonical import verification_payload
from signer.generate.prepare import BOOKMARK_ROLE, attachment_name, named_destinations
from signer.generate.render import Kertas
from signer.generate.stage import MANIFEST, GenerateOptions, generate, is_signed
from signer.kinds import JenisDokumen
from signer.model import Agreement, Ceremony, Peran
from signer.workbooks.ceremony_read import read_workbook
from tests.conftest import run_kinerja

A4 = (595.3, 841.9)

# LibreOffice renders every PDF here (the template checks refuse before it starts)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def generated(
    example_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Ceremony, Path]:
    """The whole example ceremony, generated once for the tests that only read it."""
    out = tmp_path_factory.mktemp("generated")
    ceremony = read_workbook(example_workspace / "kinerja.xlsx")
    outcomes = generate(
        ceremony, example_workspace / "kinerja.xlsx", GenerateOptions(out=out, progress=False)
    )
    failed = [o for o in outcomes if o.status is not Status.DONE]
    assert not failed, failed[:3]
    return ceremony, out


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(path: Path) -> str:
    raw = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # a cell breaks a line after a hyphen ("ber-" / "KB"): the word is one
    return words(re.sub(r"(?<=\w-)\n(?=\w)", "", raw))


def embedded(path: Path) -> dict[str, bytes]:
    with pikepdf.open(path) as pdf:
        return {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}


def expected_strings(a: Agreement) -> list[str]:
    """What the pages must show: every party name, indikator, formatted target and arah, and
    the legend of the arah."""
    out = [a.pihak_pertama.nama, a.pihak_kedua.nama, a.pihak_pertama.jabatan]
    for i in a.indikator:
        out += [i.uraian, formatting.target(i.target), formatting.arah(i.arah)]
        out += [formatting.target(t) for t in i.target_triwulan or ()]
    if a.indikator:
        out.append(formatting.arah_keterangan(i.arah for i in a.indikator))
    out += [formatting.rupiah(p.anggaran) for p in a.program]
    if a.program:
        out.append(formatting.rupiah(a.jumlah_anggaran))
    out.append(formatting.digest_grouped(canonical.digest(canonical.to_json(a))))
    return [words(s) for s in out]


@pytest.mark.office
def test_every_agreement_renders_with_its_data_on_the_pages(generated) -> None:  # type: ignore[no-untyped-def]
    ceremony, out = generated
    assert len(ceremony.agreements) >= 80
    for a in ceremony.agreements:
        pdf = out / f"{a.id}.pdf"
        text = pdf_text(pdf)
        missing = [s for s in expected_strings(a) if s not in text]
        assert not missing, f"{pdf.name} lacks {missing[:5]}"


@pytest.mark.office
def test_embedded_json_is_the_model(generated) -> None:  # type: ignore[no-untyped-def]
    ceremony, out = generated
    for a in ceremony.agreements:
        files = embedded(out / f"{a.id}.pdf")
        assert list(files) == [attachment_name(a)]
        data = files[attachment_name(a)]
        assert data == canonical.to_json(a)
        assert canonical.from_json(data) == a


@pytest.mark.office
def test_associated_file_and_pdfa_metadata(generated) -> None:  # type: ignore[no-untyped-def]
    ceremony, out = generated
    a = ceremony.agreements[0]
    path = out / f"{a.id}.pdf"
    assert path.read_bytes().startswith(b"%PDF-1.7")
    with pikepdf.open(path) as pdf:
        [spec] = list(pdf.Root.AF)
        assert spec.AFRelationship == "/Data"
        assert attachment_name(a) == spec.UF
        stream = spec.EF.F
        assert stream.Subtype == "/application/json"
        assert int(stream.Params.Size) == len(canonical.to_json(a))
        assert bytes(stream.Params.CheckSum) != b""
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "3B"
        assert meta["dc:title"] == str(pdf.docinfo.Title)
        assert a.unit.nama in str(pdf.docinfo.Title)
        assert str(pdf.docinfo.Author) == a.instansi.nama
        assert meta["dc:creator"] == [a.instansi.nama]
        assert meta["dc:description"] == str(pdf.docinfo.Subject)
        assert a.id in str(pdf.docinfo.Subject)
        assert meta["pdf:Producer"] == str(pdf.docinfo.Producer)
        assert "/OutputIntents" in pdf.Root


@pytest.mark.office
def test_qr_code_carries_id_and_digest(generated, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ceremony, out = generated
    for a in (ceremony.agreements[0], ceremony.agreements[-1]):
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", str(out / f"{a.id}.pdf"), str(tmp_path / a.id)],
            check=True,
        )
        digest = canonical.digest(canonical.to_json(a))
        for page in sorted(tmp_path.glob(f"{a.id}-*.png")):
            scan = subprocess.run(
                ["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True
            )
            assert scan.stdout.split() == [verification_payload(a, digest)], page.name


@pytest.mark.office
def test_fonts_embedded_and_qpdf_clean(generated) -> None:  # type: ignore[no-untyped-def]
    _, out = generated
    for pdf in sorted(out.glob("*.pdf")):
        fonts = subprocess.run(
            ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert fonts, pdf.name
        for line in fonts:
            assert re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line), line
            emb = line.split()[-5]
            assert emb == "yes", f"{pdf.name}: font not embedded: {line}"
        check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "No syntax or stream encoding errors found" in check.stdout


def _word_boxes(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """Words on a page with (xMin, yMin, xMax, yMax) in PDF user space (origin bottom left)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page + 1), "-l", str(page + 1), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))  # type: ignore[union-attr]
    out = []
    for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
        r'yMax="([\d.]+)">([^<]*)</word>',
        html,
    ):
        x1, y1, x2, y2 = (float(v) for v in m.groups()[:4])
        out.append((m.group(5), x1, height - y2, x2, height - y1))
    return out


def _fields(pdf_path: Path) -> dict[str, tuple[int, tuple[float, ...], pikepdf.Dictionary]]:
    with pikepdf.open(pdf_path) as pdf:
        pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
        out = {}
        for f in pdf.Root.AcroForm.Fields:
            rect = tuple(float(v) for v in f.Rect)
            out[str(f.T)] = (pages[f.P.objgen], rect, pikepdf.Dictionary(f))
        return out


@pytest.mark.office
def test_signature_fields_empty_and_inside_their_blocks(generated) -> None:  # type: ignore[no-untyped-def]
    ceremony, out = generated
    for a in ceremony.agreements:
        path = out / f"{a.id}.pdf"
        fields = _fields(path)
        assert set(fields) == {r.value for r in Peran}
        for role in Peran:
            page, (x1, y1, x2, y2), field = fields[role.value]
            assert field.FT == "/Sig" and "/V" not in field, "empty signature field"
            assert int(field.F) & 4, "printable"
            assert "/AP" in field and "/Lock" in field
            assert x2 - x1 >= 120 and y2 - y1 >= 40, (a.id, role, (x1, y1, x2, y2))
            boxes = _word_boxes(path, page)
            inside = [w for w in boxes if w[1] < x2 and w[3] > x1 and w[2] < y2 and w[4] > y1]
            assert not inside, f"{a.id} {role}: text under the signature box: {inside}"
            # the party's name sits right under the box, its jabatan above it
            first_name_word = a.pihak(role).nama.split()[0]
            below = [
                w
                for w in boxes
                if w[0] == first_name_word
                and w[4] <= y1 + 1
                and y1 - w[4] < 30
                and w[1] < x2
                and w[3] > x1
            ]
            assert below, f"{a.id} {role}: {first_name_word!r} not just below {x1, y1, x2, y2}"
        left = fields[Peran.PIHAK_KEDUA.value][1][0]
        right = fields[Peran.PIHAK_PERTAMA.value][1][0]
        assert left < right, "pihak kedua on the left, pihak pertama on the right"


@pytest.mark.office
def test_bookmarks_are_in_every_signature_block(generated) -> None:  # type: ignore[no-untyped-def]
    ceremony, out = generated
    pk = next(a for a in ceremony.agreements if a.jenis is JenisDokumen.PERJANJIAN_KINERJA)
    with pikepdf.open(out / f"{pk.id}.pdf") as pdf:
        dests = named_destinations(pdf)
    for word in BOOKMARK_ROLE.values():
        for place in ("1", "2"):  # the statement page and the lampiran
            start, end = dests[f"Sig{word}{place}"], dests[f"SigEnd{word}{place}"]
            assert start.page == end.page and start.top > end.top


@pytest.mark.office
def test_kepala_daerah_has_no_nip_line(generated) -> None:  # type: ignore[no-untyped-def]
    ceremony, out = generated
    a = next(
        a
        for a in ceremony.agreements
        if a.pihak_kedua.kepala_daerah and a.jenis is JenisDokumen.PERJANJIAN_KINERJA
    )
    text = pdf_text(out / f"{a.id}.pdf")
    assert text.count("NIP.") == 2, "NIP lines of pihak pertama only, statement and lampiran"
    b = next(
        a
        for a in ceremony.agreements
        if not a.pihak_kedua.kepala_daerah and a.jenis is JenisDokumen.PERJANJIAN_KINERJA
    )
    assert pdf_text(out / f"{b.id}.pdf").count("NIP.") == 4


@pytest.mark.office
def test_long_lampiran_repeats_its_header(example_workspace: Path, tmp_path: Path) -> None:
    ceremony = read_workbook(example_workspace / "kinerja.xlsx")
    dinkes = next(a for a in ceremony.agreements if a.id == "pk-2026-dinkes")
    model = next(i for i in dinkes.indikator if i.target_triwulan)
    rows = tuple(
        replace(
            model,
            kode=f"DINKES.{n:02d}",
            uraian=f"Indikator uji nomor {n} dengan uraian yang cukup panjang",
        )
        for n in range(1, 31)
    )
    a = replace(dinkes, sasaran=(replace(dinkes.sasaran[0], indikator=rows),))
    c = Ceremony(ceremony.instansi, ceremony.tahun, (a,))
    generate(
        c, example_workspace / "kinerja.xlsx", GenerateOptions(out=tmp_path, jobs=1, progress=False)
    )
    path = tmp_path / f"{a.id}.pdf"
    text = pdf_text(path)
    assert all(words(i.uraian) in text for i in rows), "all 30 rows come through"
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout,
        ).group(1)
    )  # type: ignore[union-attr]
    page_texts = [
        words(
            subprocess.run(
                ["pdftotext", "-raw", "-f", str(p), "-l", str(p), str(path), "-"],
                capture_output=True,
                text=True,
            ).stdout
        )
        for p in range(1, pages + 1)
    ]
    # the header cell wraps its two words in the triwulan table
    lampiran_pages = [t for t in page_texts if "Indikator Kinerja" in t]
    assert len(lampiran_pages) >= 3, "the 30-row table runs over pages, header on each"
    # an indikator's four rows stay on one page: its merged cells never split
    tw = [formatting.target(t) for t in model.target_triwulan or ()]
    quarters = " ".join(f"{n} {t}" for n, t in zip(("I", "II", "III", "IV"), tw, strict=True))
    for i in rows:
        block = words(
            f"{i.uraian} {i.satuan} {formatting.arah(i.arah)} {formatting.target(i.target)} "
            + quarters
        )
        assert any(block in t for t in lampiran_pages), f"{i.kode} is split over pages"


@pytest.mark.office
def test_special_characters_and_paper_size(example_workspace: Path, tmp_path: Path) -> None:
    ceremony = read_workbook(example_workspace / "kinerja.xlsx")
    a = next(a for a in ceremony.agreements if a.jenis is JenisDokumen.PERJANJIAN_KINERJA)
    tricky = replace(
        a,
        pihak_pertama=replace(a.pihak_pertama, nama='Dra. Sri "Ani" Wulandari & <Rekan>, M.Si.'),
        unit=replace(a.unit, nama="Dinas Pendidikan & Kebudayaan"),
    )
    c = Ceremony(ceremony.instansi, ceremony.tahun, (tricky,))
    outcomes = generate(
        c,
        example_workspace / "kinerja.xlsx",
        GenerateOptions(out=tmp_path, kertas=Kertas.F4, docx=True, jobs=1, progress=False),
    )
    assert [o.status for o in outcomes] == [Status.DONE]
    pdf = tmp_path / f"{a.id}.pdf"
    assert 'Dra. Sri "Ani" Wulandari & <Rekan>, M.Si.' in pdf_text(pdf)
    assert (tmp_path / f"{a.id}.docx").exists()
    with pikepdf.open(pdf) as p:
        w, h = (float(v) for v in p.pages[0].mediabox[2:])
        assert "Dinas Pendidikan & Kebudayaan" in str(p.docinfo.Title)
        assert p.open_metadata()["dc:title"] == str(p.docinfo.Title)
    assert abs(w - 215 / 25.4 * 72) < 1 and abs(h - 330 / 25.4 * 72) < 1


@pytest.mark.office
def test_second_run_skips_and_signed_files_are_kept(
    example_workspace: Path, tmp_path: Path
) -> None:
    book = example_workspace / "kinerja.xlsx"
    ceremony = read_workbook(book)
    few = Ceremony(ceremony.instansi, ceremony.tahun, ceremony.agreements[:3])
    options = GenerateOptions(out=tmp_path, jobs=1, progress=False)
    assert {o.status for o in generate(few, book, options)} == {Status.DONE}
    start = time.perf_counter()
    again = generate(few, book, options)
    assert {o.status for o in again} == {Status.SKIPPED}
    assert time.perf_counter() - start < 3, "nothing changed: no LibreOffice, no rendering"
    assert json.loads((tmp_path / MANIFEST).read_text()).keys() == {
        f"{a.id}.pdf" for a in few.agreements
    }

    # a changed target regenerates only that agreement
    first = few.agreements[0]
    s0 = first.sasaran[0]
    renamed = replace(s0.indikator[0], uraian=s0.indikator[0].uraian + " (revisi)")
    changed = replace(
        first, sasaran=(replace(s0, indikator=(renamed, *s0.indikator[1:])), *first.sasaran[1:])
    )
    few2 = Ceremony(few.instansi, few.tahun, (changed, *few.agreements[1:]))
    statuses = [o.status for o in generate(few2, book, options)]
    assert statuses == [Status.DONE, Status.SKIPPED, Status.SKIPPED]

    # a file that carries a signature is never overwritten
    target = tmp_path / f"{first.id}.pdf"
    with pikepdf.open(target, allow_overwriting_input=True) as pdf:
        for f in pdf.Root.AcroForm.Fields:
            f.V = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Sig))
        pdf.save(target)
    assert is_signed(target)
    before = target.read_bytes()
    outcome = generate(few, book, options)[0]
    assert outcome.status is Status.KEPT
    assert target.read_bytes() == before


def test_bad_template_is_reported_per_file(example_workspace: Path, tmp_path: Path) -> None:
    from docx import Document

    bad = tmp_path / "bad.docx"
    doc = Document()
    doc.add_paragraph("{{ pihak_pertama.gelar_palsu }}")
    doc.save(bad)
    result = run_kinerja(
        "generate",
        str(example_workspace / "kinerja.xlsx"),
        "-o",
        str(tmp_path / "out"),
        "--only",
        "DINKES",
        "--kind",
        "pakta-integritas",
        "--template",
        str(bad),
    )
    assert result.returncode == 2
    assert "gelar_palsu" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_template_check_command(tmp_path: Path) -> None:
    from docx import Document

    from signer.generate.render import builtin_template

    for kind in JenisDokumen:
        result = run_kinerja("template", "check", str(builtin_template(kind)), "--kind", kind.value)
        assert result.returncode == 0, result.stderr
        assert "pihak_pertama" in result.stdout
    bad = tmp_path / "mine.docx"
    doc = Document()
    doc.add_paragraph("{{ nama_bupati }} {{ tahun }}")
    doc.save(bad)
    result = run_kinerja("template", "check", str(bad))
    assert result.returncode == 2
    assert "nama_bupati" in result.stderr and "does not provide" in result.stderr
    # a lampiran that hides the arah evaluation reads is refused
    no_arah = tmp_path / "tanpa-arah.docx"
    with (
        zipfile.ZipFile(builtin_template(JenisDokumen.PERJANJIAN_KINERJA)) as src,
        zipfile.ZipFile(no_arah, "w") as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"{{ r.arah }}", b"")
            dst.writestr(info, data)
    result = run_kinerja("template", "check", str(no_arah))
    assert result.returncode == 2
    assert "does not print the arah" in result.stderr and "{{ r.arah }}" in result.stderr


@pytest.mark.office
def test_interrupted_batch_carries_on(example_workspace: Path, tmp_path: Path) -> None:
    from tests.conftest import KINERJA

    out = tmp_path / "out"
    args = [
        KINERJA,
        "generate",
        str(example_workspace / "kinerja.xlsx"),
        "-o",
        str(out),
        "--kind",
        "pakta-integritas",
        "--jobs",
        "1",
    ]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("*.pdf"))) < 3:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    proc.wait(60)
    done_before = {p.name for p in out.glob("*.pdf")}
    assert 3 <= len(done_before) < 44
    for pdf in done_before:  # every file present is complete
        subprocess.run(["qpdf", "--check", str(out / pdf)], check=True, capture_output=True)
    result = run_kinerja(*args[1:], "--json")
    assert result.returncode == 0, result.stderr
    report = {r["file"]: r["status"] for r in json.loads(result.stdout)}
    assert len(report) == 44
    assert {report[name] for name in done_before} == {"skipped"}
    assert not list(out.glob(".*.part")), "no half-written files"
    shutil.rmtree(out)


@pytest.mark.office
def test_every_agreement_reads_as_its_data(generated) -> None:  # type: ignore[no-untyped-def]
    """The verifier's reading of the pages (fields in place, code, QR, glyphs) finds every
    generated agreement equal to its data: no untouched agreement fails."""
    from tests.integration.test_pages_bound import problems

    ceremony, out = generated
    found = {a.id: problems(out / f"{a.id}.pdf") for a in ceremony.agreements}
    assert not any(found.values()), {k: v[:3] for k, v in found.items() if v}


@pytest.mark.office
def test_a_document_that_could_not_verify_is_not_written(
    example_workspace: Path, tmp_path: Path
) -> None:
    """A user's template that renames a signature heading renders and converts, but its pages
    would never verify: generate names the file, the unit, the page and text and what to change,
    writes nothing and exits 1 (a failed verification, not bad input)."""
    from signer.generate.render import builtin_template

    source = builtin_template(JenisDokumen.PERJANJIAN_KINERJA).read_bytes()
    renamed = tmp_path / "pk.docx"
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(renamed, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                assert b"PIHAK PERTAMA," in data
                data = data.replace(b"PIHAK PERTAMA,", b"PIHAK KESATU,")
            dst.writestr(info, data)
    out = tmp_path / "out"
    result = run_kinerja(
        "generate",
        str(example_workspace / "kinerja.xlsx"),
        "-o",
        str(out),
        "--only",
        "DINKES",
        "--kind",
        "perjanjian-kinerja",
        "--template",
        f"perjanjian-kinerja={renamed}",
    )
    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    assert "pk-2026-dinkes.pdf: not written, its pages would never verify (unit DINKES" in said
    assert "page 1: " in said and "PIHAK PERTAMA," in said and "Traceback" not in said
    assert "To fix: change the template for perjanjian-kinerja" in said
    assert not list(out.glob("*.pdf"))
