"""Filling the registry: adding verified agreements, re-verifying the archive, keeping
evaluations.

Every file is verified with the full policy in a bounded forked worker (as ``kinerja verify``),
and what is stored is exactly the bytes that were verified.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from signer.archive.registry import ArchivedAgreement, Registry, Stored, now
from signer.batch import Batch, Limits, Outcome, Status
from signer.errors import InputError
from signer.evaluate.results import Evaluation
from signer.verify import Verdict, VerifyOptions
from signer.verify.policy import policy_for
from signer.verify.report import Report
from signer.verify.run import DEFAULT_LIMITS, read_agreement, verify_bytes

if TYPE_CHECKING:
    from distributed import Client

    from signer.verify.cluster import ClusterJob

CHUNK = 100  # archived files re-verified per batch: bounded memory for any archive size


@dataclass(frozen=True)
class Added:
    """What became of one file given to ``kinerja archive add``."""

    file: str
    stored: Stored | None
    """None when the file was not stored."""
    detail: str
    verdict: str | None = None
    code: str | None = None
    id: str | None = None
    report: Report | None = field(default=None, compare=False, repr=False)
    """The verification's report (None for unusable input)."""

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "stored": self.stored.value if self.stored else None,
            "detail": self.detail,
            "verdict": self.verdict,
            "kode": self.code,
            "id": self.id,
        }

    @property
    def bad_input(self) -> bool:
        return self.stored is None and self.verdict is None


@dataclass(frozen=True)
class Reverified:
    code: str
    id: str
    before: str
    after: str
    detail: str


Verified = tuple[Report, bytes]


def _verify_stream(
    items: Sequence[tuple[str, Path | bytes]],
    options: VerifyOptions,
    jobs: int,
    progress: bool,
    limits: Limits,
    registry: Registry,
) -> Iterator[tuple[int, Outcome[Verified]]]:
    """Verify files (read in the worker) or archived bytes, each in a bounded worker, each
    outcome (with the item's index) as it completes; the bytes come back with the report so
    that what is stored is what was verified."""
    policy = policy_for(options.trust)

    def one(item: tuple[str, Path | bytes]) -> Outcome[Verified]:
        name, source = item
        data = read_agreement(source) if isinstance(source, Path) else source
        return Outcome(name, Status.DONE, value=(verify_bytes(data, name, options, policy), data))

    registry.engine.dispose()  # no database connection is inherited by the forked workers
    batch: Batch[tuple[str, Path | bytes], Verified] = Batch(
        "verify",
        one,
        lambda item: item[0],
        jobs=jobs,
        progress=progress,
        processes=True,
        limits=limits,
    )
    return batch.stream(items)


def _reasons(report: Report) -> str:
    return "; ".join(str(c) for c in report.failures[:3])


def add_stream(
    registry: Registry,
    files: Sequence[Path],
    options: VerifyOptions,
    *,
    jobs: int = 1,
    progress: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    keep_failed: bool = False,
    skip_archived: bool = False,
) -> Iterator[tuple[int, Added]]:
    """Verify each file and archive the VALID ones (all with a verdict, with ``keep_failed``),
    each as soon as it is verified: what each file became, with its index in ``files``. An
    interrupted run keeps what it archived, and the same files again carry it on; with
    ``skip_archived``, a file archived byte for byte already is not verified again (keeping it
    changes nothing; ``archive reverify`` verifies the archive again)."""
    todo: list[tuple[int, tuple[str, Path | bytes]]] = []
    for index, f in enumerate(files):
        archived = _archived_copy(registry, f) if skip_archived else None
        if archived is None:
            todo.append((index, (str(f), f)))
            continue
        detail = (
            f"already archived, unchanged (verified {archived.verified_at:%Y-%m-%d %H:%M} UTC: "
            f"{archived.verdict}; not verified again)"
        )
        yield (
            index,
            Added(str(f), Stored.SAME, detail, archived.verdict, archived.code, archived.id),
        )
    items = [item for _, item in todo]
    for i, outcome in _verify_stream(items, options, jobs, progress, limits, registry):
        yield todo[i][0], _add_one(registry, outcome, keep_failed)


def _archived_copy(registry: Registry, path: Path) -> ArchivedAgreement | None:
    """The agreement archived as exactly this file's bytes, if any (a file that cannot be read
    is left to the verification, which says why)."""
    try:
        data = read_agreement(path)
    except InputError:
        return None
    return registry.find_file(hashlib.sha256(data).hexdigest())


def _add_one(registry: Registry, outcome: Outcome[Verified], keep_failed: bool) -> Added:
    if outcome.value is None:
        return Added(outcome.name, None, outcome.detail)
    report, data = outcome.value
    verdict = report.verdict.value
    if report.agreement_json is None:
        return Added(outcome.name, None, f"not archived: {verdict}: {_reasons(report)}", verdict)
    if report.verdict is not Verdict.VALID and not keep_failed:
        return Added(
            outcome.name,
            None,
            f"not archived: {verdict}: {_reasons(report)}",
            verdict,
            report.sha256,
            report.agreement_id,
        )
    stored = registry.store(
        data, Path(outcome.name).name, report.as_dict(), verdict, report.agreement_json
    )
    detail = {
        Stored.ADDED: "archived",
        Stored.SAME: "already archived, unchanged",
        Stored.REPLACED: "archived, replacing the earlier revision of this file",
        Stored.CONFLICT: "not archived: another file with this verification code is archived "
        "(this one is not a later revision of it)",
    }[stored]
    return Added(
        outcome.name,
        None if stored is Stored.CONFLICT else stored,
        detail,
        verdict,
        report.sha256,
        report.agreement_id,
        report,
    )


@dataclass(frozen=True)
class ReverifyRun:
    """One re-verification of the whole archive. Each verdict is recorded as it comes, so a run
    that is interrupted is carried on by another from the same start: what was verified at or
    after it is done."""

    started: dt.datetime
    todo: list[str]
    """The codes still to verify."""
    done: dict[str, int]
    """Verified since ``started`` already (carrying on), how many by verdict."""

    @property
    def total(self) -> int:
        return len(self.todo) + sum(self.done.values())


def plan_reverify(registry: Registry, carry_on_from: dt.datetime | None = None) -> ReverifyRun:
    """A new run of every archived agreement, or the rest of the run started ``carry_on_from``
    (the agreements not verified since)."""
    if carry_on_from is None:
        return ReverifyRun(now(), registry.codes(), {})
    return ReverifyRun(
        carry_on_from,
        registry.codes(verified_before=carry_on_from),
        registry.verdicts_since(carry_on_from),
    )


def reverify(
    registry: Registry,
    options: VerifyOptions,
    *,
    jobs: int = 1,
    progress: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    codes: Sequence[str] | None = None,
) -> Iterator[Reverified]:
    """Verify every archived file again (e.g. after a revocation, or before an extend), or
    those of ``codes``, and record each verdict as it comes, a chunk at a time."""
    todo = list(codes) if codes is not None else registry.codes()
    for start in range(0, len(todo), CHUNK):
        items: list[tuple[str, Path | bytes]] = []
        archived = {}
        for code in todo[start : start + CHUNK]:
            row, pdf = registry.find(code), registry.pdf(code)
            if row is None or pdf is None:
                raise InputError(f"archive {registry.url}: {code} is not archived")
            archived[code] = row
            items.append((code, pdf))
        for _, outcome in _verify_stream(items, options, jobs, progress, limits, registry):
            verified = outcome.value[0] if outcome.value else InputError(outcome.detail)
            yield _record(registry, archived[outcome.name], verified)


def _record(
    registry: Registry, row: ArchivedAgreement, verified: Report | InputError
) -> Reverified:
    """Keep a re-verification's verdict; a document that could not be verified to the end is
    missing proof (INDETERMINATE), not forgery."""
    if isinstance(verified, InputError):
        after, report_dict, detail = Verdict.INDETERMINATE.value, None, str(verified)
    else:
        after, report_dict = verified.verdict.value, verified.as_dict()
        detail = _reasons(verified) or "every check passed"
    registry.record_verification(row.code, after, report_dict or {"checks": [], "error": detail})
    return Reverified(row.code, row.id, row.verdict, after, detail)


def reverify_on_cluster(
    registry: Registry, client: Client, job: ClusterJob, codes: Sequence[str] | None = None
) -> Iterator[Reverified]:
    """:func:`reverify` on a Dask cluster: the client reads each archived file and records each
    verdict as it comes back; only the documents in flight are held."""
    from signer.verify.cluster import Source, verify_stream

    todo = list(codes) if codes is not None else registry.codes()
    rows: dict[str, ArchivedAgreement] = {}

    def documents() -> Iterator[tuple[str, Source]]:
        for code in todo:
            row, pdf = registry.find(code), registry.pdf(code)
            if row is None or pdf is None:
                raise InputError(f"archive {registry.url}: {code} is not archived")
            rows[code] = row
            yield code, pdf

    for code, verified in verify_stream(client, documents(), job):
        yield _record(registry, rows.pop(code), verified)


def store_evaluation(registry: Registry, evaluation: Evaluation) -> tuple[int, list[str]]:
    """Keep each evaluated agreement's result for the evaluation's periode; the ids of the
    evaluated agreements that are not archived (and so not kept) come back."""
    kept, missing = 0, []
    for r in evaluation.evaluated:
        if r.sha256 is None:
            continue
        if registry.store_evaluation(
            r.sha256, evaluation.periode.value, r.capaian, r.kategori, r.as_dict()
        ):
            kept += 1
        else:
            missing.append(r.id or r.file)
    return kept, missing
