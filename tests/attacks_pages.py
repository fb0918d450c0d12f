"""Class 4 attacks: the pages and the embedded data tell two stories.

All are planted by an insider in the ready-to-sign agreement, then both parties sign it (with
another tool, as `kinerja sign` audits first): every signature is good, so only a verifier that
reads the pages as drawn and compares them with the data field by field can tell.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf

from signer import canonical, formatting
from tests.attacks import (
    FORGED,
    TARGET,
    _embedded_file,
    _embedded_stream,
    _form_xobject,
    _planted,
    dict_text,
    encode,
    next_object_numbers,
    overlay_content,
    ref,
    stream_object,
    target_box,
    target_run,
    text_runs,
    to_unicode,
    unparse,
)


def _appended(
    prepared: bytes, store: Path, drawing: Callable[[bytes, bytes, float, float], bytes]
) -> bytes:
    """The lampiran's target printed as FORGED in place, and ``drawing`` (given the page's font
    resource name, the true target's codes and its origin) appended to the page's content."""

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        run = target_run(pdf)
        page = pdf.pages[run.page]
        font = page.Resources.Font[run.font]
        ops = list(pikepdf.parse_content_stream(page))
        ops[run.index] = pikepdf.ContentStreamInstruction(
            [pikepdf.String(encode(font, FORGED))], pikepdf.Operator("Tj")
        )
        content = pikepdf.unparse_content_stream(ops)
        head = b"BT %s %.1f Tf " % (run.font.encode(), run.size)
        content += (
            b"\n" + head + drawing(run.font.encode(), encode(font, TARGET), run.x, run.y) + b" ET\n"
        )
        return {page.obj.Contents.objgen[0]: stream_object(b"", content)}

    return _planted(prepared, store, change)


def _show(codes: bytes) -> bytes:
    return b"<%s> Tj" % codes.hex().encode()


def pages_target_elsewhere(prepared: bytes, store: Path) -> bytes:
    """The target cell prints 95; the data says 85, which the page still shows elsewhere (the
    fourth triwulan target)."""
    return _appended(prepared, store, lambda font, codes, x, y: b"")


def pages_invisible_target(prepared: bytes, store: Path) -> bytes:
    """95 printed; the data's 85 drawn in the same place in render mode 3 (invisible)."""
    return _appended(
        prepared,
        store,
        lambda font, codes, x, y: b"3 Tr %.2f %.2f Td %s 0 Tr" % (x, y, _show(codes)),
    )


def pages_white_target(prepared: bytes, store: Path) -> bytes:
    """95 printed; the data's 85 drawn in white beside it."""
    return _appended(
        prepared,
        store,
        lambda font, codes, x, y: b"1 1 1 rg %.2f %.2f Td %s 0 g" % (x + 30, y, _show(codes)),
    )


def pages_off_page_target(prepared: bytes, store: Path) -> bytes:
    """95 printed; the data's 85 drawn far off the page."""
    return _appended(
        prepared, store, lambda font, codes, x, y: b"-900 %.2f Td %s" % (y, _show(codes))
    )


def pages_tiny_target(prepared: bytes, store: Path) -> bytes:
    """95 printed; the data's 85 drawn at 0.5 pt beside it, a dot to the eye."""
    return _appended(
        prepared,
        store,
        lambda font, codes, x, y: b"%s 0.5 Tf %.2f %.2f Td %s" % (font, x + 30, y, _show(codes)),
    )


def pages_clipped_target(prepared: bytes, store: Path) -> bytes:
    """95 printed; the data's 85 drawn beside it, outside a one-point clip."""

    def draw(font: bytes, codes: bytes, x: float, y: float) -> bytes:
        return b"ET q 0 0 1 1 re W n BT %s 9 Tf %.2f %.2f Td %s ET Q BT" % (
            font,
            x + 30,
            y,
            _show(codes),
        )

    return _appended(prepared, store, draw)


def pages_covered_target(prepared: bytes, store: Path) -> bytes:
    """95 printed; the data's 85 drawn beside it, then painted over with a white box."""

    def draw(font: bytes, codes: bytes, x: float, y: float) -> bytes:
        return b"%.2f %.2f Td %s ET q 1 1 1 rg %.2f %.2f 20 12 re f Q BT" % (
            x + 30,
            y,
            _show(codes),
            x + 29,
            y - 3,
        )

    return _appended(prepared, store, draw)


def pages_reversed_target(prepared: bytes, store: Path) -> bytes:
    """The target cell's text is 85, but its glyphs are placed right to left: the eye reads 58."""

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        run = target_run(pdf)
        page = pdf.pages[run.page]
        font = page.Resources.Font[run.font]
        eight, five = encode(font, TARGET[0]), encode(font, TARGET[1])
        ops = list(pikepdf.parse_content_stream(page))
        # the eight one digit to the right, then back two digits for the five
        shown = pikepdf.Array([-556, pikepdf.String(eight), 1112, pikepdf.String(five)])
        ops[run.index] = pikepdf.ContentStreamInstruction([shown], pikepdf.Operator("TJ"))
        content = pikepdf.unparse_content_stream(ops)
        return {page.obj.Contents.objgen[0]: stream_object(b"", content)}

    return _planted(prepared, store, change)


# ---------------------------------------------------------------------------------------------
# The data changed, the pages not: the insider also reprints the verification code


def _with_data(prepared: bytes, store: Path, change: Callable[[dict[str, Any]], None]) -> bytes:
    def plant(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        stream = _embedded_stream(pdf)
        data = json.loads(stream.read_bytes())
        change(data)
        payload = canonical.dumps(data)
        canonical.from_json(payload)  # still a valid agreement
        code = formatting.digest_grouped(hashlib.sha256(payload).hexdigest())
        objects = {stream.objgen[0]: _embedded_file(payload, stream.Params.ModDate.unparse())}
        for index, page in enumerate(pdf.pages):
            ops = list(pikepdf.parse_content_stream(page))
            for run in text_runs(pdf, index):
                if re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4}){15}", run.text.strip()):
                    font = page.Resources.Font[run.font]
                    ops[run.index] = pikepdf.ContentStreamInstruction(
                        [pikepdf.String(encode(font, code))], pikepdf.Operator("Tj")
                    )
            objects[page.obj.Contents.objgen[0]] = stream_object(
                b"", pikepdf.unparse_content_stream(ops)
            )
        return objects

    return _planted(prepared, store, plant)


def _first_indikator(data: dict[str, Any]) -> dict[str, Any]:
    first: dict[str, Any] = data["sasaran"][0]["indikator"][0]
    return first


DATA_CHANGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "indikator-dropped": lambda d: d["sasaran"][0]["indikator"].pop(1),
    "satuan": lambda d: _first_indikator(d).update(satuan="%"),
    "arah": lambda d: _first_indikator(d).update(arah="naik"),
    "triwulan": lambda d: _first_indikator(d)["target_triwulan"][1].update(nilai="90"),
    "anggaran": lambda d: (
        d["program"][0].update(anggaran=d["program"][0]["anggaran"] + 1_000_000),
        d.update(jumlah_anggaran=d["jumlah_anggaran"] + 1_000_000),
    ),
    "nip": lambda d: d["pihak"]["pihak-pertama"].update(nip="197405122001122011"),
    "jabatan": lambda d: d["pihak"]["pihak-pertama"].update(
        jabatan="Kepala Dinas Kesehatan Kabupaten Contoh"
    ),
    "golongan": lambda d: d["pihak"]["pihak-pertama"].update(
        golongan="IV/d", pangkat="Pembina Utama Madya"
    ),
    "unit": lambda d: d["unit"].update(nama="Dinas Kesehatan dan Keluarga Berencana"),
    "tanggal": lambda d: d.update(tanggal="2026-01-16"),
}


def pages_data_changed(prepared: bytes, store: Path, what: str) -> bytes:
    """The embedded data changed in one field (``what``), the pages as generated, the printed
    verification code updated to the new data's digest."""
    return _with_data(prepared, store, DATA_CHANGES[what])


def pages_qr_replaced(prepared: bytes, store: Path) -> bytes:
    """The printed code is the data's, but the QR code's image carries another digest (what a
    phone reads is not what the document holds)."""
    return _qr_redrawn(prepared, store, lambda payload, data: payload[:-64] + "0" * 64)


def _qr_redrawn(prepared: bytes, store: Path, forge: Callable[[str, bytes], str]) -> bytes:
    """Each page's QR image redrawn to carry ``forge(its payload, the embedded data)``."""
    import io

    import zxingcpp
    from PIL import Image

    from signer.generate.render import qr_png

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        objects: dict[int, bytes] = {}
        data = _embedded_stream(pdf).read_bytes()
        for page in pdf.pages:
            for _, image in page.get_images().items():
                pil = pikepdf.PdfImage(image).as_pil_image()
                found = zxingcpp.read_barcodes(pil)
                if not found:
                    continue
                payload = forge(found[0].text, data)
                forged = Image.open(io.BytesIO(qr_png(payload))).convert("L").resize(pil.size)
                objects[image.objgen[0]] = stream_object(
                    b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 8" % forged.size,
                    forged.tobytes(),
                )
        assert objects
        return objects

    return _planted(prepared, store, change)


def _cmap(mapping: dict[int, str]) -> bytes:
    lines = [
        f"<{code:02X}> <{text.encode('utf-16-be').hex().upper()}>"
        for code, text in sorted(mapping.items())
    ]
    body = "\n".join(
        f"{len(lines[i : i + 100])} beginbfchar\n" + "\n".join(lines[i : i + 100]) + "\nendbfchar"
        for i in range(0, len(lines), 100)
    )
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry "
        "(Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def "
        "/CMapType 2 "
        "def 1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"{body}\nendcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()


def pages_lying_font(prepared: bytes, store: Path) -> bytes:
    """The target cell draws the glyphs of 95 with a copy of the page's font whose ToUnicode
    says the nine is an eight: text extraction reads the data's 85, a person reads 95."""

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        run = target_run(pdf)
        page = pdf.pages[run.page]
        resources = page.obj.Resources
        font = resources.Font[run.font]
        mapping = to_unicode(font)
        nine = encode(font, "9")[0]
        mapping[nine] = "8"
        cmap, lying = next_object_numbers(prepared, 2)
        fonts = b" ".join(
            pikepdf.Name(k).unparse() + b" " + ref(v.objgen[0]) for k, v in resources.Font.items()
        )
        ops = list(pikepdf.parse_content_stream(page))
        forged = encode(font, FORGED)
        ops[run.index : run.index + 1] = [
            pikepdf.ContentStreamInstruction(
                [pikepdf.Name("/FLie"), run.size], pikepdf.Operator("Tf")
            ),
            pikepdf.ContentStreamInstruction([pikepdf.String(forged)], pikepdf.Operator("Tj")),
            pikepdf.ContentStreamInstruction(
                [pikepdf.Name(run.font), run.size], pikepdf.Operator("Tf")
            ),
        ]
        return {
            cmap: stream_object(b"", _cmap(mapping)),
            lying: dict_text(font, {"/ToUnicode": ref(cmap)}),
            resources.objgen[0]: dict_text(
                resources, {"/Font": b"<< %s /FLie %s >>" % (fonts, ref(lying))}
            ),
            page.obj.Contents.objgen[0]: stream_object(b"", pikepdf.unparse_content_stream(ops)),
        }

    return _planted(prepared, store, change)


def pages_widget_outside_form(prepared: bytes, store: Path) -> bytes:
    """A signature widget on the lampiran page, outside the form's fields, whose appearance
    paints 95 over the target: Acrobat draws it, PDFium (and so a reader built on it) does not."""

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        run = target_run(pdf)
        page = pdf.pages[run.page].obj
        box = target_box(pdf)
        widget, appearance = next_object_numbers(prepared, 2)
        rect = b"[ %s ]" % b" ".join(b"%.2f" % v for v in box)
        bbox = (0.0, 0.0, box[2] - box[0], box[3] - box[1])
        annots = [unparse(a) for a in page.get("/Annots", [])]
        return {
            widget: b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (pihak-ketiga) /F 132 "
            b"/Rect %s /P %s /AP << /N %s >> >>" % (rect, ref(page.objgen[0]), ref(appearance)),
            appearance: _form_xobject(pdf, overlay_content(pdf, at_origin=True), bbox, run),
            page.objgen[0]: dict_text(
                page, {"/Annots": b"[ %s ]" % b" ".join([*annots, ref(widget)])}
            ),
        }

    return _planted(prepared, store, change)


def pages_drawing_in_table(prepared: bytes, store: Path) -> bytes:
    """The target cell's text is the data's 85, and beside it, in the same cell, a small vector
    drawing (it could as well be the strokes of a 9, or an image of one): only text may sit in
    the table's cells."""

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        run = target_run(pdf)
        page = pdf.pages[run.page]
        content = page.obj.Contents.read_bytes()
        content += b"\nq 0 g %.2f %.2f 3 5 re f Q\n" % (run.x + 14, run.y)
        return {page.obj.Contents.objgen[0]: stream_object(b"", content)}

    return _planted(prepared, store, change)


def pages_inserted_number(prepared: bytes, store: Path) -> bytes:
    """The lampiran is the data's, but a sentence in the statement's free space says the first
    target becomes 95: a number printed outside every field."""

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        page = pdf.pages[0]
        body = next(r for r in text_runs(pdf, 0) if len(r.text) > 40)
        font = page.Resources.Font[body.font]
        sentence = encode(font, "Target indikator pertama menjadi 95.")
        content = page.obj.Contents.read_bytes() + b"\nBT %s %.1f Tf %.2f %.2f Td <%s> Tj ET\n" % (
            body.font.encode(),
            body.size,
            body.x,
            body.y - 40,
            sentence.hex().encode(),
        )
        return {page.obj.Contents.objgen[0]: stream_object(b"", content)}

    return _planted(prepared, store, change)


def pages_actual_text(prepared: bytes, store: Path) -> bytes:
    """The target cell draws the glyphs of 95 inside a marked-content span whose /ActualText
    says 85: extractors that honour ActualText read the data's 85, a person reads 95."""

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        run = target_run(pdf)
        page = pdf.pages[run.page]
        font = page.Resources.Font[run.font]
        ops = list(pikepdf.parse_content_stream(page))
        span = pikepdf.Dictionary(ActualText=pikepdf.String(TARGET))
        ops[run.index : run.index + 1] = [
            pikepdf.ContentStreamInstruction(
                [pikepdf.Name("/Span"), span], pikepdf.Operator("BDC")
            ),
            pikepdf.ContentStreamInstruction(
                [pikepdf.String(encode(font, FORGED))], pikepdf.Operator("Tj")
            ),
            pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC")),
        ]
        return {
            page.obj.Contents.objgen[0]: stream_object(b"", pikepdf.unparse_content_stream(ops))
        }

    return _planted(prepared, store, change)


# ---------------------------------------------------------------------------------------------
# The verification address (Alamat Verifikasi): where the QR leads and what the footer prints.
# Planted in an agreement that has one (or, for the last, in one that has none).

PHISHING = ("sakip.example.go.id", "sakip-example.go.id")  # a look-alike host, same length


def url_qr_phishing(prepared: bytes, store: Path) -> bytes:
    """The QR leads to a look-alike host with the right code; the footer still prints the data's
    address: a phone opens the phisher's page."""
    return _qr_redrawn(prepared, store, lambda payload, data: payload.replace(*PHISHING))


def url_qr_old_payload(prepared: bytes, store: Path) -> bytes:
    """The QR carries the payload of an agreement without an address (kinerja:...:sha256:...),
    not the data's address and code."""

    def forge(payload: str, data: bytes) -> str:
        a = canonical.from_json(data)
        return canonical.verification_payload(a, hashlib.sha256(data).hexdigest())

    return _qr_redrawn(prepared, store, forge)


def _footer_text(prepared: bytes, store: Path, old: str, new: str, *, first: bool = False) -> bytes:
    """Every page's text run that prints ``old`` prints ``new`` instead (with ``first``, only
    the first page's)."""

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        objects: dict[int, bytes] = {}
        for index, page in enumerate(pdf.pages[:1] if first else pdf.pages):
            ops = list(pikepdf.parse_content_stream(page))
            font_of = page.Resources.Font
            hits = [r for r in text_runs(pdf, index) if old in r.text]
            for run in hits:
                ops[run.index] = pikepdf.ContentStreamInstruction(
                    [pikepdf.String(encode(font_of[run.font], run.text.replace(old, new)))],
                    pikepdf.Operator("Tj"),
                )
            if hits:
                objects[page.obj.Contents.objgen[0]] = stream_object(
                    b"", pikepdf.unparse_content_stream(ops)
                )
        assert objects, f"no text run prints {old!r}"
        return objects

    return _planted(prepared, store, change)


def url_footer_changed(prepared: bytes, store: Path) -> bytes:
    """The footer prints the look-alike host; the QR and the data keep the true address."""
    return _footer_text(prepared, store, *PHISHING)


def url_footer_added(prepared: bytes, store: Path) -> bytes:
    """An agreement without an address: page 1's caption under the code is replaced by an
    address the data does not have ("Verifikasi: https://..."), drawn with the footer's glyphs."""
    return _footer_text(
        prepared,
        store,
        "Pindai kode QR untuk memeriksa keaslian data perjanjian ini.",
        "Verifikasi: https://sakip-kota.id/v/",
        first=True,
    )


def url_data_changed(prepared: bytes, store: Path) -> bytes:
    """The embedded data names the look-alike host (the printed code updated to the new data's
    digest); the footer and the QR keep the generated address."""

    def change(d: dict[str, Any]) -> None:
        d["instansi"].update(verify_url=d["instansi"]["verify_url"].replace(*PHISHING))

    return _with_data(prepared, store, change)
