"""What pyHanko's difference analysis accepts but a signed agreement must not allow: metadata
rewritten, objects nothing references, anything after the last signature but DSS updates and
document timestamps.
"""

from __future__ import annotations

import re

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

from signer.verify.check import document_check
from signer.verify.evidence import Evidence, VerifyOptions, _raw
from signer.verify.pathmap import object_at
from signer.verify.result import CheckResult, fail, ok


@document_check(
    "changes-after-signing",
    "after the last signature only DSS updates and document timestamps: no rewritten metadata, "
    "catalog or trailer, no objects that nothing references",
)
def changes_after_signing(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    """What pyHanko's difference analysis accepts but a signed agreement must not allow:
    metadata rewritten, objects that nothing references, anything after the last signature
    but DSS and document timestamps."""
    reader = ev.reader
    if reader is None:
        return [fail("the file could not be read")]
    if not ev.signatures:
        return [ok("nothing signed yet")] if not options.expect else [fail("nothing signed")]
    last = ev.signatures[-1]
    total = reader.xrefs.total_revisions
    # the document information and XMP metadata as signed
    signed_info = _info(reader, last.revision)
    final_info = _info(reader, total - 1)
    if signed_info != final_info:
        return [
            fail(
                "the document information (title, author, ...) was rewritten "
                "after the last signature",
            )
        ]
    if _metadata(reader, last.revision) != _metadata(reader, total - 1):
        return [fail("the XMP metadata was rewritten after the last signature")]
    # revisions after the last signature: document timestamps, and DSS updates that touch
    # nothing but the DSS (pyHanko's last DSS update, for the newest TSA, is covered by nothing)
    ts_revisions = {es.signed_revision for es, _ in ev.timestamps}
    for rev in range(last.revision + 1, total):
        trailer = _trailer_changes(reader, rev)
        if trailer:
            return [fail(f"revision {rev + 1} changes the trailer ({', '.join(trailer)})")]
        root = reader.get_historical_root(rev)
        before = reader.get_historical_root(rev - 1)
        allowed = {"/DSS", "/AcroForm"} if rev in ts_revisions else {"/DSS"}
        changed = {
            k
            for k in set(root.keys()) | set(before.keys())
            if k not in allowed and _raw(root, k) != _raw(before, k)
        }
        if changed:
            return [fail(f"revision {rev + 1} changes the catalog ({', '.join(changed)})")]
        if rev not in ts_revisions:
            stray = _outside_dss(reader, rev)
            if stray:
                return [
                    fail(
                        f"revision {rev + 1} is not only a DSS update: it changes "
                        f"{', '.join(stray[:5])}",
                    )
                ]
    orphans = _orphans(reader, ev.signatures[0].revision)
    if orphans:
        return [
            fail(
                f"objects added after signing that nothing references: {', '.join(orphans[:5])}",
            )
        ]
    return [ok("after the last signature only DSS updates and document timestamps")]


def _reachable(
    resolver: HistoricalResolver, start: list[generic.PdfObject | None]
) -> set[tuple[int, int]]:
    """Indirect objects reachable from ``start`` in the revision ``resolver`` shows."""
    # the objects as parsed, not the resolver's copies: only their references are followed
    read = resolver if resolver.reader.security_handler is not None else None
    seen: set[tuple[int, int]] = set()
    stack = list(start)
    while stack:
        obj = stack.pop()
        if isinstance(obj, generic.IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                # as of that revision, not the latest
                ref = obj.reference
                obj = read(ref) if read is not None else object_at(resolver, ref)
            except MemoryError:
                raise
            except Exception:
                continue
        if isinstance(obj, generic.DictionaryObject):
            stack.extend(obj.raw_get(k) for k in obj)
        elif isinstance(obj, generic.ArrayObject):
            stack.extend(obj.raw_get(i) for i in range(len(obj)))
    return seen


def _outside_dss(reader: PdfFileReader, rev: int) -> list[str]:
    """Objects a revision writes that are neither the catalog nor part of its DSS."""
    resolver = reader.get_historical_resolver(rev)
    root_ref = resolver.trailer_view.raw_get("/Root")
    dss = _raw(resolver.root, "/DSS")
    inside = _reachable(resolver, [dss]) if dss is not None else set()
    written = {(r.idnum, r.generation) for r in reader.xrefs.explicit_refs_in_revision(rev)}
    allowed = inside | {(root_ref.idnum, root_ref.generation)}
    previous = reader.get_historical_resolver(rev - 1)
    metadata_ref, xmp = _metadata(reader, rev)
    stray = []
    for idnum, gen in sorted(written - allowed):
        ref = generic.Reference(idnum, gen)
        if ref == metadata_ref and xmp == _metadata(reader, rev - 1)[1]:
            continue  # pyHanko rewrites the XMP packet at every save, moving only its clock
        if _container(resolver, ref):
            continue  # an object stream or cross-reference stream: it holds, it says nothing
        if not _same_object(resolver, previous, ref):
            stray.append(f"{idnum} {gen} R")
    stray += _not_validation_data(resolver, dss, written)
    return stray


def _container(resolver: HistoricalResolver, ref: generic.Reference) -> bool:
    try:
        obj = resolver(ref)
    except Exception:
        return False
    return isinstance(obj, generic.StreamObject) and obj.get("/Type") in ("/ObjStm", "/XRef")


# what each entry of a DSS (and of its VRI dictionaries) holds, and how to parse it
_DSS_KINDS = {
    "/Certs": asn1_x509.Certificate,
    "/Cert": asn1_x509.Certificate,
    "/CRLs": asn1_crl.CertificateList,
    "/CRL": asn1_crl.CertificateList,
    "/OCSPs": asn1_ocsp.OCSPResponse,
    "/OCSP": asn1_ocsp.OCSPResponse,
}


def _not_validation_data(
    resolver: HistoricalResolver,
    dss: generic.PdfObject | None,
    written: set[tuple[int, int]],
) -> list[str]:
    """Streams a DSS update writes that are not the certificate, CRL or OCSP response the
    entry holding them says (an unsigned DSS update can carry only well-formed validation
    data)."""
    if dss is None:
        return []
    found = []
    dss_dict = resolver(dss.reference) if isinstance(dss, generic.IndirectObject) else dss
    if not isinstance(dss_dict, generic.DictionaryObject):
        return ["the DSS is not a dictionary"]
    holders = [dss_dict]
    vri = dss_dict.get("/VRI")
    if isinstance(vri, generic.DictionaryObject):
        holders += [v for v in vri.values() if isinstance(v, generic.DictionaryObject)]
    allowed = {"/Type", "/Certs", "/CRLs", "/OCSPs", "/VRI", "/Cert", "/CRL", "/OCSP", "/TU", "/TS"}
    for holder in holders:
        found += [
            f"the DSS has {k}, which is not validation data" for k in holder if k not in allowed
        ]
        for key, kind in _DSS_KINDS.items():
            entries = holder.get(key)
            if not isinstance(entries, generic.ArrayObject):
                continue
            for i in range(len(entries)):
                ref = entries.raw_get(i)
                if not isinstance(ref, generic.IndirectObject):
                    continue
                if (ref.idnum, ref.generation) not in written:
                    continue
                stream = resolver(ref.reference)
                try:
                    assert isinstance(stream, generic.StreamObject)
                    kind.load(stream.data, strict=True).native  # noqa: B018 (parse it all)
                except MemoryError:
                    raise
                except Exception:
                    found.append(f"{ref.idnum} {ref.generation} R under {key} is not one")
    return found


def _same_object(
    now: HistoricalResolver, before: HistoricalResolver, ref: generic.Reference
) -> bool:
    """Is ``ref`` the same object in two revisions? (A new object is not.)"""
    try:
        a, b = now(ref), before(ref)
        if isinstance(a, generic.StreamObject) and isinstance(b, generic.StreamObject):
            return a.data == b.data and dict(a.items()) == dict(b.items())
        return bool(a == b)
    except MemoryError:
        raise
    except Exception:
        return False


def _info(reader: PdfFileReader, revision: int) -> dict[str, str]:
    """The document information dictionary as of ``revision``, without the signing clock."""
    resolver = reader.get_historical_resolver(revision)
    ref = _raw(resolver.trailer_view, "/Info")
    if ref is None:
        return {}
    info = resolver(ref.reference) if isinstance(ref, generic.IndirectObject) else ref
    if not isinstance(info, generic.DictionaryObject):  # the check fails closed on it
        raise ValueError(f"the document information of revision {revision + 1} is not a dictionary")
    return {str(k): str(v) for k, v in info.items() if k not in ("/ModDate", "/Producer")}


def _trailer_changes(reader: PdfFileReader, rev: int) -> list[str]:
    """Trailer entries a revision changes beyond what every save changes."""
    now = reader.get_historical_resolver(rev).trailer_view
    before = reader.get_historical_resolver(rev - 1).trailer_view
    changed = [
        k
        for k in set(now.keys()) | set(before.keys())
        if k not in ("/Prev", "/Size", "/ID") and _raw(now, k) != _raw(before, k)
    ]
    id_now, id_before = _raw(now, "/ID"), _raw(before, "/ID")
    if id_now is not None and id_before is not None:
        # the second half of /ID changes at every save; the first names the document
        same = (
            isinstance(id_now, generic.ArrayObject)
            and isinstance(id_before, generic.ArrayObject)
            and id_now[0] == id_before[0]
        )
        if not same:
            changed.append("/ID")
    return sorted(changed)


_XMP_CLOCK = re.compile(
    rb'\s(xmp:ModifyDate|xmp:MetadataDate)="[^"]*"|'
    rb"<(xmp:ModifyDate|xmp:MetadataDate)>[^<]*</(xmp:ModifyDate|"
    rb"xmp:MetadataDate)>"
)


def xmp_content(data: bytes) -> bytes:
    """The XMP packet without its clock: pyHanko moves xmp:ModifyDate at every save."""
    return _XMP_CLOCK.sub(b"", data)


def _metadata(
    reader: PdfFileReader, revision: int
) -> tuple[generic.Reference | None, bytes | None]:
    """The catalog's /Metadata reference and normalised XMP content at ``revision``."""
    resolver = reader.get_historical_resolver(revision)
    ref = _raw(resolver.root, "/Metadata")
    if not isinstance(ref, generic.IndirectObject):
        return None, None
    stream = resolver(ref.reference)
    if not isinstance(stream, generic.StreamObject):
        return ref.reference, None
    return ref.reference, xmp_content(stream.data)


def _orphans(reader: PdfFileReader, first_signed: int) -> list[str]:
    """Objects written after the first signature that nothing referenced in the revision that
    wrote them (stashed shadow content). Objects a later DSS update superseded are fine."""

    def roots(trailer: generic.DictionaryObject) -> list[generic.PdfObject | None]:
        return [trailer.raw_get(k) for k in ("/Root", "/Info") if k in trailer]

    last = reader.get_historical_resolver(reader.xrefs.total_revisions - 1)
    reachable_now = _reachable(last, roots(last.trailer_view))
    written_in: dict[tuple[int, int], int] = {}
    for rev in range(first_signed + 1, reader.xrefs.total_revisions):
        for r in reader.xrefs.explicit_refs_in_revision(rev):
            written_in[(r.idnum, r.generation)] = rev
    orphans = []
    reachable_then: dict[int, set[tuple[int, int]]] = {}
    for ref in sorted(set(written_in) - reachable_now):
        rev = written_in[ref]
        if rev not in reachable_then:
            resolver = reader.get_historical_resolver(rev)
            reachable_then[rev] = _reachable(resolver, roots(resolver.trailer_view))
        if ref not in reachable_then[rev] and not _container(
            reader.get_historical_resolver(rev), generic.Reference(*ref)
        ):
            orphans.append(f"{ref[0]} {ref[1]} R")
    return orphans
