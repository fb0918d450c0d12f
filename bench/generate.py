"""Benchmark: generate the whole example ceremony, against one `soffice` per file.

kinerja's way: `generate()` with warm LibreOffice workers (render + convert + prepare + the
read-back by verify's content checks, end to end). The naive way, in the same run, on the same
.docx files: `soffice --convert-to pdf` once per file (conversion only, so the comparison
flatters the naive way). Also the conversion floor: the same .docx files converted by the same
warm LibreOffice workers and nothing else (``--jobs`` workers, as generate uses them), and
generate's time over it; a second kinerja run with nothing changed; the peak memory of the whole
process tree.

    .venv/bin/python bench/generate.py [--jobs N] [--naive-sample K]
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import TreeMemory, arguments

from signer.batch import Batch, Outcome, Status
from signer.example.workspace import write_workspace
from signer.generate.render import builtin_template, render
from signer.generate.stage import GenerateOptions, generate
from signer.office.convert import OfficePool
from signer.verify.run import prepared_problems
from signer.workbooks.ceremony_read import read_workbook


def _conversion_floor(files: list[Path], out: Path, jobs: int) -> float:
    """Seconds to convert ``files`` with ``jobs`` warm LibreOffice workers and nothing else (the
    workers are started and warmed on one file first, as generate's are by its first files)."""
    out.mkdir()
    with OfficePool(jobs) as office:

        def convert(docx: Path) -> Outcome[None]:
            office.convert(docx, out / docx.with_suffix(".pdf").name)
            return Outcome(docx.name, Status.DONE)

        warm = Batch("warm", convert, str, jobs=jobs, progress=False)
        warm.run(files[:jobs])
        start = time.perf_counter()
        outcomes = Batch("convert", convert, str, jobs=jobs, progress=False).run(files)
        took = time.perf_counter() - start
    assert all(o.status is Status.DONE for o in outcomes), outcomes[:3]
    return took


def main() -> None:
    args = arguments(0, "convert only this many files the naive way (0: all)")

    work = Path(tempfile.mkdtemp(prefix="kinerja-bench-"))
    try:
        write_workspace(work)
        workbook = work / "kinerja.xlsx"
        ceremony = read_workbook(workbook)
        n = len(ceremony.agreements)
        pk = sum(1 for a in ceremony.agreements if a.jenis.has_targets)
        # as `kinerja generate` runs: every PDF read back by verify's content checks
        options = GenerateOptions(
            out=work / "out", jobs=args.jobs, progress=False, audit=prepared_problems
        )

        with TreeMemory() as memory:
            start = time.perf_counter()
            outcomes = generate(ceremony, workbook, options)
            first = time.perf_counter() - start
        failed = [o for o in outcomes if o.status is Status.FAILED]
        assert not failed, failed[:3]

        start = time.perf_counter()
        again = generate(ceremony, workbook, options)
        second = time.perf_counter() - start
        assert all(o.status is Status.SKIPPED for o in again)

        # the naive way, on the same .docx files
        docx_dir, pdf_dir = work / "docx", work / "naive"
        docx_dir.mkdir()
        pdf_dir.mkdir()
        logo = (work / "logo.png").read_bytes()
        templates = {
            k: builtin_template(k).read_bytes() for k in {a.jenis for a in ceremony.agreements}
        }
        files = []
        for a in ceremony.agreements:
            path = docx_dir / f"{a.id}.docx"
            path.write_bytes(render(a, templates[a.jenis], logo).docx)
            files.append(path)
        floor = _conversion_floor(files, work / "floor", args.jobs)
        if args.naive_sample:
            files = files[: args.naive_sample]
        profile = work / "naive-profile"
        times = []
        for path in files:
            t = time.perf_counter()
            subprocess.run(
                [
                    "soffice",
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(pdf_dir),
                    str(path),
                ],
                capture_output=True,
                check=True,
                timeout=300,
            )
            times.append(time.perf_counter() - t)
        naive_per_doc = statistics.mean(times)

        per_doc = first / n
        result = {
            "documents": n,
            "perjanjian_kinerja": pk,
            "pakta_integritas": n - pk,
            "jobs": args.jobs,
            "kinerja_total_s": round(first, 2),
            "kinerja_per_document_ms": round(per_doc * 1000, 1),
            "kinerja_second_run_s": round(second, 3),
            "conversion_floor_per_document_ms": round(floor / n * 1000, 1),
            "kinerja_over_conversion_floor": round(first / floor, 2),
            "naive_files": len(files),
            "naive_per_document_ms": round(naive_per_doc * 1000, 1),
            "naive_median_ms": round(statistics.median(times) * 1000, 1),
            "speedup": round(naive_per_doc / per_doc, 1),
            "peak_memory_mib": round(memory.peak / 2**20, 1),
        }
        print(json.dumps(result, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
