"""What verify reads is bounded before it is read: files, streams, the embedded agreement."""

from __future__ import annotations

import io
import os
import zlib
from pathlib import Path

import pikepdf
import pytest
from pyhanko.pdf_utils import generic

from signer.embedded import MAX_EMBEDDED_BYTES, NotPrepared, _stream_bytes
from signer.errors import InputError
from signer.verify.bounds import DEFLATE_RATIO, MAX_OBJECTS, MAX_STREAM_BYTES, oversized
from signer.verify.run import MAX_FILE_BYTES, read_agreement


def _pdf_with(stream: bytes, filters: object) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    s = pikepdf.Stream(pdf, stream)
    s.Filter = filters
    pdf.Root.Extra = pdf.make_indirect(s)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def _deflated_zeros(size: int) -> bytes:
    z = zlib.compressobj(9)
    return b"".join(z.compress(bytes(1 << 20)) for _ in range(size >> 20)) + z.flush()


def test_a_flate_bomb_is_found_without_inflating_it() -> None:
    bomb = _pdf_with(_deflated_zeros(MAX_STREAM_BYTES + (1 << 20)), pikepdf.Name.FlateDecode)
    assert len(bomb) < MAX_STREAM_BYTES // 100
    [finding] = oversized(bomb)
    assert "inflates past 64 MB" in finding


def test_deflate_inflates_a_byte_to_at_most_the_bound() -> None:
    # a run of one byte is deflate's best case: it comes within 0.5% of the bound, never past it
    for size in (1 << 20, 64 << 20):
        assert size <= DEFLATE_RATIO * len(_deflated_zeros(size))
    assert 0.995 * DEFLATE_RATIO * len(_deflated_zeros(64 << 20)) < (64 << 20)


def test_streams_each_within_the_limit_are_bounded_together() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    part = _deflated_zeros(MAX_STREAM_BYTES - (4 << 20))  # 60 MB each, 5 of them
    for i in range(5):
        s = pikepdf.Stream(pdf, part)
        s.Filter = pikepdf.Name.FlateDecode
        pdf.Root[f"/Extra{i}"] = pdf.make_indirect(s)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    [finding] = oversized(out.getvalue())
    assert "together inflate past 256 MB" in finding


def test_streams_whose_length_keeps_them_in_bounds_are_not_inflated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import signer.verify.bounds as bounds

    inflated: list[int] = []

    def counted(raw: bytes) -> int:
        inflated.append(len(raw))
        return len(zlib.decompressobj().decompress(raw, MAX_STREAM_BYTES + 1))

    monkeypatch.setattr(bounds, "_inflated", counted)
    small = zlib.compress(os.urandom(20_000))  # a font's or a page's size
    assert oversized(_pdf_with(small, pikepdf.Name.FlateDecode)) == []
    assert inflated == []
    bomb = _deflated_zeros(MAX_STREAM_BYTES + (1 << 20))
    assert oversized(_pdf_with(bomb, pikepdf.Name.FlateDecode))
    assert inflated == [len(bomb)]


def test_an_ordinary_stream_is_within_bounds() -> None:
    assert (
        oversized(
            _pdf_with(zlib.compress(b"BT /F1 12 Tf (85) Tj ET" * 1000), pikepdf.Name.FlateDecode)
        )
        == []
    )


def test_filters_kinerja_never_writes_are_not_decoded() -> None:
    chain = pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.FlateDecode])
    [finding] = oversized(_pdf_with(zlib.compress(zlib.compress(b"x" * 100)), chain))
    assert "not read" in finding
    [finding] = oversized(_pdf_with(b"\x80\x00", pikepdf.Name.LZWDecode))
    assert "LZWDecode" in finding


def test_the_embedded_agreement_is_bounded_while_it_inflates() -> None:
    bomb = generic.StreamObject(
        {generic.NameObject("/Filter"): generic.NameObject("/FlateDecode")},
        encoded_data=_deflated_zeros(MAX_EMBEDDED_BYTES + (1 << 20)),
    )
    with pytest.raises(NotPrepared, match="larger than 8 MB"):
        _stream_bytes(bomb)
    raw = generic.StreamObject({}, stream_data=b" " * (MAX_EMBEDDED_BYTES + 1))
    with pytest.raises(NotPrepared, match="larger than 8 MB"):
        _stream_bytes(raw)


def test_only_a_regular_file_of_bounded_size_is_read(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.pdf"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match="not a regular file"):
        read_agreement(pipe)  # returns at once: nobody writes to the pipe
    with pytest.raises(InputError, match="not a regular file"):
        read_agreement(Path("/dev/zero"))
    with pytest.raises(InputError, match="not a regular file"):
        read_agreement(tmp_path)
    sparse = tmp_path / "sparse.pdf"
    with sparse.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # no disk used: a hole
    with pytest.raises(InputError, match="larger than an agreement can be"):
        read_agreement(sparse)
    with pytest.raises(InputError, match="no such file"):
        read_agreement(tmp_path / "missing.pdf")
    ok = tmp_path / "ok.pdf"
    ok.write_bytes(b"%PDF-1.7\n")
    assert read_agreement(ok) == b"%PDF-1.7\n"


def test_more_objects_than_an_agreement_has_are_not_read() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.Many = pikepdf.Array(
        [pdf.make_indirect(pikepdf.Dictionary(K=i)) for i in range(MAX_OBJECTS + 1)]
    )
    out = io.BytesIO()
    pdf.save(out)
    [finding] = oversized(out.getvalue())
    assert "more than an agreement has" in finding


def test_objects_are_counted_before_any_parser_and_whether_or_not_it_parses() -> None:
    from signer.verify.bounds import too_many_objects

    # no page tree, no xref: qpdf cannot open it, pyHanko would still build every object
    many = b"%PDF-1.7\n" + b"".join(
        b"%d 0 obj<</K %d>>endobj\n" % (i, i) for i in range(MAX_OBJECTS + 1)
    )
    [finding] = too_many_objects(many)
    assert f"{MAX_OBJECTS + 1} objects" in finding
    stream = (
        b"%PDF-1.7\n1 0 obj<</Type /ObjStm /N 9000000 /First 10 /Length 0>>stream\nendstream endobj"
    )
    assert too_many_objects(stream)
    assert too_many_objects(b"%PDF-1.7\n1 0 obj<<>>endobj") == []
