"""The evaluate stage: realisasi against the targets of agreements that verify.

Each agreement is verified first; only a VALID one is evaluated, and its targets come from its
embedded, signed data, never from a workbook. A Pakta Integritas has no targets: not applicable.
The realisasi workbook supplies only what was achieved, matched by unit and indikator kode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from signer import canonical
from signer.errors import InputError
from signer.evaluate.capaian import DEFAULT_RULES, Rules, kategori, mean, of_indikator
from signer.evaluate.results import (
    AgreementResult,
    Evaluation,
    IndikatorResult,
    Periode,
    SasaranResult,
    Signer,
    Status,
)
from signer.model import Agreement, Peran
from signer.trust import TrustConfig
from signer.verify import Verdict, VerifyOptions, verify_paths
from signer.workbooks.realisasi import RealisasiData


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
        Signer(r.value, p.nama, p.jabatan, p.nip.formatted() if p.nip else None)
        for r, p in ((r, a.pihak(r)) for r in Peran)
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


@dataclass(frozen=True)
class EvaluateOptions:
    trust: TrustConfig
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


def evaluate(verified: Verified, realisasi: RealisasiData, options: EvaluateOptions) -> Evaluation:
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
