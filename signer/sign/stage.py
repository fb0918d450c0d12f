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
from typing import Any, Protocol

from signer import fsio
from signer.batch import Batch, InputFile, Outcome, Status, default_jobs
from signer.errors import InputError, KinerjaError
from signer.model import Peran
from signer.names import PartyPin
from signer.sign.backend import (
    Concurrency,
    DocumentSigner,
    Level,
    SignatureField,
    SignRequest,
)
from signer.sign.rules import (
    Checked,
    NoSuchRole,
    SignRefused,
    check,
    check_role,
    read_prepared,
    read_strict,
    signature_fields,
    signing_warnings,
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
    pins: tuple[PartyPin, ...] = ()
    """Certificates the user named for parties (``--certificate``), where a name cannot tell."""

    strict_roles: bool = False
    """Refuse (bad input) a document whose kind has no such role, instead of leaving it alone
    (kept, with the reason): for files named one by one rather than found in a folder."""


_EMPTY = SignatureField("", False, (0.0, 0.0, 0.0, 0.0), 0)


class BatchRefused(SignRefused):
    """Documents of a batch that cannot be signed as asked; nothing of the batch was signed."""

    def __init__(self, role: Peran, problems: Sequence[str]):
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = [
            f"{count} document{'s' if count != 1 else ''} cannot be signed as "
            f"{role.value}, so nothing was signed:"
        ]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))
        self.lines = tuple(lines)


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
    pins: tuple[PartyPin, ...] = (),
) -> bytes | None:
    """Sign one document's bytes; None when this role already signed it."""
    now = now or dt.datetime.now(dt.UTC)
    checked = _rules(data, source, signer, role, now, pins)
    if checked.already:
        return None
    problems = audit(data, source, checked.signed)
    if problems:
        raise _refuse(source, "it must not be signed further, it does not verify", problems)
    signed = signer.sign(
        SignRequest(data, source, role, checked.embedded, checked.field, level, now)
    )
    if not signed.startswith(data):
        raise SignRefused(f"{source}: the signature did not come back as an incremental update")
    problems = audit(signed, source, (*checked.signed, role))
    if problems:
        raise _refuse(source, "the signed result does not verify, nothing was written", problems)
    return signed


def _rules(
    data: bytes,
    source: str,
    signer: DocumentSigner,
    role: Peran,
    now: dt.datetime,
    pins: tuple[PartyPin, ...],
) -> Checked:
    """Every pre-signing rule, the certificate the backend will use included."""
    reader = read_strict(data, source)
    embedded = read_prepared(reader, source)
    check_role(embedded.agreement, role, source)
    try:
        certificate = signer.certificate_for(embedded.agreement, role)
    except KinerjaError as e:
        raise SignRefused(f"{source}: {e}") from None
    return check(reader, source, role, certificate, now, embedded, pins)


@dataclass(frozen=True)
class _Plan:
    """What signing one file into its destination means, decided before anything is signed."""

    data: bytes
    """The bytes to sign: the source, or the copy already in OUT when that copy carries the
    source further (signed since, so signing it loses nothing)."""
    source: str
    """Their name in messages."""
    target: Path
    existing: bytes | None
    """What the destination holds now (None: nothing). It is written only if it still holds
    exactly this, and only with bytes that keep everything it holds."""
    kept: str | None = None
    """Why the destination is left alone and nothing is signed, if so."""


def _filled(data: bytes, source: str) -> tuple[str, tuple[str, ...]]:
    """The embedded agreement's id and kode verifikasi, and the roles whose signatures the
    document carries; bad input when it is not a document prepared by kinerja."""
    reader = read_strict(data, source)
    embedded = read_prepared(reader, source)
    fields = signature_fields(reader)
    roles = tuple(r.value for r in embedded.agreement.peran if fields.get(r.value, _EMPTY).signed)
    return f"{embedded.agreement.id} (kode verifikasi {embedded.sha256[:16]})", roles


def _who(roles: Sequence[str]) -> str:
    return " and ".join(roles) if roles else "nobody"


def _plan(item: InputFile, options: SignOptions) -> _Plan:
    """Where one file's signature goes, and from which bytes.

    In place, the file itself. Into OUT, a copy there is never replaced by one that lacks
    anything it holds: when it continues the source (the same bytes and more: signed into OUT
    by an earlier run), it is the copy that is signed further; when the source continues it,
    the source replaces it; a copy of the same agreement signed apart from the source (neither
    continues the other) is kept as it is, and a copy of another agreement is refused.
    """
    path = item.path
    data = _read(path)
    if options.out is None:
        return _Plan(data, str(path), path, data)
    target = options.out / item.relative
    if target.exists() and target.resolve() == path.resolve():
        return _Plan(data, str(path), path, data)
    if not target.exists():
        return _Plan(data, str(path), target, None)
    existing = _read(target)
    if existing.startswith(data):  # signed into OUT since: sign that copy further
        return _Plan(existing, str(target), target, existing)
    if data.startswith(existing):  # the source carries OUT's copy further: it replaces it
        return _Plan(data, str(path), target, existing)
    try:
        theirs, their_roles = _filled(existing, str(target))
    except KinerjaError as e:
        raise SignRefused(
            f"{target}: not replaced, it is not a document prepared by kinerja ({e}); "
            "move it away or sign into another folder"
        ) from None
    mine, my_roles = _filled(data, str(path))
    if theirs != mine:
        raise SignRefused(
            f"{target}: not replaced, it holds another agreement ({theirs}) than {path} "
            f"({mine}); sign into another folder"
        )
    if not their_roles:  # an unsigned copy of the same agreement: nothing in it is lost
        return _Plan(data, str(path), target, existing)
    return _Plan(
        data,
        str(path),
        target,
        existing,
        kept=(
            f"{target} is already signed by {_who(their_roles)}; not replaced by a copy of "
            f"{path} signed apart from it (by {_who(my_roles)}); sign {target} itself to "
            "carry it on"
        ),
    )


def preflight(
    files: Sequence[InputFile], signer: DocumentSigner, options: SignOptions
) -> list[str]:
    """The problems that keep documents of a batch from being signed: each party's certificate
    found and matched, every signing rule, a destination in OUT that must not be replaced; a
    message per document, naming its file."""
    now = dt.datetime.now(dt.UTC)
    problems = []
    for item in files:
        try:
            plan = _plan(item, options)
            if plan.kept is None:
                _rules(plan.data, plan.source, signer, options.role, now, options.pins)
        except NoSuchRole as e:
            if options.strict_roles:
                problems.append(str(e))
        except KinerjaError as e:
            problems.append(str(e))
    return problems


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None


def _write(plan: _Plan, data: bytes) -> None:
    """Write the destination, if it still holds what the plan saw (another program may have
    written it meanwhile: then nothing is written, and running again decides afresh)."""
    try:
        now = plan.target.read_bytes() if plan.target.exists() else None
    except OSError:
        now = b""
    if now != plan.existing:
        raise InputError(
            f"{plan.target}: changed while it was being signed, not replaced; run again"
        )
    fsio.write_bytes(plan.target, data)


def unsigned(plan: _Plan, name: str, status: Status, detail: str) -> Outcome[Any]:
    """A file not signed by this run (its role has signed, or it has no such role): OUT still
    gets the copy that carries it furthest."""
    if plan.existing != plan.data:
        _write(plan, plan.data)
    return Outcome(name, status, detail)


def written_folders(files: Sequence[InputFile], out: Path | None) -> set[Path]:
    """The folders signing ``files`` writes (in place, or into ``out``): the ones to lock."""
    if out is None:
        return {f.path.parent for f in files if f.path.exists()}
    return {(out / f.relative).parent for f in files}


def sign_files(
    files: Sequence[InputFile],
    signer: DocumentSigner,
    audit: SigningAudit,
    options: SignOptions,
) -> list[Outcome[None]]:
    """Sign many files as ``options.role``; each written atomically, in place or into OUT.

    Every document's rules and certificate are checked before the first signature: a batch
    with a document that cannot be signed (no certificate for its party, a name that cannot
    tell two parties apart, a copy of another agreement in OUT) is refused as a whole, every
    such document named, nothing signed. A signed copy already in OUT is never replaced by one
    that lacks a signature it holds (see :func:`_plan`).
    """
    problems = preflight(files, signer, options)
    if problems:
        raise BatchRefused(options.role, problems)
    from signer.sign.batched import BatchSigner, sign_in_batches

    if isinstance(signer, BatchSigner):  # a service that signs many documents per request
        return sign_in_batches(files, signer, audit, options)

    def one(item: InputFile) -> Outcome[None]:
        path = item.path
        plan = _plan(item, options)
        if plan.kept is not None:
            return Outcome(path.name, Status.KEPT, plan.kept)
        now = dt.datetime.now(dt.UTC)
        try:
            signed = sign_document(
                plan.data,
                plan.source,
                signer,
                audit,
                options.role,
                options.level,
                now,
                options.pins,
            )
        except NoSuchRole as e:
            if options.strict_roles:
                raise
            # a folder signed as pihak kedua holds the kepala daerah's own PK too: left alone
            return unsigned(plan, path.name, Status.KEPT, str(e))
        if signed is None:
            where = f" in {plan.target}" if plan.source == str(plan.target) != str(path) else ""
            detail = f"already signed as {options.role.value}{where}"
            return unsigned(plan, path.name, Status.SKIPPED, detail)
        _write(plan, signed)
        warnings = signing_warnings(read_prepared(read_strict(signed, str(path)), str(path)), now)
        done = f"signed as {options.role.value} ({options.level})"
        return Outcome(path.name, Status.DONE, done, warnings=tuple(warnings))

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
