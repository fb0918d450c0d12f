"""The bounds a workbook must keep before anything parses it, and the zip check that holds them.

An .xlsx file is a zip of XML parts. openpyxl trusts it: a small file can unpack to gigabytes (a
zip bomb), declare a sheet of 17 billion cells, or nest entities. A ceremony workbook is small:
the example's 44 units and the second ceremony's 60 units (35 indikator in the largest lampiran)
are each well under 1 MB unpacked, about 2,100 indikator rows of some 15 columns. The limits
below are one to two orders of magnitude above that, so a real workbook never meets them and a
hostile one is refused in milliseconds, from the zip's directory alone, naming the file, the
part and the limit.

The sizes checked are the ones the zip's directory declares; :mod:`zipfile` never returns more
than the declared size of a member (and fails on its CRC if the data was longer), so the check
also bounds what openpyxl will read.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from signer.errors import InputError

MAX_FILE_BYTES = 32 * 1024 * 1024
"""The workbook file itself (a real one is some 100 KB)."""
MAX_MEMBERS = 1000
"""Parts in the zip (a workbook of 10 sheets has about 25)."""
MAX_MEMBER_BYTES = 16 * 1024 * 1024
"""One part unpacked (the largest sheet of a 60-unit ceremony is some 200 KB)."""
MAX_TOTAL_BYTES = 32 * 1024 * 1024
"""All parts unpacked together."""
MAX_RATIO = 100
"""Unpacked to packed size of a part over :data:`RATIO_FROM_BYTES` (sheet XML packs about 7:1)."""
RATIO_FROM_BYTES = 1024 * 1024
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}

MAX_ROWS = 20_000
"""Rows a sheet may have with data (a 60-unit ceremony's Indikator sheet has some 2,100)."""
MAX_COLUMNS = 256
"""Columns a sheet may have with data (kinerja's sheets have up to about 20)."""
MAX_CELLS = 250_000
"""Cells with a value in one sheet, and the row-by-column slots kinerja keeps of it (a
60-unit ceremony's Indikator sheet has some 30,000)."""
# openpyxl handles each row and cell element in Python (some 20 microseconds each, defusedxml's
# parser included), so a workbook of many tiny elements costs seconds per megabyte: they are
# counted in the XML of all its parts together first
MAX_ELEMENTS = {
    "row": 3 * MAX_ROWS,  # styled empty rows included
    "c": 250_000,  # styled empty cells included (a 60-unit ceremony has some 45,000)
    "si": 200_000,  # shared strings (a 60-unit ceremony has some 10,000)
    "xf": 70_000,  # cell formats: Excel's own limit is 64,000
    "mergeCell": 10_000,  # merged ranges (a 60-unit ceremony has a few hundred)
}
_ELEMENT = {
    tag: re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?" + tag.encode() + rb"[\s>/]") for tag in MAX_ELEMENTS
}

MAX_INDIKATOR_PER_UNIT = 200
"""Indikator rows of one unit: a lampiran of 35 runs to some 6 pages; no real PK has 200."""


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def check_archive(path: Path) -> None:
    """Refuse a workbook whose zip is beyond a sane ceremony workbook's size, before any of it is
    unpacked: too many parts, a part or all parts too large unpacked, a part packed so tightly it
    can only be a bomb, duplicate part names, or a compression method Excel does not write."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"{path}: the file is {_mb(size)}, over the {_mb(MAX_FILE_BYTES)} a ceremony "
            "workbook can need; is it the right file?"
        )
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except zipfile.BadZipFile:
        raise InputError(f"{path}: not an Excel workbook (.xlsx) (not a zip archive)") from None
    except (OSError, ValueError, EOFError, NotImplementedError, OverflowError) as e:
        first = str(e).split("\n")[0]
        raise InputError(
            f"{path}: not an Excel workbook (.xlsx) (its zip is damaged: {first})"
        ) from None
    if len(members) > MAX_MEMBERS:
        raise InputError(
            f"{path}: the workbook has {len(members):,} parts, over the limit of "
            f"{MAX_MEMBERS:,}; refused unread"
        )
    total = 0
    seen: set[str] = set()
    for m in members:
        where = f"{path}: part {m.filename!r}"
        # part names are case-insensitive in a workbook (OPC); two of one name make it
        # ambiguous which one a reader takes
        key = m.filename.casefold()
        if key in seen:
            raise InputError(f"{where} appears twice in the zip; refused unread")
        seen.add(key)
        if m.compress_type not in _METHODS:
            raise InputError(
                f"{where} uses compression method {m.compress_type}; Excel writes only "
                "stored or deflated parts"
            )
        if m.flag_bits & 0x1:
            raise InputError(f"{where} is encrypted; save the workbook without a password")
        if m.flag_bits & 0x20:  # "compressed patched data": no spreadsheet writes it
            raise InputError(f"{where} is stored as patched data, which Excel never writes")
        if m.compress_size > size:  # a forged size: reading it would allocate that much
            raise InputError(
                f"{where} claims {_mb(m.compress_size)} packed, more than the whole file "
                f"({_mb(size)}); the zip is damaged"
            )
        if m.file_size > MAX_MEMBER_BYTES:
            raise InputError(
                f"{where} unpacks to {_mb(m.file_size)}, over the limit of "
                f"{_mb(MAX_MEMBER_BYTES)} per part; refused unread"
            )
        if m.file_size > RATIO_FROM_BYTES and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise InputError(
                f"{where} unpacks from {_mb(m.compress_size)} to {_mb(m.file_size)}, more than "
                f"{MAX_RATIO} times; a workbook is never packed so tightly (a zip bomb?)"
            )
        total += m.file_size
    if total > MAX_TOTAL_BYTES:
        raise InputError(
            f"{path}: the workbook's parts unpack to {_mb(total)} together, over the limit "
            f"of {_mb(MAX_TOTAL_BYTES)}; refused unread"
        )
    _count_elements(path, members)  # any part: a relationship may name a sheet "x.bin"


def _count_elements(path: Path, parts: list[zipfile.ZipInfo]) -> None:
    """Refuse a workbook with more rows, cells, shared strings or cell formats in all its parts
    than :data:`MAX_ELEMENTS` allows, counted in their bytes (C speed) before openpyxl parses
    them."""
    counts = dict.fromkeys(MAX_ELEMENTS, 0)
    try:
        with zipfile.ZipFile(path) as z:
            for m in parts:
                data = z.read(m)
                if data.count(b"<") <= 1000:
                    continue  # a small part: not worth counting
                for tag, limit in MAX_ELEMENTS.items():
                    counts[tag] += len(_ELEMENT[tag].findall(data))
                    if counts[tag] > limit:
                        raise InputError(
                            f"{path}: part {m.filename!r} brings the workbook's <{tag}> "
                            f"elements to {counts[tag]:,}, over the limit of {limit:,}; "
                            "refused unread"
                        )
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        ValueError,
        zlib.error,
        NotImplementedError,  # a zip feature zipfile does not read
        RuntimeError,  # a part zipfile takes for encrypted
    ) as e:
        first = str(e).split("\n")[0]
        raise InputError(
            f"{path}: not an Excel workbook (.xlsx) (its zip is damaged: {first})"
        ) from None
