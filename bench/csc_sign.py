"""Benchmark: signing through a CSC API v2 remote key against local PKCS#12 keys.

The same documents (a sample of the example's prepared agreements), in the same run, signed by
pihak pertama then pihak kedua with `sign_files`: once through the loopback CSC service over the
demo key store (`kinerja sign --csc`: hash signing, one credentials/authorize and one
signatures/signHash per signature, one document at a time), once with the key store's PKCS#12 files
(`kinerja sign --keys`: forked workers). Both with the demo store's in-process TSA and
revocation answers, at B-B and at B-LTA. Prints seconds per signature, the ratio, and the calls
the service answered per signature.

    .venv/bin/python bench/csc_sign.py [--jobs N] [--naive-sample K]
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from common import arguments, example

from signer.batch import Status, expand_inputs
from signer.demo_pki.csc_service import demo_csc_service
from signer.model import Peran
from signer.secret import CSC_TOKEN_ENV, PIN_ENV
from signer.sign import DocumentSigner, Level, SignOptions, sign_files
from signer.sign.csc import open_csc
from tests.helpers import demo_audit, demo_backend

TOKEN, PIN = "bench-token", "246810"


def per_signature(
    files: Path, backend: DocumentSigner, store: Path, level: Level, jobs: int
) -> float:
    """Seconds per signature over both roles, the backend opened before."""
    audit = demo_audit(store)
    start = time.perf_counter()
    count = 0
    for role in (Peran.PIHAK_PERTAMA, Peran.PIHAK_KEDUA):
        outcomes = sign_files(
            expand_inputs([files]),
            backend,
            audit,
            SignOptions(role, level, jobs=jobs, progress=False),
        )
        bad = [o for o in outcomes if o.status is not Status.DONE]
        assert not bad, bad[:2]
        count += len(outcomes)
    return (time.perf_counter() - start) / count


def main() -> None:
    args = arguments(20, "documents of the example signed each way (both roles each)")
    work = Path(tempfile.mkdtemp(prefix="kinerja-bench-csc-"))
    try:
        ex = example(work)
        sample = work / "sample"
        sample.mkdir()
        for pdf in sorted(ex.prepared.glob("*.pdf"))[: args.naive_sample]:
            shutil.copy(pdf, sample / pdf.name)
        results: dict[str, object] = {"documents": args.naive_sample, "jobs": args.jobs}
        secrets = {CSC_TOKEN_ENV: TOKEN.encode(), PIN_ENV: PIN.encode()}
        with demo_csc_service(ex.store, b"demo", token=TOKEN, pins=PIN) as service:
            for level in (Level.B_B, Level.B_LTA):
                local_ms = {}
                for jobs in sorted({1, args.jobs}):
                    copy = work / f"local-{level}-{jobs}"
                    shutil.copytree(sample, copy)
                    local = per_signature(copy, demo_backend(ex.store), ex.store, level, jobs)
                    local_ms[jobs] = round(local * 1000, 1)
                    results[f"local_pkcs12_{level}_jobs{jobs}_per_signature_ms"] = local_ms[jobs]
                copy = work / f"csc-{level}"
                shutil.copytree(sample, copy)
                calls = sum(service.calls.values())
                remote = open_csc(
                    service.url,
                    None,
                    secret=lambda env, what: secrets[env],
                    tsa_url=None,
                    trust=[ex.store],
                )
                csc_ms = round(per_signature(copy, remote, ex.store, level, 1) * 1000, 1)
                calls = sum(service.calls.values()) - calls
                # the CSC backend signs one document at a time (signer.sign.csc)
                results[f"csc_{level}_per_signature_ms"] = csc_ms
                for jobs, ms in local_ms.items():
                    results[f"csc_over_local_{level}_jobs{jobs}"] = round(csc_ms / ms, 2)
                results[f"csc_calls_{level}"] = calls
                results["signatures_each"] = 2 * args.naive_sample
        print(json.dumps(results, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
