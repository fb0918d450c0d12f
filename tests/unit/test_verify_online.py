"""Verifying with online trust: revocation data fetched over HTTP (the BSrE emulator's OCSP and
CRL endpoints on 127.0.0.1), each run with its own session, one TLS context per process."""

from __future__ import annotations

import base64
import gc
import ssl
import warnings
from pathlib import Path
from typing import Any

import pytest

from signer.demo_pki.bsre_emulator import BsreEmulator
from signer.trust import load_trust_config
from signer.verify import online
from signer.verify.evidence import VerifyOptions, gather
from tests.unit.test_bsre_emulator import RINA, prepared_pdf, sign


def test_online_validations_fetch_with_one_tls_context_and_close_their_sessions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with BsreEmulator.start(tmp_path / "pki", [RINA]) as emu:
        status, body = sign(emu, [prepared_pdf()])
        assert status == 200, body
        signed = base64.b64decode(body["file"][0])
        made: list[Any] = []
        real = ssl.create_default_context

        def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
            made.append(args)
            return real(*args, **kwargs)

        monkeypatch.setattr(ssl, "create_default_context", counted)
        online.tls_context.cache_clear()
        options = VerifyOptions(load_trust_config([emu.root_path]))
        assert options.trust.online
        fetched: list[str] = []
        for answer in ("crl", "ocsp_response"):  # what the emulator's PKI endpoints serve
            real_answer = getattr(emu.pki, answer)
            monkeypatch.setattr(
                emu.pki, answer, lambda *a, _f=real_answer, _n=answer: fetched.append(_n) or _f(*a)
            )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(3):
                (item,) = gather("signed.pdf", signed, options).signatures
                assert item.ades is not None, item.ades_error
                assert item.ades.ades_subindic.status.name == "PASSED"
            gc.collect()  # an unclosed aiohttp session says so when it is collected
        assert len(fetched) >= 3, "each run fetched its revocation data over HTTP"
        assert len(made) == 1, "one TLS context for every run, not one per run"
        unclosed = [str(w.message) for w in caught if "Unclosed" in str(w.message)]
        assert not unclosed, unclosed
