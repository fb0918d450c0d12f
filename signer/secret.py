"""Passphrases and PINs: from an environment variable or a prompt, never argv, never a log."""

from __future__ import annotations

import os
from collections.abc import Callable

from signer.errors import InputError

PASSPHRASE_ENV = "KINERJA_PASSPHRASE"
PIN_ENV = "KINERJA_PIN"


def secret_from_env(
    variable: str, what: str, prompt: Callable[[str], str] | None = None, default: str | None = None
) -> bytes:
    """A passphrase or PIN from ``variable``, else from ``prompt(what)``, else ``default``."""
    value = os.environ.get(variable)
    if value is None and prompt is not None:
        value = prompt(what)
    if value is None:
        value = default
    if value is None:
        raise InputError(f"no {what}: set {variable} or run interactively")
    return value.encode()
