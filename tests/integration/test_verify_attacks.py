"""`kinerja verify` against real attacks: never VALID for a manipulated agreement.

Each case builds one manipulated file with tests/attacks.py from a good agreement
(``pk-2026-dinkes``, both parties, PAdES B-LTA with the demo key store; a B-B twin for the
attacks on the last signature), runs ``kinerja verify FILE --trust STORE --json`` and asserts:
exit 1, a verdict of INVALID (tampering) or INDETERMINATE (only where missing trust is the
problem and ETSI allows it), and that the failed checks include one of a few expected names;
separately, that each report keeps to the JSON contract (known check names, the verdict the worst
of the failed checks). The controls (the good file, and the good file after `kinerja extend`)
must be VALID.

The module skips itself until `kinerja verify` takes ``--trust`` and does more than say it is
not built yet.
"""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from signer.model import Peran
from signer.names import plain_name
from signer.verify import DEFAULT_POLICY
from tests import attacks, attacks_pages
from tests.conftest import run_kinerja

AGREEMENT = "pk-2026-dinkes"
INVALID, INDETERMINATE, VALID = "INVALID", "INDETERMINATE", "VALID"

# failed-check names by what the attack breaks
CHANGED = frozenset({"modifications", "changes-after-signing"})
SHOWN = CHANGED | {"printed-agreement"}
PRINTED = frozenset({"printed-agreement"})
PROFILE = SHOWN | {"document-profile"}
BROKEN_SIGNATURE = frozenset({"signature-integrity", "pdf-structure", "expected-signatures"})
TRUST = frozenset({"signature-trust", "trust-anchor", "signer-identity"})

CHECK_NAMES = frozenset(DEFAULT_POLICY.names)  # every check reports, per the contract
LEVELS = {"B-B", "B-T", "B-LT", "B-LTA", None}


def verifier_ready() -> bool:
    """`kinerja verify` is the real verifier: it takes --trust and verifies something."""
    try:
        help_text = run_kinerja("verify", "--help", timeout=60)
        if help_text.returncode != 0 or "--trust" not in help_text.stdout:
            return False
        with tempfile.TemporaryDirectory() as folder:
            probe = Path(folder) / "probe.pdf"
            probe.write_bytes(b"%PDF-1.7\n%%EOF\n")
            result = run_kinerja("verify", str(probe), "--trust", folder, "--json", timeout=120)
    except (OSError, subprocess.SubprocessError):
        return False
    return "not built yet" not in (result.stdout + result.stderr)


pytestmark = [
    pytest.mark.skipif(not verifier_ready(), reason="`kinerja verify --trust` is not built yet"),
    pytest.mark.slow,
]


# ---------------------------------------------------------------------------------------------
# The good agreement, built once


@dataclass(frozen=True)
class Corpus:
    store: Path  # the demo key store: signing keys, and the trust anchor for verify
    prepared: bytes  # the ready-to-sign agreement
    good: bytes  # signed by both parties, B-LTA
    good_bb: bytes  # signed by both parties, B-B (no timestamps)
    prepared_url: bytes  # the ready-to-sign agreement with an Alamat Verifikasi


@pytest.fixture(scope="session")
def corpus(
    demo_store: Path, prepared_example: Path, signed_example: Path, prepared_with_url: Path
) -> Corpus:
    prepared = (prepared_example / f"{AGREEMENT}.pdf").read_bytes()
    return Corpus(
        demo_store,
        prepared,
        (signed_example / f"{AGREEMENT}.pdf").read_bytes(),
        attacks.sign_agreement(prepared, demo_store, "B-B"),
        (prepared_with_url / "a4" / f"{AGREEMENT}.pdf").read_bytes(),
    )


Outcome = tuple[subprocess.CompletedProcess[str], dict[str, Any]]


def verify(path: Path, trust: Path, *options: str) -> Outcome:
    """Run the verifier on one file; its exit status and the file's report."""
    result = run_kinerja("verify", str(path), "--trust", str(trust), *options, "--json")
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text
    try:
        report = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"no JSON report on stdout (exit {result.returncode}):\n{text[-3000:]}")
    [document] = report["documents"]
    return result, document


def all_checks(document: dict[str, Any]) -> list[dict[str, Any]]:
    checks = list(document["checks"])
    for signature in document["signatures"]:
        checks += signature["checks"]
    return checks


def failed_checks(document: dict[str, Any]) -> set[str]:
    return {c["name"] for c in all_checks(document) if not c["passed"]}


def summary(document: dict[str, Any]) -> str:
    lines = [f"verdict {document['verdict']}"]
    lines += [
        f"  {c['name']}: {c.get('verdict')}: {c['reason']}"
        for c in all_checks(document)
        if not c["passed"]
    ]
    return "\n".join(lines)


def contract_problems(document: dict[str, Any]) -> list[str]:
    """How a document's report departs from the JSON contract of `kinerja verify --json`."""
    problems: list[str] = []
    if document.get("verdict") not in (VALID, INVALID, INDETERMINATE):
        problems.append(f"verdict {document.get('verdict')!r}")
    agreement = document.get("agreement")
    if agreement is not None and set(agreement) != {"id", "sha256"}:
        problems.append(f"agreement keys {sorted(agreement)}")
    for signature in document.get("signatures", []):
        missing = {"role", "field", "signer", "issuer", "signing_time", "level", "checks"}
        missing -= set(signature)
        if missing:
            problems.append(f"signature without {sorted(missing)}")
        if signature.get("level") not in LEVELS:
            problems.append(f"level {signature.get('level')!r}")
    checks = all_checks(document)
    for c in checks:
        if c.get("name") not in CHECK_NAMES:
            problems.append(f"unknown check name {c.get('name')!r}")
        if not isinstance(c.get("passed"), bool) or not isinstance(c.get("reason"), str):
            problems.append(f"check {c.get('name')!r} without passed/reason")
        if c.get("passed") is False and c.get("verdict") not in (INVALID, INDETERMINATE):
            problems.append(f"failed check {c.get('name')!r} with verdict {c.get('verdict')!r}")
    failed = {c.get("verdict") for c in checks if c.get("passed") is False}
    worst = INVALID if INVALID in failed else INDETERMINATE if failed else VALID
    if document.get("verdict") != worst:
        problems.append(f"verdict {document.get('verdict')} but the failed checks say {worst}")
    return problems


# ---------------------------------------------------------------------------------------------
# The controls


@pytest.mark.office
def test_good_agreement_is_valid(corpus: Corpus, tmp_path: Path) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    from signer.embedded import read_embedded

    path = tmp_path / f"{AGREEMENT}.pdf"
    path.write_bytes(corpus.good)
    result, document = verify(path, corpus.store)
    assert result.returncode == 0, summary(document)
    assert document["verdict"] == VALID, summary(document)
    assert not failed_checks(document), summary(document)
    assert not contract_problems(document), contract_problems(document)
    embedded = read_embedded(PdfFileReader(io.BytesIO(corpus.good)).root)
    assert document["agreement"] == {"id": AGREEMENT, "sha256": embedded.sha256}
    roles = {s["role"]: s for s in document["signatures"]}
    assert set(roles) == {"pihak-pertama", "pihak-kedua"}
    for role, s in roles.items():
        party = embedded.agreement.pihak(Peran(role)).nama
        assert s["signer"] == plain_name(party), "the certificate carries the plain name"
        assert s["identity"]["party"] == party
    assert {s["level"] for s in roles.values()} == {"B-LTA"}


@pytest.mark.office
def test_extended_agreement_is_valid(corpus: Corpus, tmp_path: Path) -> None:
    path = tmp_path / f"{AGREEMENT}.pdf"
    path.write_bytes(corpus.good)
    extended = run_kinerja("extend", str(path), "--keys", str(corpus.store))
    assert extended.returncode == 0, extended.stderr
    assert len(path.read_bytes()) > len(corpus.good)
    result, document = verify(path, corpus.store)
    assert result.returncode == 0, summary(document)
    assert document["verdict"] == VALID, summary(document)
    assert not failed_checks(document), summary(document)


@pytest.mark.office
def test_unusable_input_exits_2(corpus: Corpus, tmp_path: Path) -> None:
    text = tmp_path / "surat.pdf"
    text.write_text("bukan pdf")
    for path in (text, tmp_path / "missing.pdf"):
        result = run_kinerja("verify", str(path), "--trust", str(corpus.store), "--json")
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr


# ---------------------------------------------------------------------------------------------
# The attacks


@dataclass(frozen=True)
class Case:
    name: str
    attack: Callable[..., bytes]
    # what the attack starts from: "good", "good-b-b", "prepared", "prepared-url" or "own-pki"
    base: str
    expected: str  # the verdict expected
    checks: frozenset[str]  # the failed checks must include at least one of these
    also: frozenset[str] = frozenset()  # another verdict that is acceptable too
    options: tuple[tuple[str, Any], ...] = ()  # keyword arguments of the attack
    keyword: str | None = None  # a lowercase word some failed check's reason must contain
    args: tuple[str, ...] = ()  # more options for `kinerja verify`


def build(case: Case, corpus: Corpus, scratch: Path) -> tuple[bytes, Path]:
    """The manipulated PDF, and the key store to verify it against."""
    options = dict(case.options)
    if case.base == "good":
        return case.attack(corpus.good, **options), corpus.store
    if case.base == "good-b-b":
        return case.attack(corpus.good_bb, **options), corpus.store
    if case.base == "prepared":
        return case.attack(corpus.prepared, corpus.store, **options), corpus.store
    if case.base == "prepared-url":
        return case.attack(corpus.prepared_url, corpus.store, **options), corpus.store
    assert case.base == "own-pki"  # the attack writes the key store that issued its keys
    folder = scratch / "keys"
    return case.attack(corpus.prepared, folder, **options), folder


USF = (
    attacks.usf_byterange_removed,
    attacks.usf_byterange_zero,
    attacks.usf_contents_empty,
    attacks.usf_contents_zeroed,
    attacks.usf_contents_garbage,
)

CASES = [
    # 1. incremental saving
    Case("isa-change-target", attacks.isa_change_target, "good", INVALID, SHOWN),
    Case("isa-overlay", attacks.isa_overlay, "good", INVALID, SHOWN),
    Case(
        "isa-objects-without-xref",
        attacks.isa_objects_without_xref,
        "good",
        INVALID,
        CHANGED | {"pdf-structure"},
    ),
    # 2. signature wrapping: on pihak kedua (B-LTA: doc timestamps follow) and on the last
    # signature of the B-B file (nothing follows)
    Case(
        "swa-relocated-tail",
        attacks.swa_relocated_tail,
        "good",
        INVALID,
        BROKEN_SIGNATURE | CHANGED,
    ),
    Case(
        "swa-relocated-tail-b-b",
        attacks.swa_relocated_tail,
        "good-b-b",
        INVALID,
        BROKEN_SIGNATURE | CHANGED,
    ),
    Case(
        "swa-objects-in-gap",
        attacks.swa_objects_in_gap,
        "good",
        INVALID,
        BROKEN_SIGNATURE | CHANGED,
    ),
    Case(
        "swa-objects-in-gap-b-b",
        attacks.swa_objects_in_gap,
        "good-b-b",
        INVALID,
        BROKEN_SIGNATURE | CHANGED,
    ),
    # 3. universal signature forgery: in place on the last signature of the B-B file (nothing
    # else covers it), and as an update overriding pihak kedua's dictionary (B-LTA)
    *(
        Case(f"{fn.__name__.replace('_', '-')}-in-place", fn, "good-b-b", INVALID, BROKEN_SIGNATURE)
        for fn in USF
    ),
    *(
        Case(
            f"{fn.__name__.replace('_', '-')}-update",
            fn,
            "good",
            INVALID,
            BROKEN_SIGNATURE | CHANGED,
            options=(("incremental", True),),
        )
        for fn in USF
    ),
    # 4. shadow attacks
    Case("shadow-hide", attacks.shadow_hide, "prepared", INVALID, PROFILE),
    Case("shadow-replace-form", attacks.shadow_replace_form, "prepared", INVALID, PROFILE),
    Case("shadow-replace-font", attacks.shadow_replace_font, "good", INVALID, PROFILE),
    Case("shadow-hide-and-replace", attacks.shadow_hide_and_replace, "prepared", INVALID, PROFILE),
    # 5. certification attacks
    Case("evil-annotation", attacks.evil_annotation, "good", INVALID, PROFILE),
    Case(
        "sneaky-signature",
        attacks.sneaky_signature,
        "good",
        INVALID,
        PROFILE | {"expected-signatures"},
    ),
    # 6. the embedded agreement
    Case(
        "attachment-replaced",
        attacks.attachment_replaced,
        "good",
        INVALID,
        CHANGED | {"embedded-agreement", "verification-code"},
    ),
    Case(
        "attachment-added",
        attacks.attachment_added,
        "good",
        INVALID,
        CHANGED | {"embedded-agreement", "document-profile"},
    ),
    # 7. truncation
    Case(
        "truncate-last-signature",
        attacks.truncate_last_signature,
        "good",
        INVALID,
        frozenset({"expected-signatures"}),
    ),
    Case(
        "truncate-mid-revision",
        attacks.truncate_mid_revision,
        "good",
        INVALID,
        frozenset({"expected-signatures", "pdf-structure"}),
    ),
    # 8. metadata
    Case(
        "metadata-rewritten",
        attacks.metadata_rewritten,
        "good",
        INVALID,
        CHANGED | {"document-profile"},
    ),
    # 9. impersonation
    Case(
        "impersonation-untrusted",
        attacks.impersonation_untrusted,
        "prepared",
        INDETERMINATE,
        TRUST,
        also=frozenset({INVALID}),
    ),
    Case(
        "impersonation-untrusted-pihak-kedua",
        attacks.impersonation_untrusted_kedua,
        "prepared",
        INDETERMINATE,
        TRUST,
        also=frozenset({INVALID}),
    ),
    Case(
        "impersonation-other-party",
        attacks.impersonation_other_party,
        "prepared",
        INVALID,
        frozenset({"signer-identity"}),
    ),
    # 10. weak algorithms (EN 319 102-1 allows INDETERMINATE: CRYPTO_CONSTRAINTS_FAILURE_NO_POE)
    Case(
        "weak-digest-sha1",
        attacks.weak_digest_sha1,
        "prepared",
        INVALID,
        frozenset({"signature-algorithms"}),
        also=frozenset({INDETERMINATE}),
    ),
    Case(
        "weak-key-rsa1024",
        attacks.weak_key_rsa1024,
        "prepared",
        INVALID,
        frozenset({"signature-algorithms", "signer-key-usage"}),
        also=frozenset({INDETERMINATE}),
    ),
    # 11. revocation, verified against the PKI that revoked pihak kedua's certificate. Offline,
    # from the file's own evidence (OCSP and CRL: revoked before the signature timestamp), it is
    # REVOKED, a failure; online the demo PKI's responder answers anew from the revocations
    # recorded in its store's CRL, and says the same.
    Case(
        "revoked-signer",
        attacks.revoked_signer,
        "own-pki",
        INVALID,
        frozenset({"signature-trust"}),
        keyword="revok",
    ),
    Case(
        "revoked-signer-offline",
        attacks.revoked_signer,
        "own-pki",
        INVALID,
        frozenset({"signature-trust"}),
        keyword="revok",
        args=("--offline",),
    ),
    # 12. time
    Case(
        "time-expired-signer",
        attacks.time_expired_signer,
        "own-pki",
        INVALID,
        frozenset({"signature-trust"}),
        also=frozenset({INDETERMINATE}),
        keyword="expired",
    ),
    Case(
        "time-expired-signer-extended",
        attacks.time_expired_signer,
        "own-pki",
        INVALID,
        frozenset({"signature-trust"}),
        also=frozenset({INDETERMINATE}),
        options=(("extended", True),),
        keyword="expired",
    ),
    Case(
        "time-claimed-after-timestamp",
        attacks.time_claimed,
        "prepared",
        INVALID,
        frozenset({"claimed-signing-time"}),
        options=(("when", "after"),),
        keyword="after its own timestamp",
    ),
    Case(
        "time-claimed-before-certificate",
        attacks.time_claimed,
        "prepared",
        INVALID,
        frozenset({"claimed-signing-time"}),
        options=(("when", "before"),),
        keyword="before the certificate existed",
    ),
    # 13. certificate purpose
    Case(
        "purpose-client-auth",
        attacks.purpose_client_auth,
        "prepared",
        INVALID,
        frozenset({"signer-key-usage"}),
        keyword="non-repudiation",
    ),
    # 14. identity beyond the name
    Case(
        "identity-other-pemda",
        attacks.identity_other_pemda,
        "prepared",
        INVALID,
        frozenset({"signer-identity"}),
        keyword="organisation",
    ),
    Case(
        "identity-other-nip",
        attacks.identity_other_nip,
        "prepared",
        INVALID,
        frozenset({"signer-identity"}),
        keyword="nip 198001012005012001",
    ),
    # 15. document timestamps
    Case(
        "timestamp-untrusted",
        attacks.timestamp_untrusted,
        "good",
        INDETERMINATE,
        frozenset({"timestamp-trust"}),
        keyword="proves nothing",
    ),
    # 16. active content and other renderings, after both signatures and inside the signed
    # revision
    Case(
        "active-timestamp-widget",
        attacks.active_timestamp_widget,
        "prepared",
        INVALID,
        PROFILE | CHANGED,
        keyword="/aa",
    ),
    Case(
        "active-timestamp-link",
        attacks.active_timestamp_link,
        "prepared",
        INVALID,
        PROFILE | CHANGED,
        keyword="link",
    ),
    Case(
        "active-signed-xfa",
        attacks.active_signed_xfa,
        "prepared",
        INVALID,
        frozenset({"document-profile"}),
        keyword="/xfa",
    ),
    Case(
        "active-signed-open-action",
        attacks.active_signed_open_action,
        "prepared",
        INVALID,
        frozenset({"document-profile"}),
        keyword="opens with an action",
    ),
    Case(
        "active-signed-widget-action",
        attacks.active_signed_widget_action,
        "prepared",
        INVALID,
        frozenset({"document-profile"}),
        keyword="/a",
    ),
    Case(
        "active-signed-optional-content",
        attacks.active_signed_optional_content,
        "prepared",
        INVALID,
        frozenset({"document-profile"}),
        keyword="optional content",
    ),
    # 17. unsigned revisions after the last timestamp
    Case(
        "dss-stashed-json",
        attacks.dss_update,
        "good",
        INVALID,
        # pyHanko itself refuses to read the file once a DSS entry is not what it says
        CHANGED | {"pdf-structure"},
        options=(("how", "stash"),),
    ),
    # 4. pages and data tell two stories (planted before signing; every signature is good)
    Case(
        "pages-target-elsewhere",
        attacks_pages.pages_target_elsewhere,
        "prepared",
        INVALID,
        PRINTED,
        keyword="target tahunan reads '95'",
    ),
    Case(
        "pages-invisible-target",
        attacks_pages.pages_invisible_target,
        "prepared",
        INVALID,
        PRINTED,
        keyword="invisible",
    ),
    Case(
        "pages-white-target",
        attacks_pages.pages_white_target,
        "prepared",
        INVALID,
        PRINTED,
        keyword="white",
    ),
    Case(
        "pages-off-page-target",
        attacks_pages.pages_off_page_target,
        "prepared",
        INVALID,
        PRINTED,
        keyword="off the page",
    ),
    Case(
        "pages-tiny-target",
        attacks_pages.pages_tiny_target,
        "prepared",
        INVALID,
        PRINTED,
        keyword="too small",
    ),
    Case(
        "pages-clipped-target",
        attacks_pages.pages_clipped_target,
        "prepared",
        INVALID,
        PRINTED,
        keyword="clip",
    ),
    Case(
        "pages-covered-target",
        attacks_pages.pages_covered_target,
        "prepared",
        INVALID,
        PRINTED,
        keyword="painted over",
    ),
    Case(
        "pages-reversed-target",
        attacks_pages.pages_reversed_target,
        "prepared",
        INVALID,
        PRINTED,
        keyword="reading order",
    ),
    Case(
        "pages-lying-font",
        attacks_pages.pages_lying_font,
        "prepared",
        INVALID,
        frozenset({"drawn-glyphs"}),
        keyword="draws the glyph of '9'",
    ),
    Case(
        "pages-widget-outside-form",
        attacks_pages.pages_widget_outside_form,
        "prepared",
        INVALID,
        frozenset({"document-profile"}),
        keyword="not a form field",
    ),
    Case(
        "pages-drawing-in-table",
        attacks_pages.pages_drawing_in_table,
        "prepared",
        INVALID,
        PRINTED,
        keyword="inside the table's cells",
    ),
    Case(
        "pages-inserted-number",
        attacks_pages.pages_inserted_number,
        "prepared",
        INVALID,
        PRINTED,
        keyword="outside the agreement's fields",
    ),
    Case(
        "pages-actual-text",
        attacks_pages.pages_actual_text,
        "prepared",
        INVALID,
        PRINTED,
        keyword="actualtext",
    ),
    Case(
        "pages-qr-replaced",
        attacks_pages.pages_qr_replaced,
        "prepared",
        INVALID,
        frozenset({"verification-code"}),
        keyword="not the data's",
    ),
    *(
        Case(
            f"pages-data-changed-{what}",
            attacks_pages.pages_data_changed,
            "prepared",
            INVALID,
            PRINTED,
            options=(("what", what),),
            keyword=keyword,
        )
        for what, keyword in (
            ("indikator-dropped", "prevalensi stunting"),
            ("satuan", "satuan reads"),
            ("arah", "arah reads 'turun'"),
            ("triwulan", "triwulan targets"),
            ("anggaran", "anggaran reads"),
            ("nip", "no party has this nip"),
            ("jabatan", "jabatan of pihak pertama"),
            ("golongan", "pembina utama madya"),
            ("unit", "heading"),
            ("tanggal", "16 januari 2026"),
        )
    ),
    # 18. the verification address: the QR must lead to the data's address with the data's code,
    # the footer print it, and a document without one print none
    Case(
        "url-qr-phishing",
        attacks_pages.url_qr_phishing,
        "prepared-url",
        INVALID,
        frozenset({"verification-code"}),
        keyword="https://sakip-example.go.id/v/",
    ),
    Case(
        "url-qr-other-code",
        attacks_pages.pages_qr_replaced,
        "prepared-url",
        INVALID,
        frozenset({"verification-code"}),
        keyword="not the data's",
    ),
    Case(
        "url-qr-old-payload",
        attacks_pages.url_qr_old_payload,
        "prepared-url",
        INVALID,
        frozenset({"verification-code"}),
        keyword="'kinerja:3:pk-2026-dinkes",
    ),
    Case(
        "url-footer-changed",
        attacks_pages.url_footer_changed,
        "prepared-url",
        INVALID,
        frozenset({"verification-code"}),
        keyword="verifikasi: https://sakip-example.go.id/v/' is printed",
    ),
    Case(
        "url-footer-added",
        attacks_pages.url_footer_added,
        "prepared",
        INVALID,
        frozenset({"verification-code", "printed-agreement"}),
        keyword="the data says no address",
    ),
    Case(
        "url-data-changed",
        attacks_pages.url_data_changed,
        "prepared-url",
        INVALID,
        frozenset({"verification-code"}),
        keyword="the data says 'verifikasi: https://sakip-example.go.id/v/'",
    ),
]


@pytest.fixture(scope="session")
def attack_file(
    corpus: Corpus, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Case], tuple[Path, Path]]:
    """A case's file (built once per session, kept for inspection) and its key store."""
    done: dict[str, tuple[Path, Path]] = {}

    def get(case: Case) -> tuple[Path, Path]:
        if case.name not in done:
            scratch = tmp_path_factory.mktemp(case.name)
            data, trust = build(case, corpus, scratch)
            path = scratch / f"{AGREEMENT}.pdf"
            path.write_bytes(data)
            done[case.name] = path, trust
        return done[case.name]

    return get


@pytest.fixture(scope="session")
def outcome(attack_file: Callable[[Case], tuple[Path, Path]]) -> Callable[[Case], Outcome]:
    """A case's file verified, once per session."""
    done: dict[str, Outcome] = {}

    def get(case: Case) -> Outcome:
        if case.name not in done:
            path, trust = attack_file(case)
            done[case.name] = verify(path, trust, *case.args)
        return done[case.name]

    return get


@pytest.mark.office
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_attack_is_never_valid(case: Case, outcome: Callable[[Case], Outcome]) -> None:
    result, document = outcome(case)
    report = summary(document)
    assert document["verdict"] != VALID, report
    assert result.returncode == 1, report
    assert document["verdict"] in {case.expected, *case.also}, report
    failed = failed_checks(document)
    assert failed & case.checks, f"expected one of {sorted(case.checks)} to fail\n{report}"
    if case.keyword:
        reasons = " ".join(c["reason"].lower() for c in all_checks(document) if not c["passed"])
        assert case.keyword in reasons, report


@pytest.mark.office
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_attack_report_follows_the_contract(case: Case, outcome: Callable[[Case], Outcome]) -> None:
    """Known check names only; the verdict is the worst of the failed checks' verdicts."""
    _, document = outcome(case)
    assert not contract_problems(document), f"{contract_problems(document)}\n{summary(document)}"


@pytest.mark.office
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_attack_path_maps_as_pyhanko(
    case: Case, attack_file: Callable[[Case], tuple[Path, Path]]
) -> None:
    """The difference analysis starts from pyHanko's own map of every signed revision
    (signer.verify.pathmap builds it faster: equal, or failing the same way)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from tests.unit.test_pathmap import path_map, pathmap

    data = attack_file(case)[0].read_bytes()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)  # as verify reads
        revisions = {es.signed_revision for es in reader.embedded_signatures}
    except Exception:
        revisions = set()  # pyHanko cannot list its signatures: no analysis runs
    for revision in sorted(revisions):
        ours = path_map(pathmap.load_reverse_xref_cache, data, revision, strict=True)
        theirs = path_map(pathmap.original, data, revision, strict=True)
        assert ours == theirs, f"revision {revision}"


ATTACK_PREFIXES = (
    "isa_",
    "swa_",
    "usf_",
    "shadow_",
    "evil_",
    "sneaky_",
    "attachment_",
    "truncate_",
    "metadata_",
    "impersonation_",
    "weak_",
    "revoked_",
    "time_",
    "purpose_",
    "identity_",
    "timestamp_",
    "active_",
    "dss_",
    "pages_",
    "url_",
)


def test_every_attack_has_a_case() -> None:
    defined = {n for m in (attacks, attacks_pages) for n in dir(m) if n.startswith(ATTACK_PREFIXES)}
    assert defined == {c.attack.__name__ for c in CASES}
