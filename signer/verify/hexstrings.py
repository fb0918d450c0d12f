"""pyHanko reads a PDF hex string one byte at a time, in Python. A signed agreement at B-LTA
carries signature contents of some 30,000 hex digits each, and the difference analysis reads
them again for every revision: about a fifth of a document's verification time went there.

:func:`install` replaces pyHanko's reader with one that reads the same bytes the same way (PDF
whitespace skipped, any other non-hex byte refused, an odd count padded with 0) in bulk, and hands
any string holding a comment ("%") back to pyHanko's own reader. `tests/unit/test_hexstrings.py`
compares both on edge cases.
"""

from __future__ import annotations

import binascii
import io
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE, PdfStreamError

_original = generic.read_hex_string_from_stream
_CHUNK = 1 << 16


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


def install() -> None:
    """Use :func:`read_hex_string` inside pyHanko's object reader."""
    generic.read_hex_string_from_stream = read_hex_string
