"""``kinerja serve``: the portal over a workspace's archive, in the foreground until Ctrl-C."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

ADMIN_TOKEN_ENV = "KINERJA_ADMIN_TOKEN"


@click.command()
@click.argument("workspace", type=click.Path(path_type=Path), default=Path("."))
@click.option("--db", metavar="URL", help="The archive (default: the workspace's SQLite file).")
@click.option(
    "--trust",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Trust anchor certificate, folder of them, or a demo key store; repeatable "
    "(also $KINERJA_TRUST). Default: the workspace's demo key store, if it has one.",
)
@click.option("--offline", is_flag=True, help="Never fetch current revocation data for uploads.")
@click.option(
    "--pin",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Accept only signers with these certificates; repeatable.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--verifiers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Uploads verified at once (each in a bounded worker); more get 503.",
)
def serve(
    workspace: Path,
    db: str | None,
    trust: tuple[Path, ...],
    offline: bool,
    pin: tuple[Path, ...],
    host: str,
    port: int,
    verifiers: int,
) -> None:
    """Serve the verification portal: /v/CODE (the page a QR code leads to), /periksa (check an
    uploaded PDF) and the JSON API /api/v1 (schema at /api/v1/openapi.json)."""
    import uvicorn

    from signer.archive import default_url, open_registry
    from signer.demo_pki.pki import is_demo_store
    from signer.errors import InputError
    from signer.trust import load_trust_config
    from signer.verify import VerifyOptions
    from signer.web import CheckLimits, PortalConfig, create_app

    if db is None and not workspace.is_dir():
        raise InputError(f"{workspace}: no such workspace folder (or give --db URL)")
    url = db or default_url(workspace)
    keys = workspace / "keys"
    if not trust and is_demo_store(keys):
        trust = (keys,)
        click.echo(f"trust: the demo key store {keys} (demo certificates: never for real use)")
    options = VerifyOptions(load_trust_config(trust, online=not offline, pinned=pin))
    registry = open_registry(url, read_only=True)
    token = os.environ.get(ADMIN_TOKEN_ENV) or None
    config = PortalConfig(check=CheckLimits(workers=verifiers), admin_token=token)
    app = create_app(registry, options, config)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    portal_log = logging.getLogger("kinerja.portal")
    portal_log.addHandler(handler)
    portal_log.setLevel(logging.INFO)
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"portal: http://{shown_host}:{port}/ (Ctrl-C stops it)")
    some = registry.agreements()
    if some:
        click.echo(f"e.g. {some[0].id}: http://{shown_host}:{port}/v/{some[0].code}")
    try:
        # no access log of uvicorn's: it names client addresses; the portal logs its own line
        uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
    finally:
        registry.close()
