"""The evaluation's results: per indikator, sasaran and agreement, and their JSON."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from signer import formatting
from signer.evaluate.capaian import Rules
from signer.model import Predikat, Target


class Status(StrEnum):
    EVALUATED = "dievaluasi"
    NOT_APPLICABLE = "tidak berlaku"  # a Pakta Integritas: no targets
    REFUSED = "ditolak"  # not verified, or not this pemda's agreement of this year: not used
    SUPERSEDED = "diganti"  # a later revision (PK Perubahan) of the unit is in force, or a copy
    NO_AGREEMENT = "tanpa perjanjian"  # a unit of the realisasi with no agreement in force

    @property
    def failed(self) -> bool:
        """Does it make the evaluation fail (exit 1)?"""
        return self in (Status.REFUSED, Status.NO_AGREEMENT)


class Periode(StrEnum):
    TW1 = "tw1"
    TW2 = "tw2"
    TW3 = "tw3"
    TW4 = "tw4"
    TAHUNAN = "tahunan"

    @property
    def triwulan(self) -> int | None:
        return None if self is Periode.TAHUNAN else int(self.value[-1])

    @property
    def label(self) -> str:
        return {
            "tw1": "Triwulan I",
            "tw2": "Triwulan II",
            "tw3": "Triwulan III",
            "tw4": "Triwulan IV",
            "tahunan": "Tahunan",
        }[self.value]


def _num(d: Decimal | None) -> float | int | None:
    """A JSON number for a Decimal (capaian and realisasi are reported as numbers)."""
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def _value_json(v: Decimal | str | None) -> object:
    return _num(v) if isinstance(v, Decimal) else v


def _target_json(t: Target | None) -> object:
    if t is None:
        return None
    if isinstance(t, Predikat):
        return t.nilai
    if isinstance(t, Decimal):
        return _num(t)
    return {"bawah": _num(t.bawah), "atas": _num(t.atas)}


@dataclass(frozen=True)
class IndikatorResult:
    kode: str
    uraian: str
    satuan: str
    arah: str
    target: Target | None  # the target of the period (annual or triwulan)
    realisasi: Decimal | str | None
    capaian: Decimal | None  # percent
    kategori: str | None
    catatan: str | None

    @property
    def target_text(self) -> str:
        return formatting.target(self.target) if self.target is not None else ""

    @property
    def realisasi_text(self) -> str:
        if self.realisasi is None:
            return ""
        return (
            self.realisasi if isinstance(self.realisasi, str) else formatting.angka(self.realisasi)
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "kode": self.kode,
            "indikator": self.uraian,
            "satuan": self.satuan,
            "arah": self.arah,
            "target": _target_json(self.target),
            "target_teks": self.target_text,
            "realisasi": _value_json(self.realisasi),
            "capaian": _num(self.capaian),
            "kategori": self.kategori,
            "catatan": self.catatan,
        }


@dataclass(frozen=True)
class SasaranResult:
    uraian: str
    indikator: tuple[IndikatorResult, ...]
    capaian: Decimal | None  # mean
    kategori: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "sasaran": self.uraian,
            "capaian": _num(self.capaian),
            "kategori": self.kategori,
            "indikator": [i.as_dict() for i in self.indikator],
        }


@dataclass(frozen=True)
class Signer:
    role: str
    nama: str
    jabatan: str
    nip: str | None


@dataclass(frozen=True)
class AgreementResult:
    file: str
    status: Status
    reason: str | None  # why not evaluated
    id: str | None
    sha256: str | None
    unit_kode: str | None
    unit_nama: str | None
    jenis: str | None
    signers: tuple[Signer, ...] = ()
    sasaran: tuple[SasaranResult, ...] = ()
    capaian: Decimal | None = None  # mean over the unit's indikator
    kategori: str | None = None
    anggaran: int | None = None
    realisasi_anggaran: int | None = None
    serapan: Decimal | None = None  # budget absorption, percent

    @property
    def indikator(self) -> tuple[IndikatorResult, ...]:
        return tuple(i for s in self.sasaran for i in s.indikator)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "status": self.status.value,
            "alasan": self.reason,
            "id": self.id,
            "sha256": self.sha256,
            "kode_verifikasi": formatting.digest_grouped(self.sha256) if self.sha256 else None,
            "unit": {"kode": self.unit_kode, "nama": self.unit_nama} if self.unit_kode else None,
            "jenis": self.jenis,
            "penandatangan": [
                {"peran": s.role, "nama": s.nama, "jabatan": s.jabatan, "nip": s.nip}
                for s in self.signers
            ],
            "capaian": _num(self.capaian),
            "kategori": self.kategori,
            "anggaran": self.anggaran,
            "realisasi_anggaran": self.realisasi_anggaran,
            "serapan_anggaran": _num(self.serapan),
            "sasaran": [s.as_dict() for s in self.sasaran],
            "indikator": [i.as_dict() for i in self.indikator],
        }


@dataclass(frozen=True)
class Evaluation:
    periode: Periode
    instansi: str | None
    tahun: int | None
    results: tuple[AgreementResult, ...]
    rules: Rules = field(default_factory=Rules)
    made: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def evaluated(self) -> tuple[AgreementResult, ...]:
        return tuple(r for r in self.results if r.status is Status.EVALUATED)

    def as_dict(self) -> dict[str, object]:
        return {
            "schema": "kinerja.evaluasi/1",
            "periode": self.periode.value,
            "instansi": self.instansi,
            "tahun": self.tahun,
            "dibuat": self.made.isoformat(),
            "aturan": {
                "batas_rata_rata": _num(self.rules.cap_for_average),
                "rentang_di_atas": self.rules.rentang_above,
                "hasil_negatif_jadi_nol": self.rules.floor_negative,
            },
            "perjanjian": [r.as_dict() for r in self.results],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=1)
