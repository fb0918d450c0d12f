"""`--dask`: `kinerja verify` and `kinerja archive reverify` on a Dask cluster.

The commands' options and what they print, for cli.py and cli_archive.py; the work itself is
:mod:`signer.verify.cluster` and :func:`signer.archive.reverify_on_cluster`. Verdicts are
printed (and, for the archive, recorded) as they come back, never held all at once.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from signer.display import json_text, shown
from signer.errors import ExitCode, InputError
from signer.terminal import console, console_err, print_report, print_unusable, print_verdict_table

if TYPE_CHECKING:
    from signer.archive import Registry
    from signer.batch import Limits
    from signer.trust import TrustConfig

F = TypeVar("F", bound=Callable[..., Any])


def dask_option(fn: F) -> F:
    return click.option(
        "--dask",
        "dask",
        metavar="ADDRESS",
        help="Verify on a Dask cluster: a scheduler address (tcp://host:8786), or local[:N] "
        "to start N worker processes here (default: one per core). Needs kinerja[cluster].",
    )(fn)


def shared_files_option(fn: F) -> F:
    return click.option(
        "--shared-files",
        is_flag=True,
        help="With --dask: the workers read the files at the same absolute paths (a shared "
        "file system) instead of receiving their bytes.",
    )(fn)


class JsonArray:
    """A JSON array written element by element: one document at the end, built as it goes."""

    def __init__(self, out: IO[str], opening: str = "[", closing: str = "]") -> None:
        self.out, self.closing, self.first = out, closing, True
        out.write(opening)

    def add(self, value: object) -> None:
        # indented as a whole: no line break can stand inside a JSON string
        text = json_text(json.dumps(value, ensure_ascii=False, indent=1)).replace("\n", "\n ")
        self.out.write(("\n " if self.first else ",\n ") + text)
        self.out.flush()
        self.first = False

    def close(self) -> None:
        self.out.write(("" if self.first else "\n") + self.closing)


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
    from signer.verify.report import REPORT_SCHEMA

    job = ClusterJob.of(trust_paths, trust, at, limits)
    verdicts: Counter[str] = Counter()
    unusable: list[str] = []
    quiet = len(files) > 3
    with connect(address) as client:
        documents = None
        if as_json:
            when = json.dumps(at.isoformat() if at else None)
            sys.stdout.write(f'{{\n "schema": "{REPORT_SCHEMA}",\n "at": {when},\n "documents": ')
            documents = JsonArray(sys.stdout)
        for _, result in verify_paths_stream(client, files, job, shared):
            if isinstance(result, InputError):
                unusable.append(str(result))
                if not as_json:
                    print_unusable(result)
                continue
            verdicts[result.verdict.value] += 1
            if documents is not None:
                documents.add(result.as_dict())
            else:
                print_report(result, quiet)
    if documents is not None:
        documents.close()
        sys.stdout.write(',\n "unusable": ' + json_text(json.dumps(unusable, ensure_ascii=False)))
        sys.stdout.write("\n}\n")
    elif quiet:
        print_verdict_table(verdicts, len(unusable))
    if unusable:
        sys.exit(ExitCode.BAD_INPUT)
    if set(verdicts) - {Verdict.VALID.value}:
        sys.exit(ExitCode.FAILED)


def reverify_on_dask(
    registry: Registry,
    trust_paths: Sequence[Path],
    trust: TrustConfig,
    address: str,
    as_json: bool,
) -> None:
    """`kinerja archive reverify --dask`: each verdict recorded and printed as it comes back."""
    from signer.archive import reverify_on_cluster
    from signer.verify.cluster import ClusterJob, connect

    job = ClusterJob.of(trust_paths, trust)
    valid = total = 0
    with connect(address) as client:
        rows = JsonArray(sys.stdout) if as_json else None
        for r in reverify_on_cluster(registry, client, job):
            total += 1
            valid += r.after == "VALID"
            if rows is not None:
                rows.add(vars(r))
            elif r.after != "VALID" or r.before != r.after:
                console_err.print(
                    f"{shown(r.id)}: {r.before} -> {r.after}: {shown(r.detail)}", markup=False
                )
    if rows is not None:
        rows.close()
        sys.stdout.write("\n")
    else:
        console.print(f"{valid} of {total} VALID", markup=False)
    if valid != total:
        sys.exit(ExitCode.FAILED)
