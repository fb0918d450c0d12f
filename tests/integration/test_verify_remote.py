"""The BSrE profile: signatures made through a remote service (BSrE's eSign API) land in fields
of their own, B-T, without certification. The verifier binds them to roles by order and holder,
accepts each in place of its role's prepared field (over it, or invisible), and keeps every
protection: the four honest combinations of local and remote signatures are VALID; the attacks
on a non-certified document are INVALID with the check that catches them named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from signer.model import Peran
from signer.trust import load_trust_config
from signer.verify import Report, Verdict, VerifyOptions, verify_bytes
from tests import attacks, attacks_remote
from tests.conftest import run_kinerja
from tests.remote import sign_remote, sign_roles_remote

pytestmark = [pytest.mark.slow, pytest.mark.office]

PERTAMA, KEDUA = Peran.PIHAK_PERTAMA, Peran.PIHAK_KEDUA


def verify(data: bytes, store: Path) -> Report:
    return verify_bytes(data, "remote.pdf", VerifyOptions(trust=load_trust_config([store])))


def failures(report: Report) -> str:
    return "\n".join(f"{c.name}: {c.subject}: {c.reason}" for c in report.failures)


def local(data: bytes, store: Path, role: Peran) -> bytes:
    """`kinerja sign`'s local PAdES signature (B-T), without its pre-signing rules (which know
    only the prepared fields), as another tool would add it."""
    return attacks.sign_agreement_elsewhere(data, store, "B-T", roles=[role.value])


@dataclass(frozen=True)
class Ceremony:
    name: str
    pertama: str  # "local", "remote" or "invisible"
    kedua: str


CEREMONIES = [
    Ceremony("local-local", "local", "local"),
    Ceremony("remote-remote", "remote", "remote"),
    Ceremony("invisible-invisible", "invisible", "invisible"),
    Ceremony("local-remote", "local", "remote"),
    Ceremony("remote-local", "remote", "local"),
]


def ceremony(prepared: bytes, store: Path, c: Ceremony) -> bytes:
    data = prepared
    for role, how in ((PERTAMA, c.pertama), (KEDUA, c.kedua)):
        if how == "local":
            data = local(data, store, role)
        else:
            data = sign_remote(data, store, role, visible=how == "remote")
    return data


@pytest.mark.parametrize("doc", ["pk-2026-dinkes", "pi-2026-dinkes"])
@pytest.mark.parametrize("c", CEREMONIES, ids=[c.name for c in CEREMONIES])
def test_honest_ceremony_is_valid(
    c: Ceremony, doc: str, prepared_example: Path, demo_store: Path
) -> None:
    prepared = (prepared_example / f"{doc}.pdf").read_bytes()
    report = verify(ceremony(prepared, demo_store, c), demo_store)
    assert report.verdict is Verdict.VALID, failures(report)
    roles = [(s.role, s.field) for s in report.signatures]
    assert [r for r, _ in roles] == [PERTAMA.value, KEDUA.value]
    for (role, field), how in zip(roles, (c.pertama, c.kedua), strict=True):
        assert (field == role) is (how == "local"), roles
        assert field.startswith("esc_") or how == "local"
    [expected] = [x for x in report.checks if x.name == "expected-signatures"]
    for role, field in roles:
        assert f"{role} in field {field}" in expected.reason
    certified = "pihak pertama certified" in expected.reason
    assert certified is (c.pertama == "local")
    assert {s.level for s in report.signatures} == {"B-T"}


def test_a_half_signed_remote_document_may_be_signed_further(
    prepared_example: Path, demo_store: Path
) -> None:
    """The sign stage's audit (expect pihak pertama only) passes a remote pihak pertama."""
    prepared = (prepared_example / "pk-2026-dinkes.pdf").read_bytes()
    first = sign_remote(prepared, demo_store, PERTAMA)
    options = VerifyOptions(trust=load_trust_config([demo_store]), expect=(PERTAMA,))
    report = verify_bytes(first, "half.pdf", options)
    assert report.verdict is Verdict.VALID, failures(report)
    both = verify(first, demo_store)  # an archive expects both: one is missing
    assert both.verdict is Verdict.INVALID
    assert "expected-signatures" in {c.name for c in both.failures}


@dataclass(frozen=True)
class Case:
    name: str
    attack: Callable[[bytes, Path], bytes]
    checks: frozenset[str]  # the failed checks must include at least one of these
    keyword: str = ""  # a lowercase word some failed check's reason must contain


EXPECTED = frozenset({"expected-signatures"})
CHANGED = frozenset({"modifications", "changes-after-signing"})
PROFILE = CHANGED | {"document-profile"}

CASES = [
    Case("extra-signature-trusted", attacks_remote.remote_extra_signature_trusted, EXPECTED),
    Case("third-signature-same-party", attacks_remote.remote_third_signature_same_party, EXPECTED),
    Case(
        "widget-over-lampiran",
        attacks_remote.remote_widget_over_lampiran,
        EXPECTED,
        "shown on",
    ),
    Case(
        "widget-over-lampiran-after-certified",
        attacks_remote.remote_widget_over_lampiran_after_certified,
        EXPECTED,
        "shown on",
    ),
    Case("widget-other-page", attacks_remote.remote_widget_other_page, EXPECTED, "shown on"),
    Case("widget-beyond-field", attacks_remote.remote_widget_beyond_field, EXPECTED, "beyond"),
    Case("signature-adds-annotation", attacks_remote.remote_signature_adds_annotation, PROFILE),
    Case("signature-adds-form-field", attacks_remote.remote_signature_adds_form_field, PROFILE),
    Case(
        "pages-changed-after-pertama",
        attacks_remote.remote_pages_changed_after_pertama,
        CHANGED,
    ),
    Case(
        "prepared-field-filled-too",
        attacks_remote.remote_prepared_field_filled_too,
        EXPECTED,
        "field",
    ),
    Case(
        "prepared-field-filled-then-kedua",
        attacks_remote.remote_prepared_field_filled_then_kedua,
        EXPECTED,
    ),
    Case(
        "timestamp-before-signatures",
        attacks_remote.remote_timestamp_before_signatures,
        EXPECTED,
        "precedes",
    ),
    Case("kedua-certifies", attacks_remote.remote_kedua_certifies, EXPECTED, "certify"),
    Case(
        "pertama-certifies-annotations",
        attacks_remote.remote_pertama_certifies_annotations,
        EXPECTED,
        "p=3",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_remote_attack_is_invalid(case: Case, prepared_example: Path, demo_store: Path) -> None:
    prepared = (prepared_example / "pk-2026-dinkes.pdf").read_bytes()
    report = verify(case.attack(prepared, demo_store), demo_store)
    report_text = failures(report)
    assert report.verdict is Verdict.INVALID, report_text
    failed = {c.name for c in report.failures}
    assert failed & case.checks, f"expected one of {sorted(case.checks)} to fail\n{report_text}"
    if case.keyword:
        reasons = " ".join(c.reason.lower() for c in report.failures)
        assert case.keyword in reasons, report_text


def test_every_remote_attack_has_a_case() -> None:
    defined = {n for n in dir(attacks_remote) if n.startswith("remote_")}
    assert defined == {c.attack.__name__ for c in CASES}


def test_extend_turns_remote_b_t_into_b_lta_valid_for_years(
    prepared_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    """`kinerja extend` over a BSrE-style B-T agreement: B-LTA, VALID now and at 2036-01-01
    from the proofs in the file alone."""
    prepared = (prepared_example / "pk-2026-dinkes.pdf").read_bytes()
    path = tmp_path / "pk-2026-dinkes.pdf"
    path.write_bytes(sign_roles_remote(prepared, demo_store))
    assert verify(path.read_bytes(), demo_store).verdict is Verdict.VALID
    before = path.read_bytes()
    extended = run_kinerja("extend", str(path), "--keys", str(demo_store))
    assert extended.returncode == 0, extended.stdout + extended.stderr
    assert path.read_bytes().startswith(before)
    report = verify(path.read_bytes(), demo_store)
    assert report.verdict is Verdict.VALID, failures(report)
    assert {s.level for s in report.signatures} == {"B-LTA"}
    for at in ("2036-01-01",):
        result = run_kinerja("verify", str(path), "--trust", str(demo_store), "--at", at)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "VALID" in result.stdout.split()[0]


def test_pyhanko_alone_refuses_a_remote_kedua_after_a_certification(
    prepared_example: Path, demo_store: Path
) -> None:
    """Why the verifier runs the analysis again for a remote pihak kedua after a local
    certification: pihak pertama's field lock leaves only the prepared ``pihak-kedua`` field
    open, so pyHanko's default analysis calls BSrE's new field a change of a locked field."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, SuspiciousModification

    prepared = (prepared_example / "pk-2026-dinkes.pdf").read_bytes()
    data = ceremony(prepared, demo_store, Ceremony("local-remote", "local", "remote"))
    first = PdfFileReader(io.BytesIO(data)).embedded_regular_signatures[0]
    first.compute_integrity_info(DEFAULT_DIFF_POLICY)
    assert isinstance(first.diff_result, SuspiciousModification)
    assert "is locked" in str(first.diff_result)
    assert verify(data, demo_store).verdict is Verdict.VALID
