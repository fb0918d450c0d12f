"""Document-level checks: a trust anchor is configured, the file parses strictly, and it holds
nothing beyond what kinerja writes (the document profile).
"""

from __future__ import annotations

import re

from pyhanko.pdf_utils import generic

from signer.verify.check import document_check
from signer.verify.evidence import Evidence, VerifyOptions
from signer.verify.result import CheckResult, Verdict, fail, ok


@document_check("trust-anchor", "a trust anchor is configured; without one nothing can be trusted")
def trust_anchor(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    if not options.trust.anchors:
        return [
            fail(
                "no trust anchor configured (--trust CERT|DIR): nothing can be trusted",
                Verdict.INDETERMINATE,
            )
        ]
    return [ok(f"{len(options.trust.anchors)} trust anchor(s)")]


_EOF = re.compile(rb"startxref\s+\d+\s+%%EOF")


@document_check(
    "pdf-structure",
    "strict parse; qpdf reads it the same way; every byte belongs to a revision, nothing after "
    "the last %%EOF",
)
def pdf_structure(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    if ev.reader is None:
        return [fail(f"the file does not parse as a strict PDF ({ev.parse_error})")]
    reader = ev.reader
    if reader.encrypted:
        return [fail("the file is encrypted")]
    if "/XRefStm" in reader.trailer_view:
        return [fail("hybrid cross-reference sections (an ambiguity vector)")]
    eofs = list(_EOF.finditer(ev.data))
    if not eofs:
        return [fail("no startxref/%%EOF marker")]
    tail = ev.data[eofs[-1].end() :]
    if tail.strip(b"\r\n \t\x00"):
        return [fail(f"{len(tail)} bytes after the last %%EOF that no revision explains")]
    if ev.second_parser:
        return [fail(f"qpdf reads the file differently: {ev.second_parser[0]}")]
    revisions = reader.xrefs.total_revisions
    if len(eofs) != revisions:
        return [
            fail(
                f"{len(eofs)} end-of-file markers but {revisions} revisions in the "
                "cross-reference chain: bytes no revision explains",
            )
        ]
    return [ok(f"{revisions} revisions, strictly parsed, nothing after the last %%EOF")]


@document_check(
    "document-profile",
    "no forms, scripts, actions or annotations besides the signature widgets",
)
def document_profile(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    """No forms, scripts or annotations beyond the signature widgets (anti-shadow)."""
    reader = ev.reader
    if reader is None:
        return [fail("unreadable")]
    root = reader.root
    if "/AA" in root:
        return [fail("the catalog has /AA (actions run on events)")]
    opening = root.get("/OpenAction")
    if opening is not None:
        opening = opening.get_object()
        # LibreOffice writes a plain destination (which page to show); anything else acts
        if not isinstance(opening, generic.ArrayObject) and opening.get("/S") != "/GoTo":
            return [fail(f"the catalog has an /OpenAction of type {opening.get('/S')}")]
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        return [fail("the document carries JavaScript")]
    form = root.get("/AcroForm")
    fields = form.get_object().get("/Fields", []) if form is not None else []
    for f in fields:
        f = f.get_object()
        if f.get("/FT") != "/Sig" or "/Kids" in f:
            return [fail(f"a form field that is not a signature ({f.get('/T')})")]
    if form is not None and form.get_object().get("/NeedAppearances"):
        return [fail("NeedAppearances is set (viewers would redraw fields)")]
    pages = _pages(root)
    first_signed = ev.signatures[0].revision if ev.signatures else None
    if first_signed is not None:
        signed_pages = _pages(reader.get_historical_root(first_signed))
        if len(signed_pages) != len(pages):
            return [fail(f"{len(signed_pages)} pages were signed, the file now has {len(pages)}")]
    for n, page in enumerate(pages, 1):
        if "/AA" in page:
            return [fail(f"page {n} has actions (/AA)")]
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Widget" or annot.get(
                "/FT", annot.get("/Parent", generic.DictionaryObject()).get("/FT")
            ) not in ("/Sig", None):
                return [
                    fail(
                        f"page {n} has a {annot.get('/Subtype')} annotation; only "
                        "signature widgets are allowed",
                    )
                ]
            if annot.get("/Subtype") == "/Widget" and annot.get("/FT") != "/Sig":
                return [fail(f"page {n} has a widget that is not a signature")]
    return [ok(f"{len(pages)} pages, signature widgets only, no scripts or forms")]


def _pages(root: generic.DictionaryObject) -> list[generic.DictionaryObject]:
    out: list[generic.DictionaryObject] = []
    stack = [root["/Pages"]]
    seen = 0
    while stack and seen < 100000:
        seen += 1
        node = stack.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if node.get("/Type") == "/Pages":
            stack.extend(reversed(list(node.get("/Kids", []))))
        else:
            out.append(node)
    return out
