"""Reading the agreement that `kinerja generate` embedded in a PDF, strictly.

The canonical JSON is the one associated file of the catalog (``/AF``, ``AFRelationship /Data``),
also listed under ``/Names /EmbeddedFiles``. Anything ambiguous is refused: several associated
files, a second file of the same name, ``/F`` and ``/UF`` streams that differ, a listing that
points elsewhere than ``/AF``. Works on any revision's catalog (pyHanko generic objects), so the
verifier can read the data of the signed revision, not a later one.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfDecodeLimitError

from signer import canonical
from signer.errors import InputError
from signer.model import Agreement


class NotPrepared(InputError):
    """A PDF that `kinerja generate` did not prepare (no embedded agreement)."""


# The embedded agreement, at most: a real one is a few kilobytes, one with hundreds of long
# indikator well under a megabyte. Bounded before it is read (its stored length) and while it
# is decoded, so that a stream that inflates to gigabytes costs nothing.
MAX_EMBEDDED_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class EmbeddedAgreement:
    agreement: Agreement
    data: bytes  # the canonical JSON bytes as embedded
    name: str  # the attachment's file name
    sha256: str


def _stream_bytes(obj: generic.PdfObject) -> bytes:
    stream = obj.get_object() if isinstance(obj, generic.IndirectObject) else obj
    if not isinstance(stream, generic.StreamObject):
        raise NotPrepared("the embedded agreement is not a file stream")
    too_large = NotPrepared(
        f"the embedded agreement is larger than {MAX_EMBEDDED_BYTES // (1024 * 1024)} MB"
    )
    if len(stream.encoded_data) > MAX_EMBEDDED_BYTES:
        raise too_large
    try:  # decoding stops past the bound (with pyHanko's slack of a few kilobytes)
        data = stream.read_data(expected_size=MAX_EMBEDDED_BYTES)
    except PdfDecodeLimitError:
        raise too_large from None
    if len(data) > MAX_EMBEDDED_BYTES:
        raise too_large
    return data


def read_embedded(root: generic.DictionaryObject) -> EmbeddedAgreement:
    """The embedded agreement of a catalog (current or historical revision); strict."""
    af = root.get("/AF")
    if af is None:
        raise NotPrepared(
            "no embedded agreement (no /AF associated file): not prepared by `kinerja generate`"
        )
    af = af.get_object()
    if not isinstance(af, generic.ArrayObject) or len(af) != 1:
        raise NotPrepared(
            f"expected exactly one associated file, found "
            f"{len(af) if isinstance(af, generic.ArrayObject) else 'a non-array'}"
        )
    spec_ref = af.raw_get(0)
    spec = af[0]
    if not isinstance(spec, generic.DictionaryObject):
        raise NotPrepared("the associated file is not a file specification")
    if spec.get("/AFRelationship") != "/Data":
        raise NotPrepared("the associated file is not marked AFRelationship /Data")
    names = [str(spec.get(k)) for k in ("/UF", "/F") if k in spec]
    if not names or len(set(names)) != 1:
        raise NotPrepared(f"the associated file's /F and /UF names differ: {names}")
    name = names[0]
    ef = spec.get("/EF")
    if not isinstance(ef, generic.DictionaryObject) or "/F" not in ef:
        raise NotPrepared("the associated file has no embedded stream")
    data = _stream_bytes(ef.raw_get("/F"))
    if "/UF" in ef and _stream_bytes(ef.raw_get("/UF")) != data:
        raise NotPrepared("the associated file's /F and /UF streams differ")
    _check_listing(root, name, spec_ref)
    agreement = canonical.from_json(data)
    if not canonical.is_canonical(data):
        raise NotPrepared("the embedded agreement is not in canonical form")
    if name != f"{agreement.id}.json":
        raise NotPrepared(f"the embedded file is named {name!r}, expected {agreement.id}.json")
    return EmbeddedAgreement(agreement, data, name, canonical.digest(data))


def _check_listing(root: generic.DictionaryObject, name: str, spec_ref: generic.PdfObject) -> None:
    """The /EmbeddedFiles name tree lists exactly this one file, and it is the /AF one."""
    try:
        tree = root["/Names"]["/EmbeddedFiles"]
    except KeyError:
        raise NotPrepared("the associated file is not listed under /Names /EmbeddedFiles") from None
    if "/Kids" in tree:
        raise NotPrepared("the embedded file list is a nested tree; expected one flat list")
    entries = tree.get("/Names")
    if not isinstance(entries, generic.ArrayObject) or len(entries) != 2:
        count = len(entries) // 2 if isinstance(entries, generic.ArrayObject) else 0
        raise NotPrepared(f"expected exactly one embedded file, found {count}")
    if str(entries[0]) != name:
        raise NotPrepared(f"the embedded file list names {entries[0]!r}, expected {name!r}")
    listed = entries.raw_get(1)
    same = (
        isinstance(listed, generic.IndirectObject)
        and isinstance(spec_ref, generic.IndirectObject)
        and listed.reference == spec_ref.reference
    )
    if not same:
        raise NotPrepared("the embedded file list and /AF point to different file specifications")
