"""The BSrE emulator's ``/api/v2/verify/pdf``: pyHanko's validation against the emulator's root,
reported in the shape BSrE answers (bsre_api.md 5), vendor typos ``timestampInfomation`` and
``signatureAlgoritm`` included.

This is a second opinion in BSrE's words, not kinerja's verifier: it knows only the emulator's
PKI (anything else is untrusted) and says nothing about what the pages show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signer.demo_pki.bsre_pdf import BadFile
from signer.demo_pki.bsre_pki import INTERMEDIATE_CRL_PATH, ROOT_CRL_PATH, BsrePki

VALID = "Dokumen valid, Sertifikat yang digunakan terpercaya"
NO_SIGNATURE = "Dokumen belum ditandatangani secara elektronik"
UNTRUSTED = "Dokumen tidak valid, Sertifikat yang digunakan tidak terpercaya"
CHANGED = "Dokumen tidak valid, Konten dokumen mengalami perubahan setelah ditandatangani"

KEY_USAGES = (
    ("digital_signature", "digitalSignature"),
    ("non_repudiation", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "crlSign"),
)


def iso(when: dt.datetime | None) -> str | None:
    """BSrE's date form: ``yyyy-MM-dd'T'HH:mm:ss.SSS+00:00`` in UTC."""
    if when is None:
        return None
    utc = when.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"


def dn(name: asn1_x509.Name) -> str:
    """A DN as BSrE prints it: ``C=ID,O=...,CN=...`` (in the certificate's order)."""
    parts = []
    for rdn in name.chosen:
        for attr in rdn:
            label = {
                "country_name": "C",
                "organization_name": "O",
                "organizational_unit_name": "OU",
                "common_name": "CN",
                "email_address": "E",
                "given_name": "GIVENNAME",
                "locality_name": "L",
                "state_or_province_name": "ST",
                "serial_number": "SERIALNUMBER",
            }.get(attr["type"].native, attr["type"].dotted)
            parts.append(f"{label}={attr['value'].native}")
    return ",".join(parts)


def _cn(cert: asn1_x509.Certificate) -> str | None:
    value = cert.subject.native.get("common_name")
    return str(value) if value is not None else None


def certificate_detail(cert: asn1_x509.Certificate) -> dict[str, Any]:
    algo = cert["signature_algorithm"]
    hash_name = (algo.hash_algo or "").upper()
    usage = cert.key_usage_value.native if cert.key_usage_value is not None else set()
    return {
        "id": "C-" + hashlib.sha256(cert.dump()).hexdigest().upper(),
        "commonName": _cn(cert),
        "issuerName": dn(cert.issuer),
        "serialNumber": str(cert.serial_number),
        "notAfterDate": iso(cert.not_valid_after),
        "notBeforeDate": iso(cert.not_valid_before),
        "signatureAlgoritm": f"{algo.signature_algo.upper()} with {hash_name}".replace(
            "RSASSA_PKCS1V15", "RSA"
        ),
        "keyUsages": [name for key, name in KEY_USAGES if key in usage],
    }


def validation_context(pki: BsrePki) -> ValidationContext:
    """Trust the emulator's root only; revocation from fresh CRLs made in-process."""
    from asn1crypto import crl as asn1_crl
    from cryptography.hazmat.primitives import serialization

    def cert(c: Any) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))

    crls = [
        asn1_crl.CertificateList.load(pki.crl(p) or b"")
        for p in (ROOT_CRL_PATH, INTERMEDIATE_CRL_PATH)
    ]
    return ValidationContext(
        trust_roots=[cert(pki.root.cert)],
        other_certs=[cert(pki.intermediate.cert)],
        crls=crls,
        allow_fetching=False,
        revocation_mode="hard-fail",
    )


def _has_signature_timestamp(sig: Any) -> bool:
    attrs = sig.signer_info["unsigned_attrs"]
    if not isinstance(attrs.native, list):
        return False
    return any(a["type"].native == "signature_time_stamp_token" for a in attrs)


def report(pdf: bytes, pki: BsrePki) -> dict[str, Any]:
    """The verify/pdf answer for ``pdf``."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.encrypted:
            raise BadFile("dokumen terenkripsi tidak didukung")
        signatures = list(reader.embedded_regular_signatures)
        has_dss = "/DSS" in reader.root
        doc_ts = list(reader.embedded_timestamp_signatures)
    except (PdfError, ValueError, KeyError, TypeError) as e:
        raise BadFile(f"dokumen PDF rusak ({e})") from None
    if not signatures:
        return {
            "conclusion": "NO_SIGNATURE",
            "description": NO_SIGNATURE,
            "signatureInformations": [],
            "signatureCount": 0,
        }
    infos = []
    problems: set[str] = set()
    vc = validation_context(pki)
    for i, sig in enumerate(signatures):
        try:
            status = validate_pdf_signature(sig, vc)
            intact, valid, trusted = status.intact, status.valid, status.trusted
            level = status.modification_level
        except Exception:  # a broken signature is reported, never a crash of the service
            status, intact, valid, trusted, level = None, False, False, False, None
        modified = level is None or level not in (
            ModificationLevel.NONE,
            ModificationLevel.LTA_UPDATES,
            ModificationLevel.FORM_FILLING,
        )
        if not (intact and valid) or modified:
            problems.add(CHANGED)
        elif not trusted:
            problems.add(UNTRUSTED)
        tsv = status.timestamp_validity if status is not None else None
        fmt = "PAdES-BASELINE-B"
        if tsv is not None or _has_signature_timestamp(sig):
            fmt = "PAdES-BASELINE-T"
            if has_dss:
                fmt = "PAdES-BASELINE-LT"
                if any(ts.signed_revision > sig.signed_revision for ts in doc_ts):
                    fmt = "PAdES-BASELINE-LTA"
        chain = list(status.validation_path) if status and status.validation_path else []
        certs = [c for c in chain if isinstance(c, asn1_x509.Certificate)]
        certs = list(reversed(certs)) if certs else [sig.signer_cert]
        ts_info = None
        if tsv is not None:
            ts_info = {
                "id": "T-"
                + hashlib.sha256(tsv.signing_cert.dump() + tsv.timestamp.isoformat().encode())
                .hexdigest()
                .upper(),
                "signerName": _cn(tsv.signing_cert),
                "timestampDate": iso(tsv.timestamp),
            }
        docmdp = sig.docmdp_level
        sig_obj = sig.sig_object
        infos.append(
            {
                "id": "S-" + hashlib.sha256(sig.pkcs7_content).hexdigest().upper(),
                "signatureFormat": fmt,
                "signerName": _cn(sig.signer_cert),
                "signatureDate": iso(sig.self_reported_timestamp),
                "fieldName": sig.field_name,
                "reason": sig_obj.get("/Reason"),
                "location": sig_obj.get("/Location"),
                "certLevelCode": int(docmdp.value) if docmdp is not None else 0,
                "signatureAlgorithm": None,
                "digestAlgorithm": None,
                "timestampInfomation": ts_info,
                "certificateDetails": [certificate_detail(c) for c in certs],
                "integrityValid": bool(intact and valid),
                "certificateTrusted": bool(trusted),
                "lastSignature": i == len(signatures) - 1,
                "ltv": fmt in ("PAdES-BASELINE-LT", "PAdES-BASELINE-LTA"),
                "modified": modified,
            }
        )
    conclusion = "INVALID" if problems else "VALID"
    description = CHANGED if CHANGED in problems else UNTRUSTED if problems else VALID
    return {
        "conclusion": conclusion,
        "description": description,
        "signatureInformations": infos,
        "signatureCount": len(infos),
    }
