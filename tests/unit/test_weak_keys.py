"""A key that verification would reject is refused when it is loaded, before anything is signed,
by the same rules verify applies (signer.algorithms)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec

from signer.algorithms import MIN_RSA_BITS, key_weakness
from signer.sign.keys import KeyMaterialError, KeyStore, load_pkcs12
from tests.weak_keys import rsa_key, write_p12

RINA = "Rina Kartikasari"


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda: (rsa_key(1024), None), "RSA key of 1024 bits (at least 2048 required)"),
        (lambda: (ec.generate_private_key(ec.SECP192R1()), None), "EC key of 192 bits"),
        (lambda: (ec.generate_private_key(ec.SECP224R1()), None), "EC key of 224 bits"),
        (lambda: (dsa.generate_private_key(2048), None), "DSA key of 2048 bits"),
        (lambda: (rsa_key(2048), hashes.SHA1()), "signed with sha1_rsa"),
    ],
    ids=["rsa-1024", "ec-p192", "ec-p224", "dsa-2048", "sha1-signed"],
)
def test_a_weak_key_file_is_refused_naming_the_file_and_why(
    tmp_path: Path, make: object, reason: str
) -> None:
    key, digest = make()  # type: ignore[operator]
    p12 = write_p12(tmp_path / "kunci-rina.p12", key, RINA, digest)
    with pytest.raises(KeyMaterialError) as refused:
        load_pkcs12(p12, b"demo")
    message = str(refused.value)
    assert str(p12) in message and reason in message
    assert "\n" not in message and "demo" not in message


def test_keys_verification_accepts_load(tmp_path: Path) -> None:
    for bits in (MIN_RSA_BITS, 3072):
        p12 = write_p12(tmp_path / f"rsa{bits}.p12", rsa_key(bits), RINA)
        assert load_pkcs12(p12, b"demo").holder == RINA
    p256 = write_p12(tmp_path / "p256.p12", ec.generate_private_key(ec.SECP256R1()), RINA)
    assert key_weakness(load_pkcs12(p256, b"demo").certificate.public_key) is None


def test_a_key_store_holding_a_weak_key_is_refused(tmp_path: Path) -> None:
    write_p12(tmp_path / "kunci" / "arif.p12", rsa_key(2048), "Arif Budiman")
    weak = write_p12(tmp_path / "kunci" / "rina.p12", rsa_key(1024), RINA)
    with pytest.raises(KeyMaterialError, match=f"{weak}: RSA key of 1024 bits"):
        KeyStore(tmp_path / "kunci", b"demo")
