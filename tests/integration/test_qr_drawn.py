"""The QR codes on real agreements, read from the rendered pages as a phone would: every page
carries the digest of its embedded data, and each signature stamp the same with its role."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signer.canonical import verification_payload
from signer.embedded import read_embedded
from signer.model import Peran
from signer.verify.qr import DrawnQr, drawn_qr_codes

pytestmark = [pytest.mark.slow, pytest.mark.office]


def _expected(data: bytes) -> str:
    embedded = read_embedded(PdfFileReader(io.BytesIO(data)).root)
    return verification_payload(embedded.agreement, embedded.sha256)


def _pages(data: bytes) -> int:
    doc = pdfium.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


def _inside(qr: DrawnQr, rect: list[float]) -> bool:
    xs, ys = sorted(rect[0::2]), sorted(rect[1::2])
    return (
        xs[0] <= qr.bbox[0] and ys[0] <= qr.bbox[1] and qr.bbox[2] <= xs[1] and qr.bbox[3] <= ys[1]
    )


def test_every_prepared_page_carries_exactly_one_qr_of_its_data(prepared_example: Path) -> None:
    files = sorted(prepared_example.rglob("*.pdf"))
    assert files
    for pdf in files:
        data = pdf.read_bytes()
        found = drawn_qr_codes(data)
        assert sorted(q.page for q in found) == list(range(_pages(data))), pdf.name
        assert {q.payload for q in found} == {_expected(data)}, pdf.name


def test_every_signed_page_carries_one_qr_of_its_data_and_each_stamp_its_role(
    signed_example: Path,
) -> None:
    files = sorted(signed_example.rglob("*.pdf"))
    assert files
    for pdf in files:
        data = pdf.read_bytes()
        expected = _expected(data)
        found = drawn_qr_codes(data)
        page_codes = [q for q in found if q.payload == expected]
        assert sorted(q.page for q in page_codes) == list(range(_pages(data))), pdf.name
        stamps = [q for q in found if q.payload != expected]
        # one stamp for each party, in its signature widget
        assert Counter(q.payload for q in stamps) == {f"{expected}:{r.value}": 1 for r in Peran}
        with pikepdf.open(io.BytesIO(data)) as doc:
            for q in stamps:
                widgets = [
                    [float(v) for v in a.Rect]
                    for a in doc.pages[q.page].obj.get("/Annots", [])
                    if a.get("/Subtype") == "/Widget"
                ]
                assert any(_inside(q, rect) for rect in widgets), (pdf.name, q)
