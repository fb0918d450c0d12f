"""Running the portal: uvicorn over the app, and the admin endpoint's way into the archive."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from signer.archive import Registry, Stored, open_registry
from signer.verify import VerifyOptions
from signer.web.app import PortalConfig, create_app
from signer.web.checker import Checked


def archiver(url: str) -> Callable[[bytes, Checked], str]:
    """Store an upload verified VALID in the archive at ``url``, opened writable for that
    moment only (the portal otherwise reads); its code, or ValueError on a conflict."""

    def add(data: bytes, checked: Checked) -> str:
        assert checked.report is not None and checked.agreement_json is not None
        report = checked.report
        agreement = report.get("agreement") or {}
        name = f"{agreement.get('id') or 'perjanjian'}.pdf"
        with open_registry(url) as registry:
            stored = registry.store(
                data, name, report, str(report["verdict"]), checked.agreement_json
            )
        if stored is Stored.CONFLICT:
            raise ValueError("another file with this verification code is archived")
        return str(agreement.get("sha256"))

    return add


def log_requests() -> None:
    """The portal's one line per request, on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    portal_log = logging.getLogger("kinerja.portal")
    portal_log.addHandler(handler)
    portal_log.setLevel(logging.INFO)
    portal_log.propagate = False  # once: the root handler (cli.py) would print it again


def serve(
    registry: Registry,
    options: VerifyOptions,
    config: PortalConfig,
    host: str,
    port: int,
) -> None:
    """Serve until Ctrl-C or SIGTERM (one event loop; the verifications in forked workers)."""
    import uvicorn

    log_requests()
    # no access log of uvicorn's: it names client addresses; the portal logs its own line
    uvicorn.run(
        create_app(registry, options, config),
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
    )
