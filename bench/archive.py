"""Benchmark: verifying archives of 1,000 and 10,000 distinct signed agreements, in one batch on
this machine and on a Dask LocalCluster, and what that makes of 100,000.

The archives are made by kinerja itself, not copied from one file: ceremony k is the example's
44 units under another pemerintah daerah ("Pemerintah Kota Contoh k"), written to a workbook,
generated through LibreOffice, and signed by both parties at B-LTA (the demo PKI, its TSA and
revocation services in-process), 88 agreements per ceremony. Every agreement differs (its
instansi, its data, its signatures and timestamps), and each ceremony has its own demo PKI
(its certificates name its pemerintah daerah): the verifier trusts every ceremony's root, as a
national archive's verifier holds many signers' certificates. The archives live in
``--store`` (default ``/var/tmp/kinerja-bench-archive``, or ``$KINERJA_BENCH_ARCHIVE``; never
in git); a ceremony is built in a scratch folder and renamed into place when signed, so an
interrupted build carries on where it stopped.

For each size: the batch on this machine (`verify_iter`, every check on, ``--jobs`` forked
workers) and on a LocalCluster (``--workers`` processes, one thread each, the documents sent by
this client as `kinerja verify --dask local:N` does): documents per second, wall and CPU time per
document, the peak resident memory of the whole process tree, the time per document of the first
and the second half of the batch (the cost per document must not grow within a run, nor from
1,000 to 10,000), whether both ways gave exactly the same verdict for every file, and `pdfsig`
once per file on a sample (the naive way) for the ratio. Then the time 100,000 would take at the
largest size's rate.

    .venv/bin/python bench/archive.py [--sizes 1000,10000] [--store DIR] [--jobs N]
        [--workers N] [--no-cluster] [--pdfsig-sample K] [--build-only]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from common import TreeMemory

from signer import fsio
from signer.batch import Status, default_jobs, expand_inputs
from signer.demo import make_demo_store
from signer.errors import InputError
from signer.example import data as example_data
from signer.example.workspace import ceremony, logo_png, pejabat
from signer.generate.stage import GenerateOptions, generate
from signer.model import Ceremony, Peran
from signer.sign import Level, SignOptions, sign_files
from signer.trust import load_trust_config
from signer.verify.cluster import ClusterJob, connect, verify_paths_stream
from signer.verify.evidence import VerifyOptions
from signer.verify.report import Report
from signer.verify.run import verify_iter
from signer.workbooks.ceremony_read import read_workbook
from signer.workbooks.ceremony_write import write_workbook
from tests.helpers import demo_backend

PER_CEREMONY = 88
PROJECTED = 100_000
GOAL_HOURS = 1.0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000", help="archive sizes, comma-separated")
    default_store = os.environ.get("KINERJA_BENCH_ARCHIVE", "/var/tmp/kinerja-bench-archive")
    parser.add_argument("--store", type=Path, default=Path(default_store))
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--workers", type=int, default=default_jobs(), help="LocalCluster's")
    parser.add_argument("--no-cluster", action="store_true")
    parser.add_argument("--pdfsig-sample", type=int, default=200)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # a child of the bench
    parser.add_argument("--way", choices=("one_machine", "local_cluster"), help=argparse.SUPPRESS)
    logging.basicConfig(level=logging.CRITICAL)  # pyHanko logs what the benchmark ignores
    args = parser.parse_args()
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    return args


def variant(k: int) -> Ceremony:
    """The example ceremony held by the k-th fictional pemerintah daerah."""
    base = ceremony()
    instansi = replace(base.instansi, nama=f"{base.instansi.nama} {k + 1}")
    agreements = tuple(replace(a, instansi=instansi) for a in base.agreements)
    return replace(base, instansi=instansi, agreements=agreements)


def _no_audit(data: bytes, source: str, signed: tuple[Peran, ...]) -> list[str]:
    """`kinerja sign` verifies each document before and after signing it (four verifications
    per agreement, most of the build's time); the bench's corpus skips that, since the bench
    verifies every file anyway and requires every verdict VALID. The signing rules and the
    signatures are the same."""
    return []


def _build_ceremony(store: Path, k: int, jobs: int) -> Path:
    """The k-th ceremony's signed agreements (built now unless already there)."""
    final = store / f"pemda-{k:04d}"
    if final.is_dir():
        return final
    work = store / f".pemda-{k:04d}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    workbook = work / "kinerja.xlsx"
    kode_of = {p: kode for kode, p in pejabat().items()}
    write_workbook(variant(k), workbook, pejabat_kode=lambda p: kode_of[p])
    fsio.write_bytes(work / example_data.LOGO, logo_png())
    keys = work / "keys"  # its own demo PKI: certificates name the pemerintah daerah
    make_demo_store(keys, workbook)
    out = work / "signed"
    outcomes = generate(
        read_workbook(workbook), workbook, GenerateOptions(out, jobs=jobs, progress=False)
    )
    failed = [o for o in outcomes if o.status is Status.FAILED]
    assert not failed, failed[:3]
    inputs = expand_inputs([out])
    backend = demo_backend(keys)
    for role in Peran:
        options = SignOptions(role, Level.B_LTA, jobs=jobs, progress=False)
        signed = sign_files(inputs, backend, _no_audit, options)
        refused = [o for o in signed if o.status is not Status.DONE]
        assert not refused, refused[:3]
    for extra in ("kinerja.xlsx", example_data.LOGO):  # only the signed agreements stay
        (work / extra).unlink()
    os.rename(work, final)
    return final


def build(store: Path, size: int, jobs: int) -> list[Path]:
    """The first ``size`` agreements of the archive in ``store``, built as far as needed."""
    store.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    k = 0
    while len(files) < size:
        start = time.perf_counter()
        built = not (store / f"pemda-{k:04d}").is_dir()
        folder = _build_ceremony(store, k, jobs)
        if built:
            print(f"built ceremony {k} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        files += sorted((folder / "signed").glob("*.pdf"))
        k += 1
    return files[:size]


def _cpu_seconds() -> float:
    """User and system time of this process and of its finished children."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(
    results: Iterator[tuple[str, Report | InputError]], count: int
) -> tuple[dict[str, str], dict[str, float]]:
    """Each file's verdict, and the run's figures, from a stream of results."""
    verdicts: dict[str, str] = {}
    half = None
    cpu = _cpu_seconds()
    with TreeMemory() as memory:
        start = time.perf_counter()
        for name, result in results:
            verdicts[name] = "unusable" if isinstance(result, InputError) else result.verdict.value
            if len(verdicts) == count // 2:
                half = time.perf_counter() - start
        wall = time.perf_counter() - start
    assert len(verdicts) == count and half is not None
    return verdicts, {
        "wall_s": wall,
        "cpu_s": _cpu_seconds() - cpu,
        "peak_tree_rss_mb": memory.peak / 2**20,
        "first_half_ms_per_doc": half / (count // 2) * 1000,
        "second_half_ms_per_doc": (wall - half) / (count - count // 2) * 1000,
    }


def _figures(run: dict[str, float], count: int, cpu: str = "cpu_ms_per_doc") -> dict[str, float]:
    """``cpu``: what the CPU time counts (a LocalCluster's workers are not this process's
    children: only the client's own time is counted there)."""
    per_doc = run["wall_s"] / count
    return {
        "documents_per_s": round(count / run["wall_s"], 2),
        "wall_ms_per_doc": round(per_doc * 1000, 1),
        cpu: round(run["cpu_s"] / count * 1000, 1),
        "first_half_ms_per_doc": round(run["first_half_ms_per_doc"], 1),
        "second_half_ms_per_doc": round(run["second_half_ms_per_doc"], 1),
        "peak_tree_rss_mb": round(run["peak_tree_rss_mb"], 1),
        "projected_100000_h": round(per_doc * PROJECTED / 3600, 2),
    }


def _pdfsig_ms(files: list[Path], sample: int) -> float:
    step = max(1, len(files) // max(1, sample))
    times = []
    for path in files[::step][:sample]:
        t = time.perf_counter()
        subprocess.run(["pdfsig", str(path)], capture_output=True, timeout=120)
        times.append(time.perf_counter() - t)
    return statistics.mean(times) * 1000


def _trust(files: list[Path]) -> tuple[list[Path], VerifyOptions]:
    # their ceremonies' roots; offline, as an archive is re-verified years later: the proofs
    # each B-LTA file carries (a demo store's in-process services would answer for one PKI only)
    trust_paths = sorted({f.parent.parent / "keys" / "ca" / "root.crt" for f in files})
    return trust_paths, VerifyOptions(load_trust_config(trust_paths, online=False))


def measure_way(files: list[Path], args: argparse.Namespace) -> dict[str, Any]:
    """In a fresh process (``--measure``): one way over ``files``, its verdicts and figures."""
    trust_paths, options = _trust(files)
    count = len(files)
    if args.way == "one_machine":

        def locally() -> Iterator[tuple[str, Report | InputError]]:
            results = verify_iter(files, options, args.jobs, progress=False)
            for path, result in zip(files, results, strict=True):
                yield str(path), result

        verdicts, run = _timed(locally(), count)
        return {"verdicts": verdicts, "figures": {"jobs": args.jobs, **_figures(run, count)}}
    job = ClusterJob.of(trust_paths, options.trust)
    with connect(f"local:{args.workers}") as client:
        verdicts, run = _timed(verify_paths_stream(client, files, job), count)
    figures = _figures(run, count, "client_cpu_ms_per_doc")
    return {"verdicts": verdicts, "figures": {"workers": args.workers, **figures}}


def _in_fresh_process(size: int, way: str, args: argparse.Namespace) -> dict[str, Any]:
    """Each way at each size starts from a new interpreter: no size inherits the memory, the
    caches or the imports of the one measured before it."""
    command = [sys.executable, __file__, "--measure", str(size), "--way", way]
    command += ["--store", str(args.store), "--jobs", str(args.jobs)]
    command += ["--workers", str(args.workers)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"measuring {way} at {size} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def measure(files: list[Path], args: argparse.Namespace) -> dict[str, object]:
    count = len(files)
    single = _in_fresh_process(count, "one_machine", args)
    verdicts: dict[str, str] = single["verdicts"]
    invalid = [n for n, v in verdicts.items() if v != "VALID"]
    assert not invalid, f"the corpus must verify: {invalid[:5]}"
    out: dict[str, object] = {
        "documents": count,
        "verdicts": dict(Counter(verdicts.values())),
        "one_machine": single["figures"],
    }
    if not args.no_cluster:
        cluster = _in_fresh_process(count, "local_cluster", args)
        out["local_cluster"] = cluster["figures"]
        differ = [n for n in verdicts if verdicts[n] != cluster["verdicts"].get(n)]
        out["same_verdicts"] = not differ
        out["differing"] = differ[:10]
    pdfsig = _pdfsig_ms(files, args.pdfsig_sample)
    out["pdfsig_ms_per_file"] = round(pdfsig, 1)
    one_machine_ms = single["figures"]["wall_ms_per_doc"]
    out["one_machine_over_pdfsig"] = round(one_machine_ms / pdfsig, 2)
    return out


def main() -> None:
    args = _arguments()
    if args.measure:
        files = build(args.store, args.measure, args.jobs)
        print(json.dumps(measure_way(files, args)))
        return
    started = time.perf_counter()
    archive = build(args.store, args.sizes[-1], args.jobs)
    print(
        f"archive ready: {len(archive)} agreements ({time.perf_counter() - started:.0f} s)",
        file=sys.stderr,
    )
    if args.build_only:
        return
    by_size: dict[str, dict[str, Any]] = {}
    for size in args.sizes:
        by_size[str(size)] = measure(archive[:size], args)
        print(json.dumps({size: by_size[str(size)]}), file=sys.stderr)
    small, large = (by_size[str(s)] for s in (args.sizes[0], args.sizes[-1]))
    growth: dict[str, object] = {}
    for way in ("one_machine", "local_cluster"):
        if way in large:
            a, b = small[way], large[way]
            growth[f"{way}_ms_per_doc_{args.sizes[-1]}_over_{args.sizes[0]}"] = round(
                b["wall_ms_per_doc"] / a["wall_ms_per_doc"], 3
            )
    best = min(
        large[w]["projected_100000_h"] for w in ("one_machine", "local_cluster") if w in large
    )
    result = {
        "machine_cores": os.cpu_count(),
        "online_revocation": False,
        "sizes": by_size,
        "growth": growth,
        "projected_100000_h_best": best,
        "goal_h": GOAL_HOURS,
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
