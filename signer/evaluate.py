"""The evaluate stage: realisasi against the targets of agreements that verify.

Each agreement is verified first; only a VALID one is evaluated, and its targets come from its
embedded, signed data, never from a workbook. A Pakta Integritas has no targets: not applicable.
The realisasi workbook supplies only what was achieved, matched by unit and indikator kode.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from . import canonical, formatting
from .capaian import DEFAULT_RULES, Rules, kategori, mean, of_indikator
from .model import Agreement, Peran, Predikat, Target


class Status(StrEnum):
    EVALUATED = "dievaluasi"
    NOT_APPLICABLE = "tidak berlaku"  # a Pakta Integritas: no targets
    REFUSED = "ditolak"  # the agreement did not verify: its figures are not used


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


def evaluate_agreement(
    a: Agreement,
    sha256: str,
    file: str,
    periode: Periode,
    realisasi: dict[str, Decimal | str | None],
    anggaran: dict[str, int | None],
    rules: Rules = DEFAULT_RULES,
) -> AgreementResult:
    """Capaian of one verified agreement, from realisasi keyed by indikator kode and realisasi
    anggaran keyed by program kode (or uraian)."""
    sasaran = []
    for s in a.sasaran:
        rows = []
        for i in s.indikator:
            value = realisasi.get(i.kode)
            target, cap = of_indikator(i, periode.triwulan, value, rules)
            rows.append(
                IndikatorResult(
                    i.kode,
                    i.uraian,
                    i.satuan,
                    i.arah.value,
                    target,
                    value,
                    cap.value,
                    kategori(cap.value, rules),
                    cap.note,
                )
            )
        avg = mean([r.capaian for r in rows], rules)
        sasaran.append(SasaranResult(s.uraian, tuple(rows), avg, kategori(avg, rules)))
    unit_avg = mean([r.capaian for s in sasaran for r in s.indikator], rules)
    spent_values = [anggaran.get(p.kode or p.uraian) for p in a.program]
    known = [v for v in spent_values if v is not None]
    total = a.jumlah_anggaran
    spent = sum(known) if known else None
    serapan = (
        (Decimal(spent) / Decimal(total) * 100).quantize(Decimal("0.01"))
        if spent is not None and total
        else None
    )
    signers = tuple(
        Signer(
            r.value,
            a.pihak(r).nama,
            a.pihak(r).jabatan,
            a.pihak(r).nip.formatted() if a.pihak(r).nip else None,
        )
        for r in Peran
    )
    return AgreementResult(
        file,
        Status.EVALUATED,
        None,
        a.id,
        sha256,
        a.unit.kode,
        a.unit.nama,
        a.jenis.value,
        signers,
        tuple(sasaran),
        unit_avg,
        kategori(unit_avg, rules),
        total or None,
        spent,
        serapan,
    )


def canonical_digest(a: Agreement) -> str:
    return canonical.digest(canonical.to_json(a))


def write_json(evaluation: Evaluation, path: Path) -> None:
    from . import fsio

    fsio.write_bytes(path, evaluation.to_json().encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# The stage: verify, read the realisasi, compute, write


@dataclass(frozen=True)
class EvaluateOptions:
    trust: Any  # verify.TrustConfig
    periode: Periode = Periode.TAHUNAN
    rules: Rules = DEFAULT_RULES
    jobs: int = 1
    progress: bool = True


@dataclass(frozen=True)
class Verified:
    """The outcome of verifying the given files, split the way evaluation needs it."""

    agreements: tuple[tuple[str, Agreement, str], ...]  # (file, agreement, sha256), VALID only
    results: tuple[AgreementResult, ...]  # not applicable and refused, in file order
    unusable: tuple[str, ...]


def verify_for_evaluation(paths: Sequence[Path], options: EvaluateOptions) -> Verified:
    """Verify every file; keep the VALID agreements with targets, list the others."""
    from .errors import InputError
    from .verify import Verdict, VerifyOptions, verify_paths

    reports = verify_paths(
        list(paths), VerifyOptions(options.trust), options.jobs, progress=options.progress
    )
    valid: list[tuple[str, Agreement, str]] = []
    others: list[AgreementResult] = []
    unusable: list[str] = []
    for path, report in zip(paths, reports, strict=True):
        if isinstance(report, InputError):
            unusable.append(str(report))
            continue
        a = canonical.from_json(report.agreement_json) if report.agreement_json else None
        unit = (a.unit.kode, a.unit.nama, a.jenis.value) if a else (None, None, None)
        if report.verdict is not Verdict.VALID:
            reasons = "; ".join(str(c) for c in report.failures[:3])
            others.append(
                AgreementResult(
                    str(path),
                    Status.REFUSED,
                    f"{report.verdict.value}: {reasons}",
                    report.agreement_id,
                    report.sha256,
                    *unit,
                )
            )
        elif a is not None and not a.jenis.has_targets:
            others.append(
                AgreementResult(
                    str(path),
                    Status.NOT_APPLICABLE,
                    "Pakta Integritas: tanpa target",
                    a.id,
                    report.sha256,
                    *unit,
                )
            )
        elif a is not None and report.sha256:
            valid.append((str(path), a, report.sha256))
    return Verified(tuple(valid), tuple(others), tuple(unusable))


def evaluate(verified: Verified, realisasi: Any, options: EvaluateOptions) -> Evaluation:
    """Capaian of every verified agreement from the realisasi read for them."""
    results: list[AgreementResult] = list(verified.results)
    index = options.periode.triwulan
    for file, a, sha256 in verified.agreements:
        values = {}
        for i in a.indikator:
            row = realisasi.values.get((a.unit.kode, i.kode))
            values[i.kode] = (
                None if row is None else (row.tahunan if index is None else row.triwulan[index - 1])
            )
        spent = {p: v for (u, p), v in realisasi.anggaran.items() if u == a.unit.kode}
        results.append(
            evaluate_agreement(a, sha256, file, options.periode, values, spent, options.rules)
        )
    first = verified.agreements[0][1] if verified.agreements else None
    return Evaluation(
        options.periode,
        first.instansi.nama if first else None,
        first.tahun if first else None,
        tuple(sorted(results, key=lambda r: r.file)),
        options.rules,
    )


def write_outputs(evaluation: Evaluation, out: Path) -> list[Path]:
    """evaluasi.json, evaluasi.xlsx and evaluasi.pdf in ``out``, each written atomically."""
    from .report import write_pdf, write_xlsx

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "evaluasi.json", out / "evaluasi.xlsx", out / "evaluasi.pdf"]
    write_json(evaluation, paths[0])
    write_xlsx(evaluation, paths[1])
    write_pdf(evaluation, paths[2])
    return paths
