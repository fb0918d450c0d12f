"""The evaluate stage: realisasi against the targets of agreements that verify.

Each agreement is verified first; only a VALID one is evaluated, and its targets come from its
embedded, signed data, never from a workbook. A Pakta Integritas has no targets: not applicable.
The realisasi workbook supplies only what was achieved, matched by unit and indikator kode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from signer import canonical
from signer.errors import InputError, KinerjaError
from signer.evaluate import berlaku
from signer.evaluate.capaian import DEFAULT_RULES, Rules, kategori, mean, of_indikator
from signer.evaluate.results import (
    AgreementResult,
    Evaluation,
    IndikatorResult,
    Periode,
    ProgramResult,
    SasaranResult,
    Signer,
    Status,
)
from signer.model import Agreement
from signer.trust import TrustConfig
from signer.verify import Report, Verdict, VerifyOptions, verify_paths
from signer.workbooks.columns import (
    ANGGARAN,
    H_REALISASI,
    H_REALISASI_ANGGARAN,
    H_REALISASI_ANGGARAN_TW,
    H_REALISASI_TW,
    REALISASI,
)
from signer.workbooks.realisasi import (
    RealisasiData,
    RealisasiOf,
    read_realisasi,
    read_realisasi_of,
)


def evaluate_agreement(
    a: Agreement,
    sha256: str,
    file: str,
    periode: Periode,
    realisasi: dict[str, Decimal | str | None],
    anggaran: Mapping[str, int | None],
    rules: Rules = DEFAULT_RULES,
    menggantikan: str | None = None,
) -> AgreementResult:
    """Capaian of one verified agreement, from realisasi keyed by indikator kode and realisasi
    anggaran of the period (cumulative to the triwulan, or the year's) keyed by program kode
    (or uraian); ``menggantikan`` is the id of the agreement it replaces."""
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
    # a program not filled is "belum diisi", never 0: the unit's realisasi anggaran is known
    # only when every program's is, and is then compared with the whole pagu
    program = tuple(
        ProgramResult(p.kode, p.uraian, p.anggaran, anggaran.get(p.kode or p.uraian))
        for p in a.program
    )
    total = a.jumlah_anggaran
    filled = [p.realisasi for p in program if p.realisasi is not None]
    spent = sum(filled) if program and len(filled) == len(program) else None
    serapan = Decimal(spent) / Decimal(total) * 100 if spent is not None and total else None
    signers = tuple(
        Signer(r.value, p.nama, p.jabatan, p.nip.formatted() if p.nip else None)
        for r, p in ((r, a.pihak(r)) for r in a.peran)
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
        total if program else None,
        spent,
        serapan,
        program,
        a.perubahan_ke,
        menggantikan,
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
    menggantikan: Mapping[str, str] = field(default_factory=dict)  # file -> id it replaces


def verify_for_evaluation(paths: Sequence[Path], options: EvaluateOptions) -> Verified:
    """Verify every file; keep the VALID agreements with targets, list the others."""
    reports = verify_paths(
        list(paths), VerifyOptions(options.trust), options.jobs, progress=options.progress
    )
    return verified_of(paths, reports)


def verified_of(paths: Sequence[Path], reports: Sequence[Report | InputError]) -> Verified:
    """The verdicts on the files (in their order) split the way evaluation needs them."""
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


def in_force(verified: Verified, of: RealisasiOf, periode: Periode = Periode.TAHUNAN) -> Verified:
    """The agreements that bind the realisasi: this pemerintah daerah's, of this year, and of
    each unit the one in force for ``periode`` (:mod:`signer.evaluate.berlaku`). The identity is
    the signed data's, never the file's name."""
    same = [
        (file, a, sha256)
        for file, a, sha256 in verified.agreements
        if a.tahun == of.tahun and _plain(a.instansi.nama) == _plain(of.instansi)
    ]
    others = [
        _result(
            file,
            a,
            sha256,
            Status.REFUSED,
            f"perjanjian {a.instansi.nama} tahun {a.tahun}; realisasi untuk {of.instansi} "
            f"tahun {of.tahun}",
        )
        for file, a, sha256 in verified.agreements
        if (file, a, sha256) not in same
    ]
    chosen = berlaku.pick(same, periode)
    return Verified(
        chosen.agreements,
        (*verified.results, *others, *chosen.results),
        verified.unusable,
        chosen.menggantikan,
    )


def for_template(verified: Verified) -> list[Agreement]:
    """The agreements a blank realisasi workbook lists: of each unit the newest revision, so that
    no unit is listed twice (two copies of one are refused, as in evaluation)."""
    return [a for _, a, _ in berlaku.pick(verified.agreements, Periode.TAHUNAN).agreements]


def may_write_template(path: Path, force: bool) -> None:
    """Refuse to write a blank realisasi workbook over ``path`` when that would lose anything:
    a workbook with realisasi typed into it, or a file that is not a realisasi workbook at all
    (the ceremony workbook given by mistake). A blank one that kinerja wrote may be rewritten
    (new agreements signed since); ``force`` replaces anything."""
    if force or not path.exists():
        return
    why = f"use another file name, or --force to replace {path}"
    try:
        filled = _realisasi_filled(path)
    except KinerjaError as e:
        raise InputError(
            f"{path} exists and is not a blank realisasi workbook ({_first_line(e)}); "
            f"not overwritten: {why}"
        ) from None
    if filled is None:
        raise InputError(
            f"{path} exists and is not a realisasi workbook (no sheets {REALISASI} and "
            f"{ANGGARAN}); not overwritten: {why}"
        )
    if filled:
        raise InputError(
            f"{path} already holds {filled} filled realisasi cell{'s' if filled != 1 else ''}; "
            f"not overwritten: {why}"
        )


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else e.__class__.__name__


def _realisasi_filled(path: Path) -> int | None:
    """How many cells of the realisasi columns (indikator and anggaran) hold something; None
    when the workbook has neither sheet."""
    from signer.workbooks.sheet import open_workbook

    columns = {*H_REALISASI_TW, H_REALISASI, *H_REALISASI_ANGGARAN_TW, H_REALISASI_ANGGARAN}
    book = open_workbook(path)
    try:
        titles = [t for t in (book.find(n, None) for n in (REALISASI, ANGGARAN)) if t]
        if not titles:
            return None
        filled = 0
        for title in titles:
            rows, _ = book.rows(title)
            header = next(
                (i for i, r in enumerate(rows) if any(_header(v) in columns for v in r)), None
            )
            if header is None:
                continue
            wanted = [c for c, v in enumerate(rows[header]) if _header(v) in columns]
            for row in rows[header + 1 :]:
                filled += sum(1 for c in wanted if c < len(row) and str(row[c] or "").strip() != "")
        return filled
    finally:
        book.close()


def _header(value: object) -> str:
    return " ".join(str(value).split()) if isinstance(value, str) else ""


def _plain(text: str) -> str:
    return " ".join(text.casefold().split())


def _result(file: str, a: Agreement, sha256: str, status: Status, reason: str) -> AgreementResult:
    return AgreementResult(
        file, status, reason, a.id, sha256, a.unit.kode, a.unit.nama, a.jenis.value
    )


def evaluate_workbook(verified: Verified, book: Path, options: EvaluateOptions) -> Evaluation:
    """Read the realisasi workbook for the agreements in force and evaluate them."""
    chosen = in_force(verified, read_realisasi_of(book), options.periode)
    data = read_realisasi(book, [a for _, a, _ in chosen.agreements])
    return evaluate(chosen, data, options)


def evaluate(verified: Verified, realisasi: RealisasiData, options: EvaluateOptions) -> Evaluation:
    """Capaian of every verified agreement from the realisasi read for them; a unit of the
    realisasi that no agreement in force covers is reported as such."""
    results: list[AgreementResult] = list(verified.results)
    covered = {a.unit.kode for _, a, _ in verified.agreements}
    for kode in sorted(realisasi.unit_names.keys() - covered):
        results.append(
            AgreementResult(
                "",
                Status.NO_AGREEMENT,
                "tidak ada perjanjian yang berlaku dan terverifikasi untuk unit ini",
                None,
                None,
                kode,
                realisasi.unit_names[kode],
                None,
            )
        )

    index = options.periode.triwulan
    for file, a, sha256 in verified.agreements:
        values = {}
        for i in a.indikator:
            row = realisasi.values.get((a.unit.kode, i.kode))
            values[i.kode] = (
                None if row is None else (row.tahunan if index is None else row.triwulan[index - 1])
            )
        spent = _spent(realisasi, a.unit.kode, index)
        results.append(
            evaluate_agreement(
                a,
                sha256,
                file,
                options.periode,
                values,
                spent,
                options.rules,
                verified.menggantikan.get(file),
            )
        )
    return Evaluation(
        options.periode,
        realisasi.header.instansi,
        realisasi.header.tahun,
        tuple(sorted(results, key=_order)),
        options.rules,
    )


def _spent(realisasi: RealisasiData, unit: str, triwulan: int | None) -> dict[str, int | None]:
    """The unit's realisasi anggaran per program for the period: cumulative to the triwulan
    (None where the workbook has no triwulan columns or leaves them empty), or the year's."""
    if triwulan is None:
        return {p: v for (u, p), v in realisasi.anggaran.items() if u == unit}
    return {p: tw[triwulan - 1] for (u, p), tw in realisasi.anggaran_triwulan.items() if u == unit}


def _order(r: AgreementResult) -> tuple[bool, str, int, str]:
    """The agreements first (PK, its revisions in order, any other kind with targets), each unit
    once in kode order; the Pakta Integritas after them."""
    return (r.pakta, r.unit_kode or "", r.perubahan_ke or 0, r.file or "~")
