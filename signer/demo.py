"""The demo ceremony: every stage that exists, run on the example workspace, offline.

Grows with each stage; today: the example workspace, the ceremony read from it, every
agreement generated as a ready-to-sign PDF/A-3b, a demo PKI, and both parties' signatures at
PAdES B-LTA (timestamps and revocation answers in-process, no network), and a fail-closed
verification of every signed document.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import pki
from .batch import Status, default_jobs, summary
from .errors import InputError, VerificationFailed
from .example import WORKBOOK, write_workspace
from .generate import GenerateOptions, generate
from .model import Peran
from .sign import KeySource, Level, SignOptions, setup, sign_files
from .verify import Verdict, VerifyOptions, load_trust_config, verify_paths
from .workbook import read_workbook


@dataclass(frozen=True)
class Step:
    name: str
    detail: str


def run(folder: Path, report: Callable[[Step], None] = lambda s: None) -> list[Step]:
    """Run the demo ceremony in ``folder`` (created or refreshed) and return what each step did."""
    steps: list[Step] = []

    def done(name: str, detail: str) -> None:
        step = Step(name, detail)
        steps.append(step)
        report(step)

    write_workspace(folder, force=True)
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
    outcomes = generate(ceremony, folder / WORKBOOK, GenerateOptions(out=out))
    failed = [o for o in outcomes if o.status is Status.FAILED]
    if failed:
        raise InputError(
            f"generate failed for {len(failed)} documents, e.g. {failed[0].name}: "
            f"{failed[0].detail}"
        )
    counts = summary(outcomes)
    done(
        "generate",
        f"{len(outcomes)} ready-to-sign PDF/A-3b in {out}: "
        f"{counts[Status.DONE]} made, {counts[Status.SKIPPED]} already up to date, "
        f"{counts[Status.KEPT]} signed and kept ({time.perf_counter() - start:.1f} s)",
    )
    keys = folder / "keys"
    if not pki.is_demo_store(keys):
        pki.make_demo_store(keys, folder / WORKBOOK)
    ready = setup(
        KeySource(keys=keys), secret=lambda env, what: pki.passphrase_from_env(), tsa_url=None
    )
    pdfs = sorted(out.glob("*.pdf"))
    for role in Peran:
        start = time.perf_counter()
        signed = sign_files(
            pdfs, ready.credential_for, ready.services, SignOptions(role, Level.B_LTA)
        )
        failed = [o for o in signed if o.status is Status.FAILED]
        if failed:
            raise InputError(
                f"signing as {role.value} failed for {len(failed)} documents, "
                f"e.g. {failed[0].detail}"
            )
        counts = summary(signed)
        done(
            f"sign {role.value}",
            f"{counts[Status.DONE]} signed at PAdES B-LTA, "
            f"{counts[Status.SKIPPED]} already signed "
            f"({time.perf_counter() - start:.1f} s)",
        )
    start = time.perf_counter()
    reports = verify_paths(pdfs, VerifyOptions(load_trust_config([keys])), default_jobs())
    valid = sum(1 for r in reports if not isinstance(r, InputError) and r.verdict is Verdict.VALID)
    if valid != len(pdfs):
        bad = next(
            r for r in reports if isinstance(r, InputError) or r.verdict is not Verdict.VALID
        )
        raise VerificationFailed(f"verify: {len(pdfs) - valid} documents not VALID, e.g. {bad}")
    done(
        "verify",
        f"{valid} of {len(pdfs)} VALID against the demo root ({time.perf_counter() - start:.1f} s)",
    )
    return steps
