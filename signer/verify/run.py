"""Verifying bytes, a file, or many files in forked workers."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from signer import fsio
from signer.batch import Batch, Limits, Outcome, Status
from signer.errors import InputError
from signer.model import Peran
from signer.trust import TrustConfig
from signer.verify import cache
from signer.verify.evidence import Evidence, VerifyOptions, gather
from signer.verify.policy import Policy, policy_for
from signer.verify.report import Report, summarise
from signer.verify.result import Verdict


def verify_bytes(
    data: bytes, name: str, options: VerifyOptions, policy: Policy | None = None
) -> Report:
    """The verdict on one file's bytes under ``policy`` (default: what ``options`` ask for).

    A file that needs more memory than the worker may use is unusable input, not a verdict.
    """
    try:
        with cache.one_document():  # workers verify thousands: see one_document
            return _verify_bytes(data, name, options, policy)
    except MemoryError:
        raise InputError(
            f"{name}: needs more memory than a verification may use (--max-memory); a "
            "decompression bomb, or a very large file"
        ) from None


def _verify_bytes(data: bytes, name: str, options: VerifyOptions, policy: Policy | None) -> Report:
    if not data.startswith(b"%PDF-"):
        raise InputError(f"{name}: not a PDF file")
    policy = policy or policy_for(options.trust)
    try:
        ev = gather(name, data, options)
    except MemoryError:
        raise
    except Exception as e:  # whatever the bytes: a file we cannot take apart is not valid
        ev = Evidence(name, data, parse_error=f"{e.__class__.__name__}: {str(e)[:200]}")
    return summarise(ev, policy.run(ev, options), options)


# An agreement's file, at most: a generated and signed one is a few hundred kilobytes, one with
# a long lampiran and years of archival timestamps a few megabytes. Checked before reading.
MAX_FILE_BYTES = 64 * 1024 * 1024


def read_agreement(path: Path) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`; anything else (a pipe, a
    device, a larger file) is refused before it is read, so it can neither hang nor flood."""
    try:
        return fsio.read_bounded(path, MAX_FILE_BYTES)
    except fsio.ReadRefused as e:
        if e.kind == "missing":
            raise InputError(f"{path}: no such file") from None
        if e.kind == "unreadable":
            raise InputError(f"{path}: cannot read ({e.detail})") from None
        if e.kind == "large":
            size = f"{e.size // (1024 * 1024)} MB, " if e.size is not None else ""
            raise InputError(
                f"{path}: {size}larger than an agreement can be "
                f"({MAX_FILE_BYTES // (1024 * 1024)} MB)"
            ) from None
        raise InputError(f"{path}: not a regular file (a pipe, a device or a folder)") from None


def verify_file(path: Path, options: VerifyOptions, policy: Policy | None = None) -> Report:
    return verify_bytes(read_agreement(path), str(path), options, policy)


# what one document's verification may cost, by default: several times what a real agreement
# needs (about 150 MB), below what a hostile one could take
DEFAULT_LIMITS = Limits(memory_mb=1024, seconds=300)


def verify_paths(
    paths: Sequence[Path],
    options: VerifyOptions,
    jobs: int = 1,
    progress: bool = True,
    limits: Limits = DEFAULT_LIMITS,
) -> list[Report | InputError]:
    """Verify many files in forked workers; unusable input comes back as its error.

    Every report at once: for an archive, :func:`verify_iter` holds only a few at a time.
    """
    return list(verify_iter(paths, options, jobs, progress, limits))


def verify_iter(
    paths: Sequence[Path],
    options: VerifyOptions,
    jobs: int = 1,
    progress: bool = True,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Report | InputError]:
    """Each file's report (or why it is unusable) in the order of ``paths``, as soon as it and
    every file before it are verified: memory stays flat however large the archive.

    Each document runs in a worker bounded by ``limits``: one that needs more memory or time,
    or kills its worker, is unusable input with the reason, and the others go on. A worker
    verifies many documents.
    """
    policy = policy_for(options.trust)
    parent = os.getpid()
    cache.warm()  # inherited by every worker forked below

    def one(path: Path) -> Outcome[Report | InputError]:
        try:
            report: Report | InputError = verify_file(path, options, policy)
        except InputError as e:
            report = e
        if os.getpid() != parent:  # in a forked worker, which goes on to the next document
            cache.settle_worker()
        return Outcome(str(path), Status.DONE, value=report)

    batch: Batch[Path, Report | InputError] = Batch(
        "verify", one, str, jobs=jobs, progress=progress, processes=True, limits=limits
    )
    waiting: dict[int, Report | InputError] = {}  # done, but a file before it is not yet
    following = 0
    for index, o in batch.stream(paths):
        waiting[index] = o.value if o.value is not None else InputError(o.detail)
        while following in waiting:
            yield waiting.pop(following)
            following += 1


@dataclass(frozen=True)
class SigningAudit:
    """The full verify policy, as the sign stage asks it before and after each signature.

    A document may be signed further only if it holds exactly the signatures ``signed`` so far
    and no check fails; missing proof (INDETERMINATE) stops it only when trust anchors are
    configured, since without them nothing could ever be proven.
    """

    trust: TrustConfig

    def __call__(self, data: bytes, source: str, signed: tuple[Peran, ...]) -> list[str]:
        report = verify_bytes(data, source, VerifyOptions(self.trust, expect=signed))
        return [
            str(c) for c in report.failures if c.verdict is Verdict.INVALID or self.trust.anchors
        ]


def prepared_problems(pdf: bytes) -> list[str]:
    """What verify's content checks refuse in a ready-to-sign agreement (the embedded data, the
    printed code and QR, the pages field by field, the glyphs): `kinerja generate` hands no
    signer a document that could never verify."""
    from signer.verify.checks.content import (
        drawn_glyphs,
        embedded_agreement,
        printed_agreement,
        verification_code,
    )

    options = VerifyOptions(expect=())  # nothing signed yet: the file as it is
    ev = gather("prepared.pdf", pdf, options, structure=False)  # no check here reads qpdf's
    checks = (embedded_agreement, verification_code, printed_agreement, drawn_glyphs)
    return [r.reason for c in checks for r in c.run(ev, options) if not r.passed]
