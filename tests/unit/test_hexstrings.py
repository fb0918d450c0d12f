"""The bulk hex-string reader reads exactly what pyHanko's own reader reads, and leaves the
stream at the same place, or refuses the same inputs."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic

from signer.verify import hexstrings

CASES = [
    b"<48656c6c6f>",
    b"<48 65\n6c\t6c\x0c6f\x00>",
    b"<4865 6>",  # an odd count is padded with 0
    b"<>",
    b"<4%x>\n865>",  # a comment hides a ">"
    b"<ABCdef>",  # either case
    b"<FEFF0041>",  # a UTF-16 text string
    b"<" + b"0a1B" * 20000 + b">",  # longer than one chunk
    b"<48zz>",  # not hex
    b"<4865",  # never closed
    b"<48(65)>",
]


def read(reader: object, data: bytes) -> tuple[object, ...]:
    stream = io.BytesIO(data + b" 0 R")
    try:
        value = reader(stream)  # type: ignore[operator]
    except Exception as e:
        return (type(e).__name__,)
    return (type(value).__name__, bytes(value.original_bytes), stream.tell())


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_bulk_reader_reads_as_pyhanko_does(data: bytes) -> None:
    assert read(hexstrings.read_hex_string, data) == read(hexstrings._original, data)


def test_installed_in_pyhanko_object_reader() -> None:
    import signer.verify.evidence  # noqa: F401  (installs it)

    assert generic.read_hex_string_from_stream is hexstrings.read_hex_string
    value = generic.read_object(io.BytesIO(b"<48656c6c6f>"), None)  # type: ignore[arg-type]
    assert str(value) == "Hello"
