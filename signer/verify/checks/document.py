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


def pages_of(root: generic.DictionaryObject) -> list[generic.DictionaryObject]:
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
