"""Do the glyphs the pages draw show the characters their text claims?

Text extraction (PDFium) trusts a font's ToUnicode CMap and encoding, a viewer draws the program's
outlines: a ToUnicode mapping a nine to "8", a /Differences "eight" on a code drawn as a nine, or a
nine's outline named "eight" reads 85 where a person sees 95. For each page-content font and code,
the glyph a conforming viewer draws (PDF 2.0 §9.6.5.4, §9.7.4; where viewers may choose, every
choice must agree) is compared with the claimed character's in the installed font of the same
PostScript name (fontconfig): equal outlines first (LibreOffice copies glyphs verbatim), else
rasters with a pixel of slack. TrueType hinting can move points on screen, so an instructed glyph
is trusted only with the reference's instructions, fpgm, prep and cvt.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pikepdf
from fontTools import agl
from fontTools.cffLib import CFFFontSet
from fontTools.encodings.MacRoman import MacRoman
from fontTools.encodings.StandardEncoding import StandardEncoding
from fontTools.pens.basePen import BasePen
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont

from signer.secret import run_child

PX_PER_EM = 64  # raster of the tolerant comparison: a text face's stems are 5 px or more
TOLERANCE = 0.03  # share of the ink that may differ beyond a pixel of slack
HINT_TABLES = ("fpgm", "prep", "cvt ")
MAX_CODES = 1 << 16
_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
_PS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,126}$")
_DRAWS = ("lineTo", "curveTo", "qCurveTo")
_UNREAD = ("Cc", "Cs", "Cn")  # controls, surrogates, unassigned: no one reads them
Names = list[str | None]


@dataclass(frozen=True)
class GlyphProblem:
    font: str  # BaseFont without its subset tag
    char: str  # the character the text claims ('' if none)
    reason: str
    indeterminate: bool  # True: cannot be judged here; False: proven wrong

    def __str__(self) -> str:
        return f"{self.font}: {self.reason}"


def glyph_problems(pdf: pikepdf.Pdf) -> list[GlyphProblem]:
    """Every font of the page content (page resources, and those of the form XObjects and tiling
    patterns they use, recursively; never annotation appearances), every code the font can be
    asked for: the character a text extractor reports (ToUnicode, else the encoding's glyph name
    through the Adobe Glyph List) must be the character whose glyph a viewer draws."""
    out: list[GlyphProblem] = []
    for font in _page_fonts(pdf):
        name = _font_name(font)
        try:
            found = _judge_font(font, name)
        except Exception as e:  # a malformed font program is not judged, it does not crash
            found = [GlyphProblem(name, "", f"font cannot be read ({type(e).__name__}: {e})", True)]
        out.extend(p for p in found if p not in out)
    return out


def _page_fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    fonts: dict[object, pikepdf.Dictionary] = {}
    seen: set[tuple[int, int]] = set()

    def walk(res: object) -> None:
        if not isinstance(res, pikepdf.Dictionary):
            return
        for kind in ("/Font", "/XObject", "/Pattern"):
            for x in d.values() if isinstance(d := res.get(kind), pikepdf.Dictionary) else ():
                if kind == "/Font" and isinstance(x, pikepdf.Dictionary):
                    fonts.setdefault(x.objgen if x.is_indirect else len(fonts), x)
                elif isinstance(x, pikepdf.Stream) and x.objgen not in seen:
                    seen.add(x.objgen)  # streams are indirect: this ends reference cycles
                    if x.get("/Subtype") == "/Form" or x.get("/PatternType") == 1:
                        walk(x.get("/Resources"))

    for page in pdf.pages:
        node: object = page.obj
        for _ in range(64):  # Resources are inherited down the page tree
            if not isinstance(node, pikepdf.Dictionary) or "/Resources" in node:
                break
            node = node.get("/Parent")
        if isinstance(node, pikepdf.Dictionary):
            walk(node.get("/Resources"))
    return list(fonts.values())


def _font_name(font: pikepdf.Dictionary) -> str:
    base, kids = font.get("/BaseFont"), font.get("/DescendantFonts")
    if isinstance(kids, pikepdf.Array) and len(kids) and "/BaseFont" in kids[0]:
        base = kids[0].BaseFont
    name = _SUBSET_TAG.sub("", str(base)[1:] if isinstance(base, pikepdf.Name) else "")
    return re.sub(r"-Identity-[HV]$", "", name).replace(",", "-") or "(unnamed)"


# -- CMaps and encodings -------------------------------------------------------------------------

_SECTION = re.compile(rb"beginbf(char|range)(.*?)endbf\1", re.S)
_TOKEN = re.compile(rb"<([0-9A-Fa-f]*)>|(\[|\])|/([^\s/\[\]<>(){}%]+)")


def _to_unicode(data: bytes) -> dict[int, set[str]] | None:
    """A ToUnicode CMap: code → every text it gives; None if it builds on another (usecmap)."""
    data = re.sub(rb"%[^\r\n]*|\((?:\\.|[^\\)])*\)", b" ", data)
    out: dict[int, set[str]] = {}
    for shape, body in _SECTION.findall(data):
        body = re.sub(rb"<[^<>]*>", lambda m: re.sub(rb"\s", b"", m[0]), body)
        toks: list[Any] = [
            br.decode() or (("/", nm.decode("latin-1")) if nm else hx)
            for hx, br, nm in _TOKEN.findall(body)
        ]
        i, size = 0, 2 if shape == b"char" else 3
        while i + size <= len(toks):
            lo, hi, dst = toks[i], toks[i + size - 2], toks[i + size - 1]
            i += size
            if not isinstance(lo, bytes) or not isinstance(hi, bytes):
                continue
            start, end = int(lo or b"0", 16), int(hi or b"0", 16)
            if dst == "[":  # a range given one destination each
                close = toks.index("]", i) if "]" in toks[i:] else len(toks)
                items, i = [(start + k, 0, v) for k, v in enumerate(toks[i:close])], close + 1
            else:
                items = [(start + k, k, dst) for k in range(min(end - start + 1, MAX_CODES))]
            for code, step, v in items:
                if (text := _unicode(v, step)) is not None:
                    out.setdefault(code, set()).add(text)
    return None if b"usecmap" in data else out


def _unicode(dst: Any, step: int) -> str | None:
    """A bf destination: UTF-16 (a range steps its last unit) or a glyph name."""
    if isinstance(dst, tuple):
        return str(agl.toUnicode(dst[1]))
    if not isinstance(dst, bytes) or len(dst) % 2:
        return None
    units = bytearray(bytes.fromhex(dst.decode()))
    if len(units) >= 2:
        units[-2:] = ((int.from_bytes(units[-2:]) + step) & 0xFFFF).to_bytes(2)
    return bytes(units).decode("utf-16-be", errors="replace")


_BASE: dict[str, Names] = {
    "/WinAnsiEncoding": [
        agl.UV2AGL.get(ord(c), f"uni{ord(c):04X}") if b >= 0x20 and c else None
        for b, c in enumerate(bytes([b]).decode("cp1252", errors="ignore") for b in range(256))
    ],
    "/MacRomanEncoding": [n if c >= 0x20 else None for c, n in enumerate(MacRoman)],
    "/StandardEncoding": [None if n == ".notdef" else n for n in StandardEncoding],
}
_MAC_CODE = {n: c for c, n in enumerate(_BASE["/MacRomanEncoding"]) if n}


def _encoding_names(enc: Any, default: Names) -> Names:
    """Code → glyph name: the base encoding (or the font's default) with the /Differences."""
    if not isinstance(enc, pikepdf.Dictionary):
        return list(_BASE.get(str(enc), default) if isinstance(enc, pikepdf.Name) else default)
    names, code = list(_BASE.get(str(enc.get("/BaseEncoding")), default)), 0
    for item in enc.get("/Differences", pikepdf.Array()):
        if isinstance(item, pikepdf.Name):
            if 0 <= code < 256:
                names[code] = str(item)[1:]
            code += 1
        else:
            code = int(item)
    return names


class _FlatPen(BasePen):  # type: ignore[misc]
    """Contours as polygons, curves flattened in eight straight steps."""

    T = np.linspace(0, 1, 9)[1:, None]

    def __init__(self) -> None:
        super().__init__(None)
        self.polys: list[list[Any]] = []

    def _moveTo(self, p: Any) -> None:
        self.polys.append([p])

    def _lineTo(self, p: Any) -> None:
        self.polys[-1].append(p)

    def _curveToOne(self, p1: Any, p2: Any, p3: Any) -> None:
        t, (p0, p1, p2, p3) = self.T, map(np.array, (self._getCurrentPoint(), p1, p2, p3))
        pts = (1 - t) ** 3 * p0 + 3 * t * (1 - t) ** 2 * p1 + 3 * t * t * (1 - t) * p2 + t**3 * p3
        self.polys[-1].extend(map(tuple, pts))

    def _qCurveToOne(self, p1: Any, p2: Any) -> None:
        p0, p1, p2 = map(np.array, (self._getCurrentPoint(), p1, p2))
        self._curveToOne(p0 + 2 / 3 * (p1 - p0), p2 + 2 / 3 * (p1 - p2), p2)


def _matrix(m: Iterable[float]) -> np.ndarray:
    a, b, c, d, e, f = m
    return np.array([[a, b, 0], [c, d, 0], [e, f, 1]], dtype=float)


class _Program:
    """One font program, TrueType/OpenType (glyf or CFF) or bare CFF, read through fontTools."""

    def __init__(self, tt: Any = None, cff: Any = None) -> None:
        self.glyf: Any = None
        self.fds: list[np.ndarray] = []
        self.post_names: frozenset[str] = frozenset()
        self.cmaps: dict[tuple[int, int], dict[int, str]] = {}
        self.builtin: Names = [None] * 256
        self.cid_keyed, self.hints, self.fd_select = False, tuple[bytes, ...](), None
        if tt is not None:
            self.order: list[str] = tt.getGlyphOrder()
            self._glyph_set = tt.getGlyphSet  # built when first drawn: it costs a millisecond
            em = 1 / tt["head"].unitsPerEm
            self.matrix = _matrix((em, 0, 0, em, 0, 0))
            if "glyf" in tt:
                self.glyf = tt["glyf"]
                self.hints = tuple(tt.getTableData(t) if t in tt else b"" for t in HINT_TABLES)
            if "cmap" in tt:
                self.cmaps = {(t.platformID, t.platEncID): t.cmap for t in tt["cmap"].tables}
            if "post" in tt and tt["post"].formatType in (1.0, 2.0):  # names a viewer may use
                self.post_names = frozenset(self.order)
        else:
            top = cff[cff.fontNames[0]]
            self.order, self._glyph_set = list(top.charset), lambda: top.CharStrings
            self.matrix = _matrix(top.FontMatrix)
            self.cid_keyed, self.fd_select = hasattr(top, "ROS"), getattr(top, "FDSelect", None)
            for fd in getattr(top, "FDArray", []):  # as FreeType: FD matrix, then an explicit top
                own = _matrix(fd.FontMatrix) if "FontMatrix" in fd.rawDict else self.matrix
                explicit = "FontMatrix" in top.rawDict and "FontMatrix" in fd.rawDict
                self.fds.append(own @ self.matrix if explicit else own)
            if isinstance(enc := getattr(top, "Encoding", None), list):
                self.builtin = [None if n == ".notdef" else n for n in enc]
            elif enc in (None, "StandardEncoding"):
                self.builtin = _BASE["/StandardEncoding"]
        self.index = {n: i for i, n in enumerate(self.order)}
        self._prints: dict[str, tuple[Any, ...]] = {}
        self._raw: dict[str, bytes | None] = {}
        self._polys: dict[str, list[np.ndarray]] = {}

    @functools.cached_property
    def glyph_set(self) -> Any:
        return self._glyph_set()

    def glyph_matrix(self, g: str) -> np.ndarray:
        fd: int = self.fd_select[self.index[g]] if self.fds and self.fd_select is not None else -1
        return self.fds[fd] if fd >= 0 else self.matrix

    def fingerprint(self, g: str) -> tuple[Any, ...]:
        """The outline exactly (composites decomposed) with its scale: equal, the same drawing."""
        if g not in self._prints:
            pen = DecomposingRecordingPen(self.glyph_set)
            self.glyph_set[g].draw(pen)
            ops = (v for v in pen.value if v[0] != "closePath")
            self._prints[g] = (tuple(self.glyph_matrix(g).ravel()), *ops)
        return self._prints[g]

    def polygons(self, g: str) -> list[np.ndarray]:
        """The outline as polygons in em units."""
        if g not in self._polys:
            pen, m = _FlatPen(), self.glyph_matrix(g)
            for op, args in self.fingerprint(g)[1:]:
                getattr(pen, op)(*args)
            polys = [np.c_[p, np.ones(len(p))] @ m for p in pen.polys if len(p) > 2]
            self._polys[g] = [p[:, :2] for p in polys]
        return self._polys[g]

    def raw(self, g: str) -> bytes | None:
        """A simple TrueType glyph's bytes as stored (outline and instructions), read before
        fontTools expands it; composites name their components by renumbered ids, so None."""
        if g not in self._raw:
            data = getattr(self.glyf.glyphs.get(g) if self.glyf is not None else None, "data", None)
            simple = isinstance(data, bytes) and (not data or data[0] < 0x80)
            self._raw[g] = data if simple else None
        return self._raw[g]

    def empty(self, g: str) -> bool:
        if (raw := self.raw(g)) is not None and (not raw or raw[:2] != b"\0\0"):
            return not raw  # a simple glyph with contours, or no data at all
        return not any(op in _DRAWS for op, _ in self.fingerprint(g)[1:])

    def instructions(self, g: str) -> bytes:
        """The TrueType instructions of a glyph and its components, in drawing order."""
        if self.glyf is None:
            return b""
        glyph = self.glyf[g]
        own = bytes(glyph.program.getBytecode()) if hasattr(glyph, "program") else b""
        parts = glyph.components if glyph.isComposite() else []
        return own + b"".join(self.instructions(c.glyphName) for c in parts)


class _Reference(_Program):
    def __init__(self, tt: Any) -> None:
        super().__init__(tt=tt)
        self.best: dict[int, str] = tt.getBestCmap() or {}
        self._by_text, self._by_print = dict[str, str](), dict[tuple[Any, ...], str]()
        self._raw = {g: self.raw(g) for g in self.order}  # before any drawing expands them

    def glyph_for(self, text: str) -> str | None:
        if len(text) == 1:
            return self.best.get(ord(text))
        if not self._by_text:  # a ligature claim ("fi") is drawn as its presentation form
            for u, g in self.best.items():
                if len(nfkc := unicodedata.normalize("NFKC", chr(u))) > 1:
                    self._by_text.setdefault(nfkc, g)
        return self._by_text.get(text)

    def char_of(self, fp: tuple[Any, ...]) -> str | None:
        """The character whose outline is exactly this one (for the report)."""
        if not self._by_print:
            for u, g in sorted(self.best.items()):
                if not chr(u).isspace():
                    self._by_print.setdefault(self.fingerprint(g), chr(u))
        return self._by_print.get(fp)


@functools.cache
def _reference_files(psname: str) -> tuple[tuple[str, int], ...]:
    """The installed sfnt files whose PostScript name is ``psname`` (fontconfig)."""
    exe = shutil.which("fc-list")
    if exe is None or not _PS_NAME.match(psname):
        return ()
    fmt, pattern = "%{file}\t%{index}\t%{fontformat}\n", f":postscriptname={psname}"
    done = run_child([exe, "-f", fmt, pattern], capture_output=True, text=True, timeout=60)
    found = set()
    for line in done.stdout.splitlines():
        path, index, kind = [*line.split("\t"), "", ""][:3]
        if kind in ("TrueType", "CFF") and index.isdigit() and int(index) < 0x10000:
            found.add((path, int(index)))  # a variable font's named instances are not read
    return tuple(sorted(found))


@functools.cache
def _reference(path: str, index: int) -> _Reference:
    return _Reference(TTFont(path, fontNumber=index, lazy=True))


# -- comparing outlines --------------------------------------------------------------------------


def _raster(polys: list[np.ndarray], x0: int, y0: int, w: int, h: int) -> np.ndarray:
    """Pixel centres inside the outline (non-zero winding), rows from y0, columns from x0."""
    if not polys:
        return np.zeros((h, w), dtype=bool)
    a = np.concatenate(polys) * PX_PER_EM
    b = np.concatenate([np.roll(p, -1, axis=0) for p in polys]) * PX_PER_EM
    ys = y0 + np.arange(h)[:, None] + 0.5
    up, down = (a[:, 1] <= ys) & (b[:, 1] > ys), (b[:, 1] <= ys) & (a[:, 1] > ys)
    dy = np.where(b[:, 1] == a[:, 1], 1.0, b[:, 1] - a[:, 1])
    xs = a[:, 0] + (ys - a[:, 1]) * (b[:, 0] - a[:, 0]) / dy
    col = np.clip(np.ceil(xs - x0 - 0.5), 0, w).astype(int)
    wind = np.zeros((h, w + 1))
    rows = np.broadcast_to(np.arange(h)[:, None], col.shape)
    np.add.at(wind, (rows, col), up.astype(int) - down.astype(int))
    ink: np.ndarray = np.cumsum(wind[:, ::-1], axis=1)[:, ::-1][:, 1:] != 0
    return ink


def _dilate(m: np.ndarray) -> np.ndarray:
    p, (h, w) = np.pad(m, 1), m.shape
    shifted = [p[i : i + h, j : j + w] for i in (0, 1, 2) for j in (0, 1, 2)]
    return np.logical_or.reduce(shifted)  # type: ignore[no-any-return]


def similar(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    """Do two outlines (polygons in em units) look the same? At 64 px per em each may miss the
    other's ink by a pixel; beyond that, by at most :data:`TOLERANCE` of the ink."""
    if not a or not b:
        return not a and not b
    pts = np.concatenate(a + b) * PX_PER_EM
    x0, y0 = (int(v) - 2 for v in np.floor(pts.min(axis=0)))
    x1, y1 = (int(v) + 2 for v in np.ceil(pts.max(axis=0)))
    ra, rb = (_raster(p, x0, y0, x1 - x0, y1 - y0) for p in (a, b))
    beyond = (ra & ~_dilate(rb)) | (rb & ~_dilate(ra))
    return int(beyond.sum()) <= TOLERANCE * max(int(ra.sum()), int(rb.sum()))


def _same(pa: _Program, a: str, pb: _Program, b: str) -> bool:
    if (raw := pa.raw(a)) is not None and raw == pb.raw(b) and (pa.matrix == pb.matrix).all():
        return True  # the fast path: a glyph copied verbatim
    return pa.fingerprint(a) == pb.fingerprint(b) or similar(pa.polygons(a), pb.polygons(b))


@dataclass
class _Font:
    program: _Program
    codes: Iterable[int]
    drawn: Callable[[int], list[str]]  # every glyph a conforming viewer may draw for the code
    claims: Callable[[int], set[str]]  # what a text extractor reports for it
    digits: int  # hex digits of a code in the report


def _judge_font(font: pikepdf.Dictionary, name: str) -> list[GlyphProblem]:
    subtype, tu = font.get("/Subtype"), font.get("/ToUnicode")
    cmap = _to_unicode(tu.read_bytes()) if isinstance(tu, pikepdf.Stream) else {}
    setup: _Font | str = f"fonts of subtype {subtype} are not judged here"
    if subtype == "/Type3":
        setup = "a Type 3 font draws its glyphs with content streams, which are not judged here"
    elif cmap is None:
        setup = "its ToUnicode CMap builds on another (usecmap), which is not read here"
    elif subtype == "/Type0":
        setup = _type0(font, cmap if isinstance(tu, pikepdf.Stream) else None)
    elif subtype in ("/TrueType", "/Type1", "/MMType1"):
        setup = _simple(font, subtype == "/TrueType", cmap)
    if isinstance(setup, str):
        return [GlyphProblem(name, "", setup, True)]
    if not (refs := [_reference(p, i) for p, i in _reference_files(name)]):
        why = f"no installed font named {name} to compare its glyphs with (fontconfig)"
        return [GlyphProblem(name, "", why, True)]
    return _judge(name, setup, refs)


def _program(fd: object) -> _Program | str:
    if not isinstance(fd, pikepdf.Dictionary):
        return "the font has no font descriptor"
    if isinstance(ff2 := fd.get("/FontFile2"), pikepdf.Stream):
        return _Program(tt=TTFont(io.BytesIO(ff2.read_bytes()), lazy=True))
    if isinstance(ff3 := fd.get("/FontFile3"), pikepdf.Stream):
        kind, data = ff3.get("/Subtype"), ff3.read_bytes()
        if kind == "/OpenType":
            return _Program(tt=TTFont(io.BytesIO(data), lazy=True))
        if kind in ("/Type1C", "/CIDFontType0C"):
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(data), None)
            return _Program(cff=cff)
        return f"font programs of type {kind} are not judged here"
    if "/FontFile" in fd:
        return "embedded Type 1 font programs are not judged here"
    return "the font program is not embedded (a viewer substitutes a font of its own)"


def _simple(font: pikepdf.Dictionary, truetype: bool, tu: dict[int, set[str]]) -> _Font | str:
    fd, enc = font.get("/FontDescriptor"), font.get("/Encoding")
    if isinstance(prog := _program(fd), str):
        return prog
    symbolic = bool(int(fd.get("/Flags", 0)) & 4) if isinstance(fd, pikepdf.Dictionary) else False
    default: Names = _BASE["/StandardEncoding"] if truetype and not symbolic else [None] * 256
    names = _encoding_names(enc, default if truetype else prog.builtin)

    def claims(c: int) -> set[str]:
        if c in tu:
            return tu[c]
        return {agl.toUnicode(name)} if (name := names[c]) else set()

    if not truetype:  # Type 1 and CFF: the code's glyph name selects the charstring
        return _Font(
            prog, range(256), lambda c: [n] if (n := names[c]) in prog.index else [], claims, 2
        )
    uni = [m for (p, e), m in prog.cmaps.items() if p == 0 or (p == 3 and e in (1, 10))]
    c30, c10 = prog.cmaps.get((3, 0), {}), prog.cmaps.get((1, 0), {})

    def by_code(c: int) -> list[str]:  # §9.6.5.4 without an encoding, or symbolic
        if not prog.cmaps:  # no cmap at all: the code is the glyph id
            return [prog.order[c]] if c < len(prog.order) else []
        found = [c30[b + c] for b in (0, 0xF000, 0xF100, 0xF200) if b + c in c30]
        return found or ([c10[c]] if c in c10 else []) or [m[c] for m in uni if c in m]

    def by_name(c: int) -> list[str]:  # with an encoding: name → Unicode → (3,1), or (1,0)
        if not (name := names[c]):
            return []
        u = agl.toUnicode(name)
        found = [m[ord(u)] for m in uni if len(u) == 1 and ord(u) in m]
        if not found and _MAC_CODE.get(name, -1) in c10:
            found = [c10[_MAC_CODE[name]]]
        return found + ([name] if name in prog.post_names else [])

    def drawn(c: int) -> list[str]:
        if symbolic and enc is None:
            return by_code(c)
        if not symbolic and enc is not None:
            return list(dict.fromkeys(by_name(c))) or by_code(c)
        return list(dict.fromkeys(by_code(c) + by_name(c)))  # viewers differ: all must agree

    return _Font(prog, range(256), drawn, claims, 2)


def _type0(font: pikepdf.Dictionary, tu: dict[int, set[str]] | None) -> _Font | str:
    kids, enc = font.get("/DescendantFonts"), font.get("/Encoding")
    if not isinstance(kids, pikepdf.Array) or not isinstance(cid := kids[0], pikepdf.Dictionary):
        return "the Type 0 font has no descendant font"
    if tu is None:
        return "a CID font without a ToUnicode CMap: the text it claims is not known here"
    if enc not in ("/Identity-H", "/Identity-V"):
        return f"the CMap {enc} is not judged here (only Identity-H and Identity-V)"
    if isinstance(prog := _program(cid.get("/FontDescriptor")), str):
        return prog
    order, to_gid = prog.order, {}
    cid_map = cid.get("/CIDToGIDMap")
    if cid.get("/Subtype") == "/CIDFontType2" and isinstance(cid_map, pikepdf.Stream):
        raw = cid_map.read_bytes()[: 2 * MAX_CODES]
        to_gid = {c: int.from_bytes(raw[2 * c : 2 * c + 2]) for c in range(len(raw) // 2)}
    elif prog.cid_keyed:  # a CID-keyed CFF names its glyphs by CID
        to_gid = {int(n[3:]): i for i, n in enumerate(order) if re.fullmatch(r"cid\d+", n)}
        to_gid[0] = 0
    else:  # Identity: the CID is the glyph id
        to_gid = {c: c for c in range(len(order))}

    def drawn(code: int) -> list[str]:  # Identity-H: the code is the CID
        return [order[g]] if (g := to_gid.get(code, len(order))) < len(order) else []

    return _Font(prog, {*to_gid, *tu}, drawn, lambda c: tu.get(c, set()), 4)


def _text(claim: str) -> str:
    """The claim without what no one reads (controls, replacement characters, unassigned)."""
    return "".join(c for c in claim if c != "\ufffd" and unicodedata.category(c) not in _UNREAD)


def _judge(name: str, f: _Font, refs: list[_Reference]) -> list[GlyphProblem]:
    prog, out = f.program, []
    verdicts: dict[tuple[str, str], tuple[str, str]] = {}
    unclaimed: list[str] = []
    hinted: set[str] = set()
    for code in sorted(f.codes):
        if not (glyphs := f.drawn(code)):  # nothing in the font: nothing is drawn
            continue
        where, texts = f"code 0x{code:0{f.digits}X}", sorted({_text(t) for t in f.claims(code)})
        if len(texts) > 1:
            said = " and ".join(map(repr, texts))
            out.append(GlyphProblem(name, texts[0], f"{where} claims {said} at once", False))
            continue
        claim = texts[0] if texts else ""
        if any(not _same(prog, glyphs[0], prog, g) for g in glyphs[1:]):
            seen = " or ".join(_identify(prog, g, refs) for g in glyphs)
            why = f"{where} draws different glyphs in different viewers ({seen})"
            out.append(GlyphProblem(name, claim, why, False))
        for g in glyphs:
            if (claim, g) not in verdicts:
                verdicts[claim, g] = _verdict(prog, g, claim, refs)
            kind, detail = verdicts[claim, g]
            if kind == "wrong":
                why = f"{where} claims {claim!r} but draws {detail}"
                out.append(GlyphProblem(name, claim, why, False))
            elif kind == "unclaimed":
                unclaimed.append(f"{where} draws {detail}")
            elif kind == "absent":
                why = f"{claim!r} is not in the reference font, so its glyph is not judged"
                out.append(GlyphProblem(name, claim, why, True))
            elif kind == "hinted":
                hinted.add(claim or g)
    if unclaimed:
        why = f"{len(unclaimed)} code(s) draw a visible glyph but claim no character"
        out.append(GlyphProblem(name, "", f"{why} ({', '.join(unclaimed[:3])})", False))
    if hinted:
        why = f"the hinting instructions of {len(hinted)} glyph(s) ({' '.join(sorted(hinted))})"
        why += " are not the reference font's: what they do on screen is not judged"
        out.append(GlyphProblem(name, "", why, True))
    return out


def _verdict(prog: _Program, g: str, claim: str, refs: list[_Reference]) -> tuple[str, str]:
    """("ok" | "wrong" | "unclaimed" | "absent" | "hinted", what is drawn)."""
    if prog.empty(g) and all(c.isspace() or unicodedata.category(c) == "Cf" for c in claim):
        return "ok", ""  # nothing drawn, nothing visible said
    if not claim:
        notdef = [(r, r.order[0]) for r in refs if _same(prog, g, r, r.order[0])]
        if notdef:  # the missing-glyph box: a person sees that nothing is said
            return _hinting(prog, g, notdef)
        return "unclaimed", _identify(prog, g, refs)
    if prog.index.get(g) == 0 or prog.empty(g):
        return "wrong", _identify(prog, g, refs)
    if not (have := [(r, rg) for r in refs if (rg := r.glyph_for(claim)) is not None]):
        return "absent", ""
    if not (matched := [(r, rg) for r, rg in have if _same(prog, g, r, rg)]):
        return "wrong", _identify(prog, g, refs, unlike=claim)
    return _hinting(prog, g, matched)


def _hinting(prog: _Program, g: str, matched: list[tuple[_Reference, str]]) -> tuple[str, str]:
    """An instructed TrueType glyph is trusted only with the reference's instructions."""
    for r, rg in matched:
        verbatim = (raw := prog.raw(g)) is not None and raw == r.raw(rg)
        same = verbatim or prog.instructions(g) == r.instructions(rg)
        if r.glyf is not None and prog.hints == r.hints and same:
            return "ok", ""
    return ("hinted", "") if prog.instructions(g) else ("ok", "")


def _identify(prog: _Program, g: str, refs: list[_Reference], unlike: str = "") -> str:
    """What a person sees the glyph as, for the report."""
    if prog.index.get(g) == 0 or prog.empty(g):
        return ".notdef" if prog.index.get(g) == 0 else "nothing"
    for r in refs:
        if (ch := r.char_of(prog.fingerprint(g))) is not None:
            return f"the glyph of {ch!r}"
    for ch in (chr(c) for c in range(0x21, 0x7F)):  # the likely lies first
        rg = refs[0].glyph_for(ch)
        if rg is not None and similar(prog.polygons(g), refs[0].polygons(rg)):
            return f"the glyph of {ch!r}"
    return f"a glyph unlike {unlike!r}" if unlike else "a glyph the reference font does not have"
