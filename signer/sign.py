"""The sign stage: pihak pertama certifies, then pihak kedua approves, PAdES up to B-LTA.

Before signing, a document must pass every rule, or nothing is written:
it was prepared by `kinerja generate` (embedded agreement, one empty field per role); the role
has not signed yet and the order is kept (pihak pertama first); the certificate's holder is the
party the embedded data names for that role, and the certificate is valid now; the signatures
already in the file validate. Pihak pertama's signature certifies the document (DocMDP: form
filling and signing allowed); pihak kedua's fills its field; the field locks set at prepare make
everything else read-only. Always the PAdES subfilter (ETSI.CAdES.detached).

Levels: B-B; B-T adds a signature timestamp; B-LT embeds the revocation data (DSS); B-LTA adds a
document timestamp. :func:`extend` adds a fresh archival timestamp to signed documents.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, TimestampDSSContentSettings
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

from . import fsio
from .batch import Batch, Outcome, Status, default_jobs
from .embedded import EmbeddedAgreement, NotPrepared, read_embedded
from .errors import InputError
from .keys import Credential, KeyMaterialError, same_person
from .model import Agreement, Peran
from .render import verification_payload
from .stamp import stamp


class Level(StrEnum):
    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"

    @property
    def timestamped(self) -> bool:
        return self is not Level.B_B

    @property
    def long_term(self) -> bool:
        return self in (Level.B_LT, Level.B_LTA)


# Revocation data goes into the DSS in the same revision as the document timestamp, before it, so
# the timestamp covers it and nothing is left after the last timestamp that no signature covers.
COVERED_DSS = DSSContentSettings(
    include_vri=False,
    next_ts_settings=TimestampDSSContentSettings(include_vri=False, update_before_ts=True),
)


class SignRefused(InputError):
    """A document that must not be signed as asked; nothing was written."""


@dataclass
class Services:
    """What signing needs beyond the key: a TSA, revocation data, trust for existing signatures."""

    timestamper: TimeStamper | None = None
    validation_context: Callable[[], ValidationContext] | None = None  # fresh per signature
    trust_roots: list[asn1_x509.Certificate] = field(default_factory=list)

    @classmethod
    def online(
        cls, tsa_url: str | None, trust_roots: Sequence[asn1_x509.Certificate] = ()
    ) -> Services:
        """Real services: an RFC 3161 TSA by URL; OCSP and CRLs fetched from the certificates."""
        roots = list(trust_roots)
        return cls(
            HTTPTimeStamper(tsa_url) if tsa_url else None,
            lambda: ValidationContext(trust_roots=roots or None, allow_fetching=True),
            roots,
        )


@dataclass(frozen=True)
class SignOptions:
    role: Peran
    level: Level = Level.B_LTA
    out: Path | None = None  # a folder; None signs in place
    jobs: int = field(default_factory=default_jobs)
    progress: bool = True


@dataclass(frozen=True)
class SignatureField:
    name: str
    signed: bool
    box: tuple[float, float, float, float]


def _read(data: bytes, source: str) -> PdfFileReader:
    if not data.startswith(b"%PDF-"):
        raise InputError(f"{source}: not a PDF file")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        _ = reader.root
        return reader
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as e:
        raise InputError(f"{source}: damaged PDF ({e.__class__.__name__}: {e})") from None


def signature_fields(reader: PdfFileReader) -> dict[str, SignatureField]:
    """The signature fields of a document by name, filled or not, with their boxes."""
    out: dict[str, SignatureField] = {}
    for name, value, ref in fields.enumerate_sig_fields(reader):
        rect = ref.get_object().get("/Rect", (0, 0, 0, 0))
        box = tuple(float(v) for v in rect)
        out[name] = SignatureField(name, value is not None, box)  # type: ignore[arg-type]
    return out


def _check_existing(reader: PdfFileReader, source: str, trust: list[asn1_x509.Certificate]) -> None:
    """Every signature and document timestamp already in the file must validate."""
    vc = ValidationContext(trust_roots=trust or None, allow_fetching=False)
    for es in reader.embedded_signatures:
        try:
            if es.sig_object.get("/Type") == "/DocTimeStamp":
                ts = validate_pdf_timestamp(es, validation_context=vc)
                ok, what = ts.intact and ts.valid, "document timestamp"
            else:
                st = validate_pdf_signature(es, vc, ts_validation_context=vc)
                ok = st.intact and st.valid and st.docmdp_ok and (st.trusted or not trust)
                what = f"signature {es.field_name}"
        except Exception as e:  # validation raises on malformed signatures; that is a failure
            ok, what = False, f"signature {es.field_name} ({e.__class__.__name__})"
        if not ok:
            raise SignRefused(
                f"{source}: the existing {what} does not validate; "
                "the file must not be signed further"
            )


@dataclass(frozen=True)
class Checked:
    """A document that passed every rule for signing as ``role``."""

    embedded: EmbeddedAgreement
    field: SignatureField
    already: bool  # this role already signed it with this very certificate: nothing to do


def read_prepared(reader: PdfFileReader, source: str) -> EmbeddedAgreement:
    """The embedded agreement, or a refusal: the file was not prepared by `kinerja generate`."""
    try:
        return read_embedded(reader.root)
    except NotPrepared as e:
        raise SignRefused(f"{source}: not prepared by `kinerja generate` ({e})") from None


def check(
    reader: PdfFileReader,
    source: str,
    role: Peran,
    credential: Credential,
    trust: list[asn1_x509.Certificate],
    now: dt.datetime,
    embedded: EmbeddedAgreement | None = None,
) -> Checked:
    """Apply every signing rule; raise :class:`SignRefused` with the reason if one fails."""
    embedded = embedded or read_prepared(reader, source)
    sig_fields = signature_fields(reader)
    missing = {r.value for r in Peran} - set(sig_fields)
    if missing:
        raise SignRefused(
            f"{source}: no signature field {', '.join(sorted(missing))}; not "
            "prepared by `kinerja generate`"
        )
    timestamps = {es.field_name for es in reader.embedded_timestamp_signatures}
    others = set(sig_fields) - {r.value for r in Peran} - timestamps
    if others:
        raise SignRefused(f"{source}: unexpected signature fields {', '.join(sorted(others))}")
    party = embedded.agreement.pihak(role)
    if not same_person(credential.holder, party.nama):
        raise SignRefused(
            f"{source}: the certificate ({credential.source}) belongs to "
            f"{credential.holder}, but {role.value} of {embedded.agreement.id} is "
            f"{party.nama}"
        )
    target = sig_fields[role.value]
    if target.signed:
        mine = next(
            (es for es in reader.embedded_regular_signatures if es.field_name == role.value), None
        )
        if mine is not None and mine.signer_cert.dump() == credential.certificate.dump():
            return Checked(embedded, target, already=True)
        raise SignRefused(f"{source}: {role.value} has already signed it")
    if role is Peran.PIHAK_KEDUA and not sig_fields[Peran.PIHAK_PERTAMA.value].signed:
        raise SignRefused(f"{source}: pihak pertama signs first")
    try:
        credential.check_valid_at(now)
    except KeyMaterialError as e:
        raise SignRefused(f"{source}: {e}") from None
    _check_existing(reader, source, trust)
    return Checked(embedded, target, already=False)


def _reason(a: Agreement, role: Peran) -> str:
    p = a.pihak(role)
    nip = f", NIP {p.nip.formatted()}" if p.nip else ""
    return (
        f"{a.jenis.judul} Tahun {a.tahun} {a.unit.nama}: ditandatangani sebagai "
        f"{role.value.replace('-', ' ')} oleh {p.nama} ({p.jabatan}{nip})"
    )


def sign_bytes(
    data: bytes,
    source: str,
    credential_for: Callable[[Agreement, Peran], Credential],
    services: Services,
    role: Peran,
    level: Level,
    now: dt.datetime | None = None,
) -> bytes | None:
    """Sign one document's bytes; None when this role already signed it with this certificate."""
    now = now or dt.datetime.now(dt.UTC)
    reader = _read(data, source)
    embedded = read_prepared(reader, source)
    credential = credential_for(embedded.agreement, role)
    checked = check(reader, source, role, credential, services.trust_roots, now, embedded)
    if checked.already:
        return None
    a = embedded.agreement
    if level.timestamped and services.timestamper is None:
        raise InputError(f"level {level} needs a timestamp authority: give --tsa-url")
    vc = services.validation_context() if level.long_term and services.validation_context else None
    if level.long_term and vc is None:
        raise InputError(f"level {level} needs revocation data: no validation services")
    meta = signers.PdfSignatureMetadata(
        field_name=role.value,
        certify=role is Peran.PIHAK_PERTAMA,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        subfilter=SigSeedSubFilter.PADES,
        reason=_reason(a, role),
        location=a.tempat,
        name=credential.holder,
        embed_validation_info=level.long_term,
        use_pades_lta=level is Level.B_LTA,
        validation_context=vc,
        dss_settings=COVERED_DSS,
    )
    visible = stamp(
        a.pihak(role),
        now,
        a.zona_waktu,
        checked.field.box,
        verification_payload(a.id, embedded.sha256) + f":{role.value}",
    )
    signer = signers.PdfSigner(
        meta,
        credential.signer,
        timestamper=services.timestamper if level.timestamped else None,
        stamp_style=visible.style,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=True)
    out = io.BytesIO()
    try:
        signer.sign_pdf(
            writer, existing_fields_only=True, appearance_text_params=visible.params, output=out
        )
    except Exception as e:  # pyHanko raises SigningError and friends with useful text
        raise SignRefused(f"{source}: signing failed ({e.__class__.__name__}: {e})") from None
    return out.getvalue()


def sign_files(
    paths: Sequence[Path],
    credential_for: Callable[[Agreement, Peran], Credential],
    services: Services,
    options: SignOptions,
) -> list[Outcome]:
    """Sign many files as ``options.role``; each written atomically, in place or into OUT."""

    def one(path: Path) -> Outcome:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise InputError(f"{path}: cannot read ({e.strerror})") from None
        target = (options.out / path.name) if options.out else path
        signed = sign_bytes(data, str(path), credential_for, services, options.role, options.level)
        if signed is None:
            if options.out and not target.exists():
                fsio.write_bytes(target, data)
            return Outcome(path.name, Status.SKIPPED, f"already signed as {options.role.value}")
        fsio.write_bytes(target, signed)
        return Outcome(path.name, Status.DONE, f"signed as {options.role.value} ({options.level})")

    batch: Batch[Path] = Batch(
        f"sign {options.role.value}",
        one,
        lambda p: p.name,
        jobs=options.jobs,
        progress=options.progress,
        processes=True,  # pyHanko is pure Python: only processes use both cores
    )
    return batch.run(paths)


# ---------------------------------------------------------------------------------------------
# Where keys and services come from


@dataclass(frozen=True)
class KeySource:
    """The user's choice of key material (exactly one of the three)."""

    keys: Path | None = None  # a key store folder: the PKCS#12 of each document's party
    p12: Path | None = None
    pkcs11_module: str | None = None
    token_label: str | None = None
    key_label: str | None = None

    def __post_init__(self) -> None:
        chosen = [x for x in (self.keys, self.p12, self.pkcs11_module) if x is not None]
        if len(chosen) != 1:
            raise InputError(
                "choose one key source: --keys DIR, --p12 FILE, or "
                "--pkcs11-module LIB with --token-label"
            )
        if self.pkcs11_module and not self.token_label:
            raise InputError("--pkcs11-module needs --token-label")


@dataclass
class SigningSetup:
    credential_for: Callable[[Agreement, Peran], Credential]
    services: Services
    single_threaded: bool  # a token session is not shared between threads
    close: Callable[[], None] = lambda: None


def load_trust(paths: Sequence[Path]) -> list[asn1_x509.Certificate]:
    """Trust anchors from PEM/DER certificate files or folders of them."""
    from pyhanko.keys import load_certs_from_pemder

    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(
                f for f in p.iterdir() if f.suffix.lower() in (".pem", ".crt", ".cer", ".der")
            )
        elif p.is_file():
            files.append(p)
        else:
            raise InputError(f"--trust {p}: no such file or folder")
    try:
        return list(load_certs_from_pemder([str(f) for f in files]))
    except Exception as e:
        raise InputError(f"--trust: not a certificate ({e.__class__.__name__})") from None


def setup(
    source: KeySource,
    *,
    secret: Callable[[str, str], bytes],
    tsa_url: str | None,
    trust: Sequence[Path] = (),
) -> SigningSetup:
    """Credentials and services for a key source; ``secret(env, what)`` supplies passphrases."""
    from . import pki
    from .keys import KeyStore, load_pkcs12, open_pkcs11

    roots = load_trust(trust)
    if source.keys is not None:
        demo = pki.is_demo_store(source.keys)
        passphrase = (
            secret(pki.PASSPHRASE_ENV, "key store passphrase")
            if not demo
            else pki.passphrase_from_env()
        )
        store = KeyStore(source.keys, passphrase)
        if demo and not tsa_url:
            from .services import DemoTimeStamper, demo_validation_context

            authority = pki.load_demo_pki(source.keys, passphrase)
            services = Services(
                DemoTimeStamper(authority),
                lambda: demo_validation_context(authority),
                roots or [_asn1(authority.root.cert)],
            )
        else:
            services = Services.online(tsa_url, roots)
        return SigningSetup(lambda a, role: store.for_party(a.pihak(role)), services, False)
    if source.p12 is not None:
        credential = load_pkcs12(source.p12, secret(pki.PASSPHRASE_ENV, "PKCS#12 passphrase"))
        return SigningSetup(lambda a, role: credential, Services.online(tsa_url, roots), False)
    from .keys import PIN_ENV

    assert source.pkcs11_module and source.token_label
    context = open_pkcs11(
        source.pkcs11_module, source.token_label, secret(PIN_ENV, "token PIN"), source.key_label
    )
    credential = context.__enter__()
    return SigningSetup(
        lambda a, role: credential,
        Services.online(tsa_url, roots),
        True,
        close=lambda: context.__exit__(None, None, None),
    )


def _asn1(cert: object) -> asn1_x509.Certificate:
    from cryptography.hazmat.primitives.serialization import Encoding

    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# Extending: a fresh archival timestamp


def services_for_extend(
    keys: Path | None, tsa_url: str | None, trust: Sequence[Path] = ()
) -> Services:
    """The TSA and revocation services for `kinerja extend`."""
    from . import pki

    if keys is not None and not tsa_url:
        if not pki.is_demo_store(keys):
            raise InputError(f"{keys}: not a demo key store; give --tsa-url for a real TSA")
        from .services import DemoTimeStamper, demo_validation_context

        authority = pki.load_demo_pki(keys, pki.passphrase_from_env())
        return Services(
            DemoTimeStamper(authority),
            lambda: demo_validation_context(authority),
            [_asn1(authority.root.cert)],
        )
    if not tsa_url:
        raise InputError("extend needs a timestamp authority: --tsa-url URL (or --keys DEMO)")
    return Services.online(tsa_url, load_trust(trust))


def extend_bytes(data: bytes, source: str, services: Services) -> bytes:
    """One revision with the revocation data for the newest timestamp and a new document
    timestamp over everything, the DSS update included.

    pyHanko's own update_archival_timestamp_chain appends its last DSS update after the new
    timestamp, where no signature covers it; here the timestamp is the last thing in the file.
    """
    from pyhanko.sign import validation
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    reader = _read(data, source)
    if not reader.embedded_signatures:
        raise InputError(f"{source}: has no signatures to extend")
    assert services.timestamper is not None and services.validation_context is not None
    vc = services.validation_context()
    timestamps = reader.embedded_timestamp_signatures
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=True)
    md_algorithm = "sha256"
    try:
        if timestamps:
            last = timestamps[-1]
            status = validate_pdf_timestamp(last, validation_context=vc, skip_diff=True)
            if status.validation_path is None:
                raise SignRefused(
                    f"{source}: the newest document timestamp does not validate; "
                    "it cannot be extended"
                )
            md_algorithm = status.md_algorithm
            validation.DocumentSecurityStore.supply_dss_in_writer(
                writer, last.pkcs7_content, paths=(status.validation_path,), validation_context=vc
            )
        out = io.BytesIO()
        PdfTimeStamper(services.timestamper).timestamp_pdf(
            writer, md_algorithm, vc, dss_settings=COVERED_DSS.get_settings_for_ts(), output=out
        )
    except SignRefused:
        raise
    except Exception as e:
        raise SignRefused(f"{source}: extending failed ({e.__class__.__name__}: {e})") from None
    return out.getvalue()


def extend_files(
    paths: Sequence[Path], services: Services, jobs: int, progress: bool = True
) -> list[Outcome]:
    def one(path: Path) -> Outcome:
        fsio.write_bytes(path, extend_bytes(path.read_bytes(), str(path), services))
        return Outcome(path.name, Status.DONE, "archival timestamp added")

    return Batch("extend", one, lambda p: p.name, jobs=jobs, progress=progress).run(paths)
