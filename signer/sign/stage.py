"""The sign stage: pihak pertama certifies, then pihak kedua approves, with any backend.

For each document: every pre-signing rule (:mod:`signer.sign.rules`), then the audit (the full
verify policy, passed in by the caller) of the signatures already in the file, then one signature
from the backend (:mod:`signer.sign.backend`), then the audit again on the result, and only then
the write (atomic, in place or into ``--out``). A refusal at any step writes nothing.

The audit is passed in, not imported: verifying is a later stage, and the sign stage must not
depend on it (the command line and the demo wire them together).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from signer import fsio
from signer.batch import Batch, InputFile, Outcome, Status, default_jobs
from signer.errors import InputError
from signer.model import Peran
from signer.sign.backend import Concurrency, DocumentSigner, Level, SignRequest
from signer.sign.rules import (
    NoSuchRole,
    SignRefused,
    check,
    check_role,
    read_prepared,
    read_strict,
)


class SigningAudit(Protocol):
    """What keeps a document from being signed further: the problems the verifier finds in a
    document that ``signed`` (in order) have signed; none means it may be signed."""

    def __call__(self, data: bytes, source: str, signed: tuple[Peran, ...]) -> list[str]: ...


@dataclass(frozen=True)
class SignOptions:
    """How to sign a batch."""

    role: Peran
    level: Level = Level.B_LTA
    out: Path | None = None
    """A folder for the signed copies; None signs in place."""
    jobs: int = field(default_factory=default_jobs)
    """Parallel workers, if the backend allows more than one."""
    progress: bool = True
    strict_roles: bool = False
    """Refuse (bad input) a document whose kind has no such role, instead of leaving it alone
    (kept, with the reason): for files named one by one rather than found in a folder."""


def _refuse(source: str, what: str, problems: list[str]) -> SignRefused:
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return SignRefused(f"{source}: {what}: {'; '.join(problems[:3])}{more}")


def sign_document(
    data: bytes,
    source: str,
    signer: DocumentSigner,
    audit: SigningAudit,
    role: Peran,
    level: Level,
    now: dt.datetime | None = None,
) -> bytes | None:
    """Sign one document's bytes; None when this role already signed it."""
    now = now or dt.datetime.now(dt.UTC)
    reader = read_strict(data, source)
    embedded = read_prepared(reader, source)
    check_role(embedded.agreement, role, source)
    certificate = signer.certificate_for(embedded.agreement, role)
    checked = check(reader, source, role, certificate, now, embedded)
    if checked.already:
        return None
    problems = audit(data, source, checked.signed)
    if problems:
        raise _refuse(source, "it must not be signed further, it does not verify", problems)
    signed = signer.sign(SignRequest(data, source, role, embedded, checked.field, level, now))
    if not signed.startswith(data):
        raise SignRefused(f"{source}: the signature did not come back as an incremental update")
    problems = audit(signed, source, (*checked.signed, role))
    if problems:
        raise _refuse(source, "the signed result does not verify, nothing was written", problems)
    return signed


def sign_files(
    files: Sequence[InputFile],
    signer: DocumentSigner,
    audit: SigningAudit,
    options: SignOptions,
) -> list[Outcome[None]]:
    """Sign many files as ``options.role``; each written atomically, in place or into OUT."""

    def one(item: InputFile) -> Outcome[None]:
        path = item.path
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except OSError as e:
            raise InputError(f"{path}: cannot read ({e.strerror})") from None
        target = (options.out / item.relative) if options.out else path
        try:
            signed = sign_document(data, str(path), signer, audit, options.role, options.level)
        except NoSuchRole as e:
            if options.strict_roles:
                raise
            # a folder signed as pihak kedua holds the kepala daerah's own PK too: left alone
            return Outcome(path.name, Status.KEPT, str(e))
        if signed is None:
            if options.out and not target.exists():
                fsio.write_bytes(target, data)
            return Outcome(path.name, Status.SKIPPED, f"already signed as {options.role.value}")
        fsio.write_bytes(target, signed)
        return Outcome(path.name, Status.DONE, f"signed as {options.role.value} ({options.level})")

    concurrency = signer.concurrency
    batch: Batch[InputFile, None] = Batch(
        f"sign {options.role.value}",
        one,
        lambda f: f.path.name,
        jobs=1 if concurrency is Concurrency.SINGLE else options.jobs,
        progress=options.progress,
        processes=concurrency is Concurrency.PROCESSES,
    )
    return batch.run(files)
