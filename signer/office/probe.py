"""Is LibreOffice here, and which one: found once, with a message that says how to install it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import cache

from signer.errors import MissingDependency
from signer.secret import child_environment

UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python")
INSTALL = "apt-get install libreoffice-writer-nogui python3-uno"


class OfficeMissing(MissingDependency):
    """LibreOffice or its Python UNO bridge is not installed."""


@cache
def uno_python() -> str:
    """The Python interpreter that can ``import uno`` (Debian: python3-uno for /usr/bin/python3)."""
    if shutil.which("soffice") is None:
        raise OfficeMissing(
            f"LibreOffice is not installed (soffice not found); run `make demo` as root, or: "
            f"{INSTALL}"
        )
    for candidate in UNO_PYTHONS:
        if (
            os.path.exists(candidate)
            and subprocess.run(
                [candidate, "-c", "import uno"],
                capture_output=True,
                timeout=60,
                env=child_environment(),
            ).returncode
            == 0
        ):
            return candidate
    raise OfficeMissing("LibreOffice's Python bridge is missing; apt-get install python3-uno")


def require_office() -> None:
    """Raise :class:`OfficeMissing` unless LibreOffice and its UNO bridge are installed."""
    uno_python()


@cache
def office_version() -> str:
    """LibreOffice's version, e.g. "7.4.7.2" (for reports and bug reports)."""
    require_office()
    soffice = shutil.which("soffice") or "soffice"
    try:
        out = subprocess.run(
            [soffice, "--headless", "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            env=child_environment(),
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        raise OfficeMissing(f"LibreOffice does not answer `soffice --version` ({e})") from None
    found = re.search(r"LibreOffice (\d+(?:\.\d+)+)", out)
    return found.group(1) if found else out.strip() or "unknown"
