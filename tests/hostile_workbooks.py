"""Hostile workbooks, built from a real one by rewriting its zip: what a careful tester (issue 12)
fed `kinerja check` and `kinerja generate`. Shared by the focused tests, the memory test and
the fuzzer (tools/fuzz_workbooks.py)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

SHEET_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def write_zip(path: Path, parts: dict[str, bytes], *, level: int = 6) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def sheet_part(path: Path, title: str) -> str:
    """The zip part of sheet ``title`` (from workbook.xml and its relationships)."""
    parts = members(path)
    workbook = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    sheet = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="(\w+)"', workbook)
    assert sheet, title
    target = re.search(rf'Id="{sheet.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'Target="([^"]+)"[^>]*Id="{sheet.group(1)}"', rels
    )
    assert target, sheet.group(1)
    name = target.group(1).lstrip("/")
    return name if name.startswith("xl/") else f"xl/{name}"


def rewrite(src: Path, dst: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """A copy of workbook ``src`` with each part passed through ``change(name, data)``."""
    return write_zip(dst, {n: change(n, d) for n, d in members(src).items()})


def with_dimension(src: Path, dst: Path, ref: str) -> Path:
    """Every sheet declares ``<dimension ref=...>`` (say A1:A1, or A1:XFD1048576)."""

    def change(name: str, data: bytes) -> bytes:
        if not name.startswith("xl/worksheets/sheet"):
            return data
        return re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data)

    return rewrite(src, dst, change)


def with_cell_at(src: Path, dst: Path, title: str, ref: str, value: str = "1") -> Path:
    """Sheet ``title`` gets one more row holding a number at ``ref`` (say XFD1048576)."""
    part = sheet_part(src, title)
    row = re.sub(r"[A-Z]+", "", ref)

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        cell = f'<row r="{row}"><c r="{ref}"><v>{value}</v></c></row></sheetData>'
        return data.replace(b"</sheetData>", cell.encode(), 1)

    return rewrite(src, dst, change)


def zip_bomb(dst: Path, unpacked: int) -> Path:
    """A workbook whose one sheet unpacks to ``unpacked`` bytes of spaces (packed about 1000:1)."""
    head = (
        f'<?xml version="1.0"?><worksheet xmlns="{SHEET_MAIN}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Unit</t></is></c></row>'
    ).encode()
    tail = b"</sheetData></worksheet>"
    parts = _minimal_parts()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(head)
            block = b" " * (1 << 20)
            left = unpacked - len(head) - len(tail)
            while left > 0:
                f.write(block[: min(left, len(block))])
                left -= len(block)
            f.write(tail)
    return dst


def _minimal_parts() -> dict[str, bytes]:
    """The parts of a one-sheet workbook ("Unit") but its sheet."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats'
            '-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            "</Types>"
        ).encode(),
        "_rels/.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{SHEET_MAIN}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Unit" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ).encode(),
    }


def entity_bomb(src: Path, dst: Path, title: str = "Unit", *, external: bool = False) -> Path:
    """Sheet ``title`` declares nested entities (a billion laughs: 10^9 'lol's), or an external
    entity that names /etc/passwd, and uses it in a cell."""
    part = sheet_part(src, title)
    if external:
        doctype = '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        use = "&x;"
    else:
        entities = ['<!ENTITY l0 "lol">'] + [
            f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
        ]
        doctype = f"<!DOCTYPE worksheet [{''.join(entities)}]>"
        use = "&l9;"

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        data = re.sub(rb"^<\?xml[^>]*\?>", b"", data.lstrip())
        cell = f'<row r="9999"><c r="A9999" t="inlineStr"><is><t>{use}</t></is></c></row>'
        data = data.replace(b"</sheetData>", cell.encode() + b"</sheetData>", 1)
        return b'<?xml version="1.0"?>' + doctype.encode() + data

    return rewrite(src, dst, change)


_INLINE = re.compile(
    rb'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>',
    re.DOTALL,
)


def as_shared_strings(src: Path, dst: Path) -> Path:
    """``src`` (openpyxl writes inline strings) with its text in a shared-strings table, the
    way Excel saves a workbook."""
    parts = members(src)
    table: dict[bytes, int] = {}

    def shared(m: re.Match[bytes]) -> bytes:
        index = table.setdefault(m.group(3), len(table))
        return b'<c %st="s"%s><v>%d</v></c>' % (m.group(1), m.group(2), index)

    for name in list(parts):
        if name.startswith("xl/worksheets/"):
            parts[name] = _INLINE.sub(shared, parts[name])
    items = b"".join(b'<si><t xml:space="preserve">%s</t></si>' % t for t in table)
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>'
        % (SHEET_MAIN.encode(), len(table), len(table), items)
    )
    rel = (
        b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", rel
    )
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", override)
    return write_zip(dst, parts)
