"""What a verification reads is bounded before it is read: no stream inflates past a limit,
and no file holds more objects than an agreement could.

A few kilobytes of FlateDecode can inflate to gigabytes. pyHanko bounds its own decoding
(:data:`signer.verify.evidence.DECODE_LIMITS`), but qpdf's syntax check (the second parser) and
PDFium (the pages) decode every stream they meet in full. So before either reads a file, its
streams are measured here: a FlateDecode stream whose length could inflate past a limit (deflate
inflates a byte to 1,032 at most) is inflated up to the limit and dropped, and a chain of
filters that kinerja's documents never use (LZW, RunLength, several compressions) is not
decoded at all. A stream past a limit is a finding (the document is not valid), never a
reason to read further.
"""

from __future__ import annotations

import io
import re
import zlib

import pikepdf

from signer.verify.cache import ByDigest

MB = 1024 * 1024
MAX_STREAM_BYTES = 64 * MB
"""One stream, decoded: far above any page, font or profile of an agreement, and a logo of
5,000 x 3,000 pixels with transparency still fits."""
MAX_DOCUMENT_BYTES = 256 * MB
"""Every stream of the document together, decoded."""
MAX_OBJECTS = 20_000
"""Objects in the file: a signed Perjanjian Kinerja has about 600, its archival updates add
tens each; past this the change analysis after signing alone would take minutes."""

DEFLATE_RATIO = 1032
"""What one byte of deflated data can inflate to, at most (zlib's technical notes: the format's
limit is 1032:1): a stream of N bytes that N x 1032 keeps within the limits needs no inflating."""

_FLATE = {"/FlateDecode", "/Fl"}
_COMPRESSING = _FLATE | {"/LZWDecode", "/LZW", "/RunLengthDecode", "/RL"}


_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
_COUNT = re.compile(rb"/N\s+([0-9]{1,12})")


def too_many_objects(data: bytes) -> list[str]:
    """More object definitions in the file's bytes than an agreement has, every revision and
    object stream counted: found by a scan of the bytes, before any parser (qpdf or pyHanko)
    builds an object for each, and whether or not the file parses."""
    ends = data.count(b"endobj")  # a definition is "N G obj ... endobj": count either end
    count = max(ends, data.count(b"obj") - ends)
    for m in _OBJECT_STREAM.finditer(data):  # each object stream says how many it holds
        near = _COUNT.search(data, max(0, m.start() - 300), m.end() + 300)
        count += int(near.group(1)) if near else 0
    if count > MAX_OBJECTS:
        return [f"{count} objects, more than an agreement has ({MAX_OBJECTS})"]
    return []


def _filters(stream: pikepdf.Stream) -> list[str]:
    value = stream.get("/Filter")
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return [str(v) for v in value]
    return [str(value)]


def oversized_streams(pdf: pikepdf.Pdf) -> list[str]:
    """The streams of ``pdf`` that decode past the limits, or that use filters kinerja's
    documents never use to compress; empty when every stream is within bounds."""
    try:
        count = int(pdf.trailer.get("/Size", 0))
    except (TypeError, ValueError, OverflowError):
        count = 0  # not a number: qpdf reports it
    if count > MAX_OBJECTS:  # before qpdf lists them all
        return [f"{count} objects, more than an agreement has ({MAX_OBJECTS})"]
    if len(pdf.objects) > MAX_OBJECTS:
        return [f"{len(pdf.objects)} objects, more than an agreement has ({MAX_OBJECTS})"]
    found: list[tuple[tuple[int, int], str]] = []  # by object, as qpdf lists them
    deflated: list[tuple[int, tuple[int, int], bytes]] = []  # (bound, object, raw bytes)
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        filters = _filters(obj)
        compressing = [f for f in filters if f in _COMPRESSING]
        if not compressing:
            continue
        if filters not in (["/FlateDecode"], ["/Fl"]):
            found.append((obj.objgen, f"compressed with {' '.join(filters)}, not read"))
            continue
        try:
            raw = obj.read_raw_bytes()
        except pikepdf.PdfError:
            continue  # damaged: the parsers report it themselves, and it inflates to nothing
        deflated.append((len(raw) * DEFLATE_RATIO, obj.objgen, raw))
    # inflated only while the bounds leave a doubt, the largest first: an agreement's streams
    # all fit in them (about 100 KB of deflated bytes), a bomb's do not
    deflated.sort(key=lambda d: d[0], reverse=True)
    total = sum(bound for bound, _, _ in deflated)
    for bound, objgen, raw in deflated:
        if bound <= MAX_STREAM_BYTES and total <= MAX_DOCUMENT_BYTES:
            break  # so is every smaller one, and their sum
        try:
            size = _inflated(raw)
        except zlib.error:
            size = 0  # damaged: as above
        total -= bound
        if size > MAX_STREAM_BYTES:
            found.append((objgen, f"inflates past {MAX_STREAM_BYTES // MB} MB (not read)"))
            continue
        total += size
    problems = [f"object {n} {g}: {what}" for (n, g), what in sorted(found)]
    if total > MAX_DOCUMENT_BYTES:
        problems.append(f"the streams together inflate past {MAX_DOCUMENT_BYTES // MB} MB")
    return problems


def _inflated_size(raw: bytes) -> int:
    """What FlateDecode bytes inflate to, counted up to one byte past the limit."""
    return len(zlib.decompressobj().decompress(raw, MAX_STREAM_BYTES + 1))


# by the raw bytes' digest: the signed revision is measured again before PDFium reads it, and
# most of its streams are the file's own (a pure function of the bytes; sizes only are kept)
_inflated: ByDigest[int] = ByDigest(_inflated_size, size=4096)


def oversized(data: bytes) -> list[str]:
    """:func:`oversized_streams` of a file's bytes (empty if qpdf cannot open it at all)."""
    try:
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
            return oversized_streams(pdf)
    except pikepdf.PdfError:
        return []
