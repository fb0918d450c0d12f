"""Each speed-up reads exactly what the original reads, leaves the stream at the same place, or
refuses the same inputs."""

from __future__ import annotations

import io

import pytest
from asn1crypto import x509
from pyhanko.pdf_utils import generic

from signer.verify import speedups

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
    assert read(speedups.read_hex_string, data) == read(speedups._original, data)


def test_installed_in_pyhanko_object_reader() -> None:
    import signer.verify.evidence  # noqa: F401  (installs it)

    assert generic.read_hex_string_from_stream is speedups.read_hex_string
    value = generic.read_object(io.BytesIO(b"<48656c6c6f>"), None)  # type: ignore[arg-type]
    assert str(value) == "Hello"


TOKENS = [
    b"/Name ",
    b"/Name/Other",
    b"123 0 R",
    b"-1.5]",
    b"true>>",
    b"/A#20B(",
    b"/" + b"x" * 200 + b" ",  # longer than one chunk
    b"/End",  # ends with the stream
    b"",
    b"/N\x00x",
    b"%comment",
]


@pytest.mark.parametrize("data", TOKENS, ids=range(len(TOKENS)))
def test_read_until_delimiter_as_pyhanko(data: bytes) -> None:
    def run(reader: object) -> tuple[bytes, int]:
        stream = io.BytesIO(data)
        stream.read(1)  # as pyHanko does, past the token's first byte
        return reader(stream), stream.tell()  # type: ignore[operator]

    assert run(speedups.read_until_delimiter) == run(speedups._original_until_delimiter)


@pytest.mark.parametrize(
    "value", ["Kota Contoh", "  Dinas   Kesehatan ", "DR. RINA", "Pemerintah\u00a0Kota", "ÉCOLE"]
)
def test_string_prep_is_cached_and_the_same(value: str) -> None:
    import signer.verify.evidence  # noqa: F401  (installs it)

    original = speedups._original_string_prep(None, value)
    name = x509.Name.build({"common_name": value}).chosen[0][0]
    assert name.prepped_value == original
    assert speedups._string_prep(value) is speedups._string_prep(value)


def test_string_prep_refuses_what_the_original_refuses() -> None:
    import signer.verify.evidence  # noqa: F401

    with pytest.raises(ValueError):
        speedups._original_string_prep(None, "\ufffd")
    with pytest.raises(ValueError):
        _ = x509.Name.build({"common_name": "\ufffd"}).chosen[0][0].prepped_value


WHITESPACE_CASES = [
    (b"12 0 obj", None),
    (b"12\n0 obj", None),
    (b"12\r\n0", None),
    (b"12", None),  # ends with the stream
    (b"", None),
    (b" 12", None),  # whitespace first: nothing
    (b"%PDF-1.7\n%\xe2\xe3", 20),
    (b"%PDF-" + b"x" * 100, 20),  # no whitespace within maxchars
    (b"x" * 200 + b" y", None),  # longer than one chunk
    (b"abc\x00def", None),
    (b"abcdefgh ", 8),  # the whitespace just past maxchars is not read
]


@pytest.mark.parametrize("data,maxchars", WHITESPACE_CASES, ids=range(len(WHITESPACE_CASES)))
def test_read_until_whitespace_as_pyhanko(data: bytes, maxchars: int | None) -> None:
    def run(reader: object) -> tuple[bytes, int]:
        stream = io.BytesIO(data)
        return reader(stream, maxchars), stream.tell()  # type: ignore[operator]

    assert run(speedups.read_until_whitespace) == run(speedups._original_until_whitespace)


NAMES = [b"Type", b"A#20B", b"Caf#C3#A9", b"\xe9t\xe9", b"A#2", b"A#zz", b"", b"A B", b"Page"]


@pytest.mark.parametrize("data", NAMES, ids=range(len(NAMES)))
def test_decode_name_as_pyhanko(data: bytes) -> None:
    def run(decode: object) -> tuple[str, str]:
        try:
            value = decode(data)  # type: ignore[operator]
        except Exception as e:
            return ("error", type(e).__name__)
        return (type(value).__name__, str(value))

    assert run(speedups.decode_name) == run(speedups._original_decode_name)
    assert run(speedups.decode_name) == run(speedups.decode_name)  # the cached answer too
    if run(speedups.decode_name)[0] != "error":
        assert speedups.decode_name(data) is not speedups.decode_name(data)  # never shared


def _rdn(*pairs: tuple[str, str]) -> x509.RelativeDistinguishedName:
    return x509.RelativeDistinguishedName(
        [
            x509.NameTypeAndValue(
                {"type": t, "value": x509.DirectoryString(name="utf8_string", value=v)}
            )
            for t, v in pairs
        ]
    )


def _name(*rdns: x509.RelativeDistinguishedName) -> x509.Name:
    return x509.Name.load(x509.Name(name="", value=x509.RDNSequence(list(rdns))).dump())


CN, ORG = "common_name", "organization_name"
MULTI = [
    _name(_rdn((CN, "a"))),
    _name(_rdn((CN, "a"), (CN, "a"))),  # a repeated type: the original counts it
    _name(_rdn((CN, "b"), (CN, "a"))),
    _name(_rdn((CN, "a"), (ORG, "x"))),
    _name(_rdn((ORG, "x"), (CN, "a"))),  # the same set, in another order
    _name(_rdn((CN, "a")), _rdn((ORG, "x"))),  # the same attributes, in two RDNs
    _name(_rdn((ORG, "x")), _rdn((CN, "a"))),
    _name(_rdn((CN, " A ")), _rdn((ORG, "X"))),  # spaces and case prepared away
    _name(_rdn((CN, "a")), _rdn()),  # an empty RDN
    _name(),
]


@pytest.mark.parametrize("i", range(len(MULTI)))
def test_names_equal_as_asn1crypto_for_every_pair(i: int) -> None:
    import signer.verify.evidence  # noqa: F401  (installs it)

    for other in MULTI:
        assert (MULTI[i] == other) == speedups._original_name_eq(MULTI[i], other)


def test_names_equal_as_asn1crypto() -> None:
    import signer.verify.evidence  # noqa: F401  (installs it)

    a = x509.Name.build({"common_name": "Kota  Contoh", "country_name": "ID"})
    same = x509.Name.load(a.dump())
    spaced = x509.Name.build({"common_name": "kota contoh", "country_name": "ID"})
    other = x509.Name.build({"common_name": "Kota Lain", "country_name": "ID"})
    for x, y in [(a, same), (a, spaced), (a, other), (spaced, other)]:
        assert (x == y) == speedups._original_name_eq(x, y)
    assert a == same and a == spaced and a != other
    assert a != "Kota Contoh"


OIDS = ["1.2.840.113549.1.1.11", "2.5.29.15", "0.9.2342.19200300.100.1.1", "2.999.1", "1.3"]


@pytest.mark.parametrize("dotted", OIDS)
def test_oid_dotted_as_asn1crypto(dotted: str) -> None:
    from asn1crypto import core

    import signer.verify.evidence  # noqa: F401  (installs it)

    oid = core.ObjectIdentifier.load(core.ObjectIdentifier(dotted).dump())
    assert oid.dotted == dotted
    fresh = speedups._Oid(oid.contents)
    assert speedups._original_dotted.fget(fresh) == dotted  # the original, same bytes
    assert core.ObjectIdentifier.load(oid.dump()).dotted is oid.dotted  # cached by the bytes


NAMES = [
    {"common_name": "Kota  Contoh", "country_name": "ID"},
    {"common_name": "kota contoh", "country_name": "ID"},
    {"common_name": "Rina Kartikasari", "organization_name": "Pemerintah Kota Contoh"},
    {"common_name": "  Lead and trail  ", "email_address": "pk@example.go.id"},
    {},
]


@pytest.mark.parametrize("attributes", NAMES, ids=range(len(NAMES)))
def test_name_hashable_as_asn1crypto(attributes: dict[str, str]) -> None:
    import signer.verify.evidence  # noqa: F401  (installs it)

    name = x509.Name.build(attributes)
    expected = speedups._original_hashable.fget(x509.Name.load(name.dump()))
    assert name.hashable == expected
    assert x509.Name.load(name.dump()).hashable == expected  # again, from the cache


PDFDOC = [b"", b"Perjanjian Kinerja", bytes(range(0x18, 0x100)), b"\x00", b"ab\x7fcd", b"\x9f"]


@pytest.mark.parametrize("data", PDFDOC, ids=range(len(PDFDOC)))
def test_pdfdocencoding_as_pyhanko(data: bytes) -> None:
    def outcome(decode: object) -> object:
        try:
            return decode(data)  # type: ignore[operator]
        except UnicodeDecodeError as e:
            return ("error", e.object, e.reason)

    assert outcome(speedups.decode_pdfdocencoding) == outcome(speedups._original_pdfdoc)


def test_pdfdocencoding_every_byte_as_pyhanko() -> None:
    for b in range(256):
        test_pdfdocencoding_as_pyhanko(bytes((b,)))


NON_WHITESPACE_CASES = [
    b"/Type",
    b" /Type",
    b"\r\n\t\x00\x0c 1",
    b"%c\n/A",
    b"  %c\r\n%d\n>",
    b"",
    b"   ",
    b"%only",
    b"x",
    b" " * 31 + b"/A",  # the last byte of the lookahead
    b" " * 32 + b"/A",  # just past it
    b"\n" * 40,  # whitespace to the end, longer than the lookahead
    b"\n %c\n/A",  # a comment after whitespace
    b"\x00\x0c" * 20 + b"%c\n" + b" " * 40 + b"1",
]


@pytest.mark.parametrize("data", NON_WHITESPACE_CASES, ids=range(len(NON_WHITESPACE_CASES)))
@pytest.mark.parametrize("seek_back", [False, True])
@pytest.mark.parametrize("allow_eof", [False, True])
def test_read_non_whitespace_as_pyhanko(data: bytes, seek_back: bool, allow_eof: bool) -> None:
    def run(reader: object) -> tuple[object, int]:
        stream = io.BytesIO(b"<" + data)
        stream.read(1)  # as in pyHanko: somewhere inside an object
        try:
            got: object = reader(stream, seek_back, allow_eof)  # type: ignore[operator]
        except Exception as e:
            got = (type(e), str(e))
        return got, stream.tell()

    assert run(speedups.read_non_whitespace) == run(speedups._original_non_whitespace)


def test_get_last_change_as_pyhanko_and_again_from_memory() -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    from tests.unit.test_pathmap import base, update

    data, n = base()
    extra = n["size"]
    for revision in range(3):  # each update changes the first page and adds an object
        data = update(
            data,
            {
                n["page1"]: b"<< /Type /Page /Parent %d 0 R /Annots [%d 0 R] >>"
                % (n["pages"], extra + revision),
                extra + revision: b"<< /Type /Annot /Subtype /Text /Rect [0 0 1 1] >>",
            },
        )
    xrefs = PdfFileReader(io.BytesIO(data)).xrefs
    assert xrefs.total_revisions == 4

    def answer(fn: object, ref: generic.Reference) -> object:
        try:
            return fn(xrefs, ref)  # type: ignore[operator]
        except KeyError:
            return KeyError

    refs = [generic.Reference(i, g) for i in range(extra + 5) for g in (0, 1)]
    theirs = [answer(speedups._original_last_change, r) for r in refs]
    for _ in range(2):  # worked out, then remembered
        assert [answer(speedups.get_last_change, r) for r in refs] == theirs
    assert set(theirs) >= {0, 1, 2, 3, KeyError}
