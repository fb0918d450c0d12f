"""Benchmark: verify signed agreements in a batch, against poppler's pdfsig and pyHanko's CLI.

kinerja's way: `verify_paths` over agreements signed by both parties at B-LTA, every check on,
forked workers (default jobs), in one process (a batch). The naive ways, in the same run, on
the same files: `pdfsig` once per file (every file) and `pyhanko sign validate` once per file
(a sample; the demo root as trust anchor, no revocation fetching). Neither naive way checks
what kinerja checks (who signed, the embedded data, the pages), so the comparison flatters
them. The issue's goal: kinerja's time per document at most 2x pdfsig's per file.

By default the example ceremony is generated and signed in a scratch folder (88 agreements);
``--folder`` takes signed agreements already made (``kinerja demo -o /tmp/perf`` once, then
``--folder /tmp/perf/keluaran --trust /tmp/perf/keys``). ``--profile FILE`` also runs the batch
in one process under cProfile and writes the statistics (``python -m pstats FILE``), printing
the top items. ``--shares`` also measures, in this process with warm caches, the CPU time per
document of the whole verification, of gathering its evidence, and of the gathering's pyHanko
part alone (parsing, the difference analysis, AdES validation; qpdf and the pages left out),
beside the CPU a document may take on ``--jobs`` cores to meet the goal.

    .venv/bin/python bench/verify.py [--jobs N] [--naive-sample K] [--folder DIR --trust KEYS]
        [--offline] [--profile FILE] [--repeat R] [--shares]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import example

from signer.batch import default_jobs, expand_inputs
from signer.errors import InputError
from signer.model import Peran
from signer.sign import Level, SignOptions, sign_files
from signer.trust import load_trust_config
from signer.verify.evidence import VerifyOptions
from signer.verify.result import Verdict
from signer.verify.run import verify_file, verify_paths
from tests.helpers import demo_audit, demo_backend

PYHANKO = str(Path(sys.executable).with_name("pyhanko"))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--naive-sample", type=int, default=30, help="files for pyHanko's CLI")
    parser.add_argument("--folder", type=Path, help="signed agreements already made")
    parser.add_argument("--trust", type=Path, help="their key store (with --folder)")
    parser.add_argument("--offline", action="store_true", help="no current revocation data")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the batch here")
    parser.add_argument("--repeat", type=int, default=1, help="batches timed; the best counts")
    parser.add_argument("--shares", action="store_true", help="CPU of pyHanko's part alone")
    logging.basicConfig(level=logging.CRITICAL)  # pyHanko logs what the benchmark ignores
    args = parser.parse_args()
    if (args.folder is None) != (args.trust is None):
        parser.error("--folder and --trust go together")
    return args


def _signed_example(work: Path, jobs: int) -> tuple[list[Path], Path]:
    ex = example(work)
    backend, audit = demo_backend(ex.store), demo_audit(ex.store)
    inputs = expand_inputs([ex.prepared])
    for role in Peran:
        options = SignOptions(role, Level.B_LTA, jobs=jobs, progress=False)
        sign_files(inputs, backend, audit, options)
    return [f.path for f in inputs], ex.store


def _cpu_seconds() -> float:
    """User and system time of this process and of its finished workers."""
    own, workers = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _per_file(command: list[str], files: list[Path]) -> float:
    """Mean seconds of ``command FILE``, one process per file."""
    times = []
    for path in files:
        t = time.perf_counter()
        subprocess.run([*command, str(path)], capture_output=True, timeout=120)
        times.append(time.perf_counter() - t)
    return statistics.mean(times)


def _profile(files: list[Path], options: VerifyOptions, out: Path) -> list[str]:
    """The batch in this process under cProfile: the statistics to ``out``, the top lines."""
    profiler = cProfile.Profile()
    profiler.enable()
    for path in files:
        verify_file(path, options)
    profiler.disable()
    profiler.dump_stats(out)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(45)
    return text.getvalue().splitlines()


def _shares(files: list[Path], options: VerifyOptions) -> dict[str, float]:
    """CPU ms per document in this process, caches warm: the whole verification, gathering its
    evidence, and the gathering with qpdf and the pages switched off (pyHanko's part)."""
    from collections.abc import Callable

    from signer.verify import cache, evidence
    from signer.verify.policy import policy_for
    from signer.verify.run import verify_bytes

    documents = [(str(p), p.read_bytes()) for p in files]
    policy = policy_for(options.trust)
    cache.warm()
    verify_bytes(documents[0][1], documents[0][0], options, policy)
    cache.settle_worker()

    def cpu_ms(one: Callable[[str, bytes], object]) -> float:
        start = time.process_time()
        for name, data in documents:
            with cache.one_document():  # the collector as verify_bytes has it
                one(name, data)
        return round((time.process_time() - start) / len(documents) * 1000, 1)

    out = {
        "verify_cpu_ms": cpu_ms(lambda n, d: verify_bytes(d, n, options, policy)),
        "gather_cpu_ms": cpu_ms(lambda n, d: evidence.gather(n, d, options)),
    }
    saved = evidence._qpdf_problems, evidence._gather_agreement
    evidence._qpdf_problems = lambda ev, syntax=True: []  # type: ignore[assignment]
    evidence._gather_agreement = lambda ev, options: None  # type: ignore[assignment]
    try:
        out["pyhanko_part_cpu_ms"] = cpu_ms(lambda n, d: evidence.gather(n, d, options))
    finally:
        evidence._qpdf_problems, evidence._gather_agreement = saved
    return out


def main() -> None:
    args = _arguments()
    work = Path(tempfile.mkdtemp(prefix="kinerja-bench-verify-"))
    try:
        if args.folder is not None:
            files, store = [f.path for f in expand_inputs([args.folder])], args.trust
        else:
            files, store = _signed_example(work, args.jobs)
        options = VerifyOptions(load_trust_config([store], online=not args.offline))

        runs, cpu = [], []
        for _ in range(max(1, args.repeat)):
            before = _cpu_seconds()
            start = time.perf_counter()
            verdicts: dict[str, int] = {}
            for r in verify_paths(files, options, args.jobs, progress=False):
                verdict = "unusable" if isinstance(r, InputError) else r.verdict.value
                verdicts[verdict] = verdicts.get(verdict, 0) + 1
                assert not isinstance(r, InputError) and r.verdict is Verdict.VALID, str(r)[:3000]
            runs.append((time.perf_counter() - start) / len(files))
            cpu.append((_cpu_seconds() - before) / len(files))
        ours = min(runs)
        workers_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

        per_pdfsig = _per_file(["pdfsig"], files)
        per_pyhanko = None
        if args.naive_sample and Path(PYHANKO).exists():
            root = store / "ca" / "root.crt"
            per_pyhanko = _per_file(
                [
                    PYHANKO,
                    "sign",
                    "validate",
                    "--trust",
                    str(root),
                    "--trust-replace",
                    "--no-revocation-check",
                ],
                files[: args.naive_sample],
            )
        result = {
            "documents": len(files),
            "signatures_per_document": 2,
            "jobs": args.jobs,
            "online_revocation": not args.offline,
            "verdicts": verdicts,
            "kinerja_per_document_ms": round(ours * 1000, 1),
            "kinerja_runs_ms": [round(r * 1000, 1) for r in runs],
            # CPU time of the batch (workers and this process): steadier than the wall time
            # on a machine that others share
            "kinerja_cpu_per_document_ms": round(min(cpu) * 1000, 1),
            "kinerja_cpu_runs_ms": [round(c * 1000, 1) for c in cpu],
            "pdfsig_per_file_ms": round(per_pdfsig * 1000, 1),
            "kinerja_over_pdfsig": round(ours / per_pdfsig, 2),
            "goal_kinerja_over_pdfsig": 2.0,
            "worker_peak_rss_mb": round(workers_peak_mb, 1),
        }
        if per_pyhanko is not None:
            result["pyhanko_validate_per_file_ms"] = round(per_pyhanko * 1000, 1)
            result["pyhanko_files"] = min(len(files), args.naive_sample)
            result["speedup_vs_pyhanko_cli"] = round(per_pyhanko / ours, 2)
        if args.shares:
            shares = _shares(files, options)
            # at 2x pdfsig per document, with every core busy all the time
            shares["goal_cpu_budget_ms"] = round(2 * per_pdfsig * args.jobs * 1000, 1)
            result["one_process"] = shares
        if args.profile is not None:
            top = _profile(files, options, args.profile)
            print("\n".join(top), file=sys.stderr)
        print(json.dumps(result, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
