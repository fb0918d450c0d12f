"""Fetching revocation data over HTTP(S) for a validation, with TLS set up once per process.

Left to itself, pyHanko gives each validation that may fetch its own aiohttp backend, whose
session builds a new SSL context from certifi's roots when it first fetches: about 25 ms, once
per signature validated online (a signing audit, `kinerja verify` with online trust): 12% of
`kinerja demo --bsre`'s signing steps, profiled. The context is the same every time, so here it
is made once per process; each run still gets its own session (an aiohttp session belongs to
the event loop that made it), closed when the run ends.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import ssl
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import aiohttp
import certifi
from pyhanko.sign.validation.policy_decl import RevinfoOnlineFetchingRule, SignatureValidationSpec
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession

T = TypeVar("T")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings pyHanko's fetchers use (certifi's roots), made once per process."""
    return ssl.create_default_context(cafile=certifi.where())


class _Session(LazySession):
    """pyHanko's lazy session, with the process's TLS context instead of a new one."""

    def get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=tls_context()))
        return self._session


def _fetches_online(spec: SignatureValidationSpec) -> bool:
    """Would pyHanko make its own HTTP backend for this specification?"""
    gathering = spec.revinfo_gathering_policy
    return (
        gathering.fetcher_backend is None
        and gathering.online_fetching_rule is not RevinfoOnlineFetchingRule.LOCAL_ONLY
    )


def run_validation(
    spec: SignatureValidationSpec,
    validation: Callable[[SignatureValidationSpec], Coroutine[Any, Any, T]],
) -> T:
    """``validation(spec)`` in its own event loop; when it may fetch over HTTP, with a backend
    of this run that reuses the process's TLS context, closed at the end of the run."""
    if not _fetches_online(spec):
        return asyncio.run(validation(spec))
    return asyncio.run(_with_backend(spec, validation))


async def _with_backend(
    spec: SignatureValidationSpec,
    validation: Callable[[SignatureValidationSpec], Coroutine[Any, Any, T]],
) -> T:
    # its fetchers take a lazy session as well (typed narrower), and its close() closes one
    backend = AIOHttpFetcherBackend(session=_Session())  # type: ignore[no-untyped-call, arg-type]
    gathering = dataclasses.replace(spec.revinfo_gathering_policy, fetcher_backend=backend)
    try:
        return await validation(dataclasses.replace(spec, revinfo_gathering_policy=gathering))
    finally:
        await backend.close()
