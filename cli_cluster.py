"""`--dask`: `kinerja verify` and `kinerja archive reverify` on a Dask cluster.

The commands' options and what they print, for cli.py and cli_archive.py; the work itself is
:mod:`signer.verify.cluster` and :func:`signer.archive.reverify_on_cluster`. Verdicts are
printed (and, for the archive, recorded) as they come back, never held all at once.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from signer.errors import ExitCode
from signer.terminal import print_report_stream, write_json_stream

if TYPE_CHECKING:
    from signer.archive import Registry, Reverified
    from signer.batch import Limits
    from signer.trust import TrustConfig

F = TypeVar("F", bound=Callable[..., Any])


def dask_option(fn: F) -> F:
    return click.option(
        "--dask",
        "dask",
        metavar="ADDRESS",
        help="Verify on a Dask cluster: a scheduler address (tcp://host:8786, or tls://host:8786 "
        "with Dask's TLS settings), or local[:N] to start N worker processes here (default: one "
        "per core). Needs kinerja[cluster].",
    )(fn)


def shared_files_option(fn: F) -> F:
    return click.option(
        "--shared-files",
        is_flag=True,
        help="With --dask: the workers read the files at the same absolute paths (a shared "
        "file system) instead of receiving their bytes.",
    )(fn)


def verify_on_dask(
    files: Sequence[Path],
    trust_paths: Sequence[Path],
    trust: TrustConfig,
    at: dt.datetime | None,
    limits: Limits,
    address: str,
    shared: bool,
    as_json: bool,
) -> None:
    """`kinerja verify --dask`: each verdict printed as it comes back; exits as verify does."""
    from signer.verify import Verdict
    from signer.verify.cluster import ClusterJob, connect, verify_paths_stream

    job = ClusterJob.of(trust_paths, trust, at, limits)
    with connect(address) as client:
        results = (r for _, r in verify_paths_stream(client, files, job, shared))
        if as_json:
            verdicts, unusable = write_json_stream(results, at)
        else:
            verdicts, unusable = print_report_stream(results, len(files))
    if unusable:
        sys.exit(ExitCode.BAD_INPUT)
    if set(verdicts) - {Verdict.VALID.value}:
        sys.exit(ExitCode.FAILED)


def reverify_on_dask(
    registry: Registry,
    trust_paths: Sequence[Path],
    trust: TrustConfig,
    address: str,
    codes: Sequence[str],
) -> Iterator[Reverified]:
    """`kinerja archive reverify --dask`: each verdict of ``codes``, recorded, as it comes back."""
    from signer.archive import reverify_on_cluster
    from signer.verify.cluster import ClusterJob, connect

    job = ClusterJob.of(trust_paths, trust)
    with connect(address) as client:
        yield from reverify_on_cluster(registry, client, job, codes)
