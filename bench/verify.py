"""Benchmark: verify the signed example ceremony, against pyHanko's CLI and poppler's pdfsig.

kinerja's way: `verify_paths` over the 88 agreements signed by both parties at B-LTA, every check
on, forked workers, in one process (a batch). The naive ways, in the same run, on the same files:
`pyhanko sign validate` once per file (with the demo root as trust anchor, no revocation
fetching) and `pdfsig` once per file. Neither naive way checks what kinerja checks (who signed,
the embedded data, the pages), so the comparison flatters them.

    .venv/bin/python bench/verify.py [--jobs N] [--naive-sample K]
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import arguments, example

from signer.batch import expand_inputs
from signer.model import Peran
from signer.sign import Level, SignOptions, sign_files
from signer.trust import load_trust_config
from signer.verify.evidence import VerifyOptions
from signer.verify.result import Verdict
from signer.verify.run import verify_paths
from tests.helpers import demo_audit, demo_backend

PYHANKO = str(Path(sys.executable).with_name("pyhanko"))


def main() -> None:
    args = arguments(30, "files verified the naive ways")
    if not Path(PYHANKO).exists():
        sys.exit("the pyHanko CLI is missing: pip install 'kinerja[bench]'")
    work = Path(tempfile.mkdtemp(prefix="kinerja-bench-verify-"))
    try:
        ex = example(work)
        signed, store = ex.prepared, ex.store
        backend, audit = demo_backend(store), demo_audit(store)
        inputs = expand_inputs([signed])
        files = [f.path for f in inputs]
        for role in Peran:
            sign_files(
                inputs,
                backend,
                audit,
                SignOptions(role, Level.B_LTA, jobs=args.jobs, progress=False),
            )

        options = VerifyOptions(load_trust_config([store]))
        start = time.perf_counter()
        reports = verify_paths(files, options, args.jobs, progress=False)
        ours = (time.perf_counter() - start) / len(files)
        bad = [r for r in reports if isinstance(r, Exception) or r.verdict is not Verdict.VALID]
        assert not bad, str(bad[0])[:3000]

        sample = files[: args.naive_sample]
        root = store / "ca" / "root.crt"
        times_pyhanko, times_pdfsig = [], []
        for path in sample:
            t = time.perf_counter()
            subprocess.run(
                [
                    PYHANKO,
                    "sign",
                    "validate",
                    "--trust",
                    str(root),
                    "--trust-replace",
                    "--no-revocation-check",
                    str(path),
                ],
                capture_output=True,
                timeout=120,
            )
            times_pyhanko.append(time.perf_counter() - t)
            t = time.perf_counter()
            subprocess.run(["pdfsig", str(path)], capture_output=True, timeout=120)
            times_pdfsig.append(time.perf_counter() - t)
        per_pyhanko, per_pdfsig = statistics.mean(times_pyhanko), statistics.mean(times_pdfsig)
        print(
            json.dumps(
                {
                    "documents": len(files),
                    "signatures_per_document": 2,
                    "jobs": args.jobs,
                    "kinerja_per_document_ms": round(ours * 1000, 1),
                    "pyhanko_validate_per_file_ms": round(per_pyhanko * 1000, 1),
                    "pdfsig_per_file_ms": round(per_pdfsig * 1000, 1),
                    "naive_files": len(sample),
                    "speedup_vs_pyhanko_cli": round(per_pyhanko / ours, 2),
                    "ratio_vs_pdfsig": round(per_pdfsig / ours, 2),
                },
                indent=1,
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
