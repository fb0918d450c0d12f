"""Signing for real: both parties with the demo PKI, PAdES levels, every refusal, PKCS#11 through
SoftHSM2, and poppler's pdfsig as a second opinion."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.hazmat.primitives.serialization import pkcs12 as pyca_pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from signer.batch import Status
from signer.demo_pki import pki
from signer.demo_pki.responders import DemoTimeStamper, demo_validation_context
from signer.names import plain_name
from signer.sign.keys import KeyMaterialError, KeyStore
from signer.workbooks.ceremony_read import read_workbook
from tests.conftest import run_kinerja
from tests.helpers import loopback_tsa as services_loopback_tsa

SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"

# every test signs or runs `kinerja`; those that take the generated PDFs need LibreOffice too
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def prepared(prepared_example: Path, example_workspace: Path) -> list[Path]:
    """Ready-to-sign PDFs, shared and read-only: Dinas Kesehatan (PK, PI) and a Bagian whose pihak
    kedua is the Sekda."""
    ceremony = read_workbook(example_workspace / "kinerja.xlsx")
    bagian = next(a.unit.kode for a in ceremony.agreements if not a.pihak_kedua.kepala_daerah)
    picked = [
        prepared_example / f"{a.id}.pdf"
        for a in ceremony.agreements
        if a.unit.kode in ("DINKES", bagian)
    ]
    assert len(picked) == 4 and all(p.is_file() for p in picked)
    return picked


@pytest.fixture()
def docs(prepared: list[Path], tmp_path: Path) -> Path:
    """A private copy of `prepared` that a test may sign or change."""
    target = tmp_path / "docs"
    target.mkdir()
    for pdf in prepared:
        shutil.copy(pdf, target / pdf.name)
    return target


def sign(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_kinerja("sign", *args, env={**os.environ, **(env or {})})


def pdfsig(path: Path, nss: Path | None = None) -> str:
    args = ["pdfsig", *(["-nssdir", f"sql:{nss}"] if nss else []), str(path)]
    return subprocess.run(args, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def nss_trusting_demo(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NSS database that trusts the demo root, so pdfsig can judge trust too."""
    db = tmp_path_factory.mktemp("nss")
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{db}",
            "-n",
            "demo-root",
            "-t",
            "CT,C,C",
            "-i",
            str(demo_store / "ca" / "root.crt"),
        ],
        check=True,
    )
    return db


def validate(path: Path, store: Path) -> dict[str, object]:
    authority = pki.load_demo_pki(store, b"demo")
    with open(path, "rb") as f:
        reader = PdfFileReader(f)
        out = {}
        for es in reader.embedded_regular_signatures:
            st = validate_pdf_signature(es, demo_validation_context(authority))
            out[es.field_name] = st
        out["timestamps"] = len(list(reader.embedded_timestamp_signatures))
        out["dss"] = "/DSS" in reader.root
    return out


@pytest.mark.office
def test_both_parties_sign_b_lta(docs: Path, demo_store: Path, nss_trusting_demo: Path) -> None:
    for role in ("pihak-pertama", "pihak-kedua"):
        result = sign(str(docs), "--role", role, "--keys", str(demo_store))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "4 done" in result.stdout
    for pdf in sorted(docs.glob("*.pdf")):
        report = pdfsig(pdf, nss_trusting_demo)
        assert report.count("Signature Validation: Signature is Valid.") == 2, report
        # NSS knows the chain (trusted root); its live OCSP check of the demo responder's
        # .example URL cannot succeed offline, so pyHanko below judges revocation
        assert "issuer isn't Trusted" not in report and "issuer is unknown" not in report
        assert report.count("ETSI.CAdES.detached") == 2
        st = validate(pdf, demo_store)
        first, second = st["pihak-pertama"], st["pihak-kedua"]
        assert first.bottom_line and second.bottom_line  # type: ignore[attr-defined]
        assert first.docmdp_ok and first.modification_level.name == "FORM_FILLING"  # type: ignore[attr-defined]
        assert st["timestamps"] == 2 and st["dss"], "B-LTA: a document timestamp per signature"
        check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        assert "NimbusSans" in fonts
        assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts
        with pikepdf.open(pdf) as p:
            assert str(p.docinfo.Producer) == p.open_metadata()["pdf:Producer"], "PDF/A metadata"


@pytest.mark.office
def test_visible_stamp_has_the_signers_qr(docs: Path, demo_store: Path, tmp_path: Path) -> None:
    pdf = docs / "pk-2026-dinkes.pdf"
    for role in ("pihak-pertama", "pihak-kedua"):
        assert (
            sign(str(pdf), "--role", role, "--keys", str(demo_store), "--level", "B-B").returncode
            == 0
        )
    subprocess.run(
        ["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    [page] = tmp_path.glob("p*.png")
    codes = subprocess.run(
        ["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True
    ).stdout.split()
    assert {c.rsplit(":", 1)[-1] for c in codes if c.count(":") == 5} == {
        "pihak-pertama",
        "pihak-kedua",
    }, codes


@pytest.mark.office
@pytest.mark.parametrize(
    ("level", "timestamped", "dss", "doc_timestamps"),
    [
        ("B-B", False, False, 0),
        ("B-T", True, False, 0),
        ("B-LT", True, True, 0),
        ("B-LTA", True, True, 1),
    ],
)
def test_levels(
    docs: Path, demo_store: Path, level: str, timestamped: bool, dss: bool, doc_timestamps: int
) -> None:
    pdf = docs / "pi-2026-dinkes.pdf"
    assert (
        sign(
            str(pdf), "--role", "pihak-pertama", "--keys", str(demo_store), "--level", level
        ).returncode
        == 0
    )
    st = validate(pdf, demo_store)
    status = st["pihak-pertama"]
    assert status.bottom_line  # type: ignore[attr-defined]
    assert (status.timestamp_validity is not None) == timestamped  # type: ignore[attr-defined]
    assert st["dss"] == dss
    assert st["timestamps"] == doc_timestamps


def _refused(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    text = result.stdout + result.stderr
    assert result.returncode == 2, text
    assert "Traceback" not in text
    for needle in needles:
        assert needle in text, text


def _p12_for(name_part: str, store: Path) -> Path:
    return next(p for p in (store / "pihak").glob("*.p12") if name_part in p.name)


@pytest.mark.office
def test_refusals_leave_the_file_untouched(docs: Path, demo_store: Path, tmp_path: Path) -> None:
    pdf = docs / "pk-2026-dinkes.pdf"
    before = pdf.read_bytes()
    env = {"KINERJA_PASSPHRASE": "demo"}
    # pihak kedua before pihak pertama
    _refused(
        sign(str(pdf), "--role", "pihak-kedua", "--keys", str(demo_store)),
        "pihak pertama signs first",
    )
    # a certificate whose holder is not the party named for the role
    other = _p12_for("arif-wicaksono", demo_store)
    _refused(
        sign(str(pdf), "--role", "pihak-pertama", "--p12", str(other), "--level", "B-B", env=env),
        "pk-2026-dinkes.pdf: the certificate belongs to 'Arif Wicaksono', but pihak pertama "
        "'dr. Rina Kartikasari, M.Kes.' is 'Rina Kartikasari' without gelar",
    )
    assert pdf.read_bytes() == before
    assert not list(docs.glob(".*.part"))
    # the same role twice, with another certificate of the same person
    assert (
        sign(
            str(pdf), "--role", "pihak-pertama", "--keys", str(demo_store), "--level", "B-B"
        ).returncode
        == 0
    )
    signed = pdf.read_bytes()
    twin = _second_certificate(demo_store, "dr. Rina Kartikasari, M.Kes.", tmp_path)
    _refused(
        sign(str(pdf), "--role", "pihak-pertama", "--p12", str(twin), "--level", "B-B", env=env),
        "pihak-pertama has already signed it",
    )
    assert pdf.read_bytes() == signed
    # the same signer again is a resumed batch: skipped, not signed twice
    again = sign(str(pdf), "--role", "pihak-pertama", "--keys", str(demo_store), "--level", "B-B")
    assert again.returncode == 0 and "1 skipped" in again.stdout
    assert pdf.read_bytes() == signed


def _second_certificate(store: Path, nama: str, tmp_path: Path) -> Path:
    """Another certificate for the same person, from another (untrusted) CA."""
    from signer.model import Pihak

    fresh = pki.build_demo_pki([Pihak(nama, "Kepala Dinas")], "Lain")
    target = tmp_path / "twin"
    pki.write_demo_pki(fresh, target, [Pihak(nama, "Kepala Dinas")], b"demo")
    return next((target / "pihak").glob("*.p12"))


@pytest.mark.office
@pytest.mark.parametrize("when", ["expired", "not yet valid"])
def test_certificate_outside_its_validity(docs: Path, tmp_path: Path, when: str) -> None:
    import datetime as dt

    from signer.model import Pihak

    rina = Pihak("dr. Rina Kartikasari, M.Kes.", "Kepala Dinas Kesehatan Kota Contoh")
    if when == "expired":
        authority = pki.build_demo_pki([rina], "Kota Contoh", expired=[rina.nama])
    else:
        authority = pki.build_demo_pki(
            [rina], "Kota Contoh", now=dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        )
    pki.write_demo_pki(authority, tmp_path / "k", [rina], b"demo")
    p12 = next((tmp_path / "k" / "pihak").glob("*.p12"))
    _refused(
        sign(
            str(docs / "pk-2026-dinkes.pdf"),
            "--role",
            "pihak-pertama",
            "--p12",
            str(p12),
            "--level",
            "B-B",
            env={"KINERJA_PASSPHRASE": "demo"},
        ),
        "expired" if when == "expired" else "not valid yet",
    )


@pytest.mark.office
def test_existing_signature_must_validate(docs: Path, demo_store: Path) -> None:
    pdf = docs / "pk-2026-dinkes.pdf"
    assert (
        sign(
            str(pdf), "--role", "pihak-pertama", "--keys", str(demo_store), "--level", "B-B"
        ).returncode
        == 0
    )
    data = bytearray(pdf.read_bytes())
    # change one byte the first signature covers (a digit of the creation date in Info)
    at = data.index(b"/CreationDate (D:") + len(b"/CreationDate (D:") + 3
    data[at] = ord("9") if data[at] != ord("9") else ord("8")
    pdf.write_bytes(bytes(data))
    _refused(
        sign(str(pdf), "--role", "pihak-kedua", "--keys", str(demo_store), "--level", "B-B"),
        "it must not be signed further, it does not verify",
        "signature-integrity: pihak-pertama: the signed bytes were changed",
    )
    assert pdf.read_bytes() == bytes(data)


def test_not_prepared_and_not_a_pdf(tmp_path: Path, demo_store: Path) -> None:
    plain = tmp_path / "plain.pdf"
    with pikepdf.new() as p:
        p.add_blank_page()
        p.save(plain)
    _refused(
        sign(str(plain), "--role", "pihak-pertama", "--keys", str(demo_store)),
        "not prepared by `kinerja generate`",
    )
    text = tmp_path / "surat.pdf"
    text.write_text("bukan pdf")
    _refused(
        sign(str(text), "--role", "pihak-pertama", "--keys", str(demo_store)), "not a PDF file"
    )
    _refused(
        sign(str(tmp_path / "missing.pdf"), "--role", "pihak-pertama", "--keys", str(demo_store)),
        "no such file",
    )


@pytest.mark.office
def test_wrong_passphrase_is_one_clear_line(docs: Path, demo_store: Path) -> None:
    for args in (["--keys", str(demo_store)], ["--p12", str(_p12_for("rina", demo_store))]):
        result = sign(
            str(docs / "pk-2026-dinkes.pdf"),
            "--role",
            "pihak-pertama",
            *args,
            env={"KINERJA_PASSPHRASE": "salah"},
        )
        _refused(result, "wrong passphrase")
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "salah" not in result.stderr


@pytest.mark.office
def test_out_folder_leaves_sources_and_batch_resumes(
    docs: Path, demo_store: Path, tmp_path: Path
) -> None:
    before = {p.name: p.read_bytes() for p in docs.glob("*.pdf")}
    out = tmp_path / "signed"
    first = sign(
        str(docs), "--role", "pihak-pertama", "--keys", str(demo_store), "-o", str(out), "--json"
    )
    assert first.returncode == 0, first.stderr
    assert {p.name: p.read_bytes() for p in docs.glob("*.pdf")} == before
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(before)
    again = sign(str(out), "--role", "pihak-pertama", "--keys", str(demo_store), "--json")
    import json

    assert {r["status"] for r in json.loads(again.stdout)} == {"skipped"}


@pytest.mark.office
def test_extend_adds_an_archival_timestamp(docs: Path, demo_store: Path) -> None:
    pdf = docs / "pi-2026-dinkes.pdf"
    for role in ("pihak-pertama", "pihak-kedua"):
        assert sign(str(pdf), "--role", role, "--keys", str(demo_store)).returncode == 0
    before = validate(pdf, demo_store)["timestamps"]
    result = run_kinerja("extend", str(pdf), "--keys", str(demo_store))
    assert result.returncode == 0, result.stderr
    after = validate(pdf, demo_store)
    assert after["timestamps"] == before + 1  # type: ignore[operator]
    assert after["pihak-pertama"].bottom_line and after["pihak-kedua"].bottom_line  # type: ignore[attr-defined]


# PKCS#11: SoftHSM2 as the token, the same code path as a real one


@pytest.fixture()
def token(demo_store: Path, tmp_path: Path) -> Iterator[dict[str, str]]:
    conf = tmp_path / "softhsm2.conf"
    (tmp_path / "tokens").mkdir()
    conf.write_text(
        f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n"
        "log.level = ERROR\n"
    )
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    run = lambda *a: subprocess.run(a, env=env, check=True, capture_output=True)  # noqa: E731
    run(
        "softhsm2-util",
        "--init-token",
        "--free",
        "--label",
        "kinerja-uji",
        "--pin",
        "4321",
        "--so-pin",
        "87654321",
    )
    key, cert, others = pyca_pkcs12.load_key_and_certificates(
        _p12_for("rina", demo_store).read_bytes(), b"demo"
    )
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            Encoding.PEM,
            PrivateFormat.PKCS8,  # type: ignore[union-attr]
            NoEncryption(),
        )
    )
    (tmp_path / "cert.der").write_bytes(cert.public_bytes(Encoding.DER))  # type: ignore[union-attr]
    (tmp_path / "ca.der").write_bytes(others[0].public_bytes(Encoding.DER))
    run(
        "softhsm2-util",
        "--import",
        str(tmp_path / "key.pem"),
        "--token",
        "kinerja-uji",
        "--label",
        "rina",
        "--id",
        "01",
        "--pin",
        "4321",
    )
    for obj, ident, label in (("cert.der", "01", "rina"), ("ca.der", "02", "ca")):
        run(
            "pkcs11-tool",
            "--module",
            SOFTHSM,
            "--token-label",
            "kinerja-uji",
            "--login",
            "--pin",
            "4321",
            "--write-object",
            str(tmp_path / obj),
            "--type",
            "cert",
            "--id",
            ident,
            "--label",
            label,
        )
    (tmp_path / "key.pem").unlink()
    yield {"SOFTHSM2_CONF": str(conf)}


@pytest.fixture()
def loopback_tsa(demo_store: Path) -> Iterator[str]:
    """The demo TSA over HTTP on 127.0.0.1, for the real --tsa-url code path."""
    with services_loopback_tsa(DemoTimeStamper(pki.load_demo_pki(demo_store, b"demo"))) as url:
        yield url


def sign_with_token(
    pdf: Path, token: dict[str, str], pin: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """Pihak pertama signs with the SoftHSM2 token, the PIN given the way users give it."""
    return sign(
        str(pdf),
        "--role",
        "pihak-pertama",
        "--pkcs11-module",
        SOFTHSM,
        "--token-label",
        "kinerja-uji",
        *args,
        env={**token, "KINERJA_PIN": pin},
    )


@pytest.mark.office
def test_pkcs11_token_signs(
    docs: Path, demo_store: Path, token: dict[str, str], loopback_tsa: str
) -> None:
    pdf = docs / "pk-2026-dinkes.pdf"
    result = sign_with_token(pdf, token, "4321", "--level", "B-T", "--tsa-url", loopback_tsa)
    assert result.returncode == 0, result.stdout + result.stderr
    st = validate(pdf, demo_store)["pihak-pertama"]
    assert st.bottom_line and st.timestamp_validity is not None  # type: ignore[attr-defined]
    assert "Signature is Valid." in pdfsig(pdf)


@pytest.mark.office
def test_pkcs11_wrong_pin(docs: Path, token: dict[str, str]) -> None:
    result = sign_with_token(docs / "pk-2026-dinkes.pdf", token, "0000", "--level", "B-B")
    _refused(result, "wrong PIN")
    assert "0000" not in result.stderr


def test_secrets_never_on_the_command_line() -> None:
    help_text = run_kinerja("sign", "--help").stdout
    assert not re.search(r"--(passphrase|pin|password)\b", help_text)


def test_key_store_picks_each_documents_party(demo_store: Path, example_workspace: Path) -> None:
    from dataclasses import replace

    store = KeyStore(demo_store, b"demo")
    ceremony = read_workbook(example_workspace / "kinerja.xlsx")
    assert len(store) == len(ceremony.parties)
    for party in ceremony.parties:
        # the certificates carry the plain name, as BSrE's do
        assert store.for_party(party).holder == plain_name(party.nama)
    rina = next(p for p in ceremony.parties if p.nama.startswith("dr. Rina"))
    spaced = replace(rina, nama="DR.  Rina Kartikasari,M.Kes.")
    assert store.for_party(spaced).holder == "Rina Kartikasari", "case and spacing do not matter"
    with pytest.raises(KeyMaterialError, match=r"no certificate in .* whose holder matches"):
        store.for_party(replace(rina, nama="dr. Rina Kartika, M.Kes."))


def test_keys_demo_command(tmp_path: Path) -> None:
    import json
    import stat

    folder = tmp_path / "keys"
    result = run_kinerja("keys", "demo", str(folder))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((folder / pki.MANIFEST).read_text())
    assert len(manifest["parties"]) >= 45
    secrets = [*(folder / "pihak").glob("*.p12"), *(folder / "ca").glob("*.key")]
    assert secrets and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in secrets)
    assert not any(
        b"PRIVATE KEY-----\n" in p.read_bytes() and b"ENCRYPTED" not in p.read_bytes()
        for p in (folder / "ca").glob("*.key")
    ), "CA keys are encrypted"
    again = run_kinerja("keys", "demo", str(folder))
    assert again.returncode == 2 and "--force" in again.stderr
    listing = run_kinerja("keys", "list", str(folder), "--json")
    rows = json.loads(listing.stdout)
    assert "Arif Wicaksono" in {r["holder"] for r in rows}, "the plain name, as BSrE issues it"
    assert all(re.fullmatch(r"[0-9a-f]{64}", r["sha256"]) for r in rows)


@pytest.mark.office
def test_newest_timestamp_covers_the_whole_file(docs: Path, demo_store: Path) -> None:
    """No revision after the last document timestamp: nothing is left that no signature covers,
    also after `kinerja extend`, and also when pihak kedua signed at a lower level."""
    import io

    from pyhanko.sign.validation import validate_pdf_timestamp
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    pdf = docs / "pk-2026-dinkes.pdf"
    assert sign(str(pdf), "--role", "pihak-pertama", "--keys", str(demo_store)).returncode == 0
    assert (
        sign(
            str(pdf), "--role", "pihak-kedua", "--keys", str(demo_store), "--level", "B-T"
        ).returncode
        == 0
    )
    assert run_kinerja("extend", str(pdf), "--keys", str(demo_store)).returncode == 0
    reader = PdfFileReader(io.BytesIO(pdf.read_bytes()))
    newest = reader.embedded_timestamp_signatures[-1]
    authority = pki.load_demo_pki(demo_store, b"demo")
    status = validate_pdf_timestamp(newest, demo_validation_context(authority), skip_diff=True)
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert newest.signed_revision == reader.xrefs.total_revisions - 1
    verdict = run_kinerja("verify", str(pdf), "--trust", str(demo_store))
    assert verdict.returncode == 0, verdict.stdout


@pytest.mark.office
def test_a_file_verify_rejects_is_not_signed_further(docs: Path, demo_store: Path) -> None:
    """An object stashed after pihak pertama's signature passes pyHanko's own validation, but
    the full verify policy rejects it, and so does sign."""
    from tests import attacks

    pdf = docs / "pk-2026-dinkes.pdf"
    first = sign(str(pdf), "--role", "pihak-pertama", "--keys", str(demo_store), "--level", "B-B")
    assert first.returncode == 0, first.stderr
    [stash] = attacks.next_object_numbers(pdf.read_bytes(), 1)
    tampered = attacks.append_update(pdf.read_bytes(), {stash: b"<< /Stash (95) >>"})
    pdf.write_bytes(tampered)
    with open(pdf, "rb") as f:  # pyHanko alone finds nothing wrong with it
        es = PdfFileReader(f).embedded_regular_signatures[0]
        authority = pki.load_demo_pki(demo_store, b"demo")
        status = validate_pdf_signature(es, demo_validation_context(authority))
        assert status.intact and status.valid and status.docmdp_ok
    _refused(
        sign(str(pdf), "--role", "pihak-kedua", "--keys", str(demo_store), "--level", "B-B"),
        "does not verify",
        "changes-after-signing",
    )
    assert pdf.read_bytes() == tampered


@pytest.mark.office
def test_a_backend_whose_result_does_not_verify_writes_nothing(
    docs: Path, demo_store: Path
) -> None:
    """The stage verifies what a backend returns: a remote-style backend (signer unknown before
    signing) that signs with the wrong person's key is caught before anything is written."""
    from signer.batch import expand_inputs
    from signer.model import Agreement, Peran
    from signer.sign import Concurrency, Level, SignOptions, sign_files
    from signer.sign.pades import PadesSigner
    from tests.helpers import demo_audit, demo_backend

    local = demo_backend(demo_store)

    class WrongPerson(PadesSigner):
        def certificate_for(self, agreement: Agreement, role: Peran) -> None:  # type: ignore[override]
            return None  # as a remote backend: known only in the result

    wrong = WrongPerson(lambda a, role: local.credential_for(a, Peran.PIHAK_KEDUA), local.services)
    wrong.concurrency = Concurrency.THREADS
    pdf = docs / "pk-2026-dinkes.pdf"
    before = pdf.read_bytes()
    [outcome] = sign_files(
        expand_inputs([pdf]),
        wrong,
        demo_audit(demo_store),
        SignOptions(Peran.PIHAK_PERTAMA, Level.B_B, jobs=1, progress=False),
    )
    assert outcome.status is Status.FAILED
    assert "the signed result does not verify" in outcome.detail
    assert "signer-identity" in outcome.detail
    assert pdf.read_bytes() == before


@pytest.mark.office
def test_sign_and_verify_see_the_same_files_of_a_folder(
    docs: Path, demo_store: Path, tmp_path: Path
) -> None:
    """FILE|DIR is expanded one way for every command: subfolders included, kept under --out."""
    nested = docs / "bagian" / "tahun-ini"
    nested.mkdir(parents=True)
    shutil.move(docs / "pi-2026-dinkes.pdf", nested / "pi-2026-dinkes.pdf")
    out = tmp_path / "signed"
    for role in ("pihak-pertama", "pihak-kedua"):
        source = docs if role == "pihak-pertama" else out
        target = ["-o", str(out)] if role == "pihak-pertama" else []
        done = sign(str(source), "--role", role, "--keys", str(demo_store), *target)
        assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "bagian" / "tahun-ini" / "pi-2026-dinkes.pdf").is_file()
    checked = run_kinerja("verify", str(out), "--trust", str(demo_store), "--json")
    files = {Path(d["file"]).relative_to(out) for d in json.loads(checked.stdout)["documents"]}
    assert files == {p.relative_to(docs) for p in docs.rglob("*.pdf")}
    assert checked.returncode == 0, checked.stdout
