"""The generate stage: a ceremony workbook's agreements into ready-to-sign PDF/A-3b files.

Per agreement: render the Word template (docxtpl), convert it with a warm LibreOffice worker,
prepare it (embedded JSON, metadata, signature fields) and write ``OUT/<id>.pdf`` atomically.
A manifest in OUT remembers what each PDF was made from (template, data, logo, options), so a
second run with nothing changed skips it; a PDF that has been signed is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from signer import __version__, fsio
from signer.batch import Batch, Outcome, Status, default_jobs
from signer.errors import InputError
from signer.generate.logo import printed_logo, read_logo
from signer.generate.prepare import prepare
from signer.generate.render import Kertas, builtin_template, load_template, render
from signer.generate.template_check import check_template
from signer.kinds import JenisDokumen
from signer.model import Agreement, Ceremony
from signer.office.convert import OfficePool

MANIFEST = ".kinerja-generate.json"
_AUDIT = threading.Lock()


@dataclass(frozen=True)
class GenerateOptions:
    out: Path
    templates: dict[JenisDokumen, Path] = field(default_factory=dict)  # user templates by kind
    kertas: Kertas = Kertas.A4
    docx: bool = False  # also keep the rendered .docx beside each PDF
    jobs: int = field(default_factory=default_jobs)
    timeout: float = 60.0  # per document, for LibreOffice
    progress: bool = True
    # what a verifier would refuse in a ready-to-sign PDF (the CLI and the demo pass verify's)
    audit: Callable[[bytes], list[str]] | None = None


@dataclass(frozen=True)
class Generated:
    """What a generated PDF holds: its document id and the SHA-256 of its embedded data."""

    id: str
    sha256: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "sha256": self.sha256}


def output_name(a: Agreement) -> str:
    return f"{a.id}.pdf"


def is_signed(pdf_path: Path) -> bool:
    """True when the PDF holds a signature (so it must not be regenerated). Also for a damaged
    or truncated copy: a signature's /ByteRange is always written as plain bytes, and a
    document kinerja prepared has none until it is signed, so the bytes tell even when the
    file no longer reads as a PDF."""
    try:
        data = pdf_path.read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: keep it
    if b"/ByteRange" in data:
        return True
    try:
        with pikepdf.open(pdf_path) as pdf:
            form = pdf.Root.get("/AcroForm")
            if form is None:
                return False
            fields = list(form.get("/Fields", []))
            for _ in range(100_000):  # a field tree is small; a hostile one ends here
                if not fields:
                    return False
                f = fields.pop()
                if f.get("/FT") == "/Sig" and "/V" in f:
                    return True
                fields.extend(f.get("/Kids", []))
            return True
    except (pikepdf.PdfError, ValueError, TypeError, OSError):
        return False


class _Manifest:
    """What each output was made from; rewritten atomically after every file."""

    def __init__(self, folder: Path):
        self.path = folder / MANIFEST
        self._lock = threading.Lock()
        try:
            self.entries: dict[str, dict[str, object]] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.entries = {}

    def up_to_date(self, pdf: Path, source: str) -> bool:
        entry = self.entries.get(pdf.name)
        if not entry or entry.get("source") != source or not pdf.exists():
            return False
        st = pdf.stat()
        return entry.get("size") == st.st_size and entry.get("mtime_ns") == st.st_mtime_ns

    def record(self, pdf: Path, source: str) -> None:
        st = pdf.stat()
        with self._lock:
            self.entries[pdf.name] = {
                "source": source,
                "size": st.st_size,
                "mtime_ns": st.st_mtime_ns,
            }
            fsio.write_bytes(self.path, json.dumps(self.entries, indent=1, sort_keys=True).encode())


def _load_logo(ceremony: Ceremony, workbook: Path) -> bytes | None:
    if not ceremony.instansi.logo:
        return None
    return printed_logo(read_logo(ceremony.instansi.logo, workbook))


def generate(
    ceremony: Ceremony, workbook: Path, options: GenerateOptions
) -> list[Outcome[Generated]]:
    """Generate every agreement of ``ceremony`` into ``options.out``; one outcome per agreement."""
    _unique_names(ceremony)
    kinds = {a.jenis for a in ceremony.agreements}
    templates = {k: load_template(options.templates.get(k) or builtin_template(k)) for k in kinds}
    for kind in options.templates:
        samples = [a for a in ceremony.agreements if a.jenis is kind][:1]
        if samples:  # a user's template must print what evaluation reads, arah included
            check_template(templates[kind], samples)
    logo = _load_logo(ceremony, workbook)
    options.out.mkdir(parents=True, exist_ok=True)
    manifest = _Manifest(options.out)

    def source_of(a: Agreement, data: bytes) -> str:
        h = hashlib.sha256()
        for part in (
            __version__.encode(),
            templates[a.jenis],
            data,
            logo or b"",
            options.kertas.value.encode(),
            b"docx" if options.docx else b"",
        ):
            h.update(hashlib.sha256(part).digest())
        return h.hexdigest()

    with (
        tempfile.TemporaryDirectory(prefix="kinerja-generate-") as work,
        OfficePool(options.jobs, options.timeout) as office,
    ):

        def one(a: Agreement) -> Outcome[Generated]:
            from signer.canonical import to_json

            target = options.out / output_name(a)
            source = source_of(a, to_json(a))
            if manifest.up_to_date(target, source):
                return Outcome(target.name, Status.SKIPPED, "up to date")
            if target.exists() and is_signed(target):
                return Outcome(target.name, Status.KEPT, "already signed; not regenerated")
            rendered = render(a, templates[a.jenis], logo, options.kertas)
            docx = Path(work) / f"{a.id}.docx"
            pdf = Path(work) / f"{a.id}.pdf"
            docx.write_bytes(rendered.docx)
            office.convert(docx, pdf)
            ready, _boxes = prepare(pdf, a, rendered.data)
            pdf.unlink()
            if options.audit is not None:
                with _AUDIT:  # PDFium, which reads the pages, is not thread-safe
                    problems = options.audit(ready)
                if problems:
                    docx.unlink()
                    own = a.jenis in options.templates
                    return Outcome(target.name, Status.REFUSED, refusal(a, target, problems, own))
            # signed while this one was made (by a command that took no lock): keep the signed
            if target.exists() and is_signed(target):
                return Outcome(target.name, Status.KEPT, "signed meanwhile; not regenerated")
            fsio.write_bytes(target, ready)
            if options.docx:
                fsio.write_bytes(target.with_suffix(".docx"), rendered.docx)
            docx.unlink()
            manifest.record(target, source)
            return Outcome(
                target.name, Status.DONE, rendered.sha256, value=Generated(a.id, rendered.sha256)
            )

        # more threads than LibreOffice workers: rendering and preparing overlap conversions
        batch: Batch[Agreement, Generated] = Batch(
            "generate", one, output_name, jobs=options.jobs * 2, progress=options.progress
        )
        return batch.run(ceremony.agreements)


def _unique_names(ceremony: Ceremony) -> None:
    """Two agreements must never be written to one file (the workbook check refuses the rows;
    this holds for a ceremony built any other way)."""
    seen: dict[str, Agreement] = {}
    for a in ceremony.agreements:
        name = output_name(a)
        first = seen.setdefault(name, a)
        if first is not a:
            raise InputError(
                f"two agreements would be written to {name}: unit {first.unit.kode} "
                f"({first.jenis.judul}, {first.pihak_pertama.nama}) and unit {a.unit.kode} "
                f"({a.jenis.judul}, {a.pihak_pertama.nama}); give each unit its own Kode Unit"
            )


def refusal(a: Agreement, target: Path, problems: Sequence[str], own_template: bool) -> str:
    """Why a generated document was not written, in one line: the file and unit, where its pages
    differ from its data (page and text), and what to change."""
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    if own_template:
        change = (
            f"change the template for {a.jenis.value}: print kinerja's labels, columns and "
            "fields as its built-in template does (kinerja template check FILE)"
        )
    else:
        change = (
            "change the text named above in the workbook (sheets Unit, Pejabat, Indikator, "
            "Program): a text too long for one page or a character no font draws"
        )
    return (
        f"{target.name}: not written, its pages would never verify (unit {a.unit.kode}, "
        f"{a.unit.nama}): {'; '.join(problems[:3])}{more}. To fix: {change}"
    )


def select(
    ceremony: Ceremony, only: Sequence[str] = (), kinds: Sequence[JenisDokumen] = ()
) -> Ceremony:
    """The agreements of some units and kinds; an unknown unit kode is bad input."""
    known = {a.unit.kode.lower() for a in ceremony.agreements}
    for kode in only:
        if kode.lower() not in known:
            raise InputError(
                f"--only {kode}: no such unit in the workbook "
                f"(known: {', '.join(sorted(known))[:300]})"
            )
    picked = tuple(
        a
        for a in ceremony.agreements
        if (not only or a.unit.kode.lower() in {k.lower() for k in only})
        and (not kinds or a.jenis in kinds)
    )
    return Ceremony(ceremony.instansi, ceremony.tahun, picked)
