"""Manipulated agreements of the remote profile (BSrE's eSign API: each signature in a new field
of its own, B-T, no certification): what a non-certified document must be protected against as
well as a certified one. Each function takes the ready-to-sign agreement and the demo key store
and returns the PDF bytes; the signatures are made as BSrE makes them (:mod:`tests.remote`).
"""

from __future__ import annotations

import io
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import MDPPerm

from signer.model import Peran
from tests import attacks
from tests.remote import prepared_field, sign_remote, sign_roles_remote

PERTAMA, KEDUA = Peran.PIHAK_PERTAMA, Peran.PIHAK_KEDUA


def _lampiran_target(data: bytes) -> tuple[int, tuple[float, float, float, float]]:
    with attacks.open_pdf(data) as pdf:
        return attacks.lampiran_page(pdf), attacks.target_box(pdf)


def remote_extra_signature_trusted(prepared: bytes, store: Path) -> bytes:
    """Both parties sign remotely, then a third official of the same (trusted) PKI signs in a
    field of its own over pihak kedua's: an approval nobody expects."""
    from signer.names import same_person
    from signer.sign.keys import KeyStore
    from tests.remote import PASSPHRASE

    good = sign_roles_remote(prepared, store)
    a = attacks._parties(prepared)
    parties = [p.nama for p in (a.pihak_pertama, a.pihak_kedua) if p is not None]
    other = next(
        c
        for c in KeyStore(store, PASSPHRASE).credentials
        if not any(same_person(c.holder, p) for p in parties)
    )
    return sign_remote(good, store, KEDUA, credential=other)


def remote_third_signature_same_party(prepared: bytes, store: Path) -> bytes:
    """Pihak kedua signs remotely twice (a third signature by a party of the document)."""
    return sign_remote(sign_roles_remote(prepared, store), store, KEDUA)


def remote_widget_over_lampiran(prepared: bytes, store: Path) -> bytes:
    """Pihak pertama's remote signature is placed over the lampiran's target, its appearance
    covering the printed 85; pihak kedua then signs as usual."""
    page, box = _lampiran_target(prepared)
    first = sign_remote(prepared, store, PERTAMA, page=page, box=box)
    return sign_remote(first, store, KEDUA)


def remote_widget_over_lampiran_after_certified(prepared: bytes, store: Path) -> bytes:
    """Pihak pertama certifies locally; pihak kedua's remote signature lands over the lampiran."""
    first = attacks.sign_agreement(prepared, store, "B-T", roles=[attacks.PIHAK_PERTAMA])
    page, box = _lampiran_target(prepared)
    return sign_remote(first, store, KEDUA, page=page, box=box)


def remote_widget_other_page(prepared: bytes, store: Path) -> bytes:
    """Pihak kedua's remote signature at the prepared field's coordinates, on another page."""
    first = sign_remote(prepared, store, PERTAMA)
    page, _ = _lampiran_target(prepared)
    if prepared_field(prepared, KEDUA).page == page:
        page = 0
    return sign_remote(first, store, KEDUA, page=page)


def remote_widget_beyond_field(prepared: bytes, store: Path) -> bytes:
    """Pihak kedua's remote widget reaches 20 pt past the prepared field, over the text."""
    x1, y1, x2, y2 = prepared_field(prepared, KEDUA).box
    first = sign_remote(prepared, store, PERTAMA)
    return sign_remote(first, store, KEDUA, box=(x1 - 20, y1, x2, y2 + 20))


def _annotation(text_field: bool) -> object:
    def add(writer: IncrementalPdfFileWriter) -> None:
        data = io.BytesIO()
        writer.write(data)  # where is the target: read it from the document so far
        page, box = _lampiran_target(data.getvalue())
        page_ref, _ = writer.find_page_for_modification(page)
        annot = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                generic.pdf_name("/Subtype"): generic.pdf_name(
                    "/Widget" if text_field else "/FreeText"
                ),
                generic.pdf_name("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(v) for v in box]
                ),
                generic.pdf_name("/F"): generic.NumberObject(4),
                generic.pdf_name("/Contents"): generic.pdf_string(attacks.FORGED),
                generic.pdf_name("/DA"): generic.pdf_string("/Helv 9 Tf 0 g"),
                generic.pdf_name("/P"): page_ref,
            }
        )
        if text_field:
            annot[generic.pdf_name("/FT")] = generic.pdf_name("/Tx")
            annot[generic.pdf_name("/T")] = generic.pdf_string("target")
            annot[generic.pdf_name("/V")] = generic.pdf_string(attacks.FORGED)
        ref = writer.add_object(annot)
        page_obj = page_ref.get_object()
        annots = page_obj.get("/Annots", generic.ArrayObject())
        page_obj[generic.pdf_name("/Annots")] = generic.ArrayObject([*annots, ref])
        writer.mark_update(page_ref)
        if text_field:
            form = writer.root["/AcroForm"]
            form["/Fields"].append(ref)
            writer.update_container(form["/Fields"])
            writer.update_container(form)

    return add


def remote_signature_adds_annotation(prepared: bytes, store: Path) -> bytes:
    """Pihak kedua's remote signing update also adds a FreeText annotation showing 95."""
    first = sign_remote(prepared, store, PERTAMA)
    return sign_remote(first, store, KEDUA, also=_annotation(False))  # type: ignore[arg-type]


def remote_signature_adds_form_field(prepared: bytes, store: Path) -> bytes:
    """Pihak kedua's remote signing update also adds a text field showing 95 over the target."""
    first = sign_remote(prepared, store, PERTAMA)
    return sign_remote(first, store, KEDUA, also=_annotation(True))  # type: ignore[arg-type]


def remote_pages_changed_after_pertama(prepared: bytes, store: Path) -> bytes:
    """After pihak pertama's remote (not certifying) signature, an update rewrites the lampiran
    (85 -> 95); pihak kedua then signs the changed document."""
    first = sign_remote(prepared, store, PERTAMA)
    return sign_remote(attacks.isa_change_target(first), store, KEDUA)


def remote_prepared_field_filled_too(prepared: bytes, store: Path) -> bytes:
    """Pihak pertama signs remotely, then fills the prepared pihak-pertama field as well."""
    from signer.demo_pki import pki
    from signer.sign.services import Services
    from tests.remote import PASSPHRASE, demo_credential

    first = sign_remote(prepared, store, PERTAMA)
    services = Services.demo(pki.load_demo_pki(store, PASSPHRASE))
    credential = demo_credential(store, prepared, PERTAMA)
    return attacks.sign_field_directly(first, PERTAMA.value, credential, services, "B-T")


def remote_prepared_field_filled_then_kedua(prepared: bytes, store: Path) -> bytes:
    """As above, and pihak kedua signs remotely after both."""
    return sign_remote(remote_prepared_field_filled_too(prepared, store), store, KEDUA)


def remote_timestamp_before_signatures(prepared: bytes, store: Path) -> bytes:
    """A document timestamp on the prepared document, then both parties sign remotely."""
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    from tests.remote import demo_timestamper

    out = io.BytesIO()
    PdfTimeStamper(demo_timestamper(store)).timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(prepared)), "sha256", output=out
    )
    return sign_roles_remote(out.getvalue(), store)


def remote_kedua_certifies(prepared: bytes, store: Path) -> bytes:
    """Pihak kedua's remote signature, in a later revision, claims to certify the document."""
    first = sign_remote(prepared, store, PERTAMA)
    return sign_remote(first, store, KEDUA, certify=True)


def remote_pertama_certifies_annotations(prepared: bytes, store: Path) -> bytes:
    """Pihak pertama's remote signature certifies allowing annotations (DocMDP P=3)."""
    first = sign_remote(prepared, store, PERTAMA, certify=True, docmdp=MDPPerm.ANNOTATE)
    return sign_remote(first, store, KEDUA)
