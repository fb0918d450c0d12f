"""A PK Perubahan names the agreement it replaces: found as a signed PDF, linked by its data.

The replaced agreement of perubahan ke-N of a unit and year is perubahan ke-(N-1), or for ke-1
the original Perjanjian Kinerja. It is looked for as ``<its id>.pdf`` in the output folder first,
then in each ``--replaces`` folder, in that order. Its embedded data is read from the revision
its last signature covers (what was signed, not what may have been appended since); the
revision then carries its id and the SHA-256 of that data (its verification code). A replaced
agreement that is missing, unsigned by any of its parties, or of another unit, year or
pemerintah daerah is bad input: the unit is named and every place looked in listed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from signer.embedded import EmbeddedAgreement, read_embedded
from signer.errors import InputError
from signer.kinds import JenisDokumen
from signer.model import Agreement, Ceremony, Rujukan


class ReplacedNotFound(InputError):
    """The agreement a PK Perubahan replaces cannot be found or does not fit."""


def replaced_id(a: Agreement) -> str:
    """The id of the agreement revision ``a`` replaces: ke-1 replaces the original PK."""
    assert a.perubahan_ke is not None
    if a.perubahan_ke == 1:
        original = replace(
            a,
            jenis=JenisDokumen.PERJANJIAN_KINERJA,
            perubahan_ke=None,
            alasan_perubahan=None,
            menggantikan=None,
        )
        return original.id
    return replace(a, perubahan_ke=a.perubahan_ke - 1, menggantikan=None).id


def _signed_data(path: Path) -> EmbeddedAgreement:
    """The embedded agreement as its last signature covers it; bad input if nobody signed."""
    try:
        reader = PdfFileReader(io.BytesIO(path.read_bytes()), strict=True)
        signatures = reader.embedded_regular_signatures
        if not signatures:
            raise ReplacedNotFound(
                f"{path}: not signed yet; a PK Perubahan replaces a signed agreement"
            )
        last = max(signatures, key=lambda es: es.signed_revision)
        signed_fields = {es.field_name for es in signatures}
        embedded = read_embedded(reader.get_historical_root(last.signed_revision))
    except (OSError, PdfError, ValueError, KeyError) as e:
        raise ReplacedNotFound(f"{path}: cannot be read as a signed agreement ({e})") from None
    missing = [r.value for r in embedded.agreement.peran if r.value not in signed_fields]
    if missing:
        raise ReplacedNotFound(
            f"{path}: not signed by {', '.join(missing)} yet; a PK Perubahan replaces an "
            "agreement its parties have signed"
        )
    return embedded


def link(a: Agreement, folders: Sequence[Path]) -> Agreement:
    """``a`` with ``menggantikan`` set from the replaced agreement's signed PDF."""
    want = replaced_id(a)
    places = [folder / f"{want}.pdf" for folder in folders]
    found = next((p for p in places if p.is_file()), None)
    if found is None:
        raise ReplacedNotFound(
            f"unit {a.unit.kode}: {a.id} (perubahan ke-{a.perubahan_ke}) replaces {want}, "
            f"which was not found (looked for {', '.join(map(str, places))}); put its signed "
            "PDF in the output folder or name its folder with --replaces"
        )
    embedded = _signed_data(found)
    old = embedded.agreement
    if (old.id, old.unit.kode, old.tahun, old.instansi.nama) != (
        want,
        a.unit.kode,
        a.tahun,
        a.instansi.nama,
    ):
        raise ReplacedNotFound(
            f"unit {a.unit.kode}: {found} holds {old.id} of unit {old.unit.kode}, "
            f"{old.instansi.nama}, {old.tahun}; {a.id} replaces {want} of unit "
            f"{a.unit.kode}, {a.instansi.nama}, {a.tahun}"
        )
    return replace(a, menggantikan=Rujukan(old.id, embedded.sha256))


def link_revisions(ceremony: Ceremony, out: Path, replaces: Sequence[Path] = ()) -> Ceremony:
    """Every revision of ``ceremony`` linked to the agreement it replaces (looked for in
    ``out``, then in each of ``replaces``); the other agreements unchanged."""
    folders = [out, *replaces]
    agreements = tuple(
        link(a, folders) if a.jenis.revision and a.menggantikan is None else a
        for a in ceremony.agreements
    )
    return replace(ceremony, agreements=agreements)
