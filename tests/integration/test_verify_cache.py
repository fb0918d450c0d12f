"""A worker's caches never let one document's evidence stand for another's.

Two copies of one agreement, signed with the same chain (one demo PKI): the first before pihak
kedua's certificate is revoked, the second after, each carrying the revocation answers of its
time in its DSS and a document timestamp over them (as `tests/attacks.py`'s revoked signer). One
`verify_paths` call with one job verifies both in the same worker, the VALID one first: the
revoked one is still caught, and every verdict is the one a fresh worker gives each alone.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest

from signer.errors import InputError
from signer.trust import load_trust_config
from signer.verify import Report, Verdict, VerifyOptions, verify_paths
from tests import attacks

AGREEMENT = "pk-2026-dinkes"


def _signed(prepared: bytes, authority: Any, services: Any, credential_for: Any) -> bytes:
    """Pihak pertama at B-LTA, pihak kedua at B-T, then the revocation answers of this moment
    (OCSP and the intermediate's CRL) in the DSS and a document timestamp over it all."""

    from signer.model import Peran
    from signer.sign.backend import Level
    from signer.sign.pades import PadesSigner
    from signer.sign.services import Services
    from tests.helpers import sign_unchecked

    a = attacks._parties(prepared)
    first = sign_unchecked(
        prepared,
        PadesSigner(credential_for, services),
        Peran.PIHAK_PERTAMA,
        Level.B_LTA,
    )
    no_revinfo = Services(services.timestamper, None, services.trust_roots)
    second = sign_unchecked(
        first,
        PadesSigner(credential_for, no_revinfo),
        Peran.PIHAK_KEDUA,
        Level.B_T,
    )
    victim = authority.issued_for(a.pihak_kedua).cert
    return attacks.revocation_evidence_stamped(second, victim, authority, services)[0]


@pytest.fixture(scope="module")
def before_and_after(prepared_example: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``1-valid.pdf`` signed before the revocation, ``2-revoked.pdf`` after it, and the PKI's
    key store (its intermediate CRL listing the revocation) in ``keys``."""
    from cryptography.hazmat.primitives import serialization

    from signer.demo_pki import pki

    folder = tmp_path_factory.mktemp("verify-cache")
    prepared = (prepared_example / f"{AGREEMENT}.pdf").read_bytes()
    a = attacks._parties(prepared)
    parties = [a.pihak_pertama, a.pihak_kedua]
    authority = pki.build_demo_pki(parties, a.instansi.nama)
    pki.write_demo_pki(authority, folder / "keys", parties, attacks.PASSPHRASE)
    services = attacks.demo_services(authority)

    def credential_for(agreement: Any, role: Any) -> Any:
        issued = authority.issued_for(agreement.pihak(role))
        return attacks.credential_from(issued, authority.chain, role.value)

    (folder / "1-valid.pdf").write_bytes(_signed(prepared, authority, services, credential_for))
    time.sleep(1.1)  # the revocation after every proof of the first, before the second's
    victim = authority.issued_for(a.pihak_kedua).cert
    authority.revoked[victim.serial_number] = dt.datetime.now(dt.UTC).replace(microsecond=0)
    time.sleep(1.1)
    (folder / "2-revoked.pdf").write_bytes(_signed(prepared, authority, services, credential_for))
    crl = pki.build_crl(authority.intermediate, authority.revoked.items())
    (folder / "keys" / "crl" / "intermediate.crl").write_bytes(
        crl.public_bytes(serialization.Encoding.DER)
    )
    return folder


def _verdicts(paths: list[Path], options: VerifyOptions) -> list[Report]:
    reports = verify_paths(paths, options, jobs=1, progress=False)
    assert not any(isinstance(r, InputError) for r in reports), reports
    return [r for r in reports if not isinstance(r, InputError)]


@pytest.mark.slow
@pytest.mark.office
@pytest.mark.parametrize("online", [False, True], ids=["offline", "online"])
def test_revoked_after_valid_with_the_same_chain_is_caught(
    before_and_after: Path, online: bool
) -> None:
    options = VerifyOptions(load_trust_config([before_and_after / "keys"], online=online))
    valid, revoked = before_and_after / "1-valid.pdf", before_and_after / "2-revoked.pdf"

    together = _verdicts([valid, revoked], options)  # one worker, the VALID one first
    alone = [_verdicts([p], options)[0] for p in (valid, revoked)]  # a fresh worker each
    reverse = _verdicts([revoked, valid], options)[::-1]

    assert [r.verdict for r in together] == [r.verdict for r in alone]
    assert [r.verdict for r in reverse] == [r.verdict for r in alone]
    assert [[str(c) for c in r.failures] for r in together] == [
        [str(c) for c in r.failures] for r in alone
    ]
    if not online:  # from each file's own evidence: good before, revoked after
        assert together[0].verdict is Verdict.VALID, [str(c) for c in together[0].failures]
    assert together[1].verdict is not Verdict.VALID
    assert any("revok" in str(c).lower() for c in together[1].failures), [
        str(c) for c in together[1].failures
    ]
