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

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, TimestampDSSContentSettings

from signer import fsio
from signer.batch import Batch, Outcome, Status, default_jobs
from signer.canonical import verification_payload
from signer.errors import InputError
from signer.model import Agreement, Peran
from signer.sign.keys import Credential
from signer.sign.rules import SignRefused, _read, check, read_prepared
from signer.sign.services import Services
from signer.sign.stamp import stamp


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


@dataclass(frozen=True)
class SignOptions:
    role: Peran
    level: Level = Level.B_LTA
    out: Path | None = None  # a folder; None signs in place
    jobs: int = field(default_factory=default_jobs)
    progress: bool = True


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
        verification_payload(a, embedded.sha256) + f":{role.value}",
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

