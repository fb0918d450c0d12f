"""The map of paths that the difference analysis starts from is the one pyHanko builds, for
documents built to trip a walk: loops in the page and structure trees, references to
references, values changed in later revisions (the attack corpus compares every signed
revision of every attack, in tests/integration/test_verify_attacks.py)."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

import pikepdf
import pytest
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

from signer.verify import pathmap
from tests.attacks import append_update


def path_map(
    load: Callable[[HistoricalResolver], None], data: bytes, revision: int, strict: bool = False
) -> object:
    """What ``load`` leaves for ``revision`` of a fresh reader: the map, or the error's kind."""
    reader = PdfFileReader(io.BytesIO(data), strict=strict)
    resolver = reader.get_historical_resolver(revision)
    try:
        load(resolver)
    except Exception as e:
        return type(e).__name__
    found = resolver._indirect_object_access_cache
    return found.materialised() if isinstance(found, pathmap.Usages) else found


def same_maps(data: bytes) -> list[object]:
    """Every revision's map by both ways, asserted equal; the maps."""
    revisions = PdfFileReader(io.BytesIO(data), strict=False).xrefs.total_revisions
    maps = []
    for revision in range(revisions):
        ours = path_map(pathmap.load_reverse_xref_cache, data, revision)
        theirs = path_map(pathmap.original, data, revision)
        assert ours == theirs, f"revision {revision}"
        maps.append(ours)
    return maps


def base() -> tuple[bytes, dict[str, int]]:
    """Two pages under a /Pages node, a structure tree of two elements: its object numbers."""
    pdf = pikepdf.new()
    for _ in range(2):
        pdf.add_blank_page()
    first = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.P))
    second = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.P, Pg=pdf.pages[1].obj))
    root = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([first, second]))
    )
    first.P = root
    second.P = root
    pdf.Root.StructTreeRoot = root
    pdf.docinfo["/Title"] = "Perjanjian Kinerja"  # the updates keep /Info
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable, deterministic_id=True)
    saved = pikepdf.open(io.BytesIO(out.getvalue()))  # saving renumbers the objects
    tree = saved.Root.StructTreeRoot
    numbers = {
        "catalog": saved.Root.objgen[0],
        "pages": saved.Root.Pages.objgen[0],
        "page1": saved.pages[0].obj.objgen[0],
        "page2": saved.pages[1].obj.objgen[0],
        "struct": tree.objgen[0],
        "first": tree.K[0].objgen[0],
        "second": tree.K[1].objgen[0],
        "size": int(saved.trailer.Size),
    }
    return out.getvalue(), numbers


def update(data: bytes, objects: Mapping[int, bytes]) -> bytes:
    return append_update(data, dict(objects))


def test_plain_document() -> None:
    data, _ = base()
    [found] = same_maps(data)
    assert isinstance(found, dict) and len(found) >= 6


def test_later_revisions_do_not_leak_into_earlier_maps() -> None:
    data, n = base()
    extra = n["size"]
    later = update(
        data,
        {
            n["page1"]: b"<< /Type /Page /Parent %d 0 R /Annots [%d 0 R] >>" % (n["pages"], extra),
            extra: b"<< /Type /Annot /Subtype /Text /Rect [0 0 1 1] >>",
        },
    )
    first, second = same_maps(later)
    assert extra not in {r.idnum for r in first}  # type: ignore[attr-defined]
    assert extra in {r.idnum for r in second}  # type: ignore[attr-defined]


PAGES = b"<< /Type /Pages /Count 2 /Kids [%s] >>"


def kids(data: bytes, n: Mapping[str, int], items: bytes, more: Mapping[int, bytes] = {}) -> bytes:
    return update(data, {n["pages"]: PAGES % items, **more})


@pytest.mark.parametrize(
    "case",
    [
        "page-tree-loop",
        "kid-through-reference",
        "reference-loop",
        "type-held-elsewhere",
        "null-kids",
        "struct-loop",
        "struct-k-null",
        "struct-k-single",
        "struct-type-held-elsewhere",
        "no-struct-tree",
    ],
)
def test_hostile_structures(case: str) -> None:
    data, n = base()
    x, y = n["size"], n["size"] + 1
    pages, page1, page2 = n["pages"], n["page1"], n["page2"]
    hostile: dict[str, Callable[[], bytes]] = {
        "page-tree-loop": lambda: kids(data, n, b"%d 0 R %d 0 R" % (page1, pages)),
        "kid-through-reference": lambda: kids(
            data, n, b"%d 0 R %d 0 R" % (page1, x), {x: b"%d 0 R" % page2}
        ),
        "reference-loop": lambda: kids(data, n, b"%d 0 R %d 0 R" % (page1, x), {x: b"%d 0 R" % x}),
        "type-held-elsewhere": lambda: kids(
            data,
            n,
            b"%d 0 R %d 0 R" % (page1, x),
            {x: b"<< /Type %d 0 R /Kids [%d 0 R] >>" % (y, page2), y: b"/Pages"},
        ),
        "null-kids": lambda: update(data, {pages: b"<< /Type /Pages /Count 0 /Kids null >>"}),
        "struct-loop": lambda: update(
            data,
            {
                n["first"]: b"<< /Type /StructElem /S /P /K [%d 0 R] >>" % n["second"],
                n["second"]: b"<< /S /P /K [%d 0 R] >>" % n["first"],
            },
        ),
        "struct-k-null": lambda: update(
            data, {n["struct"]: b"<< /Type /StructTreeRoot /K %d 0 R >>" % x, x: b"null"}
        ),
        "struct-k-single": lambda: update(
            data, {n["struct"]: b"<< /Type /StructTreeRoot /K %d 0 R >>" % n["second"]}
        ),
        "struct-type-held-elsewhere": lambda: update(
            data,
            {
                n["first"]: b"<< /Type %d 0 R /S /P /K [%d 0 R] >>" % (x, n["second"]),
                x: b"/StructElem",
            },
        ),
        "no-struct-tree": lambda: update(
            data, {n["catalog"]: b"<< /Type /Catalog /Pages %d 0 R >>" % pages}
        ),
    }
    document = hostile[case]()
    maps: list[Any] = same_maps(document)
    # the change is seen: the last revision's map differs from the first, or is an error
    assert maps[-1] != maps[0]


def test_installed_for_the_difference_analysis() -> None:
    import signer.verify.evidence  # noqa: F401  (installs it)

    assert HistoricalResolver._load_reverse_xref_cache is pathmap.load_reverse_xref_cache
