"""The pieces of `--dask` that need no cluster: addresses, what travels to a worker, and the
limits one document runs under inside a long-lived worker process."""

from __future__ import annotations

import io
import json
import multiprocessing
import pickle
import resource
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from signer.batch import Limits, default_jobs
from signer.errors import InputError
from signer.terminal import JsonArray
from signer.trust import load_trust_config
from signer.verify import cluster
from signer.verify.cluster import ClusterJob, WorkerSetupError, bounded, parse_address


def test_addresses() -> None:
    assert parse_address("local") == default_jobs()
    assert parse_address("local:3") == 3
    assert parse_address("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    for bad in ("local:0", "local:x", "10.0.0.5:8786", "http://host:8786", ""):
        with pytest.raises(InputError, match="expected local, local:N"):
            parse_address(bad)


def test_what_travels_pickles_and_loads_the_same_trust_on_a_worker(demo_store: Path) -> None:
    trust = load_trust_config([demo_store])
    job = ClusterJob.of([demo_store], trust)
    assert job.demo_stores == (str(demo_store.resolve()),)
    travelled = pickle.loads(pickle.dumps(job))
    assert travelled == job and hash(travelled) == hash(job)
    loaded = travelled.trust()
    assert cluster.trust_fingerprint(loaded) == job.fingerprint
    assert loaded.fetcher_backend is not None  # the demo's revocation services, started here
    assert [c.sha256 for c in loaded.anchors] == [c.sha256 for c in trust.anchors]


def test_a_worker_keeps_its_setup_warm_by_the_jobs_content(demo_store: Path) -> None:
    job = ClusterJob.of([demo_store], load_trust_config([demo_store]))
    first = cluster._warm(job)
    assert cluster._warm(pickle.loads(pickle.dumps(job))) is first
    offline = ClusterJob.of([demo_store], load_trust_config([demo_store], online=False))
    assert offline.fingerprint != job.fingerprint
    assert cluster._warm(offline) is not first


def test_a_worker_with_other_trust_than_the_client_refuses(
    demo_store: Path, tmp_path: Path
) -> None:
    job = ClusterJob.of([demo_store], load_trust_config([demo_store]))
    gone = replace(job, demo_stores=(str(tmp_path / "nowhere"),))
    with pytest.raises(WorkerSetupError, match="on a Dask worker: --trust"):
        cluster._warm(gone)
    other_pki = replace(job, anchors=())  # the store on the worker is not the trusted one
    with pytest.raises(WorkerSetupError, match="is another PKI here"):
        cluster._warm(other_pki)
    forged = replace(job, fingerprint="0" * 64)
    with pytest.raises(WorkerSetupError, match="other trust than this machine's"):
        cluster._warm(forged)


def test_memory_bound_fails_the_document_and_gives_the_worker_its_limit_back() -> None:
    before = resource.getrlimit(resource.RLIMIT_DATA)
    with pytest.raises(MemoryError), bounded(Limits(memory_mb=64)):
        bytearray(256 * 1024 * 1024)
    assert resource.getrlimit(resource.RLIMIT_DATA) == before
    assert len(bytearray(256 * 1024 * 1024)) == 256 * 1024 * 1024  # the worker goes on


def _overstay() -> None:
    with bounded(Limits(seconds=1)):
        time.sleep(5)


def test_time_bound_ends_the_worker_process() -> None:
    worker = multiprocessing.get_context("fork").Process(target=_overstay)
    start = time.monotonic()
    worker.start()
    worker.join(10)
    assert worker.exitcode == -signal.SIGALRM
    assert time.monotonic() - start < 4


def test_json_array_is_one_document_built_as_it_goes() -> None:
    out = io.StringIO()
    rows = JsonArray(out)
    rows.add({"a": "line\nbreak"})
    rows.add([1, 2])
    rows.close()
    assert json.loads(out.getvalue()) == [{"a": "line\nbreak"}, [1, 2]]
    empty = io.StringIO()
    JsonArray(empty).close()
    assert json.loads(empty.getvalue()) == []


def test_without_dask_installed_dask_says_what_to_install(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    hide = "import sys; sys.modules['distributed'] = None; from cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", hide, "verify", str(pdf), "--dask", "local:2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"error: {cluster.MISSING}\n"
