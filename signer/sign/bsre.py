"""Signing through BSrE's eSign API: the official way Indonesian officials sign.

The key never leaves BSrE. The signer is a NIK or an email; the passphrase (or a TOTP from the
BeSign app) goes to BSrE with the documents, which come back signed: PAdES B-T, in a signature
field of BSrE's own (it cannot name the prepared one, nor certify). Every rule of local signing
runs first (the stage), the certificate included: it is fetched from BSrE before anything is
sent, so a document of another party costs no request. Documents of one signer go in as few
requests as the size bound allows; what comes back is checked (:mod:`.remote_result`) before
anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509

from signer.canonical import verification_payload
from signer.errors import InputError
from signer.model import Agreement, Peran
from signer.remote.bsre import (
    BsreClient,
    Origin,
    Placement,
    SignatureProperties,
    UserStatus,
)
from signer.sign.backend import Concurrency, Level, SignRequest
from signer.sign.pades import reason
from signer.sign.stamp import stamp, stamp_png

MAX_REQUEST_BYTES = 20 * 2**20
"""Documents per request, in bytes before base64: BSrE's gateway limit is not published; 20 MB
(about 27 MB of JSON) keeps a request well inside what such gateways accept."""
MAX_REQUEST_FILES = 25


@dataclass
class BsreSigner:
    """A :class:`signer.sign.backend.DocumentSigner` that signs through BSrE, in batches."""

    client: BsreClient
    signer_id: str
    """The NIK or email BSrE knows the signer by."""
    certificate: asn1_x509.Certificate | None
    """The signer's certificate from BSrE's chain, when BSrE gives it."""
    passphrase: Callable[[], str] | None
    """The signer's passphrase; None signs with a TOTP."""
    totp: Callable[[int], str] | None = None
    """Asks for a TOTP for a request of that many documents (after BSrE was asked to expect it)."""
    origin: Origin = Origin.LOWER_LEFT
    requests: int = 0
    """Signing requests sent so far (the bench and the tests count them)."""

    @property
    def concurrency(self) -> Concurrency:
        return Concurrency.THREADS  # one HTTP session; the stage sends batches, not threads

    def certificate_for(self, agreement: Agreement, role: Peran) -> asn1_x509.Certificate | None:
        return self.certificate

    @property
    def service(self) -> str:
        return f"BSrE at {self.client.url}"

    def batches(self, requests: Sequence[SignRequest]) -> list[list[SignRequest]]:
        return batches(requests)

    def sign(self, request: SignRequest) -> bytes:
        return self.sign_batch([request])[0]

    def sign_batch(self, requests: Sequence[SignRequest]) -> list[bytes]:
        """One signing request for ``requests`` (at most :data:`MAX_REQUEST_FILES`)."""
        for r in requests:
            if r.level is not Level.B_T:
                raise InputError(
                    f"BSrE signs at B-T only (asked for {r.level}); sign with --level B-T, then "
                    "`kinerja extend` for B-LTA"
                )
        properties = [self._properties(r) for r in requests]
        passphrase = self.passphrase() if self.passphrase is not None else None
        code = None
        if passphrase is None:
            assert self.totp is not None
            self.client.request_totp(self.signer_id, len(requests))
            code = self.totp(len(requests))
        self.requests += 1
        return self.client.sign_pdf(
            self.signer_id,
            passphrase=passphrase,
            totp=code,
            properties=properties,
            files=[r.data for r in requests],
            origin=self.origin,
        )

    def _properties(self, r: SignRequest) -> SignatureProperties:
        a, role = r.agreement, r.role
        box = r.field.box
        drawn = stamp(
            a.pihak(role),
            r.now,
            a.zona_waktu,
            box,
            verification_payload(a, r.embedded.sha256) + f":{role.value}",
        )
        placement = Placement(stamp_png(drawn, box), r.field.page, box, r.field.page_height)
        return SignatureProperties(placement, reason(a, role), a.tempat)

    def close(self) -> None:
        pass


def batches(requests: Sequence[SignRequest]) -> list[list[SignRequest]]:
    """``requests`` cut into signing requests bounded in files and bytes (one document larger
    than the bound goes alone)."""
    out: list[list[SignRequest]] = []
    size = 0
    for r in requests:
        if out and len(out[-1]) < MAX_REQUEST_FILES and size + len(r.data) <= MAX_REQUEST_BYTES:
            out[-1].append(r)
            size += len(r.data)
        else:
            out.append([r])
            size = len(r.data)
    return out


def open_bsre(
    url: str,
    signer_id: str,
    *,
    client_user: str,
    client_password: str,
    passphrase: Callable[[], str] | None,
    totp: Callable[[int], str] | None,
    ca_file: Path | None = None,
    origin: Origin = Origin.LOWER_LEFT,
    timeout: float = 120.0,
) -> BsreSigner:
    """The BSrE backend for one signer: the account's status and certificate are asked first,
    so an unregistered NIK or a missing certificate stops before any document is sent."""
    signer_id = signer_id.strip()
    if not signer_id:
        raise InputError("--bsre-id: give the signer's NIK or email")
    if "@" not in signer_id and not (signer_id.isdigit() and len(signer_id) == 16):
        raise InputError(f"--bsre-id {signer_id!r}: a NIK has 16 digits (or give an email)")
    client = BsreClient(
        url,
        client_user,
        client_password,
        ca_file,
        timeout,
    )
    status = client.user_status(signer_id)
    if status.status is not UserStatus.ISSUE:
        what = {
            UserStatus.NOT_REGISTERED: "is not registered with BSrE",
            UserStatus.NO_CERTIFICATE: "has no certificate at BSrE",
        }.get(status.status, f"cannot sign (BSrE status {status.raw_status or 'unknown'})")
        said = f" ({status.message})" if status.message else ""
        raise InputError(f"{signer_id} {what}{said}; nothing was sent")
    chain = client.certificate_chain(signer_id)
    return BsreSigner(client, signer_id, chain[0], passphrase, totp, origin)
