"""Helpers shared by the tests and the benchmarks: not part of the library."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import io
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from asn1crypto import tsp as asn1_tsp
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import DummyTimeStamper

from signer import canonical
from signer.embedded import EmbeddedAgreement, read_embedded
from signer.model import Agreement, Peran
from signer.sign import DocumentSigner, KeySource, Level, SignRequest, open_local, sign_document
from signer.sign.pades import PadesSigner
from signer.sign.rules import signature_fields
from signer.trust import load_trust_config
from signer.verify import SigningAudit


def canonical_digest(a: Agreement) -> str:
    """The verification code of an agreement's canonical JSON."""
    return canonical.digest(canonical.to_json(a))


@contextlib.contextmanager
def loopback_tsa(stamper: DummyTimeStamper) -> Iterator[str]:
    """Serve an in-process TSA over HTTP on 127.0.0.1 (RFC 3161 over HTTP); yields its URL.

    For the code paths that take a TSA by URL (``--tsa-url``, the pyHanko command line) in tests
    and benchmarks, with no network beyond the loopback interface.
    """

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer = stamper.request_tsa_response(asn1_tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        thread.join()


def demo_backend(store: Path) -> PadesSigner:
    """The local PAdES backend of a demo key store (its in-process TSA and revocation)."""
    return open_local(KeySource(keys=store), secret=lambda env, what: b"demo", tsa_url=None)


def demo_audit(store: Path) -> SigningAudit:
    """The sign stage's audit with a demo key store as the trust."""
    return SigningAudit(load_trust_config([store]))


def sign_roles(
    data: bytes, store: Path, roles: Iterable[Peran] = tuple(Peran), level: Level = Level.B_LTA
) -> bytes:
    """Sign as `kinerja sign` does (every rule, the audit before and after), role after role."""
    backend, audit = demo_backend(store), demo_audit(store)
    for role in roles:
        signed = sign_document(data, "test.pdf", backend, audit, role, level)
        assert signed is not None
        data = signed
    return data


def sign_unchecked(
    data: bytes,
    backend: DocumentSigner,
    role: Peran,
    level: Level,
    embedded: EmbeddedAgreement | None = None,
) -> bytes:
    """One signature from ``backend`` with none of the sign stage's rules or audit: an
    attacker's own tool (or another signing tool), for building documents that `kinerja sign`
    would refuse. ``embedded`` names the parties when the file's own data cannot."""
    reader = PdfFileReader(io.BytesIO(data))
    embedded = embedded or read_embedded(reader.root)
    field = signature_fields(reader)[role.value]
    request = SignRequest(data, "attack.pdf", role, embedded, field, level, dt.datetime.now(dt.UTC))
    return backend.sign(request)
