"""Sign like BSrE's eSign API, with pyHanko and the demo key store: for the verifier's tests of
the remote profile before (and beside) the emulator.

BSrE cannot name a field: its signature lands in a NEW signature field (``esc_<epoch ms>``)
created in the signing update, over the rectangle the client sends (kinerja sends the prepared
field's), PAdES (ETSI.CAdES.detached), B-T (a signature timestamp), no certification, the
prepared fields left alone. The visible appearance is kinerja's stamp, as the client sends it.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterable
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.timestamps import TimeStamper

from signer.canonical import verification_payload
from signer.embedded import read_embedded
from signer.model import Peran
from signer.sign.backend import SignatureField
from signer.sign.keys import Credential
from signer.sign.pades import reason
from signer.sign.rules import signature_fields
from signer.sign.stamp import stamp

PASSPHRASE = b"demo"
_serial = itertools.count(int(dt.datetime(2026, 1, 2, tzinfo=dt.UTC).timestamp() * 1000))

Box = tuple[float, float, float, float]


def field_name() -> str:
    """A new field name like BSrE's (``esc_`` and epoch milliseconds), unique per process."""
    return f"esc_{next(_serial)}"


def prepared_field(data: bytes, role: Peran) -> SignatureField:
    """The prepared field of ``role``: its page and rectangle."""
    return signature_fields(PdfFileReader(io.BytesIO(data)))[role.value]


def demo_credential(store: Path, data: bytes, role: Peran) -> Credential:
    """The demo store's key of the party the document names for ``role``."""
    from signer.sign.keys import KeyStore

    a = read_embedded(PdfFileReader(io.BytesIO(data)).root).agreement
    return KeyStore(store, PASSPHRASE).for_party(a.pihak(role), role)


def demo_timestamper(store: Path) -> TimeStamper:
    from signer.demo_pki import pki
    from signer.sign.services import Services

    stamper = Services.demo(pki.load_demo_pki(store, PASSPHRASE)).timestamper
    assert stamper is not None
    return stamper


def sign_remote(
    data: bytes,
    store: Path,
    role: Peran,
    *,
    credential: Credential | None = None,
    name: str | None = None,
    box: Box | None = None,
    page: int | None = None,
    visible: bool = True,
    certify: bool = False,
    docmdp: MDPPerm = MDPPerm.FILL_FORMS,
    timestamped: bool = True,
    also: Callable[[IncrementalPdfFileWriter], None] | None = None,
) -> bytes:
    """One signature as BSrE makes it, for ``role``'s party (or ``credential``'s holder).

    By default over the prepared field of ``role`` (its page and rectangle); ``box`` and
    ``page`` place it elsewhere, ``visible=False`` gives the zero rectangle of an invisible
    signature. ``certify`` makes it claim certification with ``docmdp`` (BSrE never does: an
    attack); ``also`` changes the document in the signing update itself (an attack)."""
    reader = PdfFileReader(io.BytesIO(data))
    embedded = read_embedded(reader.root)
    a = embedded.agreement
    prepared = signature_fields(reader)[role.value]
    credential = credential or demo_credential(store, data, role)
    name = name or field_name()
    where: Box = box if box is not None else prepared.box
    on_page = prepared.page if page is None else page
    now = dt.datetime.now(dt.UTC)
    look = stamp(
        a.pihak(role),
        now,
        a.zona_waktu,
        where if visible else prepared.box,
        verification_payload(a, embedded.sha256) + f":{role.value}",
    )
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        certify=certify,
        docmdp_permissions=docmdp,
        subfilter=SigSeedSubFilter.PADES,
        reason=reason(a, role),
        location=a.tempat,
        contact_info="demo@bsre.example",
        name=credential.holder,
    )
    spec = fields.SigFieldSpec(
        name,
        on_page=on_page,
        box=tuple(round(v) for v in where) if visible else None,  # type: ignore[arg-type]
    )
    signer = (_CertifyingAnyway if certify else signers.PdfSigner)(
        meta,
        credential.signer,
        timestamper=demo_timestamper(store) if timestamped else None,
        stamp_style=look.style,
        new_field_spec=spec,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=True)
    if also is not None:
        also(writer)
    out = io.BytesIO()
    signer.sign_pdf(
        writer,
        existing_fields_only=False,
        appearance_text_params=look.params if visible else None,
        output=out,
    )
    return out.getvalue()


class _CertifyingAnyway(signers.PdfSigner):
    """An attacker's tool: pyHanko refuses to certify after another signature, this one not."""

    def _enforce_certification_constraints(self, reader: PdfFileReader) -> None:
        return None


def sign_roles_remote(
    data: bytes, store: Path, roles: Iterable[Peran] = tuple(Peran), *, visible: bool = True
) -> bytes:
    """Every role signs remotely, in order."""
    for role in roles:
        data = sign_remote(data, store, role, visible=visible)
    return data
