"""Content checks: the embedded agreement is the one signed, and the signed pages show it
(its verification code, every party, indikator and target).
"""

from __future__ import annotations

from signer.embedded import read_embedded
from signer.verify.binding import code_problems, page_problems
from signer.verify.check import document_check
from signer.verify.evidence import Evidence, VerifyOptions
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


@document_check(
    "verification-code",
    "every signed page prints 'Kode verifikasi <id>:' and the SHA-256 of the embedded agreement, "
    "as drawn",
)
def verification_code(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    if newer := ev.newer_schema():
        return [newer]
    if ev.embedded is None:
        return [fail("no embedded agreement")]
    if ev.signed_pages is None:
        return [fail(f"the signed pages are unreadable ({ev.text_error})")]
    problems = code_problems(ev.embedded.agreement, ev.embedded.sha256, ev.signed_pages)
    if problems:
        return [fail(p) for p in problems]
    return [ok(f"every page prints {ev.embedded.sha256[:16]}… under its document id")]


@document_check(
    "printed-agreement",
    "the signed pages, as drawn, print exactly the embedded agreement, field by field and in "
    "place: kop, title, kind, year, unit, parties, lampiran rows, programs, place and date",
)
def printed_agreement(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    if newer := ev.newer_schema():
        return [newer]
    if ev.embedded is None or ev.signed_pages is None:
        return [fail("no embedded agreement or no readable pages")]
    problems = page_problems(ev.embedded.agreement, ev.embedded.sha256, ev.signed_pages)
    if problems:
        return [fail(p) for p in problems[:20]]
    return [ok("the pages print every field of the agreement, and nothing that contradicts it")]
