"""Three hot spots of pyHanko and asn1crypto, done the same way, faster (measured with cProfile
over 30 signed agreements; `tests/unit/test_speedups.py` compares each with the original).

- pyHanko reads a PDF hex string one byte at a time, in Python. An agreement at B-LTA carries
  signature contents of some 30,000 hex digits each, read again for every revision by the
  difference analysis. :func:`read_hex_string` reads the same bytes the same way (PDF whitespace
  skipped, any other non-hex byte refused, an odd count padded with 0) in bulk, and hands a
  string holding a comment ("%") back to pyHanko's own reader.
- pyHanko reads each name and number token one byte at a time: :func:`read_until_delimiter`
  finds the delimiter with a regular expression.
- asn1crypto prepares every name attribute of every certificate with RFC 4518 string
  preparation, again for each parsed copy (the same officials' certificates sit in every
  agreement): :func:`install` caches that pure function of the string.
- pyHanko reads each object header's numbers one byte at a time through a generator:
  :func:`read_until_whitespace` finds the whitespace with a regular expression.
- pyHanko decodes every name token byte by byte, the same few hundred names again in every
  revision: :func:`decode_name` caches the decoding by the token's bytes (a fresh object each
  time, so no reader's object is shared).
- asn1crypto compares distinguished names attribute by attribute, each prepared, for every
  issuer lookup of every chain: :func:`names_equal` answers at once when both encodings are
  the same bytes (equal values, by definition), and otherwise compares the names' prepared
  forms, remembered by their DER.
- pyHanko's difference analysis maps every path to every object of each signed revision,
  copying each object it walks: :mod:`signer.verify.pathmap` walks them in place.
- asn1crypto turns a distinguished name into its comparable form (every attribute prepared)
  for every certificate a registry takes in, again for each of the dozens per agreement:
  :func:`name_hashable` remembers that pure function of the name's DER.
- pyHanko skips whitespace before every token through a loop that reads one byte at a time:
  :func:`read_non_whitespace` strips it from a few bytes read at once, and hands anything else
  (a comment, a long run of whitespace, the end) to pyHanko.
- pyHanko decodes each PDFDocEncoding string a character at a time through a generator:
  :func:`decode_pdfdocencoding` maps the bytes through the same table in one call.
- pyHanko finds the revision that last changed an object by asking every cross-reference
  section from the newest, each answering "not here" with an exception, again each time the
  difference analysis meets the object in another revision: :func:`get_last_change` remembers
  the answer per file by the object's numbers.
- asn1crypto spells out every object identifier it meets (algorithms, extensions, attributes:
  thousands per agreement) byte by byte: :func:`install` caches the dotted form by the
  identifier's bytes.
"""

from __future__ import annotations

import binascii
import functools
import io
import re
from typing import Any

from asn1crypto import core, x509
from pyhanko.pdf_utils import generic, misc, xref
from pyhanko.pdf_utils.misc import PDF_DELIMITERS, PDF_WHITESPACE, PdfStreamError

_original = generic.read_hex_string_from_stream
_original_until_delimiter = misc.read_until_delimiter
_original_string_prep = x509.NameTypeAndValue._ldap_string_prep
_original_until_whitespace = misc.read_until_whitespace
_original_decode_name = generic._decode_name
_original_name_eq = x509.Name.__eq__
_original_dotted = core.ObjectIdentifier.dotted
_original_hashable = x509.Name.hashable
_original_pdfdoc = generic.decode_pdfdocencoding
_original_last_change = xref.XRefCache.get_last_change
_original_non_whitespace: Any = misc.read_non_whitespace
_CHUNK = 1 << 16
_LOOKAHEAD = 32  # LibreOffice writes one or two whitespace bytes between tokens
_DELIMITER = re.compile(b"[" + re.escape(PDF_WHITESPACE + PDF_DELIMITERS) + b"]")
_WHITESPACE = re.compile(b"[" + re.escape(PDF_WHITESPACE) + b"]")


def read_hex_string(stream: Any) -> generic.ByteStringObject | generic.TextStringObject:
    """pyHanko's ``read_hex_string_from_stream``, in bulk."""
    start = stream.tell()
    stream.read(1)  # the "<"
    parts: list[bytes] = []
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            raise PdfStreamError("Stream ended prematurely")
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            break
        parts.append(chunk)
    body = b"".join(parts)
    if b"%" in body:  # a comment may hide a ">": pyHanko's reader knows the rules
        stream.seek(start, io.SEEK_SET)
        result: generic.ByteStringObject | generic.TextStringObject = _original(stream)
        return result
    stream.seek(start + 1 + len(body) + 1, io.SEEK_SET)
    digits = body.translate(None, PDF_WHITESPACE)
    bad = digits.translate(None, generic.HEX_DIGITS)
    if bad:
        raise PdfStreamError("Unexpected token in hex string: " + repr(bad[:1]))
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def read_until_delimiter(stream: Any) -> bytes:
    """pyHanko's ``read_until_delimiter``: the bytes up to a delimiter or whitespace, which is
    left unread (at the end of the stream, everything)."""
    start = stream.tell()
    parts: list[bytes] = []
    while True:
        chunk = stream.read(64)
        if not chunk:
            return b"".join(parts)
        found = _DELIMITER.search(chunk)
        if found is not None:
            parts.append(chunk[: found.start()])
            token = b"".join(parts)
            stream.seek(start + len(token), io.SEEK_SET)
            return token
        parts.append(chunk)


def read_non_whitespace(stream: Any, seek_back: bool = False, allow_eof: bool = False) -> bytes:
    """pyHanko's ``read_non_whitespace``: the next byte that is neither whitespace nor in a
    comment (read, unless ``seek_back``)."""
    start = stream.tell()
    chunk: bytes = stream.read(_LOOKAHEAD)
    rest = chunk.lstrip(PDF_WHITESPACE)
    if rest and rest[:1] != b"%":
        at = start + len(chunk) - len(rest)
        stream.seek(at if seek_back else at + 1, io.SEEK_SET)
        return rest[:1]
    stream.seek(start, io.SEEK_SET)  # a comment, a long run of whitespace, or the end
    result: bytes = _original_non_whitespace(stream, seek_back, allow_eof)
    return result


def read_until_whitespace(stream: Any, maxchars: int | None = None) -> bytes:
    """pyHanko's ``read_until_whitespace``: the bytes up to a whitespace byte, which is read
    and dropped (at the end of the stream, everything); at most ``maxchars`` bytes if given."""
    if maxchars is not None and maxchars <= 0:
        result: bytes = _original_until_whitespace(stream, maxchars)  # its own answer
        return result
    start = stream.tell()
    parts: list[bytes] = []
    taken = 0
    while maxchars is None or taken < maxchars:
        chunk = stream.read(64 if maxchars is None else min(64, maxchars - taken))
        if not chunk:
            break
        found = _WHITESPACE.search(chunk)
        if found is not None:
            parts.append(chunk[: found.start()])
            token = b"".join(parts)
            stream.seek(start + len(token) + 1, io.SEEK_SET)  # past the whitespace byte
            return token
        parts.append(chunk)
        taken += len(chunk)
    return b"".join(parts)


@functools.lru_cache(maxsize=8192)
def _decoded_name(name_bytes: bytes) -> str:
    return str(_original_decode_name(name_bytes))


def decode_name(name_bytes: bytes) -> generic.NameObject:
    """pyHanko's ``_decode_name`` (a malformed name raises as it does, and is not cached)."""
    return generic.NameObject(_decoded_name(bytes(name_bytes)))


def names_equal(self: x509.Name, other: object) -> bool:
    """asn1crypto's ``Name.__eq__`` (RFC 5280 7.1): at once for byte-identical encodings, else
    by the remembered keys. The original finds two names equal when they have as many RDNs,
    each RDN as many attributes, of the same types with the same prepared values (the last of
    a repeated type); the hashable holds the types and values of each RDN, apart (string
    preparation removes the separators), and the sizes hold the counts. A name the keys cannot
    be made of (string preparation refuses it) is compared by the original."""
    if not isinstance(other, x509.Name):
        return False
    if self.dump() == other.dump():
        return True
    try:
        return _name_key(self) == _name_key(other)
    except Exception:
        result: bool = _original_name_eq(self, other)
        return result


class _Oid:
    """What the original ``dotted`` reads of an identifier: its contents."""

    def __init__(self, contents: bytes) -> None:
        self.contents = contents
        self._dotted: str | None = None


@functools.lru_cache(maxsize=4096)
def _dotted_of(contents: bytes) -> str:
    result: str = _original_dotted.fget(_Oid(contents))
    return result


def dotted(self: core.ObjectIdentifier) -> str:
    """asn1crypto's ``ObjectIdentifier.dotted``, cached by the identifier's bytes."""
    if self._dotted is None:
        self._dotted = _dotted_of(bytes(self.contents))
    result: str = self._dotted
    return result


_name_keys: dict[bytes, tuple[str, tuple[int, ...]]] = {}
_MAX_NAMES = 8192


def _name_key(name: x509.Name) -> tuple[str, tuple[int, ...]]:
    """A name's comparable form (asn1crypto's ``hashable``) and the size of each of its RDNs,
    remembered by the name's DER (at most 8,192 names)."""
    der = name.dump()
    found = _name_keys.get(der)
    if found is None:
        found = (_original_hashable.fget(name), tuple(len(rdn) for rdn in name.chosen))
        if len(_name_keys) >= _MAX_NAMES:
            _name_keys.clear()
        _name_keys[der] = found
    return found


def name_hashable(self: x509.Name) -> str:
    """asn1crypto's ``Name.hashable``, remembered by the name's DER."""
    return _name_key(self)[0]


_PDFDOC = {i: c for i, c in enumerate(generic._pdfDocEncoding)}


def decode_pdfdocencoding(byte_array: bytes) -> str:
    """pyHanko's ``decode_pdfdocencoding``: the same table, the same error at the first byte it
    lacks."""
    data = bytes(byte_array)
    text = data.decode("latin-1").translate(_PDFDOC)
    if "\u0000" in text:
        for b in data:
            if generic._pdfDocEncoding[b] == "\u0000":
                raise UnicodeDecodeError(
                    "pdfdocencoding", bytes((b,)), -1, -1, "does not exist in translation table"
                )
    return text


_NOWHERE = -1  # remembered for an object no section has: get_last_change raises KeyError


def get_last_change(self: xref.XRefCache, ref: generic.Reference) -> int:
    """pyHanko's ``XRefCache.get_last_change``, remembered in the cache by the reference's
    numbers (sections are only ever added, and the memory starts over when one is)."""
    sections = len(self._xref_sections)
    memory: tuple[int, dict[tuple[int, int], int]] | None = self.__dict__.get("_last_changes")
    if memory is None or memory[0] != sections:
        memory = (sections, {})
        self.__dict__["_last_changes"] = memory
    key = (ref.idnum, ref.generation)
    found = memory[1].get(key)
    if found is None:
        try:
            found = int(_original_last_change(self, ref))
        except KeyError:
            found = _NOWHERE
        memory[1][key] = found
    if found == _NOWHERE:
        raise KeyError(ref)
    return found


@functools.lru_cache(maxsize=8192)
def _string_prep(string: str) -> str:
    result: str = _original_string_prep(None, string)
    return result


def _cached_string_prep(self: Any, string: str) -> str:
    return _string_prep(string)


def install() -> None:
    """Use the functions above inside pyHanko's object reader and asn1crypto's names, and
    :mod:`signer.verify.pathmap` in its difference analysis."""
    from signer.verify import pathmap

    pathmap.install()
    generic.read_hex_string_from_stream = read_hex_string
    generic.read_until_delimiter = read_until_delimiter  # type: ignore[attr-defined]  # imported there by name
    misc.read_until_delimiter = read_until_delimiter
    misc.read_until_whitespace = read_until_whitespace
    generic.read_non_whitespace = read_non_whitespace  # type: ignore[attr-defined]  # imported there by name
    misc.read_non_whitespace = read_non_whitespace
    generic._decode_name = decode_name
    x509.Name.__eq__ = names_equal
    core.ObjectIdentifier.dotted = property(dotted)
    x509.NameTypeAndValue._ldap_string_prep = _cached_string_prep
    x509.Name.hashable = property(name_hashable)
    generic.decode_pdfdocencoding = decode_pdfdocencoding
    xref.XRefCache.get_last_change = get_last_change  # type: ignore[method-assign]
