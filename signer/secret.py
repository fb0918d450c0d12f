"""Passphrases and PINs: from an environment variable or a prompt, never argv, never a log.

Every program kinerja starts gets :func:`child_environment`, which leaves the secret variables
out (a test holds each subprocess call of the library to it). They stay in kinerja's own
environment: the demo store reads its passphrase more than once (its CA keys, its PKCS#12
files), and the forked signing workers that inherit it are kinerja itself.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from signer.errors import InputError

PASSPHRASE_ENV = "KINERJA_PASSPHRASE"
PIN_ENV = "KINERJA_PIN"
BSRE_USER_ENV = "KINERJA_BSRE_USER"
BSRE_PASSWORD_ENV = "KINERJA_BSRE_PASSWORD"
CSC_TOKEN_ENV = "KINERJA_CSC_TOKEN"
"""The access token of a CSC remote signing service (``kinerja sign --csc``)."""
SECRET_ENVS = (PASSPHRASE_ENV, PIN_ENV, BSRE_USER_ENV, BSRE_PASSWORD_ENV, CSC_TOKEN_ENV)
"""Every variable a secret is read from (:func:`secret_from_env`)."""


def child_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a program kinerja starts (LibreOffice, its probe): ours without any
    secret variable, plus ``extra``. A program that does not sign has no use for a passphrase,
    and a child can outlive us or dump its environment in a crash report."""
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENVS}
    env.update(extra or {})
    return env


def run_child(args: Sequence[str], **options: Any) -> subprocess.CompletedProcess[Any]:
    """Run a program kinerja needs (fc-list, ...): :func:`subprocess.run`, without our secrets."""
    return subprocess.run(args, env=child_environment(), **options)


def secret_from_env(
    variable: str, what: str, prompt: Callable[[str], str] | None = None, default: str | None = None
) -> bytes:
    """A passphrase or PIN from ``variable``, else from ``prompt(what)``, else ``default``.

    ``variable`` is one of :data:`SECRET_ENVS`, which is what keeps it from every child."""
    if variable not in SECRET_ENVS:
        raise ValueError(f"{variable} is not in SECRET_ENVS: children would inherit it")
    value = os.environ.get(variable)
    if value is None and prompt is not None:
        value = prompt(what)
    if value is None:
        value = default
    if value is None:
        raise InputError(f"no {what}: set {variable} or run interactively")
    return value.encode()
