"""The BSrE emulator, driven over real HTTP with urllib as any client would (never in-process).

The quick tests sign small PDFs made here with pyHanko that carry the prepared fields kinerja
makes (`pihak-pertama`, `pihak-kedua`); the slow ones sign kinerja's own prepared agreements.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import io
import json
import re
import socket
import ssl
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import fields
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signer.demo_pki.bsre_accounts import (
    Pengguna,
    demo_totp_secret,
    totp,
    users_for_ceremony,
)
from signer.demo_pki.bsre_emulator import BsreEmulator
from signer.demo_pki.bsre_pdf import Fault, Origin

CLIENT = ("kinerja", "rahasia-demo")
RINA = Pengguna(
    "3371995502780001",
    "197802152003122001@kotacontoh.go.id",
    "Rina Kartikasari",
    "rahasia-rina",
    demo_totp_secret("3371995502780001"),
)
HENDRA = Pengguna(
    "3371990311750001",
    "hendra.gunawan@kotacontoh.go.id",
    "Hendra Gunawan",
    "demo",
    demo_totp_secret("3371990311750001"),
)
TANPA = Pengguna(  # registered, no certificate yet
    "3371992206800001",
    "198006222005011003@kotacontoh.go.id",
    "Yusuf Prasetyo",
    "demo",
    demo_totp_secret("3371992206800001"),
    certificate=False,
)
USERS = [RINA, HENDRA, TANPA]
BOX = (300.0, 120.0, 200.0, 80.0)  # originX, originY, width, height


def prepared_pdf(pages: int = 2, *, kepala_daerah: bool = False, marker: str = "") -> bytes:
    """A small PDF with kinerja's empty prepared fields (on the last page)."""
    w = PdfFileWriter()
    for i in range(pages):
        content = generic.StreamObject(stream_data=f"% halaman {i + 1} {marker}\n".encode())
        page = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Page"),
                generic.pdf_name("/MediaBox"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 595, 842)]
                ),
                generic.pdf_name("/Contents"): w.add_object(content),
            }
        )
        w.insert_page(page)
    raw = io.BytesIO()
    w.write(raw)
    iw = IncrementalPdfFileWriter(io.BytesIO(raw.getvalue()))
    specs = [("pihak-pertama", (60, 120, 260, 200))]
    if not kepala_daerah:
        specs.append(("pihak-kedua", (300, 120, 500, 200)))
    for name, box in specs:
        fields.append_signature_field(iw, fields.SigFieldSpec(name, on_page=pages - 1, box=box))
    out = io.BytesIO()
    iw.write(out)
    return out.getvalue()


def png(width: int = 400, height: int = 160) -> str:
    img = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    img.paste((20, 40, 160, 255), (0, 0, width // 3, height))
    out = io.BytesIO()
    img.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def visible(page: int = 2, box: tuple[float, float, float, float] = BOX) -> dict[str, Any]:
    x, y, w, h = box
    return {
        "tampilan": "VISIBLE",
        "imageBase64": png(),
        "page": page,
        "originX": x,
        "originY": y,
        "width": w,
        "height": h,
        "reason": "Perjanjian Kinerja Tahun 2026: pihak pertama, NIP 19780215 200312 2 001",
        "location": "Kota Contoh",
        "contactInfo": RINA.email,
    }


def call(
    emu: BsreEmulator,
    path: str,
    body: object | None = None,
    *,
    auth: tuple[str, str] | None = CLIENT,
    timeout: float = 60,
    context: ssl.SSLContext | None = None,
) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = "Basic " + b64(f"{auth[0]}:{auth[1]}".encode())
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(emu.url + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def sign(emu: BsreEmulator, files: list[bytes], **body: Any) -> tuple[int, Any]:
    body.setdefault("nik", RINA.nik)
    if "totp" not in body:
        body.setdefault("passphrase", RINA.passphrase)
    body.setdefault("signatureProperties", [visible()])
    status, raw = call(emu, "/api/v2/sign/pdf", {**body, "file": [b64(f) for f in files]})
    return status, json.loads(raw)


def revisions(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf)).xrefs.total_revisions)


def validation_context(emu: BsreEmulator) -> ValidationContext:
    """Trust the emulator's root; fetch revocation data over HTTP from the URLs in the
    certificates (the emulator's OCSP responder and CRLs), failing hard without it."""
    from asn1crypto import x509 as asn1_x509

    root = asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(emu.root_path.read_bytes()).public_bytes(
            serialization.Encoding.DER
        )
    )
    return ValidationContext(trust_roots=[root], allow_fetching=True, revocation_mode="hard-fail")


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BsreEmulator]:
    with BsreEmulator.start(tmp_path_factory.mktemp("bsre") / "pki", USERS) as emu:
        yield emu


@pytest.fixture
def emu(emulator: BsreEmulator) -> Iterator[BsreEmulator]:
    """The shared emulator with no fault and an empty request log."""
    emulator.set_fault(None)
    emulator.requests.clear()
    yield emulator
    emulator.set_fault(None)


# ---------------------------------------------------------------------------------------------
# Signing


def test_a_visible_signature_is_one_incremental_update_with_a_new_bt_field(
    emu: BsreEmulator,
) -> None:
    pdf = prepared_pdf()
    status, body = sign(emu, [pdf])
    assert status == 200, body
    assert isinstance(body["time"], int) and len(body["file"]) == 1
    signed = base64.b64decode(body["file"][0])
    assert signed.startswith(pdf) and revisions(signed) == revisions(pdf) + 1

    reader = PdfFileReader(io.BytesIO(signed))
    (sig,) = reader.embedded_signatures
    assert re.fullmatch(r"esc_\d{13}", sig.field_name)
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert sig.docmdp_level is None and "/Perms" not in reader.root, "never certifies"
    assert sig.sig_object["/Reason"] == visible()["reason"]
    assert sig.sig_object["/Location"] == "Kota Contoh"
    assert sig.sig_object["/ContactInfo"] == RINA.email
    status_ = validate_pdf_signature(sig, validation_context(emu))
    assert status_.intact and status_.valid and status_.trusted
    assert status_.timestamp_validity is not None and status_.timestamp_validity.trusted
    assert status_.modification_level is ModificationLevel.NONE
    cert = sig.signer_cert
    assert cert.subject.native["common_name"] == "Rina Kartikasari"
    assert cert.public_key.bit_size == 2048
    assert cert.issuer.native["common_name"] == "BSRE CA DS G1"
    assert set(cert.key_usage_value.native) == {"digital_signature", "non_repudiation"}
    life = cert.not_valid_after - cert.not_valid_before
    assert dt.timedelta(days=729) < life < dt.timedelta(days=731)

    # the widget sits on the page and rectangle asked for; the prepared fields stay empty
    fields_by_name = {
        name: (value, ref) for name, value, ref in fields.enumerate_sig_fields(reader)
    }
    assert fields_by_name["pihak-pertama"][0] is None and fields_by_name["pihak-kedua"][0] is None
    widget = fields_by_name[sig.field_name][1].get_object()
    x, y, w, h = BOX
    assert [float(v) for v in widget["/Rect"]] == pytest.approx([x, y, x + w, y + h])
    assert widget["/P"].get_object() == reader.root["/Pages"]["/Kids"][1].get_object()
    assert "/N" in widget["/AP"], "the image is its appearance"


def test_an_invisible_signature_has_a_zero_rectangle(emu: BsreEmulator) -> None:
    pdf = prepared_pdf()
    status, body = sign(emu, [pdf], signatureProperties=[{"tampilan": "invisible"}])
    assert status == 200, body
    reader = PdfFileReader(io.BytesIO(base64.b64decode(body["file"][0])))
    (sig,) = reader.embedded_signatures
    widget = next(r for n, _, r in fields.enumerate_sig_fields(reader) if n == sig.field_name)
    assert [float(v) for v in widget.get_object()["/Rect"]] == [0, 0, 0, 0]


def test_several_files_in_one_request_come_back_in_order(emu: BsreEmulator) -> None:
    pdfs = [prepared_pdf(marker=str(i)) for i in range(3)]
    status, body = sign(emu, pdfs)
    assert status == 200, body
    outs = [base64.b64decode(f) for f in body["file"]]
    assert [o.startswith(p) for o, p in zip(outs, pdfs, strict=True)] == [True] * 3
    assert [(r.endpoint, r.identity, r.files, r.status) for r in emu.requests] == [
        ("/api/v2/sign/pdf", RINA.nik, 3, 200)
    ]
    # one entry per file, paired by index
    props = [visible(), {"tampilan": "INVISIBLE"}, visible(page=1)]
    status, body = sign(emu, pdfs, signatureProperties=props)
    assert status == 200, body
    pages = []
    for out in body["file"]:
        reader = PdfFileReader(io.BytesIO(base64.b64decode(out)))
        (sig,) = reader.embedded_signatures
        widget = next(r for n, _, r in fields.enumerate_sig_fields(reader) if n == sig.field_name)
        rect = [float(v) for v in widget.get_object()["/Rect"]]
        pages.append(rect != [0, 0, 0, 0])
    assert pages == [True, False, True]


def test_base64_broken_into_lines_is_read(emu: BsreEmulator) -> None:
    pdf = prepared_pdf()
    text = b64(pdf)
    wrapped = "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    body = {"nik": RINA.nik, "passphrase": RINA.passphrase, "file": [wrapped]}
    status, raw = call(emu, "/api/v2/sign/pdf", {**body, "signatureProperties": [visible()]})
    assert status == 200 and base64.b64decode(json.loads(raw)["file"][0]).startswith(pdf)


def test_an_upper_left_origin_is_a_setting(tmp_path: Path) -> None:
    with BsreEmulator.start(tmp_path / "pki", [RINA], origin=Origin.UPPER_LEFT) as emu:
        status, body = sign(emu, [prepared_pdf()])
    assert status == 200, body
    reader = PdfFileReader(io.BytesIO(base64.b64decode(body["file"][0])))
    (sig,) = reader.embedded_signatures
    widget = next(r for n, _, r in fields.enumerate_sig_fields(reader) if n == sig.field_name)
    x, y, w, h = BOX
    top = 842 - y
    assert [float(v) for v in widget.get_object()["/Rect"]] == pytest.approx(
        [x, top - h, x + w, top]
    )


def test_a_second_signature_adds_a_second_new_field(emu: BsreEmulator) -> None:
    pdf = prepared_pdf()
    _, first = sign(emu, [pdf])
    once = base64.b64decode(first["file"][0])
    status, second = sign(emu, [once], nik=None, email=HENDRA.email, passphrase="demo")
    assert status == 200, second
    twice = base64.b64decode(second["file"][0])
    assert twice.startswith(once) and revisions(twice) == revisions(pdf) + 2
    sigs = PdfFileReader(io.BytesIO(twice)).embedded_signatures
    assert len({s.field_name for s in sigs}) == 2
    assert [s.signer_cert.subject.native["common_name"] for s in sigs] == [
        "Rina Kartikasari",
        "Hendra Gunawan",
    ]
    vc = validation_context(emu)
    assert all(validate_pdf_signature(s, vc).bottom_line for s in sigs)


# ---------------------------------------------------------------------------------------------
# Refusals


def test_client_credentials_are_required(emu: BsreEmulator) -> None:
    for auth in (None, ("kinerja", "salah"), ("orang", "rahasia-demo")):
        status, raw = call(emu, "/api/v2/user/check/status", {"nik": RINA.nik}, auth=auth)
        body = json.loads(raw)
        assert status == 401
        assert body["status"] == 401 and body["error"] == "Unauthorized"
        assert body["path"] == "/api/v2/user/check/status" and "timestamp" in body
    status, _ = call(emu, f"/api/v2/user/certificate/chain/{RINA.nik}", auth=None)
    assert status == 401


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ({"nik": "3371990101010001"}, 2011),
        ({"nik": None, "email": "tidak.ada@kotacontoh.go.id"}, 2011),
        ({"nik": ""}, 2011),
        ({"nik": TANPA.nik}, 2021),
        ({"passphrase": "salah"}, 2031),
        ({"passphrase": None}, 2031),
    ],
)
def test_sign_refusals_have_the_documented_codes_and_sign_nothing(
    emu: BsreEmulator, who: dict[str, Any], code: int
) -> None:
    status, body = sign(emu, [prepared_pdf()], **who)
    assert status == 400
    assert body["status_code"] == code and isinstance(body["error"], str)
    assert "file" not in body


def test_a_request_log_holds_no_secret(emu: BsreEmulator) -> None:
    sign(emu, [prepared_pdf()], passphrase="rahasia-sekali")
    assert "rahasia-sekali" not in repr(emu.requests)
    assert emu.requests[0].identity == RINA.nik and emu.requests[0].status == 400


@pytest.mark.parametrize(
    "files",
    [["bukan base64!"], [b64(b"bukan PDF sama sekali")], [], None],
)
def test_a_bad_file_is_a_500_as_bsre_answers(emu: BsreEmulator, files: Any) -> None:
    body = {"nik": RINA.nik, "passphrase": RINA.passphrase, "signatureProperties": [visible()]}
    status, raw = call(emu, "/api/v2/sign/pdf", {**body, "file": files})
    assert status == 500 and json.loads(raw)["status"] == 500


def test_one_bad_file_refuses_the_whole_request(emu: BsreEmulator) -> None:
    body = {"nik": RINA.nik, "passphrase": RINA.passphrase, "signatureProperties": [visible()]}
    files = [b64(prepared_pdf()), b64(b"%PDF-1.7 rusak")]
    status, raw = call(emu, "/api/v2/sign/pdf", {**body, "file": files})
    assert status == 500 and b'"file"' not in raw.split(b"path")[0]


@pytest.mark.parametrize(
    "props",
    [
        [{"tampilan": "VISIBLE", "page": 1, "originX": 1, "originY": 1, "width": 9, "height": 9}],
        [visible(page=3)],
        [visible(box=(10, 10, 0, 20))],
        [{**visible(), "imageBase64": b64(b"GIF89a")}],
        [{"tampilan": "SEBAGIAN"}],
        [visible(), visible(), visible()],
        [],
    ],
)
def test_bad_signature_properties_are_refused(emu: BsreEmulator, props: list[Any]) -> None:
    status, body = sign(emu, [prepared_pdf(), prepared_pdf()], signatureProperties=props)
    assert status == 400 and body["status_code"] == 4001, body


def test_a_body_over_the_bound_is_refused_unread(emu: BsreEmulator) -> None:
    host, port = emu.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("POST", "/api/v2/sign/pdf")
    conn.putheader("Authorization", "Basic " + b64(b"kinerja:rahasia-demo"))
    conn.putheader("Content-Length", str(51 * 1024 * 1024))
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()


# ---------------------------------------------------------------------------------------------
# TOTP


def test_rfc_6238_vectors() -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, 59, digits=8) == "94287082"
    assert totp(secret, 1111111109, digits=8) == "07081804"
    assert totp(secret, 59) == "287082"


def test_signing_with_a_totp_needs_one_requested_for_enough_files(emu: BsreEmulator) -> None:
    pdfs = [prepared_pdf(marker="a"), prepared_pdf(marker="b")]
    status, body = sign(emu, pdfs, totp=emu.totp_now(RINA))
    assert (status, body["status_code"]) == (400, 2032), "no TOTP was requested"

    status, raw = call(emu, "/api/v2/sign/get/totp", {"email": RINA.email, "data": 1})
    assert status == 200 and json.loads(raw)["success"] is True
    status, body = sign(emu, pdfs, totp=emu.totp_now(RINA))
    assert (status, body["status_code"]) == (400, 2032), "requested for one file, not two"

    call(emu, "/api/v2/sign/get/totp", {"nik": RINA.nik, "data": 1})
    wrong = f"{(int(emu.totp_now(RINA)) + 1) % 1000000:06d}"
    status, body = sign(emu, pdfs, totp=wrong)
    assert (status, body["status_code"]) == (400, 2032), "a wrong code"

    status, body = sign(emu, pdfs, totp=emu.totp_now(RINA))
    assert status == 200 and len(body["file"]) == 2
    status, body = sign(emu, pdfs[:1], totp=emu.totp_now(RINA))
    assert (status, body["status_code"]) == (400, 2032), "the two files used it up"
    assert not any("totp" in repr(r).lower() and r.identity is None for r in emu.requests)


def test_get_totp_refuses_unknown_accounts(emu: BsreEmulator) -> None:
    status, raw = call(emu, "/api/v2/sign/get/totp", {"nik": "3371990101010001", "data": 1})
    assert status == 400 and json.loads(raw)["status_code"] == 2011
    status, raw = call(emu, "/api/v2/sign/get/totp", {"nik": TANPA.nik})
    assert status == 400 and json.loads(raw)["status_code"] == 2021


# ---------------------------------------------------------------------------------------------
# Status, chain, verify


def test_user_status_is_always_200_with_the_documented_keys(emu: BsreEmulator) -> None:
    answers = {}
    for who in ({"nik": RINA.nik}, {"email": HENDRA.email}, {"nik": TANPA.nik}, {"nik": "1"}, {}):
        status, raw = call(emu, "/api/v2/user/check/status", who)
        body = json.loads(raw)
        assert status == 200 and set(body) == {"status_code", "message", "status"}
        answers[json.dumps(who)] = (body["status"], body["status_code"])
    assert list(answers.values()) == [
        ("ISSUE", 1111),
        ("ISSUE", 1111),
        ("NO_CERTIFICATE", 2021),
        ("NOT_REGISTERED", 2011),
        ("NOT_REGISTERED", 2011),
    ]


def test_the_chain_is_leaf_intermediate_root_in_base64_der(emu: BsreEmulator) -> None:
    for ident in (RINA.nik, RINA.email):
        status, raw = call(emu, f"/api/v2/user/certificate/chain/{ident}")
        body = json.loads(raw)
        assert status == 200 and body["success"] is True
        certs = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in body["data"]]
        names = [c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value for c in certs]
        assert names == ["Rina Kartikasari", "BSRE CA DS G1", "Root CA Indonesia DS G1"]
        certs[0].verify_directly_issued_by(certs[1])
        certs[1].verify_directly_issued_by(certs[2])
        for ca in certs[1:]:
            org = ca.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
            assert "DEMO" in str(org)
        assert certs[2].not_valid_after_utc.year >= 2038
        assert certs[1].not_valid_after_utc > dt.datetime(2036, 6, 1, tzinfo=dt.UTC)
        assert certs[0].public_key().key_size == 2048  # type: ignore[union-attr]
        assert "NIP" not in certs[0].subject.rfc4514_string()
    status, raw = call(emu, "/api/v2/user/certificate/chain/3371990101010001")
    assert status == 400
    with pytest.raises(ValueError):
        json.loads(raw)


def test_verify_reports_in_bsre_shape(emu: BsreEmulator) -> None:
    pdf = prepared_pdf()
    status, raw = call(emu, "/api/v2/verify/pdf", {"file": b64(pdf), "password": None})
    assert status == 200
    assert json.loads(raw) == {
        "conclusion": "NO_SIGNATURE",
        "description": "Dokumen belum ditandatangani secara elektronik",
        "signatureInformations": [],
        "signatureCount": 0,
    }
    _, body = sign(emu, [pdf])
    status, raw = call(emu, "/api/v2/verify/pdf", {"file": body["file"]})  # [string] variant
    report = json.loads(raw)
    assert status == 200 and report["conclusion"] == "VALID" and report["signatureCount"] == 1
    (info,) = report["signatureInformations"]
    assert info["signatureFormat"] == "PAdES-BASELINE-T"
    assert info["signerName"] == "Rina Kartikasari" and info["fieldName"].startswith("esc_")
    assert info["integrityValid"] and info["certificateTrusted"] and not info["ltv"]
    assert info["certLevelCode"] == 0
    assert info["timestampInfomation"]["signerName"] == (
        "Timestamp Authority Badan Siber dan Sandi Negara"
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", info["signatureDate"])
    details = info["certificateDetails"]
    assert [d["commonName"] for d in details] == [
        "Rina Kartikasari",
        "BSRE CA DS G1",
        "Root CA Indonesia DS G1",
    ]
    assert details[0]["signatureAlgoritm"] == "RSA with SHA256"
    assert details[0]["keyUsages"] == ["digitalSignature", "nonRepudiation"]
    assert details[0]["serialNumber"].isdigit()
    assert details[0]["issuerName"].startswith("C=ID,") and details[0]["issuerName"].endswith(
        "CN=BSRE CA DS G1"
    )
    # a byte of the signed content changed afterwards
    tampered = base64.b64decode(body["file"][0]).replace(b"% halaman 1", b"% halaman 9", 1)
    status, raw = call(emu, "/api/v2/verify/pdf", {"file": b64(tampered)})
    report = json.loads(raw)
    assert report["conclusion"] == "INVALID"
    assert report["signatureInformations"][0]["integrityValid"] is False
    status, raw = call(emu, "/api/v2/verify/pdf", {"file": "bukan"})
    assert status == 500


# ---------------------------------------------------------------------------------------------
# The PKI's services over HTTP


def _chain(emu: BsreEmulator, user: Pengguna) -> list[x509.Certificate]:
    _, raw = call(emu, f"/api/v2/user/certificate/chain/{user.nik}")
    return [x509.load_der_x509_certificate(base64.b64decode(c)) for c in json.loads(raw)["data"]]


def _fetch(url: str, data: bytes | None = None, content_type: str = "") -> bytes:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=30) as r:
        return r.read()  # type: ignore[no-any-return]


def test_ocsp_and_crls_answer_over_http_at_the_urls_in_the_certificates(
    emu: BsreEmulator,
) -> None:
    leaf, inter, root = _chain(emu, HENDRA)
    aia = leaf.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    (ocsp_url,) = [str(d.access_location.value) for d in aia]
    assert ocsp_url.startswith("http://127.0.0.1:")
    request = ocsp.OCSPRequestBuilder().add_certificate(leaf, inter, hashes.SHA1()).build()
    answer = ocsp.load_der_ocsp_response(
        _fetch(
            ocsp_url,
            request.public_bytes(serialization.Encoding.DER),
            "application/ocsp-request",
        )
    )
    assert answer.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert answer.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert answer.serial_number == leaf.serial_number
    (responder,) = answer.certificates
    responder.verify_directly_issued_by(inter)
    assert (
        ExtendedKeyUsageOID.OCSP_SIGNING
        in responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    )
    # a certificate the emulator did not issue gets no answer
    foreign = ocsp.OCSPRequestBuilder().add_certificate(inter, root, hashes.SHA1()).build()
    refused = ocsp.load_der_ocsp_response(
        _fetch(ocsp_url, foreign.public_bytes(serialization.Encoding.DER), "x")
    )
    assert refused.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL

    for cert, issuer in ((leaf, inter), (inter, root)):
        dps = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        url = str(dps[0].full_name[0].value)  # type: ignore[index]
        crl = x509.load_der_x509_crl(_fetch(url))
        assert crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
        assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is None
        assert crl.next_update_utc is not None and crl.next_update_utc > dt.datetime.now(dt.UTC)


def test_the_tsa_answers_rfc_3161_over_http(emu: BsreEmulator) -> None:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"agreement")
    query = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": digest.finalize(),
            },
            "nonce": 20260101,
            "cert_req": True,
        }
    )
    reply = tsp.TimeStampResp.load(_fetch(emu.tsa_url, query.dump(), "application/timestamp-query"))
    assert reply["status"]["status"].native == "granted"
    signed = reply["time_stamp_token"]["content"]
    tst = signed["encap_content_info"]["content"].parsed
    assert tst["nonce"].native == 20260101
    names = {c.chosen.subject.native.get("common_name") for c in signed["certificates"]}
    assert "Timestamp Authority Badan Siber dan Sandi Negara" in names
    tsa_cert = next(
        c.chosen
        for c in signed["certificates"]
        if c.chosen.subject.native.get("common_name", "").startswith("Timestamp")
    )
    assert tsa_cert.extended_key_usage_value.native == ["time_stamping"]
    assert tsa_cert.not_valid_after > dt.datetime(2036, 1, 1, tzinfo=dt.UTC)


def test_qpdf_finds_a_signed_output_sound(emu: BsreEmulator, tmp_path: Path) -> None:
    _, body = sign(emu, [prepared_pdf()])
    out = tmp_path / "signed.pdf"
    out.write_bytes(base64.b64decode(body["file"][0]))
    result = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------------------------------
# Faults


def test_fault_server_error(emu: BsreEmulator) -> None:
    emu.set_fault("server-error")
    status, body = sign(emu, [prepared_pdf()])
    assert status == 500 and "file" not in body
    assert [r.status for r in emu.requests] == [500]


def test_fault_changed_document_changes_a_page_in_the_same_update(emu: BsreEmulator) -> None:
    emu.set_fault(Fault.CHANGED_DOCUMENT)
    pdf = prepared_pdf()
    _, body = sign(emu, [pdf])
    signed = base64.b64decode(body["file"][0])
    assert signed.startswith(pdf) and revisions(signed) == revisions(pdf) + 1
    (sig,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    status = validate_pdf_signature(sig, validation_context(emu))
    assert status.intact, "the signature covers the changed page: only the diff shows it"
    reader = PdfFileReader(io.BytesIO(signed))
    old = PdfFileReader(io.BytesIO(pdf))
    assert len(reader.root["/Pages"]["/Kids"][0]["/Contents"]) == 2
    assert not isinstance(old.root["/Pages"]["/Kids"][0]["/Contents"], generic.ArrayObject)


def test_fault_wrong_signer(emu: BsreEmulator) -> None:
    emu.set_fault(Fault.WRONG_SIGNER)
    _, body = sign(emu, [prepared_pdf()])
    (sig,) = PdfFileReader(io.BytesIO(base64.b64decode(body["file"][0]))).embedded_signatures
    assert sig.signer_cert.subject.native["common_name"] != RINA.nama


def test_fault_extra_update_and_rewritten(emu: BsreEmulator) -> None:
    pdf = prepared_pdf()
    emu.set_fault(Fault.EXTRA_UPDATE)
    _, body = sign(emu, [pdf])
    extra = base64.b64decode(body["file"][0])
    assert extra.startswith(pdf) and revisions(extra) == revisions(pdf) + 2
    emu.set_fault(Fault.REWRITTEN)
    _, body = sign(emu, [pdf])
    rewritten = base64.b64decode(body["file"][0])
    assert not rewritten.startswith(pdf)
    assert len(PdfFileReader(io.BytesIO(rewritten)).embedded_signatures) == 1


def test_fault_hang_never_answers_and_stop_releases_it(tmp_path: Path) -> None:
    emu = BsreEmulator.start(tmp_path / "pki", [RINA])
    try:
        emu.set_fault("hang")
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            call(emu, "/api/v2/sign/pdf", {"nik": RINA.nik, "file": []}, timeout=1)
        assert [r.endpoint for r in emu.requests] == ["/api/v2/sign/pdf"]
    finally:
        emu.stop()


# ---------------------------------------------------------------------------------------------
# Keeping the PKI, TLS


def test_a_restart_with_the_folder_serves_the_same_pki(tmp_path: Path) -> None:
    folder = tmp_path / "pki"
    with BsreEmulator.start(folder, [RINA]) as first:
        url, root = first.url, first.root_path.read_bytes()
        chain = _chain(first, RINA)
    assert {p.stat().st_mode & 0o777 for p in folder.rglob("*.key")} == {0o600}
    assert folder.stat().st_mode & 0o777 == 0o700
    with BsreEmulator.start(folder, [RINA]) as again:
        assert again.url == url, "the port the certificates name"
        assert again.root_path.read_bytes() == root
        # OCSP answers for a certificate of the earlier run before anyone asks for it again
        request = ocsp.OCSPRequestBuilder().add_certificate(chain[0], chain[1], hashes.SHA1())
        der = request.build().public_bytes(serialization.Encoding.DER)
        answer = ocsp.load_der_ocsp_response(_fetch(again.url + "/ocsp", der, "x"))
        assert answer.certificate_status is ocsp.OCSPCertStatus.GOOD
        assert _chain(again, RINA) == chain


def test_tls_with_its_own_ca_and_the_pki_on_plain_http(tmp_path: Path) -> None:
    with BsreEmulator.start(tmp_path / "pki", [RINA], tls=True) as emu:
        assert emu.url.startswith("https://127.0.0.1:")
        context = ssl.create_default_context(cafile=str(emu.tls_ca_path))
        status, raw = call(emu, "/api/v2/user/check/status", {"nik": RINA.nik}, context=context)
        assert status == 200 and json.loads(raw)["status"] == "ISSUE"
        with pytest.raises(urllib.error.URLError):
            call(emu, "/api/v2/user/check/status", {"nik": RINA.nik})  # not trusted by default
        assert emu.tsa_url.startswith("http://127.0.0.1:")
        crl_url = emu.tsa_url.removesuffix("/tsa") + "/crl/bsre-ca-ds-g1.crl"
        crl = x509.load_der_x509_crl(_fetch(crl_url))
        assert crl.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "BSRE CA DS G1"


# ---------------------------------------------------------------------------------------------
# Accounts for a ceremony


def test_users_for_ceremony(example_workspace: Path) -> None:
    from signer.names import plain_name
    from signer.workbooks.ceremony_read import read_workbook

    ceremony = read_workbook(example_workspace / "kinerja.xlsx")
    users = users_for_ceremony(ceremony.agreements)
    people = {
        p.nip.digits if p.nip else p.nama
        for a in ceremony.agreements
        for p in (a.pihak_pertama, a.pihak_kedua)
        if p is not None
    }
    assert len(users) == len(people)
    assert len({u.nik for u in users}) == len(users) == len({u.email for u in users})
    by_email = {u.email.split("@")[0]: u for u in users}
    for a in ceremony.agreements:
        for p in (a.pihak_pertama, a.pihak_kedua):
            if p is None or p.nip is None:
                continue
            u = by_email[p.nip.digits]
            born = p.nip.tanggal_lahir
            day = born.day + (40 if p.nip.digits[14] == "2" else 0)
            assert re.fullmatch(r"\d{16}", u.nik)
            assert u.nik[6:12] == f"{day:02d}{born:%m%y}"
            assert u.nama == plain_name(p.nama) and "," not in u.nama
            assert u.email.endswith(".go.id") and u.passphrase == "demo"
    kepala = next(a.pihak_kedua for a in ceremony.agreements if a.pihak_kedua.kepala_daerah)
    assert plain_name(kepala.nama) in {u.nama for u in users}
    assert all(base64.b32decode(u.totp_secret) for u in users)
    assert "demo" not in repr(users[0]) and users[0].totp_secret not in repr(users[0])


# ---------------------------------------------------------------------------------------------
# kinerja's own prepared agreements


@pytest.mark.slow
@pytest.mark.office
def test_a_ceremony_through_the_emulator_over_the_prepared_fields(
    prepared_example: Path, tmp_path: Path
) -> None:
    """Each pihak pertama signs their agreements over their prepared field; the kepala daerah
    (or the Sekda) then signs every pihak kedua of theirs in one request. Every result is the
    document before plus one update, trusted and timestamped, qpdf finds it sound, and the
    widget sits exactly on the prepared field, which stays empty."""
    from signer.embedded import read_embedded
    from signer.model import Peran
    from signer.sign.rules import signature_fields

    docs = {p.name: p.read_bytes() for p in sorted(prepared_example.glob("*.pdf"))}
    agreements = {
        n: read_embedded(PdfFileReader(io.BytesIO(d)).root).agreement for n, d in docs.items()
    }
    users = users_for_ceremony(agreements.values())

    def account(role: Peran, name: str) -> Pengguna:
        pihak = agreements[name].pihak(role)
        local = pihak.nip.digits if pihak.nip else None
        return next(
            u
            for u in users
            if u.email.split("@")[0] == local or (local is None and u.nama in pihak.nama)
        )

    with BsreEmulator.start(tmp_path / "pki", users) as emu:
        vc = validation_context(emu)
        for role in (Peran.PIHAK_PERTAMA, Peran.PIHAK_KEDUA):
            batches: dict[str, list[str]] = {}
            for name, a in agreements.items():
                if role in a.peran:
                    batches.setdefault(account(role, name).nik, []).append(name)
            for nik, names in batches.items():
                props = []
                for name in names:
                    field = signature_fields(PdfFileReader(io.BytesIO(docs[name])))[role.value]
                    x1, y1, x2, y2 = field.box
                    props.append(visible(field.page + 1, (x1, y1, x2 - x1, y2 - y1)))
                user = next(u for u in users if u.nik == nik)
                status, body = sign(
                    emu,
                    [docs[n] for n in names],
                    nik=nik,
                    passphrase=user.passphrase,
                    signatureProperties=props,
                )
                assert status == 200, body
                for name, out in zip(names, body["file"], strict=True):
                    signed = base64.b64decode(out)
                    assert signed.startswith(docs[name])
                    assert revisions(signed) == revisions(docs[name]) + 1
                    reader = PdfFileReader(io.BytesIO(signed))
                    sig = reader.embedded_signatures[-1]
                    result = validate_pdf_signature(sig, vc)
                    assert result.bottom_line and result.timestamp_validity is not None
                    assert sig.signer_cert.subject.native["common_name"] == user.nama
                    now = signature_fields(reader)
                    assert not now[role.value].signed, "the prepared field stays empty"
                    prepared = signature_fields(PdfFileReader(io.BytesIO(docs[name])))[role.value]
                    assert now[sig.field_name].box == pytest.approx(prepared.box)
                    assert now[sig.field_name].page == prepared.page
                    docs[name] = signed
            sent = [r for r in emu.requests if r.endpoint == "/api/v2/sign/pdf"]
            assert len(sent) == len(batches), "one request per signer"
            emu.requests.clear()
    for name, data in docs.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert len(PdfFileReader(io.BytesIO(data)).embedded_signatures) == len(
            agreements[name].peran
        )
