"""What every `kinerja` command shares: the error-to-exit mapping and the common options.

Apart from cli.py so that command groups in modules of their own (cli_archive.py) use them too.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from signer import lock
from signer.display import lines
from signer.errors import ExitCode, InputError, KinerjaError
from signer.terminal import console_err

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(fn: F) -> F:
    """Turn library errors into one clear message and the right exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KinerjaError as e:
            first, *rest = lines(e) or [""]
            console_err.print(f"error: {first}")
            for line in rest:
                console_err.print(line)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            console_err.print("interrupted; run the same command again to carry on", markup=False)
            sys.exit(ExitCode.INTERRUPTED)
        finally:
            lock.release_all()  # the folders a command locked are free when it ends

    return wrapper  # type: ignore[return-value]


def out_option(fn: F) -> F:
    return click.option(
        "-o", "--out", type=click.Path(path_type=Path), help="Where to write the results."
    )(fn)


def json_option(fn: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print a machine-readable JSON report on stdout."
    )(fn)


def jobs_option(fn: F) -> F:
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Parallel workers (default: one per core).",
    )(fn)


def db_option(fn: F) -> F:
    """``--db``: the archive's database; a password belongs in $KINERJA_DB or $PGPASSWORD, never
    on the command line, where every user of the machine can read it."""
    return click.option(
        "--db",
        "db",
        envvar="KINERJA_DB",
        metavar="URL|PATH",
        callback=_no_password_in_argv,
        help="The archive: sqlite:///FILE, postgresql://USER@HOST/DB, or a workspace folder "
        "(default: arsip.sqlite of the workspace; also $KINERJA_DB).",
    )(fn)


def _no_password_in_argv(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if value is None or "://" not in value:
        return value
    if ctx.get_parameter_source(param.name or "") is click.core.ParameterSource.COMMANDLINE:
        try:
            password = make_url(value).password
        except ArgumentError:
            password = None
        if password:
            raise click.BadParameter(
                "a password on the command line is visible to every user of this machine; "
                "put the URL in $KINERJA_DB, or the password in $PGPASSWORD or ~/.pgpass"
            )
    return value


def database_url(db: str | None, workspace: Path) -> str:
    """``--db`` as a URL: a folder is a workspace (its arsip.sqlite), a file an SQLite archive,
    nothing the workspace's."""
    from signer.archive import default_url

    if db is None:
        return default_url(workspace)
    if "://" in db:
        return db
    path = Path(db)
    return default_url(path) if path.is_dir() else f"sqlite:///{path.resolve()}"


def trust_options(fn: F) -> F:
    fn = click.option("--offline", is_flag=True, help="Use only the proofs inside the documents.")(
        fn
    )
    return click.option(
        "--trust",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Trust anchor certificate or folder; repeatable (default: the workspace's demo "
        "key store, if it has one).",
    )(fn)


def trust_for(trust: tuple[Path, ...], offline: bool, workspace: Path) -> Any:
    """The trust configuration: ``--trust``, else a demo workspace's own demo key store (said
    on stderr, so that nobody mistakes it for real trust)."""
    from signer.trust import load_trust_config

    return load_trust_config(trusted_paths(trust, workspace), online=not offline)


def trusted_paths(trust: tuple[Path, ...], workspace: Path) -> tuple[Path, ...]:
    """``--trust``, else a demo workspace's own demo key store (said on stderr)."""
    from signer.demo_pki.pki import is_demo_store

    if not trust and is_demo_store(workspace / "keys"):
        console_err.print(
            f"trusting the demo key store {workspace / 'keys'} (a demo PKI, not a real one)",
            markup=False,
        )
        return (workspace / "keys",)
    return trust


def parse_datetime(option: str, value: str | None) -> dt.datetime | None:
    """A date, or date and time, given to ``option`` (ISO 8601; UTC unless it says otherwise)."""
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{option} {value}: expected a date or date and time, e.g. 2031-06-30 or "
            "2031-06-30T09:00+07:00"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
