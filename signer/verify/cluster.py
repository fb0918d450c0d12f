"""Verifying on a Dask cluster: documents go to the workers, verdicts come back as they finish.

The client reads each document (or names it on a path every worker shares) and sends it under
a :class:`ClusterJob`, which goes to each worker once (:mod:`signer.verify.cluster_delivery`):
the trust as certificates and the demo key stores to load, never a loaded
:class:`~signer.trust.TrustConfig` (a demo store's in-process responders hold locks and keys).
Each worker loads the trust once per job and keeps it warm across documents, keyed by the job's
content; it refuses to verify when the trust it loaded differs from the client's. A document
runs under the same time and memory limits as in a local batch; one that ends its worker is
retried elsewhere by the scheduler, and after the allowed failures it is unusable input.
Work is sent in a bounded window, so the client's memory stays flat for any archive size.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import logging
import re
import resource
import signal
import ssl
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asn1crypto import x509 as asn1_x509

from signer.batch import Limits
from signer.demo_pki import pki
from signer.errors import InputError
from signer.names import PartyPin
from signer.trust import TrustConfig, load_trust_config, trust_paths
from signer.verify.evidence import VerifyOptions
from signer.verify.policy import Policy, policy_for
from signer.verify.report import Report
from signer.verify.run import DEFAULT_LIMITS, read_agreement, verify_bytes

if TYPE_CHECKING:
    from distributed import Client

MISSING = "--dask needs Dask's distributed scheduler: pip install 'kinerja[cluster]'"
ADDRESS_HELP = (
    "expected local, local:N, or a scheduler address such as tcp://host:8786 or tls://host:8786"
)
RETRIES = 2
"""A document whose task raises is tried this many times more (a worker's passing trouble)."""
ALLOWED_FAILURES = 3
"""A document whose worker died this many times (killed, out of memory, past the time limit) is
unusable input, not retried again: a hostile file cannot take the whole cluster down in turn."""
WINDOW_PER_WORKER = 4
"""Documents in flight per worker thread: enough to keep workers busy, few enough that the
client's memory stays flat."""

LOW_LEVEL_LOG_LENGTH = 20
"""Dask's debugging logs of recent messages, kept short on a LocalCluster (see the README for
a cluster of its own)."""

Source = bytes | str | InputError
"""A document as it travels: its bytes, a path every worker can read, or why it cannot go."""


class WorkerSetupError(InputError):
    """A worker cannot verify at all (no trust, another trust than the client's): the run stops."""


@dataclass(frozen=True)
class ClusterJob:
    """What every worker needs to verify as the client would: trust, time, limits."""

    anchors: tuple[bytes, ...]
    """The trust anchors, DER: the workers need not see the client's certificate files."""
    demo_stores: tuple[str, ...]
    """Demo key stores (absolute paths) whose in-process revocation services a worker starts."""
    online: bool
    pinned: tuple[bytes, ...]
    party_pins: tuple[PartyPin, ...]
    fingerprint: str
    """:func:`trust_fingerprint` of the client's trust: a worker whose own differs refuses."""
    at: dt.datetime | None = None
    limits: Limits = DEFAULT_LIMITS

    @classmethod
    def of(
        cls,
        paths: Sequence[Path],
        trust: TrustConfig,
        at: dt.datetime | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> ClusterJob:
        """The job of a trust the client loaded from ``paths`` (``--trust``, ``$KINERJA_TRUST``)."""
        stores = tuple(
            str(p.resolve()) for p in trust_paths(paths) if p.is_dir() and pki.is_demo_store(p)
        )
        return cls(
            tuple(c.dump() for c in trust.anchors),
            stores,
            trust.online,
            tuple(c.dump() for c in trust.pinned),
            trust.party_pins,
            trust_fingerprint(trust),
            at,
            limits,
        )

    def trust(self) -> TrustConfig:
        """The trust, loaded where this runs (on a worker)."""
        backend = None
        anchors = tuple(asn1_x509.Certificate.load(d) for d in self.anchors)
        if self.demo_stores:
            stores = load_trust_config([Path(p) for p in self.demo_stores], from_env=False)
            if {c.sha256 for c in stores.anchors} - {c.sha256 for c in anchors}:
                # its revocation services would answer for another CA than the one trusted
                raise InputError(
                    f"the demo key store at {', '.join(self.demo_stores)} is another PKI here"
                )
            backend = stores.fetcher_backend
        return TrustConfig(
            anchors,
            backend,
            self.online,
            tuple(asn1_x509.Certificate.load(d) for d in self.pinned),
            self.party_pins,
        )


def trust_fingerprint(trust: TrustConfig) -> str:
    """What the trust decides by (anchors, pins, revocation source), as one digest."""
    content = {
        "anchors": [c.sha256.hex() for c in trust.anchors],
        "revocation": type(trust.fetcher_backend).__name__ if trust.fetcher_backend else None,
        "online": trust.online,
        "pinned": [c.sha256.hex() for c in trust.pinned],
        "party_pins": [[p.who, p.sha256] for p in trust.party_pins],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


# On a worker: the loaded trust and policy of the last job, by the job's whole content.
_WARM: dict[ClusterJob, tuple[VerifyOptions, Policy]] = {}


def _warm(job: ClusterJob) -> tuple[VerifyOptions, Policy]:
    if job not in _WARM:
        for library in ("fontTools", "pyhanko", "pyhanko_certvalidator"):
            # as `kinerja` does: what they log, the checks report in their own words
            logging.getLogger(library).setLevel(logging.CRITICAL)
        try:
            trust = job.trust()
        except InputError as e:
            raise WorkerSetupError(f"on a Dask worker: {e}") from None
        if trust_fingerprint(trust) != job.fingerprint:
            raise WorkerSetupError(
                "a Dask worker loads other trust than this machine's (a demo key store it "
                f"cannot reach or open: {', '.join(job.demo_stores)}; is $KINERJA_PASSPHRASE "
                "the same there?)"
            )
        _WARM.clear()
        _WARM[job] = (VerifyOptions(trust, job.at), policy_for(trust))
        # what the worker holds now lives as long as it does: keep the collector off it, as a
        # local batch does for what its forked workers inherit
        gc.collect()
        gc.freeze()
    return _WARM[job]


def _data_bytes() -> int | None:
    """This process's data segment now (what RLIMIT_DATA counts), or None off Linux."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmData:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) * 1024 if found else None


@contextlib.contextmanager
def bounded(limits: Limits) -> Iterator[None]:
    """One document's limits inside a long-lived worker process: past the time, SIGALRM (no
    handler) ends the worker; past the memory (on top of what the worker holds already),
    allocation fails with MemoryError, and the worker's own limit comes back afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    now = _data_bytes() if limits.memory_mb else None
    if now is not None and limits.memory_mb:
        cap = now + limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (cap if hard < 0 else min(cap, hard), hard))
    alarm = bool(limits.seconds) and signal.getsignal(signal.SIGALRM) == signal.SIG_DFL
    if alarm and limits.seconds:
        signal.alarm(limits.seconds)
    try:
        yield
    finally:
        if alarm:
            signal.alarm(0)
        if now is not None:
            resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def verify_task(job_name: str, name: str, source: bytes | str) -> Report | InputError:
    """On a worker: the verdict on one document (its bytes, or a path the worker reads) under
    the job its run delivered as the plugin ``job_name``."""
    from signer.verify.cluster_delivery import delivered

    _single_threaded()
    job = delivered(job_name)
    if job is None:
        raise WorkerSetupError(f"a Dask worker was not given this run's job ({job_name})")
    options, policy = _warm(job)
    with bounded(job.limits):
        try:
            data = source if isinstance(source, bytes) else read_agreement(Path(source))
            return verify_bytes(data, name, options, policy)
        except InputError as e:
            return e


def _single_threaded() -> None:
    """The limits (one alarm, one memory cap) and PDFium hold one document per process."""
    from distributed import get_worker

    try:
        threads = get_worker().state.nthreads
    except ValueError:  # not on a worker (run in-process): nothing shares this process
        return
    if threads != 1:
        raise WorkerSetupError(
            f"a Dask worker runs {threads} threads; kinerja needs one document at a time per "
            "process: start workers with dask-worker --nthreads 1"
        )


def parse_address(address: str) -> int | str:
    """``local`` (one worker per core), ``local:N``, or a scheduler address, checked."""
    if address == "local" or address.startswith("local:"):
        count = address.partition(":")[2]
        if count == "":
            from signer.batch import default_jobs

            return default_jobs()
        if not count.isdigit() or int(count) < 1:
            raise InputError(f"--dask {address}: {ADDRESS_HELP}")
        return int(count)
    if not re.fullmatch(r"(tcp|tls|ucx|inproc)://\S+", address):
        raise InputError(f"--dask {address}: {ADDRESS_HELP}")
    return address


@contextlib.contextmanager
def connect(address: str, connect_seconds: float = 10) -> Iterator[Client]:
    """A client of the scheduler at ``address``, or of a LocalCluster started (and shut down at
    the end) for ``local[:N]``: N worker processes, one thread each."""
    target = parse_address(address)
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(MISSING) from None
    if logging.getLogger().getEffectiveLevel() > logging.INFO:  # unless `kinerja -v`
        # a worker restarted or a scheduler started is the run's business, not the reader's
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
    if isinstance(target, str):
        try:
            client = Client(target, timeout=connect_seconds)
        except (OSError, TimeoutError, TypeError) as e:
            raise _not_connected(address, e, connect_seconds) from None
        with client:
            yield client
        return
    settings = {
        # a worker holds one document at a time: a worker that dies suspects only that one
        "distributed.scheduler.worker-saturation": 1.0,
        "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
        # the scheduler and each worker keep this many recent messages and events for
        # debugging, each with its document's bytes: 1,000 by default, 700 MB and more
        "distributed.admin.low-level-log-length": LOW_LEVEL_LOG_LENGTH,
        # its sampling profiler walks the verifying thread's stack every 10 ms: 2-8% of the time
        "distributed.worker.profile.enabled": False,
    }
    with dask.config.set(settings):
        cluster = LocalCluster(
            n_workers=target,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()


TLS_SETTINGS = (
    "DASK_DISTRIBUTED__COMM__TLS__CA_FILE, DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT and "
    "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY"
)
"""Where a client of a TLS scheduler finds its CA and its own certificate (Dask's settings)."""


def _not_connected(address: str, e: Exception, seconds: float) -> InputError:
    """Why no client came of ``address``, in one line that says what to change."""
    if isinstance(e, TypeError):  # Dask's words for a tls:// address with no TLS settings
        if not address.startswith("tls://"):
            raise e  # not a connection problem: a bug, to be seen whole
        return InputError(f"--dask {address}: a TLS scheduler needs {TLS_SETTINGS} set")
    why = _tls_failure(e) if address.startswith("tls://") else None
    if why is not None:
        return InputError(
            f"--dask {address}: the TLS handshake with the scheduler failed ({why}): "
            f"check {TLS_SETTINGS}"
        )
    if isinstance(e, FileNotFoundError | PermissionError) and address.startswith("tls://"):
        return InputError(f"--dask {address}: cannot read a file of {TLS_SETTINGS}: {e.strerror}")
    closed = any(c.__name__ == "CommClosedError" for c in type(e).__mro__)
    if closed and not address.startswith("tls://"):
        return InputError(
            f"--dask {address}: the scheduler closed the connection (one started with "
            "--protocol tls is reached at tls://)"
        )
    return InputError(
        f"--dask {address}: no Dask scheduler answered within {seconds:g} s "
        f"({e.__class__.__name__})"
    )


_SSL_IN_WORDS = re.compile(r"SSL\w*Error: (?:\[SSL: \w+\] )?([^(]+?)\s*\(")


def _tls_failure(e: Exception) -> str | None:
    """What went wrong in a TLS handshake, from the error Dask raised (the SSL error is its
    cause, its context, or only named in its message, depending on where the handshake broke)."""
    for error in (e, e.__cause__, e.__context__):
        if isinstance(error, ssl.SSLEOFError):  # the scheduler hung up mid-handshake
            return "the scheduler refused this client's certificate"
        if isinstance(error, ssl.SSLError):
            reason = (error.reason or "").replace("_", " ").lower()
            text = getattr(error, "verify_message", None) or reason or str(error)
            break
    else:
        found = _SSL_IN_WORDS.search(str(e))
        if found is None:
            return None
        text = found.group(1)
    if "eof occurred" in text.lower():
        return "the scheduler refused this client's certificate"
    if "alert" in text.lower():  # the scheduler's answer to this client's certificate
        return f"the scheduler refused this client's certificate: {text.lower()}"
    return str(text)


def _threads(client: Client) -> int:
    workers: dict[str, Any] = client.scheduler_info().get("workers", {})
    return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))


def verify_stream(
    client: Client,
    documents: Iterable[tuple[str, Source]],
    job: ClusterJob,
    window: int | None = None,
) -> Iterator[tuple[str, Report | InputError]]:
    """Each document's verdict (or why it is unusable), as the workers finish them.

    At most ``window`` documents are in flight (default: :data:`WINDOW_PER_WORKER` per worker
    thread); the next is read only when one comes back. A document whose workers kept dying is
    unusable input; a worker that cannot verify at all stops the run (:class:`WorkerSetupError`).
    """
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    from signer.verify.cluster_delivery import JobDelivery

    limit = window or WINDOW_PER_WORKER * _threads(client)
    pending = iter(documents)
    names: dict[str, str] = {}
    live: dict[str, Any] = {}  # in flight, by key: cancelled if the run stops early
    flying = as_completed()
    ready: list[tuple[str, InputError]] = []
    delivery = JobDelivery(job)  # the job goes to each worker once, the tasks only name it

    def send() -> bool:
        for name, source in pending:
            if isinstance(source, InputError):  # unusable before it travels
                ready.append((name, source))
                continue
            key = f"kinerja-verify-{uuid.uuid4().hex}"
            future = client.submit(
                verify_task, delivery.name, name, source, key=key, retries=RETRIES, pure=False
            )
            names[key], live[key] = name, future
            flying.add(future)
            return True
        return False

    client.register_plugin(delivery)
    try:
        while len(names) < limit and send():
            pass
        yield from _drain(ready)
        for future in flying:
            name, _ = names.pop(future.key), live.pop(future.key)
            try:
                result: Report | InputError = future.result()
            except KilledWorker:
                result = InputError(
                    f"{name}: kept ending its Dask worker (past --timeout, out of memory, or "
                    "killed); not verified"
                )
            except WorkerSetupError:
                raise
            except Exception as e:
                result = InputError(f"{name}: failed on a Dask worker: {e.__class__.__name__}: {e}")
            future.release()
            while len(names) < limit and send():
                pass
            yield name, result
            yield from _drain(ready)
        yield from _drain(ready)
    finally:
        if live:
            client.cancel(list(live.values()))
        with contextlib.suppress(Exception):  # a client already closed has no plugins left
            client.unregister_worker_plugin(delivery.name)


def _drain(ready: list[tuple[str, InputError]]) -> Iterator[tuple[str, InputError]]:
    while ready:
        yield ready.pop(0)


def verify_paths_stream(
    client: Client, paths: Sequence[Path], job: ClusterJob, shared: bool = False
) -> Iterator[tuple[str, Report | InputError]]:
    """:func:`verify_stream` of files: the client reads each (bounded, as locally), or, with
    ``shared``, sends its absolute path for the worker to read (a file system every worker
    mounts at the same place)."""

    def documents() -> Iterator[tuple[str, Source]]:
        for path in paths:
            if shared:
                yield str(path), str(path.resolve())
                continue
            try:
                yield str(path), read_agreement(path)
            except InputError as e:
                yield str(path), e

    return verify_stream(client, documents(), job)
