"""The glyphs a page draws must be the characters its text claims (signer.verify.glyphs).

The PDFs are built here from the installed Liberation Sans (and Nimbus Sans for CFF), subset with
fontTools and embedded the way LibreOffice does (a symbolic TrueType subset whose (1,0) cmap maps
codes 1..n, no /Encoding, a ToUnicode CMap), then made to lie in each way an insider could.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable

import numpy as np
import pikepdf
import pytest
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont, scaleUpem
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

from signer.verify import glyphs
from signer.verify.glyphs import GlyphProblem, glyph_problems, similar

TEXT = "Target 2026: 95,8 % 0123456789 (Désa)"  # é is a composite glyph
CHARS = "".join(dict.fromkeys(TEXT))  # code i + 1 draws CHARS[i]
CODE = {c: i + 1 for i, c in enumerate(CHARS)}

pytestmark = pytest.mark.skipif(
    not glyphs._reference_files("LiberationSans-Bold"), reason="fonts-liberation2 is not installed"
)


def font_descriptor(name: str, flags: int, **program: pikepdf.Stream) -> pikepdf.Dictionary:
    """A descriptor for an embedded font program (``FontFile2=`` or ``FontFile3=``)."""
    return pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name(name),
        Flags=flags,
        FontBBox=[-600, -300, 1300, 1000],
        ItalicAngle=0,
        Ascent=0,
        Descent=0,
        CapHeight=1000,
        StemV=80,
        **program,
    )


def liberation(ps: str = "LiberationSans", chars: str = CHARS, **options: object) -> TTFont:
    """The installed font subset to ``chars`` (hinting and .notdef kept, as LibreOffice does)."""
    font = TTFont(glyphs._reference_files(ps)[0][0])
    opts = Options(notdef_outline=True, layout_features=[], glyph_names=True)
    opts.drop_tables += ["FFTM"]
    for k, v in options.items():
        setattr(opts, k, v)
    sub = Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    return font


def swap_outlines(font: TTFont, a: str, b: str) -> TTFont:
    glyf, best = font["glyf"], font.getBestCmap()
    ga, gb = best[ord(a)], best[ord(b)]
    glyf[ga], glyf[gb] = glyf[gb], glyf[ga]
    return font


def saved(font: TTFont) -> bytes:
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def to_unicode(pairs: list[tuple[int, str]], digits: int = 2) -> bytes:
    lines = [
        f"<{code:0{digits}X}> <{''.join(f'{b:02X}' for b in t.encode('utf-16-be'))}>"
        for code, t in pairs
    ]
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        f"1 begincodespacerange <{'0' * digits}> <{'F' * digits}> endcodespacerange\n"
        f"{len(lines)} beginbfchar\n" + "\n".join(lines) + "\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()


def libreoffice_font(
    pdf: pikepdf.Pdf,
    font: TTFont,
    claims: dict[int, str] | None = None,
    base: str = "LiberationSans",
    **entries: object,
) -> pikepdf.Dictionary:
    """A TrueType subset as LibreOffice embeds it: symbolic, codes 1..n through a (1,0) cmap."""
    best = font.getBestCmap()
    mac = CmapSubtable.newSubtable(0)
    mac.platformID, mac.platEncID, mac.language = 1, 0, 0
    mac.cmap = {CODE[c]: best[ord(c)] for c in CHARS}
    font["cmap"].tables = [mac]
    font["post"].formatType = 3.0
    claims = {CODE[c]: c for c in CHARS} if claims is None else claims
    descriptor = font_descriptor(f"/BAAAAA+{base}", 4, FontFile2=pikepdf.Stream(pdf, saved(font)))
    font_dict = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.TrueType,
        BaseFont=pikepdf.Name(f"/BAAAAA+{base}"),
        FirstChar=0,
        LastChar=len(CHARS),
        Widths=[600] * (len(CHARS) + 1),
        FontDescriptor=descriptor,
    )
    if claims:
        font_dict.ToUnicode = pikepdf.Stream(pdf, to_unicode(sorted(claims.items())))
    for key, value in entries.items():
        font_dict[f"/{key}"] = value
    return pdf.make_indirect(font_dict)


def page_with(
    make_font: Callable[[pikepdf.Pdf], pikepdf.Dictionary], where: str = "page"
) -> pikepdf.Pdf:
    """A one-page PDF that draws TEXT with the font, in the page, a form XObject or an
    annotation's appearance (which is not page content)."""
    pdf = pikepdf.new()
    font = make_font(pdf)
    digits = 4 if font.Subtype == "/Type0" else 2
    shown = "".join(f"{CODE[c]:0{digits}X}" for c in TEXT)
    content = f"BT /F1 12 Tf 72 700 Td <{shown}> Tj ET".encode()
    fonts = pikepdf.Dictionary(F1=font)
    page = pdf.add_blank_page(page_size=(595, 842))
    if where == "page":
        page.obj.Contents = pdf.make_stream(content)
        page.obj.Resources = pikepdf.Dictionary(Font=fonts)
        return pdf
    form = pdf.make_stream(
        content,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(Font=fonts),
    )
    if where == "form":
        page.obj.Contents = pdf.make_stream(b"q /X1 Do Q")
        page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X1=form))
    else:
        annot = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            Rect=[0, 0, 595, 842],
            AP=pikepdf.Dictionary(N=form),
        )
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))
    return pdf


def swapped(claims: dict[int, str], a: str = "8", b: str = "9") -> dict[int, str]:
    return {**claims, CODE[a]: b, CODE[b]: a}


HONEST = {CODE[c]: c for c in CHARS}


def proven(problems: list[GlyphProblem]) -> set[tuple[str, str]]:
    assert all(not p.indeterminate for p in problems), problems
    return {(p.char, p.reason) for p in problems}


def test_an_honest_libreoffice_subset_has_no_problems() -> None:
    assert glyph_problems(page_with(lambda pdf: libreoffice_font(pdf, liberation()))) == []
    bold = page_with(
        lambda pdf: libreoffice_font(
            pdf, liberation("LiberationSans-Bold"), base="LiberationSans-Bold"
        )
    )
    assert glyph_problems(bold) == []


def test_a_tounicode_that_swaps_8_and_9_is_caught() -> None:
    pdf = page_with(lambda pdf: libreoffice_font(pdf, liberation(), swapped(HONEST)))
    assert proven(glyph_problems(pdf)) == {
        ("9", f"code 0x{CODE['8']:02X} claims '9' but draws the glyph of '8'"),
        ("8", f"code 0x{CODE['9']:02X} claims '8' but draws the glyph of '9'"),
    }


def test_a_differences_name_that_lies_is_caught() -> None:
    # the nine's code has no ToUnicode entry, so extractors read /Differences: "eight"
    claims = {k: v for k, v in HONEST.items() if v != "9"}
    differences = pikepdf.Dictionary(Differences=[CODE["9"], pikepdf.Name.eight])
    pdf = page_with(lambda pdf: libreoffice_font(pdf, liberation(), claims, Encoding=differences))
    assert proven(glyph_problems(pdf)) == {
        ("8", f"code 0x{CODE['9']:02X} claims '8' but draws the glyph of '9'")
    }


def test_a_nine_drawn_under_the_eights_outline_is_caught() -> None:
    pdf = page_with(lambda pdf: libreoffice_font(pdf, swap_outlines(liberation(), "8", "9")))
    assert {c for c, _ in proven(glyph_problems(pdf))} == {"8", "9"}
    assert any("claims '8' but draws the glyph of '9'" in p.reason for p in glyph_problems(pdf))


def test_a_glyph_name_that_viewers_resolve_differently_is_caught() -> None:
    # WinAnsi, nonsymbolic: the (3,1) cmap is honest, the post table names the nine "eight"
    def font(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
        program = swap_outlines(liberation(), "8", "9")
        for table in program["cmap"].tables:
            if ord("8") in table.cmap:
                table.cmap[ord("8")], table.cmap[ord("9")] = "nine", "eight"
        f = libreoffice_font(pdf, liberation(), {}, Encoding=pikepdf.Name.WinAnsiEncoding)
        f.FontDescriptor.Flags = 32
        f.FontDescriptor.FontFile2 = pikepdf.Stream(pdf, saved(program))
        return f

    problems = glyph_problems(page_with(font))
    viewers = [p for p in problems if "different viewers" in p.reason]
    assert {p.char for p in viewers} == {"8", "9"}
    assert "code 0x38 draws different glyphs in different viewers" in viewers[0].reason
    assert all(not p.indeterminate for p in problems)


def test_a_visible_glyph_without_a_claim_and_a_claim_without_a_glyph_are_caught() -> None:
    silent = {k: v for k, v in HONEST.items() if v != "9"}
    problems = glyph_problems(page_with(lambda pdf: libreoffice_font(pdf, liberation(), silent)))
    assert proven(problems) == {
        (
            "",
            f"1 code(s) draw a visible glyph but claim no character "
            f"(code 0x{CODE['9']:02X} draws the glyph of '9')",
        ),
    }
    ghost = {**HONEST, CODE[" "]: "7"}
    problems = glyph_problems(page_with(lambda pdf: libreoffice_font(pdf, liberation(), ghost)))
    assert proven(problems) == {("7", f"code 0x{CODE[' ']:02X} claims '7' but draws nothing")}


def test_a_code_claimed_twice_is_caught() -> None:
    def font(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
        f = libreoffice_font(pdf, liberation())
        twice = [*sorted(HONEST.items()), (CODE["8"], "9")]
        f.ToUnicode = pikepdf.Stream(pdf, to_unicode(twice))
        return f

    assert proven(glyph_problems(page_with(font))) == {
        ("8", f"code 0x{CODE['8']:02X} claims '8' and '9' at once")
    }


def cid_font(
    pdf: pikepdf.Pdf, lie: bool = False, claims: dict[int, str] = HONEST
) -> pikepdf.Dictionary:
    """Type 0, Identity-H, CIDFontType2 whose CIDToGIDMap stream sends CID i to CHARS[i-1]."""
    program = liberation()
    order, best = program.getGlyphOrder(), program.getBestCmap()
    gids = [0] + [order.index(best[ord(c)]) for c in CHARS]
    if lie:
        gids[CODE["8"]], gids[CODE["9"]] = gids[CODE["9"]], gids[CODE["8"]]
    cid_to_gid = b"".join(g.to_bytes(2, "big") for g in gids)
    descendant = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name("/CAAAAA+LiberationSans"),
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=font_descriptor(
            "/CAAAAA+LiberationSans", 4, FontFile2=pikepdf.Stream(pdf, saved(program))
        ),
        CIDToGIDMap=pikepdf.Stream(pdf, cid_to_gid),
    )
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            Encoding=pikepdf.Name("/Identity-H"),
            BaseFont=pikepdf.Name("/CAAAAA+LiberationSans-Identity-H"),
            DescendantFonts=[pdf.make_indirect(descendant)],
            ToUnicode=pikepdf.Stream(pdf, to_unicode(sorted(claims.items()), digits=4)),
        )
    )


def test_a_cid_font_is_judged_through_its_cid_to_gid_map() -> None:
    assert glyph_problems(page_with(cid_font)) == []
    lying_map = glyph_problems(page_with(lambda pdf: cid_font(pdf, lie=True)))
    assert proven(lying_map) == {
        ("8", f"code 0x{CODE['8']:04X} claims '8' but draws the glyph of '9'"),
        ("9", f"code 0x{CODE['9']:04X} claims '9' but draws the glyph of '8'"),
    }
    lying_text = glyph_problems(page_with(lambda pdf: cid_font(pdf, claims=swapped(HONEST))))
    assert {p.char for p in lying_text} == {"8", "9"}


def test_a_cff_font_is_judged_by_its_glyph_names() -> None:
    if not glyphs._reference_files("NimbusSans-Regular"):
        pytest.skip("fonts-urw-base35 is not installed")

    def font(pdf: pikepdf.Pdf, claims: dict[int, str]) -> pikepdf.Dictionary:
        program = liberation("NimbusSans-Regular")
        cff = program["CFF "].compile(program)
        names = program.getBestCmap()
        differences = [1, *(pikepdf.Name("/" + names[ord(c)]) for c in CHARS)]
        descriptor = font_descriptor(
            "/DAAAAA+NimbusSans-Regular",
            32,
            FontFile3=pikepdf.Stream(pdf, cff, Subtype=pikepdf.Name.Type1C),
        )
        return pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type1,
                BaseFont=pikepdf.Name("/DAAAAA+NimbusSans-Regular"),
                FontDescriptor=descriptor,
                Encoding=pikepdf.Dictionary(Differences=differences),
                ToUnicode=pikepdf.Stream(pdf, to_unicode(sorted(claims.items()))),
            )
        )

    assert glyph_problems(page_with(lambda pdf: font(pdf, HONEST))) == []
    lying = glyph_problems(page_with(lambda pdf: font(pdf, swapped(HONEST))))
    assert any("claims '8' but draws the glyph of '9'" in p.reason for p in lying)
    assert {p.char for p in lying} == {"8", "9"}


def test_a_font_without_a_reference_is_indeterminate_once() -> None:
    pdf = page_with(lambda pdf: libreoffice_font(pdf, liberation(), base="KinerjaNoSuchSans"))
    assert glyph_problems(pdf) == [
        GlyphProblem(
            "KinerjaNoSuchSans",
            "",
            "no installed font named KinerjaNoSuchSans to compare its glyphs with (fontconfig)",
            True,
        )
    ]


def test_fonts_this_cannot_judge_are_indeterminate() -> None:
    def helvetica(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
        return pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type1,
                BaseFont=pikepdf.Name.Helvetica,
                FontDescriptor=pikepdf.Dictionary(Type=pikepdf.Name.FontDescriptor, Flags=32),
            )
        )

    def type3(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
        return pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type3,
                FontBBox=[0, 0, 1, 1],
                FontMatrix=[0.001, 0, 0, 0.001, 0, 0],
                CharProcs=pikepdf.Dictionary(),
                Encoding=pikepdf.Dictionary(Differences=[]),
                FirstChar=0,
                LastChar=0,
                Widths=[0],
            )
        )

    for make in (helvetica, type3):
        (problem,) = glyph_problems(page_with(make))
        assert problem.indeterminate, problem


def test_fonts_in_form_xobjects_count_and_annotation_appearances_do_not() -> None:
    def lying(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
        return libreoffice_font(pdf, liberation(), swapped(HONEST))

    assert {p.char for p in glyph_problems(page_with(lying, where="form"))} == {"8", "9"}
    assert glyph_problems(page_with(lying, where="annotation")) == []


def test_hinting_that_is_not_the_references_is_indeterminate() -> None:
    def font(pdf: pikepdf.Pdf, program: TTFont) -> pikepdf.Dictionary:
        return libreoffice_font(pdf, program)

    changed = liberation()
    changed["fpgm"].program.fromBytecode(changed["fpgm"].program.getBytecode() + b"\xb0\x00\x21")
    (problem,) = glyph_problems(page_with(lambda pdf: font(pdf, changed)))
    assert problem.indeterminate and "hinting instructions" in problem.reason
    unhinted = liberation(hinting=False)
    assert glyph_problems(page_with(lambda pdf: font(pdf, unhinted))) == []


def test_a_font_of_another_scale_is_compared_by_its_raster() -> None:
    def scaled(claims: dict[int, str]) -> pikepdf.Pdf:
        program = liberation(hinting=False)
        scaleUpem.scale_upem(program, 1000)  # every point rounded anew: no outline is equal
        return page_with(lambda pdf: libreoffice_font(pdf, program, claims))

    assert glyph_problems(scaled(HONEST)) == []
    assert proven(glyph_problems(scaled(swapped(HONEST)))) == {
        ("9", f"code 0x{CODE['8']:02X} claims '9' but draws the glyph of '8'"),
        ("8", f"code 0x{CODE['9']:02X} claims '8' but draws the glyph of '9'"),
    }


CONFUSABLE = [
    ("0", "O"),
    ("0", "o"),
    ("1", "l"),
    ("1", "I"),
    ("6", "8"),
    ("5", "S"),
    ("8", "B"),
    ("2", "Z"),
    ("3", "8"),
    ("0", "9"),
]


@pytest.mark.parametrize("ps", ["LiberationSans", "LiberationSans-Bold"])
def test_the_tolerant_comparison_tells_every_digit_from_every_other(ps: str) -> None:
    ref = glyphs._reference(*glyphs._reference_files(ps)[0])

    def outline(c: str) -> list[np.ndarray]:
        return ref.polygons(ref.glyph_for(c) or "")

    pairs = [*itertools.combinations("0123456789", 2), *CONFUSABLE]
    assert [(a, b) for a, b in pairs if similar(outline(a), outline(b))] == []
    # the same glyphs a pixel (1/64 em) off, or with their points moved by half a pixel, match
    rng = np.random.default_rng(7)
    for c in "0123456789OolISBZ":
        assert similar(outline(c), [p + 1 / 64 for p in outline(c)]), c
        assert similar(outline(c), [p + rng.uniform(-1, 1, p.shape) / 128 for p in outline(c)]), c
