"""The sign stage for a backend that signs many documents per request (BSrE's eSign API).

Three steps, so that a request carries only documents that may be signed and nothing is
written that was not checked:

1. every document's plan, rules and audit (the full verify policy on what is signed so far), in
   forked workers: no request yet;
2. the documents cut into requests bounded in files and bytes (:func:`.bsre.batches`), sent one
   after another; a request that fails stops the run with its one line, since BSrE locks
   accounts after failed passphrases and a server that is down stays down for the next one;
3. each returned document checked (:func:`.remote_result.check_returned`), audited again, and
   written; one that fails is refused alone, its file left as it was.

Each document is written as soon as its request returns: a run stopped midway is run again, and
the documents already signed are skipped, not signed twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from signer.batch import Batch, InputFile, Outcome, Status
from signer.model import Peran
from signer.remote.http import RemoteError
from signer.sign.backend import DocumentSigner, SignRequest
from signer.sign.remote_result import check_returned
from signer.sign.rules import NoSuchRole, read_prepared, read_strict, signing_warnings
from signer.sign.stage import (
    SigningAudit,
    SignOptions,
    _Plan,
    _plan,
    _refuse,
    _rules,
    _write,
    unsigned,
)


@runtime_checkable
class BatchSigner(DocumentSigner, Protocol):
    """A backend that signs several documents in one request."""

    @property
    def service(self) -> str:
        """How messages name the service."""
        ...

    def batches(self, requests: Sequence[SignRequest]) -> list[list[SignRequest]]:
        """``requests`` cut into requests the service accepts."""
        ...

    def sign_batch(self, requests: Sequence[SignRequest]) -> list[bytes]: ...


@dataclass(frozen=True)
class _Ready:
    index: int
    plan: _Plan
    request: SignRequest
    signed: tuple[Peran, ...]


def sign_in_batches(
    files: Sequence[InputFile],
    signer: BatchSigner,
    audit: SigningAudit,
    options: SignOptions,
) -> list[Outcome[None]]:
    """Sign ``files`` as ``options.role`` through ``signer`` (after the stage's preflight)."""
    role = options.role

    def prepare(job: tuple[int, InputFile]) -> Outcome[_Ready]:
        index, item = job
        path = item.path
        plan = _plan(item, options)
        if plan.kept is not None:
            return Outcome(path.name, Status.KEPT, plan.kept)
        now = dt.datetime.now(dt.UTC)
        try:
            checked = _rules(plan.data, plan.source, signer, role, now, options.pins)
        except NoSuchRole as e:
            if options.strict_roles:
                raise
            return unsigned(plan, path.name, Status.KEPT, str(e))
        if checked.already:
            return unsigned(plan, path.name, Status.SKIPPED, f"already signed as {role.value}")
        problems = audit(plan.data, plan.source, checked.signed)
        if problems:
            raise _refuse(
                plan.source, "it must not be signed further, it does not verify", problems
            )
        request = SignRequest(
            plan.data, plan.source, role, checked.embedded, checked.field, options.level, now
        )
        ready = _Ready(index, plan, request, checked.signed)
        return Outcome(path.name, Status.DONE, "", value=ready)

    prepared = Batch(
        f"check {role.value}",
        prepare,
        lambda job: job[1].path.name,
        jobs=options.jobs,
        progress=options.progress,
        processes=True,
    ).run(list(enumerate(files)))
    outcomes: dict[int, Outcome[None]] = {
        i: Outcome(o.name, o.status, o.detail, o.seconds)
        for i, o in enumerate(prepared)
        if o.value is None
    }
    ready = [o.value for o in prepared if o.value is not None]
    by_source = {r.request.source: r for r in ready}
    expected = signer.certificate_for(ready[0].request.agreement, role) if ready else None

    def finish(pair: tuple[_Ready, bytes]) -> Outcome[None]:
        item, returned = pair
        request, plan = item.request, item.plan
        check_returned(request, returned, signer.service, expected, options.pins)
        problems = audit(returned, plan.source, (*item.signed, role))
        if problems:
            raise _refuse(
                plan.source, "what came back does not verify, nothing was written", problems
            )
        _write(plan, returned)
        embedded = read_prepared(read_strict(returned, plan.source), plan.source)
        return Outcome(
            files[item.index].path.name,
            Status.DONE,
            f"signed as {role.value} ({request.level}) through {signer.service}",
            warnings=tuple(signing_warnings(embedded, request.now)),
        )

    sent = 0
    for chunk in signer.batches([r.request for r in ready]):
        try:
            returned = signer.sign_batch(chunk)
        except RemoteError as e:
            if sent:
                raise RemoteError(
                    f"{e} ({sent} document(s) were signed and written before it, "
                    f"{len(ready) - sent} not: run again to carry on)"
                ) from None
            raise
        pairs = [(by_source[r.source], data) for r, data in zip(chunk, returned, strict=True)]
        finished = Batch(
            f"sign {role.value}",
            finish,
            lambda p: files[p[0].index].path.name,
            jobs=options.jobs,
            progress=options.progress,
            processes=True,
        ).run(pairs)
        for (item, _data), o in zip(pairs, finished, strict=True):
            outcomes[item.index] = o
        sent += len(chunk)
    return [outcomes[i] for i in sorted(outcomes)]
