"""`kinerja serve`: the verification portal over the archive, in the foreground."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cli_common import database_url, db_option, trust_for, trust_options, user_errors

ADMIN_TOKEN_ENV = "KINERJA_ADMIN_TOKEN"


@click.command()
@click.argument("workspace", type=click.Path(path_type=Path), default=Path("."))
@db_option
@trust_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--verifiers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Uploads verified at once, each in a worker bounded in time and memory; more get 503.",
)
@click.option(
    "--page-rate",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Page and API requests per second one client may make (bursts of 6 seconds' worth).",
)
@click.option(
    "--upload-rate",
    type=click.FloatRange(min=0.1),
    default=12.0,
    show_default=True,
    help="Uploads per minute one client may make (bursts of 6).",
)
@user_errors
def serve(
    workspace: Path,
    db: str | None,
    trust: tuple[Path, ...],
    offline: bool,
    host: str,
    port: int,
    verifiers: int,
    page_rate: float,
    upload_rate: float,
) -> None:
    """Serve the verification portal until Ctrl-C: /v/CODE (where a document's QR code leads),
    /periksa (check an uploaded PDF) and the JSON API /api/v1 (/api/v1/openapi.json).

    The archive is only read; with $KINERJA_ADMIN_TOKEN set, POST /api/v1/arsip with that bearer
    token adds a PDF that verifies VALID.
    """
    from signer.archive import open_registry
    from signer.errors import InputError
    from signer.verify import VerifyOptions
    from signer.web import CheckLimits, PortalConfig, Rate
    from signer.web.serve import archiver
    from signer.web.serve import serve as run

    if db is None and not workspace.is_dir():
        raise InputError(f"{workspace}: no such workspace folder (or give --db)")
    url = database_url(db, workspace)
    options = VerifyOptions(trust_for(trust, offline, workspace))
    token = os.environ.get(ADMIN_TOKEN_ENV) or None
    config = PortalConfig(
        check=CheckLimits(workers=verifiers),
        pages=Rate(per_second=page_rate, burst=max(1, round(page_rate * 6))),
        uploads=Rate(per_second=upload_rate / 60, burst=6),
        admin_token=token,
        admin_add=archiver(url) if token else None,
    )
    with open_registry(url, read_only=True) as registry:
        shown = f"http://{f'[{host}]' if ':' in host else host}:{port}"
        click.echo(f"portal: {shown}/ (Ctrl-C stops it)")
        # a page to open first: a Perjanjian Kinerja's (it has the target table), else any
        some = sorted(registry.agreements(), key=lambda a: not a.id.startswith("pk-"))
        if some:
            click.echo(f"e.g. {some[0].id}: {shown}/v/{some[0].code}")
        sys.stdout.flush()  # before the server takes over, even when stdout is a pipe
        run(registry, options, config, host, port)
