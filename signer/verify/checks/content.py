"""Content checks: the embedded agreement is the one signed, and the signed pages show it
(its verification code, every party, indikator and target).
"""

from __future__ import annotations

from signer import formatting
from signer.embedded import read_embedded
from signer.model import Agreement
from signer.verify.check import document_check
from signer.verify.evidence import Evidence, VerifyOptions, normalise
from signer.verify.result import CheckResult, Verdict, fail, ok


@document_check(
    "embedded-agreement",
    "one unambiguous, schema-valid, canonical JSON, read from the signed revision and unchanged "
    "since",
)
def embedded_agreement(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    if ev.embedded_newer:  # a newer kinerja's agreement: not wrong, but not ours to judge
        return [fail(f"{ev.embedded_error}", Verdict.INDETERMINATE)]
    if ev.embedded is None:
        return [fail(f"no valid embedded agreement in the signed revision ({ev.embedded_error})")]
    reader = ev.reader
    assert reader is not None
    try:
        current = read_embedded(reader.root)
    except MemoryError:
        raise
    except Exception as e:
        return [fail(f"the agreement in the final revision is unreadable ({e})")]
    if current.data != ev.embedded.data:
        return [fail("the embedded agreement was replaced after signing")]
    return [ok(f"{ev.embedded.name}, schema-valid, canonical, the one associated file")]


@document_check("verification-code", "the pages print the SHA-256 of the embedded agreement")
def verification_code(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    if newer := ev.newer_schema():
        return [newer]
    if ev.embedded is None:
        return [fail("no embedded agreement")]
    if ev.signed_text is None:
        return [fail(f"the signed pages' text is unreadable ({ev.text_error})")]
    code = formatting.digest_grouped(ev.embedded.sha256)
    if code not in ev.signed_text:
        return [fail("the pages do not print the SHA-256 of the embedded agreement")]
    return [ok(f"the pages print {ev.embedded.sha256[:16]}…")]


def expected_on_pages(a: Agreement) -> list[str]:
    """What the pages must show: every party name, indikator and formatted target."""
    out = [a.pihak_pertama.nama, a.pihak_kedua.nama]
    for i in a.indikator:
        out += [i.uraian, formatting.target(i.target)]
        out += [formatting.target(t) for t in i.target_triwulan or ()]
    return [normalise(s) for s in out]


@document_check(
    "visible-content",
    "every party name, indikator and target of the embedded data is on the signed pages (text "
    "read by PDFium)",
)
def visible_content(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    if newer := ev.newer_schema():
        return [newer]
    if ev.agreement is None or ev.signed_text is None:
        return [fail("no embedded agreement or no readable page text")]
    missing = [s for s in expected_on_pages(ev.agreement) if s not in ev.signed_text]
    if missing:
        shown = "; ".join(repr(m) for m in missing[:3])
        return [
            fail(
                f"{len(missing)} item(s) of the embedded data are not on the signed "
                f"pages, e.g. {shown}",
            )
        ]
    return [ok("every party name, indikator and target of the data is on the pages")]
