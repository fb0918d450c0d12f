"""What the pages and the API show of an archived agreement or an upload, as plain JSON values.

One shape for both: the page renders it, ``/api/v1`` answers it. Everything comes from the
archive (the embedded data of the signed revision and the stored verification report), never
from the request.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from signer import formatting
from signer.evaluate.results import Periode
from signer.model import Agreement, Indikator, Peran, Pihak

if TYPE_CHECKING:
    from signer.archive import ArchivedAgreement, ArchivedEvaluation


def checks_of(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every check of a report, the document's first, then each signature's with its field."""
    out = [{**c, "subject": None} for c in report.get("checks", [])]
    for s in report.get("signatures", []):
        out += [{**c, "subject": s.get("field")} for c in s.get("checks", [])]
    return out


def signatures_of(report: dict[str, Any]) -> list[dict[str, Any]]:
    keep = ("role", "field", "signer", "issuer", "signing_time", "time_source", "level")
    return [{k: s.get(k) for k in keep} for s in report.get("signatures", [])]


def shown_time(iso: str | None, agreement: Agreement | None, lang: str = "id") -> str | None:
    """A signing time as people read it, in the agreement's time zone ('15 Januari 2026 10.23
    WIB', in English '15 January 2026 10:23 WIB'); UTC when there is no agreement to say which
    zone."""
    if not iso:
        return None
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if agreement is None:
        return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if lang == "id":
        return formatting.waktu(when, agreement.zona_waktu)
    local = when.astimezone(ZoneInfo(agreement.zona_waktu.iana))
    return f"{format_datetime(local, 'd MMMM y HH:mm', locale='en')} {agreement.zona_waktu.value}"


def _times(iso: str | None, agreement: Agreement | None) -> dict[str, str | None]:
    """A time shown in each language of the pages (the template picks by its language)."""
    return {"id": shown_time(iso, agreement, "id"), "en": shown_time(iso, agreement, "en")}


def _pihak(role: Peran, p: Pihak, signatures: list[dict[str, Any]], a: Agreement) -> dict[str, Any]:
    signed = next((s for s in signatures if s["role"] == role.value), None)
    return {
        "role": role.value,
        "nama": p.nama,
        "jabatan": p.jabatan,
        "nip": formatting.nip(p.nip) if p.nip else None,
        "signature": (
            {**signed, "signing_time_shown": _times(signed["signing_time"], a)}
            if signed
            else None
        ),
    }


def _indikator(i: Indikator) -> dict[str, Any]:
    return {
        "kode": i.kode,
        "uraian": i.uraian,
        "satuan": i.satuan,
        "arah": i.arah.value,
        "target": formatting.target(i.target),
        "target_triwulan": (
            [formatting.target(t) for t in i.target_triwulan] if i.target_triwulan else None
        ),
    }


def targets_of(a: Agreement) -> dict[str, Any]:
    """The signed lampiran: sasaran with their indikator and targets, programs and anggaran."""
    return {
        "targets": [
            {"sasaran": s.uraian, "indikator": [_indikator(i) for i in s.indikator]}
            for s in a.sasaran
        ],
        "programs": [
            {
                "kode": p.kode,
                "uraian": p.uraian,
                "anggaran": p.anggaran,
                "anggaran_teks": formatting.rupiah(p.anggaran),
            }
            for p in a.program
        ],
        "anggaran_total": formatting.rupiah(sum(p.anggaran for p in a.program))
        if a.program
        else None,
    }


def _percent(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal | str):
        try:
            return formatting.persen(Decimal(str(value)))
        except ArithmeticError:
            return str(value)
    return None


def _number(value: object) -> object:
    """A realisasi as the lampiran prints numbers ('88,2'); a predikat stays as it is."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return formatting.angka(Decimal(str(value)))
    return value


def evaluation_of(e: ArchivedEvaluation) -> dict[str, Any]:
    result = e.result
    try:
        label = Periode(e.periode).label
    except ValueError:
        label = e.periode
    return {
        "periode": e.periode,
        "periode_label": label,
        "evaluated_at": e.evaluated_at.isoformat(),
        "capaian": _percent(e.capaian),
        "kategori": e.kategori,
        "sasaran": [
            {
                "sasaran": s.get("sasaran"),
                "capaian": _percent(s.get("capaian")),
                "kategori": s.get("kategori"),
                "indikator": [
                    {
                        "kode": i.get("kode"),
                        "indikator": i.get("indikator"),
                        "satuan": i.get("satuan"),
                        "target": i.get("target_teks"),
                        "realisasi": i.get("realisasi"),
                        "realisasi_teks": _number(i.get("realisasi")),
                        "capaian": _percent(i.get("capaian")),
                        "kategori": i.get("kategori"),
                    }
                    for i in s.get("indikator", [])
                ],
            }
            for s in result.get("sasaran", [])
        ],
    }


def _link(a: ArchivedAgreement | None) -> dict[str, str] | None:
    return {"code": a.code, "id": a.id, "url": f"/v/{a.code}"} if a else None


def agreement_view(
    archived: ArchivedAgreement,
    evaluation: ArchivedEvaluation | None,
    replaced_by: ArchivedAgreement | None,
    replaces: ArchivedAgreement | None,
) -> dict[str, Any]:
    """Everything ``/v/{code}`` shows and ``GET /api/v1/perjanjian/{code}`` answers."""
    a = archived.agreement
    signatures = signatures_of(archived.report)
    parties = [_pihak(Peran.PIHAK_PERTAMA, a.pihak_pertama, signatures, a)]
    if a.pihak_kedua is not None:
        parties.append(_pihak(Peran.PIHAK_KEDUA, a.pihak_kedua, signatures, a))
    return {
        "code": archived.code,
        "kode_verifikasi": formatting.digest_grouped(archived.code),
        "id": archived.id,
        "jenis": archived.jenis,
        "judul": a.jenis.judul,
        "perubahan_ke": a.perubahan_ke,
        "tahun": archived.tahun,
        "instansi": a.instansi.nama,
        "unit": {"kode": archived.unit_kode, "nama": archived.unit_nama},
        "nomor": a.nomor,
        "tanggal": formatting.tanggal(a.tanggal),
        "tempat": a.tempat,
        "verdict": archived.verdict,
        "verified_at": archived.verified_at.isoformat(),
        "verified_at_shown": _times(archived.verified_at.isoformat(), a),
        "checks": checks_of(archived.report),
        "signatures": signatures,
        "parties": parties,
        **targets_of(a),
        "evaluation": evaluation_of(evaluation) if evaluation else None,
        "replaced_by": _link(replaced_by),
        "replaces": _link(replaces),
        "pdf": {
            "url": f"/v/{archived.code}/pdf",
            "size": archived.file_size,
            "sha256": archived.file_sha256,
        },
    }


def upload_view(report: dict[str, Any]) -> dict[str, Any]:
    """What ``/periksa`` shows of an upload: the verdict and checks, who signed and when; no
    data of the document beyond its id (it may hold unsigned revisions)."""
    agreement = report.get("agreement") or {}
    signatures = [
        {**s, "signing_time_shown": _times(s["signing_time"], None)}
        for s in signatures_of(report)
    ]
    return {
        "id": agreement.get("id"),
        "code": agreement.get("sha256"),
        "verdict": report.get("verdict"),
        "checks": checks_of(report),
        "signatures": signatures,
    }
