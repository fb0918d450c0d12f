"""The verify policy as objects: named checks, composed, refused when empty, failing closed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from signer.trust import TrustConfig
from signer.verify import DEFAULT_POLICY, Policy, Verdict, VerifyOptions, every_check, policy_for
from signer.verify.check import DocumentCheck, document_check
from signer.verify.evidence import Evidence
from signer.verify.result import CheckResult, ok
from signer.verify.run import verify_bytes

README = Path(__file__).resolve().parents[2] / "README.md"
NOT_A_REAL_PDF = b"%PDF-1.7\n%%EOF\n"


def test_an_empty_policy_is_refused_where_it_is_built() -> None:
    with pytest.raises(ValueError, match="at least one check"):
        Policy(())
    with pytest.raises(ValueError, match="at least one check"):
        DEFAULT_POLICY.without(*DEFAULT_POLICY.names)


def test_a_check_name_appears_once() -> None:
    with pytest.raises(ValueError, match="once"):
        DEFAULT_POLICY.with_checks(DEFAULT_POLICY.checks[0])


def test_a_crashing_check_fails_closed_under_its_own_name() -> None:
    @document_check("boom", "always crashes")
    def boom(ev: Evidence, options: VerifyOptions) -> CheckResult:
        raise RuntimeError("kaput")

    report = verify_bytes(NOT_A_REAL_PDF, "x.pdf", VerifyOptions(), Policy((boom,)))
    assert report.verdict is Verdict.INVALID
    [result] = report.checks
    assert result.name == "boom" and "kaput" in result.reason


def test_a_check_that_says_nothing_has_not_passed() -> None:
    silent = DocumentCheck("silent", "returns nothing", lambda ev, options: [])
    report = verify_bytes(NOT_A_REAL_PDF, "x.pdf", VerifyOptions(), Policy((silent,)))
    assert report.verdict is Verdict.INVALID


def test_results_carry_the_name_of_their_check() -> None:
    named = DocumentCheck("named", "passes", lambda ev, options: ok("fine"))
    report = verify_bytes(NOT_A_REAL_PDF, "x.pdf", VerifyOptions(), Policy((named,)))
    assert [(c.name, c.passed) for c in report.checks] == [("named", True)]


def test_every_check_reports_on_a_file_it_cannot_read() -> None:
    report = verify_bytes(NOT_A_REAL_PDF, "x.pdf", VerifyOptions())
    assert {c.name for c in report.checks} == set(DEFAULT_POLICY.names)
    assert report.verdict is Verdict.INVALID


def self_signed() -> asn1_x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Dra. Sinta Rahmawati, M.Si.")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def test_pin_adds_its_own_check() -> None:
    assert "pinned-signers" not in policy_for(TrustConfig()).names
    pinned = policy_for(TrustConfig(pinned=(self_signed(),)))
    assert pinned.names == (*DEFAULT_POLICY.names, "pinned-signers")


def test_readme_lists_every_check_as_the_code_describes_it() -> None:
    rows = re.findall(r"^\| `([a-z-]+)` \| (.+?) \|$", README.read_text(), flags=re.M)
    expected = [(c.name, c.description) for c in every_check()]
    table = "\n".join(f"| `{n}` | {d} |" for n, d in expected)
    assert rows == expected, f"run python tools/readme_checks.py; the table should read:\n{table}"


def test_lines_join_without_a_space_after_a_hyphen() -> None:
    # a revision's sentence wraps inside the id it names: "pk-2027-" / "dinkes"
    from signer.verify.layout import join_lines

    assert join_lines(["atas perjanjian pk-2027-", "dinkes dengan"]) == (
        " atas perjanjian pk-2027-dinkes dengan"
    )
    assert join_lines(["tahun 2027 -", "sampai"]) == " tahun 2027 - sampai"
