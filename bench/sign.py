"""Benchmark: sign the example ceremony with both roles, against the pyHanko CLI per file.

kinerja's way: `sign_files` for pihak pertama then pihak kedua over all 88 prepared agreements
(forked workers, keys loaded once), at B-B and at B-LTA, in the same process (a batch). The
naive way, in the same run: `pyhanko sign addsig ... pkcs12` once per file and role, at B-B and
at B-T (timestamps from the demo TSA served on 127.0.0.1; B-LT and B-LTA need the demo OCSP and
CRL URLs, which the pyHanko CLI cannot reach offline).

    .venv/bin/python bench/sign.py [--jobs N] [--naive-sample K]
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

from signer.batch import Status, expand_inputs
from signer.demo_pki import pki
from signer.demo_pki.responders import DemoTimeStamper
from signer.model import Peran
from signer.sign import Level, SignOptions, sign_files
from signer.sign.keys import KeyStore
from tests.helpers import demo_audit, demo_backend, loopback_tsa

PYHANKO = str(Path(sys.executable).with_name("pyhanko"))


def ours(files: Path, store: Path, level: Level, jobs: int) -> float:
    """Seconds per signature over both roles, keys and services loaded once before."""
    backend, audit = demo_backend(store), demo_audit(store)
    start = time.perf_counter()
    count = 0
    for role in (Peran.PIHAK_PERTAMA, Peran.PIHAK_KEDUA):
        inputs = expand_inputs([files])
        outcomes = sign_files(
            inputs, backend, audit, SignOptions(role, level, jobs=jobs, progress=False)
        )
        bad = [o for o in outcomes if o.status is not Status.DONE]
        assert not bad, bad[:2]
        count += len(outcomes)
    return (time.perf_counter() - start) / count


def naive(files: list[Path], store: Path, work: Path, tsa_url: str | None) -> float:
    """Seconds per signature with the pyHanko CLI, one process per file and role."""
    keys = KeyStore(store, b"demo")
    passfile = work / "pass"
    passfile.write_text("demo")
    from pyhanko.pdf_utils.reader import PdfFileReader

    from signer.embedded import read_embedded

    times = []
    for path in files:
        with open(path, "rb") as f:
            agreement = read_embedded(PdfFileReader(f).root).agreement
        current = path
        for n, role in enumerate(Peran):
            p12 = keys.folder / "pihak" / keys.for_party(agreement.pihak(role)).source
            target = work / f"{path.stem}-{n}.pdf"
            args = [
                PYHANKO,
                "sign",
                "addsig",
                "--field",
                role.value,
                "--existing-only",
                "--use-pades",
            ]
            if role is Peran.PIHAK_PERTAMA:
                args.append("--certify")
            if tsa_url:
                args += ["--timestamp-url", tsa_url]
            args += ["pkcs12", "--passfile", str(passfile), str(current), str(target), str(p12)]
            t = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True, timeout=120)
            times.append(time.perf_counter() - t)
            current = target
    return statistics.mean(times)


def main() -> None:
    args = arguments(20, "documents signed the naive way (both roles each)")
    if not Path(PYHANKO).exists():
        sys.exit("the pyHanko CLI is missing: pip install 'kinerja[bench]'")

    work = Path(tempfile.mkdtemp(prefix="kinerja-bench-sign-"))
    try:
        ex = example(work)
        ceremony, prepared, store = ex.ceremony, ex.prepared, ex.store
        results: dict[str, object] = {"documents": len(ceremony.agreements), "jobs": args.jobs}
        for level in (Level.B_B, Level.B_LTA):
            copy = work / f"ours-{level}"
            shutil.copytree(prepared, copy)
            per = ours(copy, store, level, args.jobs)
            results[f"kinerja_{level}_per_signature_ms"] = round(per * 1000, 1)

        sample = sorted(prepared.glob("*.pdf"))[: args.naive_sample]
        with loopback_tsa(DemoTimeStamper(pki.load_demo_pki(store, b"demo"))) as tsa:
            for label, url in (("B-B", None), ("B-T", tsa)):
                folder = work / f"naive-{label}"
                folder.mkdir()
                per = naive(sample, store, folder, url)
                results[f"pyhanko_cli_{label}_per_signature_ms"] = round(per * 1000, 1)
        results["naive_signatures_each"] = 2 * len(sample)
        results["speedup_B-B"] = round(
            results["pyhanko_cli_B-B_per_signature_ms"]  # type: ignore[operator]
            / results["kinerja_B-B_per_signature_ms"],
            1,
        )  # type: ignore[operator]
        results["speedup_B-LTA_vs_cli_B-T"] = round(
            results["pyhanko_cli_B-T_per_signature_ms"]  # type: ignore[operator]
            / results["kinerja_B-LTA_per_signature_ms"],
            1,
        )  # type: ignore[operator]
        print(json.dumps(results, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
