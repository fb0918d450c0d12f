"""The demo ceremony: every stage that exists, run on the example workspace, offline.

Grows with each stage; today: the example workspace, the ceremony read from it, every
agreement generated as a ready-to-sign PDF/A-3b, a demo PKI, and both parties' signatures at
PAdES B-LTA (timestamps and revocation answers in-process, no network), a fail-closed
verification of every signed document, and the evaluation of the example realisasi against the
signed targets (evaluasi.json, .xlsx, .pdf).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from signer.archive import DB_FILE, add_stream, default_url, open_registry, store_evaluation
from signer.batch import InputFile, Outcome, Status, default_jobs, expand_inputs, in_order, summary
from signer.demo_pki import pki
from signer.demo_pki.pki import build_demo_pki, is_demo_store, passphrase_from_env, write_demo_pki
from signer.errors import InputError, VerificationFailed
from signer.evaluate.outputs import write_outputs
from signer.evaluate.stage import EvaluateOptions, evaluate_workbook, verified_of
from signer.example.workspace import REALISASI, WORKBOOK, write_workspace
from signer.generate.stage import GenerateOptions, generate
from signer.model import Peran
from signer.sign import KeySource, Level, SignOptions, open_local, sign_files
from signer.trust import TrustConfig, load_trust_config
from signer.verify import SigningAudit, VerifyOptions
from signer.verify.run import prepared_problems
from signer.workbooks.ceremony_read import read_workbook

FOLDERS = ("keluaran", "keys", "evaluasi", "bsre")
"""The folders of the workspace the demo writes (besides the workspace itself)."""
DEMO_VERIFY_URL = "http://127.0.0.1:8000/v/"
"""The demo's Alamat Verifikasi: the local portal (``kinerja serve demo`` listens there by
default), so a phone or browser on this machine opens each document's page from its QR code."""


@dataclass(frozen=True)
class Step:
    name: str
    detail: str


def _all_done(outcomes: Sequence[Outcome[Any]], what: str) -> dict[Status, int]:
    """The counts of a batch in which nothing failed; else the first failure, as an error."""
    failed = [o for o in outcomes if o.status in (Status.FAILED, Status.REFUSED)]
    if failed:
        raise InputError(
            f"{what} failed for {len(failed)} documents, e.g. {failed[0].name}: {failed[0].detail}"
        )
    return summary(outcomes)


def run(
    folder: Path, report: Callable[[Step], None] = lambda s: None, *, bsre: bool = False
) -> list[Step]:
    """Run the demo ceremony in ``folder`` (created or refreshed) and return what each step did;
    with ``bsre``, signed through the BSrE emulator, extended to B-LTA, and verified offline,
    also as of 2036-01-01."""
    steps: list[Step] = []

    def done(name: str, detail: str) -> None:
        step = Step(name, detail)
        steps.append(step)
        report(step)

    write_workspace(folder, force=True, verify_url=DEMO_VERIFY_URL)
    done("init", f"example workspace in {folder}")
    ceremony = read_workbook(folder / WORKBOOK)
    pk = sum(1 for a in ceremony.agreements if a.jenis.has_targets)
    done(
        "read",
        f"{len(ceremony.agreements)} agreements ({pk} with targets) of "
        f"{ceremony.instansi.nama}, {ceremony.tahun}",
    )
    out = folder / "keluaran"
    start = time.perf_counter()
    outcomes = generate(
        ceremony, folder / WORKBOOK, GenerateOptions(out=out, audit=prepared_problems)
    )
    counts = _all_done(outcomes, "generate")
    done(
        "generate",
        f"{len(outcomes)} ready-to-sign PDF/A-3b in {out}: "
        f"{counts[Status.DONE]} made, {counts[Status.SKIPPED]} already up to date, "
        f"{counts[Status.KEPT]} signed and kept ({time.perf_counter() - start:.1f} s)",
    )
    inputs = expand_inputs([out])
    pdfs = [f.path for f in inputs]
    if bsre:
        from signer.demo_bsre import sign_through_bsre

        trust = sign_through_bsre(folder, ceremony, inputs, done)
        against = "the BSrE emulator's root, offline"
    else:
        keys = folder / "keys"
        if not pki.is_demo_store(keys):
            make_demo_store(keys, folder / WORKBOOK)
        trust = load_trust_config([keys])
        _sign_both(keys, inputs, trust, done)
        against = "the demo root"
    # the keys are gone before verify forks its workers, which do not sign
    gc.collect()
    # verify once, as the archive takes them; the evaluation uses exactly these verdicts
    start = time.perf_counter()
    options = EvaluateOptions(trust, jobs=default_jobs())
    with open_registry(default_url(folder)) as registry:
        added = in_order(add_stream(registry, pdfs, VerifyOptions(trust), jobs=default_jobs()))
        refused = [a for a in added if a.stored is None]
        if refused:
            raise VerificationFailed(
                f"verify: not every document is VALID, e.g. {refused[0].file}: {refused[0].detail}"
            )
        reports = [a.report or InputError(a.detail) for a in added]
        verified = verified_of(pdfs, reports)
        done(
            "verify",
            f"{len(pdfs)} of {len(pdfs)} VALID against {against}, archived in "
            f"{folder / DB_FILE} ({time.perf_counter() - start:.1f} s)",
        )
        if bsre:
            _verify_in_2036(pdfs, trust, done)
        start = time.perf_counter()
        evaluation = evaluate_workbook(verified, folder / REALISASI, options)
        written = write_outputs(evaluation, folder / "evaluasi")
        units = evaluation.evaluated
        short = sum(1 for r in units if r.capaian is not None and r.capaian < 76)
        done(
            "evaluate",
            f"{len(units)} units' capaian against their signed targets "
            f"({short} below 'tinggi'), written to {', '.join(str(p) for p in written)} "
            f"({time.perf_counter() - start:.1f} s)",
        )
        kept, _ = store_evaluation(registry, evaluation)
    done(
        "archive",
        f"{len(added)} agreements and {kept} evaluations in {folder / DB_FILE}; "
        f"`kinerja serve {folder}` publishes them",
    )
    return steps


def _verify_in_2036(pdfs: list[Path], trust: TrustConfig, done: Callable[[str, str], None]) -> None:
    """The archive as an auditor reads it ten years on: every certificate expired, the proofs
    embedded."""
    import datetime as dt

    from signer.verify import Verdict, VerifyOptions, verify_paths

    start = time.perf_counter()
    at = dt.datetime(2036, 1, 1, tzinfo=dt.UTC)
    reports = verify_paths(pdfs, VerifyOptions(trust, at), default_jobs(), progress=False)
    bad = [r for r in reports if isinstance(r, InputError) or r.verdict is not Verdict.VALID]
    if bad:
        raise VerificationFailed(f"verify at {at:%Y-%m-%d}: not every document is VALID: {bad[0]}")
    done(
        "verify 2036",
        f"{len(pdfs)} of {len(pdfs)} VALID as of {at:%Y-%m-%d}, offline "
        f"({time.perf_counter() - start:.1f} s)",
    )


def _sign_both(
    keys: Path, inputs: list[InputFile], trust: TrustConfig, done: Callable[[str, str], None]
) -> None:
    """Both parties' signatures with the demo store; its keys live only as long as this call."""
    backend = open_local(
        KeySource(keys=keys), secret=lambda env, what: pki.passphrase_from_env(), tsa_url=None
    )
    try:
        for role in Peran:
            start = time.perf_counter()
            signed = sign_files(
                inputs, backend, SigningAudit(trust), SignOptions(role, Level.B_LTA)
            )
            counts = _all_done(signed, f"signing as {role.value}")
            done(
                f"sign {role.value}",
                f"{counts[Status.DONE]} signed at PAdES B-LTA, "
                f"{counts[Status.SKIPPED]} already signed "
                f"({time.perf_counter() - start:.1f} s)",
            )
    finally:
        backend.close()


def make_demo_store(
    folder: Path, workbook: Path | None = None, *, force: bool = False
) -> dict[str, object]:
    """`kinerja keys demo`: a demo PKI for every party of ``workbook`` (default: the example)."""
    import shutil

    from signer.lock import LOCK_NAME

    # the folder's lock file (held by this command) is not part of the store, and stays
    present = [p for p in folder.iterdir() if p.name != LOCK_NAME] if folder.is_dir() else []
    if present:
        if not is_demo_store(folder):
            raise InputError(
                f"{folder}: exists and is not a demo key store; choose another "
                "folder (real keys are never overwritten)"
            )
        if not force:
            raise InputError(f"{folder}: already holds a demo key store; use --force to replace it")
        for p in present:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
    if workbook is not None:
        from signer.workbooks.ceremony_read import read_workbook

        ceremony = read_workbook(workbook)
    else:
        from signer.example.workspace import ceremony as example_ceremony

        ceremony = example_ceremony()
    parties = ceremony.parties
    pki = build_demo_pki(parties, ceremony.instansi.nama)
    return write_demo_pki(pki, folder, parties, passphrase_from_env())
