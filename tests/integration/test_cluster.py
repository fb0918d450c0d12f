"""`--dask` end to end on a LocalCluster of 2 worker processes: the same verdicts as on one
machine, a tampered copy INVALID on both, the archive re-verified into its registry, a worker
killed mid-run costing only a retry, a document past --timeout ending its workers until it is
unusable, and a scheduler that does not answer said in a line."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from signer.archive import open_registry
from signer.errors import InputError
from signer.trust import load_trust_config
from signer.verify import Report, Verdict, cluster_delivery
from signer.verify.cluster import ALLOWED_FAILURES, ClusterJob, connect, verify_stream
from tests.archive_db import backends, fresh_database
from tests.conftest import run_kinerja

pytestmark = [pytest.mark.slow, pytest.mark.office]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with connect("local:2") as c:
        yield c


@pytest.fixture()
def with_tampered(signed_example: Path, tmp_path: Path) -> Path:
    """The signed example and a copy of one agreement with a byte changed inside its signed
    range."""
    folder = tmp_path / "signed"
    shutil.copytree(signed_example, folder)
    pdf = next(iter(sorted(folder.glob("pk-*.pdf"))))
    data = bytearray(pdf.read_bytes())
    at = data.index(b"/Contents", len(data) // 3)
    data[at - 40] ^= 1
    (folder / f"tampered-{pdf.name}").write_bytes(bytes(data))
    return folder


def _by_file(document: dict[str, Any]) -> dict[str, Any]:
    return {d["file"]: d for d in document["documents"]}


def test_verify_on_the_cluster_gives_the_local_verdicts(
    with_tampered: Path, demo_store: Path
) -> None:
    trust = ("--trust", str(demo_store))
    local = run_kinerja("verify", str(with_tampered), *trust, "--json")
    assert local.returncode == 1, local.stderr  # the tampered copy
    start = time.monotonic()
    dask = run_kinerja("verify", str(with_tampered), *trust, "--json", "--dask", "local:2")
    seconds = time.monotonic() - start
    assert dask.returncode == 1, dask.stderr
    assert "Traceback" not in dask.stderr
    there, here = _by_file(json.loads(dask.stdout)), _by_file(json.loads(local.stdout))
    assert there == here  # every check, reason and signature, document by document
    verdicts = {Path(f).name: d["verdict"] for f, d in there.items()}
    tampered = [n for n in verdicts if n.startswith("tampered-")]
    assert len(tampered) == 1 and verdicts[tampered[0]] == "INVALID"
    assert {v for n, v in verdicts.items() if n not in tampered} == {"VALID"}
    assert json.loads(dask.stdout)["unusable"] == []
    print(f"verify --dask local:2 of {len(there)} documents: {seconds:.1f} s")


def test_a_worker_killed_mid_run_costs_a_retry_not_a_document(
    client: Any, signed_example: Path, demo_store: Path
) -> None:
    files = sorted(signed_example.glob("*.pdf"))
    trust = load_trust_config([demo_store])
    # verify_paths, in a process of its own: it forks, and this one runs the cluster's threads
    here = run_kinerja("verify", *map(str, files), "--trust", str(demo_store), "--json")
    local = {d["file"]: Verdict(d["verdict"]) for d in json.loads(here.stdout)["documents"]}
    assert len(local) == len(files)
    copies = 3  # enough documents that the killed worker is busy with one
    documents = [(f"{n}/{f}", f.read_bytes()) for n in range(copies) for f in files]
    pids: dict[str, int] = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    results: dict[str, Report | InputError] = {}
    for name, result in verify_stream(client, documents, ClusterJob.of([demo_store], trust)):
        if not results:
            os.kill(victim, signal.SIGKILL)
        results[name] = result
    assert len(results) == len(documents)
    assert {
        name: r.verdict if isinstance(r, Report) else str(r) for name, r in results.items()
    } == {f"{n}/{f}": local[str(f)] for n in range(copies) for f in files}
    assert victim not in client.run(os.getpid).values()  # it was killed, and replaced


def test_a_document_whose_worker_keeps_dying_is_unusable_and_the_run_goes_on(
    client: Any, signed_example: Path, demo_store: Path
) -> None:
    """As a document that kills its worker would (a hang past --timeout ends it the same way):
    every worker that takes it up is killed, until the scheduler gives up on it."""
    pdf = next(iter(sorted(signed_example.glob("pk-*.pdf"))))
    job = ClusterJob.of([demo_store], load_trust_config([demo_store]))
    done = threading.Event()
    kills: list[int] = []

    def killer() -> None:
        while not done.is_set():
            # the LocalCluster's nannies, in this process, know their worker's address and pid
            pids = {n.worker_address: n.pid for n in client.cluster.workers.values()}
            for worker, keys in client.processing().items():
                pid = pids.get(worker)
                if keys and pid and pid not in kills:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    kills.append(pid)
            time.sleep(0.01)

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        results = list(verify_stream(client, [("killer.pdf", pdf.read_bytes())], job))
    finally:
        done.set()
        thread.join()
    assert len(kills) > ALLOWED_FAILURES
    assert [(n, type(r)) for n, r in results] == [("killer.pdf", InputError)]
    assert "kept ending its Dask worker" in str(results[0][1])
    client.wait_for_workers(2, timeout=60)  # the nannies started new workers: the run goes on
    after = dict(verify_stream(client, [("after.pdf", pdf.read_bytes())], job))
    assert isinstance(after["after.pdf"], Report) and after["after.pdf"].verdict.value == "VALID"


def _slow_to_verify(signed: Path) -> bytes:
    """A signed agreement with an update after its signatures that costs many seconds of change
    analysis: 19,000 objects (under the object bound), each an array of 60 numbers, reachable
    from the catalog."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed.read_bytes()))
    numbers = generic.ArrayObject(generic.NumberObject(n) for n in range(60))
    junk = generic.ArrayObject(writer.add_object(numbers) for _ in range(19_000))
    writer.root["/Junk"] = writer.add_object(junk)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_document_past_the_timeout_ends_its_worker_and_is_unusable(
    signed_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    """--timeout on a Dask worker: the alarm ends the worker process, the scheduler tries the
    document on new workers until it gives up, and the document is unusable (exit 2)."""
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(_slow_to_verify(next(iter(sorted(signed_example.glob("pk-*.pdf"))))))
    trust = ("--trust", str(demo_store))
    start = time.monotonic()
    done = run_kinerja("verify", str(slow), *trust, "--dask", "local:2", "--timeout", "1")
    took = time.monotonic() - start
    assert done.returncode == 2, (done.stdout, done.stderr)
    said = done.stdout + done.stderr
    assert "slow.pdf" in said and "kept ending its Dask worker (past --timeout" in said, said
    assert "Traceback" not in said
    print(f"killed {ALLOWED_FAILURES + 1} times past --timeout 1 in {took:.1f} s")


def test_a_worker_that_joins_mid_run_is_given_the_job_and_none_stays_after_the_run(
    signed_example: Path, demo_store: Path
) -> None:
    """The job (every trust anchor) goes to each worker once, not with every document: a
    worker that joins later must get it too, and a run leaves none behind on the workers."""
    files = sorted(signed_example.glob("pk-*.pdf"))[:4]
    job = ClusterJob.of([demo_store], load_trust_config([demo_store]))
    documents = [(f"{n}/{f.name}", f.read_bytes()) for n in range(3) for f in files]
    with connect("local:1") as one:
        results: dict[str, Report | InputError] = {}
        during: dict[str, int] = {}
        for name, result in verify_stream(one, documents, job, window=1):
            if not results:
                assert one.cluster is not None
                one.cluster.scale(2)
                one.wait_for_workers(2, timeout=60)
                during = one.run(cluster_delivery.held)
            results[name] = result
        after = one.run(cluster_delivery.held)
    assert sorted(during.values()) == [1, 1]  # the worker started mid-run holds the job too
    assert sorted(after.values()) == [0, 0]
    assert len(results) == len(documents)
    assert all(isinstance(r, Report) for r in results.values())
    assert {r.verdict for r in results.values() if isinstance(r, Report)} == {Verdict.VALID}


@pytest.fixture(params=backends())
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_database(request.param, tmp_path)


def test_archive_reverify_on_the_cluster_records_the_local_verdicts(
    signed_example: Path, demo_store: Path, db: str, tmp_path: Path
) -> None:
    env = {**os.environ, "KINERJA_DB": db}
    trust = ("--trust", str(demo_store))
    added = run_kinerja("archive", "add", str(signed_example), *trust, env=env)
    assert added.returncode == 0, added.stderr
    local = run_kinerja("archive", "reverify", *trust, "--json", env=env)
    assert local.returncode == 0, local.stderr
    dask = run_kinerja("archive", "reverify", *trust, "--json", "--dask", "local:2", env=env)
    assert dask.returncode == 0, dask.stderr
    rows = sorted(json.loads(dask.stdout), key=lambda r: r["code"])
    assert rows == sorted(json.loads(local.stdout), key=lambda r: r["code"])
    assert len(rows) == len(list(signed_example.glob("*.pdf")))
    # nothing trusted: nothing can be proven, recorded by the client as the results come back
    distrust = run_kinerja(
        "archive", "reverify", "--offline", "--dask", "local:2", env=env, cwd=tmp_path
    )
    assert distrust.returncode == 1, distrust.stderr
    assert f"0 of {len(rows)} VALID" in distrust.stdout
    with open_registry(db) as registry:
        for r in rows:
            history = [h.verdict for h in registry.history(r["code"])]
            assert history == ["VALID", "VALID", "VALID", "INDETERMINATE"], history


def test_a_scheduler_that_does_not_answer_is_one_line_and_exit_2(
    signed_example: Path, demo_store: Path
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    done = run_kinerja(
        "verify",
        str(signed_example),
        "--trust",
        str(demo_store),
        "--dask",
        f"tcp://127.0.0.1:{port}",
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: --dask tcp://")
    assert done.stdout == ""
    assert time.monotonic() - start < 30
