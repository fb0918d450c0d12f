"""Local PAdES signing with pyHanko: the first signing backend.

The key is here, in a PKCS#12 file or on a PKCS#11 token (:mod:`signer.sign.keys`). Pihak
pertama's signature certifies the document (DocMDP: form filling and signing allowed); pihak
kedua's fills its field; the field locks set at prepare make everything else read-only. Always
the PAdES subfilter (ETSI.CAdES.detached), with the BSrE-style visible stamp.

Levels: B-B; B-T adds a signature timestamp; B-LT embeds the revocation data (DSS); B-LTA adds a
document timestamp, which covers the DSS written with it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, TimestampDSSContentSettings

from signer.canonical import verification_payload
from signer.errors import InputError, KinerjaError
from signer.model import Agreement, Peran
from signer.sign.backend import Concurrency, Level, SignRequest
from signer.sign.keys import Credential
from signer.sign.rules import SignRefused
from signer.sign.services import Services
from signer.sign.stamp import stamp

# Revocation data goes into the DSS in the same revision as the document timestamp, before it, so
# the timestamp covers it and nothing is left after the last timestamp that no signature covers.
COVERED_DSS = DSSContentSettings(
    include_vri=False,
    next_ts_settings=TimestampDSSContentSettings(include_vri=False, update_before_ts=True),
)


def reason(a: Agreement, role: Peran) -> str:
    """The signature's reason: BSrE certificates carry no NIP, so it goes here."""
    p = a.pihak(role)
    nip = f", NIP {p.nip.formatted()}" if p.nip else ""
    return (
        f"{a.jenis.judul} Tahun {a.tahun} {a.unit.nama}: ditandatangani sebagai "
        f"{role.value.replace('-', ' ')} oleh {p.nama} ({p.jabatan}{nip})"
    )


@dataclass
class PadesSigner:
    """A :class:`signer.sign.backend.DocumentSigner` with local keys."""

    credential_for: Callable[[Agreement, Peran], Credential]
    """The key of the party who signs a document for a role (a key store finds it by name)."""
    services: Services
    concurrency: Concurrency = Concurrency.PROCESSES  # pyHanko is pure Python: fork to use cores
    close: Callable[[], None] = lambda: None

    def certificate_for(self, agreement: Agreement, role: Peran) -> asn1_x509.Certificate:
        return self.credential_for(agreement, role).certificate

    def sign(self, request: SignRequest) -> bytes:
        a, role, level = request.agreement, request.role, request.level
        credential = self.credential_for(a, role)
        if level.timestamped and self.services.timestamper is None:
            raise InputError(f"level {level} needs a timestamp authority: give --tsa-url")
        vc = (
            self.services.validation_context()
            if level.long_term and self.services.validation_context
            else None
        )
        if level.long_term and vc is None:
            raise InputError(f"level {level} needs revocation data: no validation services")
        meta = signers.PdfSignatureMetadata(
            field_name=role.value,
            certify=role is Peran.PIHAK_PERTAMA,
            docmdp_permissions=MDPPerm.FILL_FORMS,
            subfilter=SigSeedSubFilter.PADES,
            reason=reason(a, role),
            location=a.tempat,
            name=credential.holder,
            embed_validation_info=level.long_term,
            use_pades_lta=level is Level.B_LTA,
            validation_context=vc,
            dss_settings=COVERED_DSS,
        )
        visible = stamp(
            a.pihak(role),
            request.now,
            a.zona_waktu,
            request.field.box,
            verification_payload(a, request.embedded.sha256) + f":{role.value}",
        )
        signer = signers.PdfSigner(
            meta,
            credential.signer,
            timestamper=self.services.timestamper if level.timestamped else None,
            stamp_style=visible.style,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(request.data), strict=True)
        out = io.BytesIO()
        try:
            signer.sign_pdf(
                writer,
                existing_fields_only=True,
                appearance_text_params=visible.params,
                output=out,
            )
        except KinerjaError as e:  # a remote key's service said why (signer.sign.csc)
            raise SignRefused(f"{request.source}: {e}") from None
        except Exception as e:  # pyHanko raises SigningError and friends with useful text
            raise SignRefused(
                f"{request.source}: signing failed ({e.__class__.__name__}: {e})"
            ) from None
        return out.getvalue()
