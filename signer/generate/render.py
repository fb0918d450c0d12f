"""Render an agreement into a Word document through a docxtpl template.

The template sees a flat context (see :func:`context`): every text already formatted the
Indonesian way, the lampiran flattened to one row per indikator, the logo and the verification QR
code as images. Autoescaping is on, so "&", "<" and quotes in names come through intact.

Signature blocks carry Word bookmarks, found again in the PDF as named destinations:
``SigPertama1``/``SigEndPertama1`` around pihak pertama's blank signature space on the statement
page, ``SigKedua1``/``SigEndKedua1`` for pihak kedua; ``...2`` in the lampiran's block.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import ClassVar

import jinja2
import numpy as np
import zxingcpp
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from PIL import Image

from signer import canonical, formatting
from signer.canonical import page_qr_payload
from signer.errors import InputError
from signer.generate.logo import HEIGHT_MM as LOGO_HEIGHT_MM
from signer.kinds import JenisDokumen
from signer.model import Agreement, Pihak


class Kertas(StrEnum):
    """Paper size: A4 (national tata naskah) or F4/folio (many local tata naskah)."""

    A4 = "a4"
    F4 = "f4"

    @property
    def size_mm(self) -> tuple[int, int]:
        return (210, 297) if self is Kertas.A4 else (215, 330)


def builtin_template(jenis: JenisDokumen) -> Path:
    """The Word template shipped with kinerja for a kind of document."""
    return Path(str(resources.files("signer.templates").joinpath(jenis.template)))


def qr_png(payload: str) -> bytes:
    """The QR code of ``payload`` as a PNG: error correction M, 6 pixels per module and a quiet
    zone of one module (the page around it is white). zxing-cpp's encoder, in C++: the Python
    ``qrcode`` package took 17 ms per code, a tenth of generate's own work per document."""
    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules = np.asarray(zxingcpp.write_barcode_to_image(code, scale=1, add_quiet_zones=False))
    pixels = np.pad(modules, 1, constant_values=255).repeat(6, axis=0).repeat(6, axis=1)
    buf = io.BytesIO()
    Image.fromarray(pixels).convert("1").save(buf, format="PNG")
    return buf.getvalue()


def _pihak(p: Pihak) -> dict[str, object]:
    return {
        "nama": p.nama,
        "jabatan": p.jabatan,
        "nip": formatting.nip(p.nip),
        "pangkat": p.pangkat_golongan or "",
        "kepala_daerah": p.kepala_daerah,
    }


def context(a: Agreement, sha256: str) -> dict[str, object]:
    """The template context of an agreement whose canonical JSON has digest ``sha256``.

    Images (``logo``, ``qr``) are added by :func:`render`, which knows the template.
    """
    rows: list[dict[str, object]] = []
    no = 0
    for s_no, s in enumerate(a.sasaran, 1):
        for k, i in enumerate(s.indikator):
            no += 1
            tw = [formatting.target(t) for t in i.target_triwulan] if i.target_triwulan else []
            rows.append(
                {
                    "no": no,
                    "sasaran_no": s_no,
                    "sasaran": s.uraian if k == 0 else "",
                    "sasaran_uraian": s.uraian,
                    "kode": i.kode,
                    "indikator": i.uraian,
                    "satuan": i.satuan,
                    "arah": formatting.arah(i.arah),  # the label the lampiran prints
                    "arah_nilai": i.arah.value,  # the raw value: "naik", "rentang"
                    "target": formatting.target(i.target),
                    "tw1": tw[0] if tw else "",
                    "tw2": tw[1] if tw else "",
                    "tw3": tw[2] if tw else "",
                    "tw4": tw[3] if tw else "",
                }
            )
    judul = a.jenis.judul.upper()
    return {
        "id": a.id,
        "jenis": a.jenis.value,
        "judul": judul,
        "judul_lengkap": f"{judul} TAHUN {a.tahun}",
        "tahun": a.tahun,
        "perubahan_ke": a.perubahan_ke or "",
        "alasan_perubahan": a.alasan_perubahan or "",
        # the whole sentence, built where the verifier builds it (signer.formatting)
        "kalimat_perubahan": formatting.kalimat_perubahan(a),
        "nomor": formatting.nomor(a),
        "menggantikan": (
            {
                "id": a.menggantikan.id,
                "sha256": a.menggantikan.sha256,
                "kode_verifikasi": formatting.digest_grouped(a.menggantikan.sha256, 8),
            }
            if a.menggantikan
            else ""
        ),
        "instansi": {
            "nama": a.instansi.nama,
            "nama_upper": formatting.kapital(a.instansi.nama),
            "kop": list(a.instansi.kop),
        },
        "unit": {
            "kode": a.unit.kode,
            "nama": a.unit.nama,
            "nama_upper": formatting.kapital(a.unit.nama),
            "jenis": a.unit.jenis.value,
        },
        "tempat": a.tempat,
        "tanggal": formatting.tanggal(a.tanggal),
        "tempat_tanggal": f"{a.tempat}, {formatting.tanggal(a.tanggal)}",
        "zona_waktu": a.zona_waktu.value,
        "pihak_pertama": _pihak(a.pihak_pertama),
        "pihak_kedua": _pihak(a.pihak_kedua) if a.pihak_kedua else "",
        "has_triwulan": a.has_triwulan,
        "rows": rows,
        "arah_keterangan": formatting.arah_keterangan(i.arah for i in a.indikator),
        "sasaran": [
            {"no": n, "uraian": s.uraian, "indikator": [r for r in rows if r["sasaran_no"] == n]}
            for n, s in enumerate(a.sasaran, 1)
        ],
        "program": [
            {
                "no": n,
                "kode": p.kode or "",
                "uraian": p.uraian,
                "anggaran": formatting.rupiah(p.anggaran),
            }
            for n, p in enumerate(a.program, 1)
        ],
        "jumlah_anggaran": formatting.rupiah(a.jumlah_anggaran),
        "sha256": sha256,
        "kode_verifikasi": formatting.digest_grouped(sha256),
        # where the QR leads (the footer prints it), "" without one
        "verify_url": a.instansi.verify_url or "",
        "logo": "",
        "qr": "",
    }


class _Compiled(jinja2.Environment):
    """docxtpl compiles the template's XML with ``from_string`` for every document, though the
    XML is the template's own and the same each time (half of rendering): the compiled
    template is remembered by its source, for a few templates at a time."""

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=True)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(
        self, source: str | jinja2.nodes.Template, *args: object, **kwargs: object
    ) -> jinja2.Template:
        if args or kwargs or not isinstance(source, str):
            return super().from_string(source, *args, **kwargs)  # type: ignore[arg-type]
        found = self._compiled.get(source)
        if found is None:
            found = super().from_string(source)
            if len(self._compiled) >= 16:  # the kinds' templates, a user's few
                self._compiled.clear()
            self._compiled[source] = found
        return found


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl's template, its XML clean-up (a pure function of the template's XML, a sixth of
    rendering) remembered for a few templates at a time."""

    _patched: ClassVar[dict[str, str]] = {}

    def patch_xml(self, src_xml: str) -> str:
        found = self._patched.get(src_xml)
        if found is None:
            found = super().patch_xml(src_xml)
            if len(self._patched) >= 16:
                self._patched.clear()
            self._patched[src_xml] = found
        return found


@cache
def jinja_env() -> jinja2.Environment:
    """The one environment every rendering shares (so its compiled templates are reused)."""
    env = _Compiled()
    env.filters.update(
        tanggal=formatting.tanggal,
        angka=formatting.angka,
        rupiah=formatting.rupiah,
        # capitals that keep "dr.", "Plt." and the like (jinja's upper would print "DR.", "PLT.")
        kapital=formatting.kapital,
        nama_kapital=lambda text: formatting.kapital(text, nama=True),
    )
    return env


@dataclass(frozen=True)
class Rendered:
    """A rendered Word document and the canonical JSON it was rendered from."""

    docx: bytes
    data: bytes
    sha256: str


def load_template(source: Path) -> bytes:
    """Read a template file, refusing what is not a Word document."""
    try:
        raw = Path(source).read_bytes()
    except OSError as e:
        raise InputError(f"{source}: cannot read the template ({e.strerror})") from None
    if not raw.startswith(b"PK"):
        raise InputError(f"{source}: not a Word document (.docx)")
    return raw


def render(
    a: Agreement, template: bytes, logo: bytes | None = None, kertas: Kertas = Kertas.A4
) -> Rendered:
    """Render ``a`` with ``template`` (the bytes of a .docx) into a Word document."""
    data = canonical.to_json(a)
    sha256 = canonical.digest(data)
    try:
        tpl = _Template(io.BytesIO(template))
        ctx = context(a, sha256)
        if logo:
            ctx["logo"] = InlineImage(tpl, io.BytesIO(logo), height=Mm(LOGO_HEIGHT_MM))
        ctx["qr"] = InlineImage(tpl, io.BytesIO(qr_png(page_qr_payload(a, sha256))), width=Mm(18))
        tpl.render(ctx, jinja_env=jinja_env(), autoescape=True)
        width, height = kertas.size_mm
        for section in tpl.docx.sections:
            section.page_width, section.page_height = Mm(width), Mm(height)
        buf = io.BytesIO()
        tpl.save(buf)
    except jinja2.TemplateError as e:
        raise InputError(f"template for {a.id}: {e.__class__.__name__}: {e}") from None
    return Rendered(buf.getvalue(), data, sha256)
