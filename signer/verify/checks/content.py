"""Content checks: the embedded agreement is the one signed, and the signed pages show it
(its verification code, every party, indikator and target).
"""

from __future__ import annotations

from signer.canonical import page_qr_payload, verification_payload
from signer.embedded import read_embedded
from signer.model import Peran
from signer.verify.binding import code_problems, page_problems
from signer.verify.check import document_check
from signer.verify.evidence import Evidence, VerifyOptions
from signer.verify.qr import DrawnQr
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
        # unsigned, it was read from the file as it is (see evidence._gather_agreement)
        current = ev.embedded if not ev.signatures else read_embedded(reader.root)
    except MemoryError:
        raise
    except Exception as e:
        return [fail(f"the agreement in the final revision is unreadable ({e})")]
    if current.data != ev.embedded.data:
        return [fail("the embedded agreement was replaced after signing")]
    return [ok(f"{ev.embedded.name}, schema-valid, canonical, the one associated file")]


@document_check(
    "verification-code",
    "every signed page prints 'Kode verifikasi <id>:' with the SHA-256 of the embedded agreement "
    "and one QR code that, decoded from the drawn page, carries it (after the agreement's "
    "verification address, when it has one, which the footer prints); other QR codes are only "
    "the signature stamps'",
)
def verification_code(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    if newer := ev.newer_schema():
        return [newer]
    if ev.embedded is None:
        return [fail("no embedded agreement")]
    if ev.signed_pages is None:
        return [fail(f"the signed pages are unreadable ({ev.text_error})")]
    a, sha256 = ev.embedded.agreement, ev.embedded.sha256
    problems = code_problems(a, sha256, ev.signed_pages) + qr_problems(
        ev.signed_qr,
        page_qr_payload(a, sha256),
        len(ev.signed_pages),
        verification_payload(a, sha256),
    )
    if problems:
        return [fail(p) for p in problems]
    leads = f", leading to {a.instansi.verify_url}" if a.instansi.verify_url else ""
    return [
        ok(f"every page prints {ev.embedded.sha256[:16]}… under its id and in its QR code{leads}")
    ]


def qr_problems(codes: list[DrawnQr], payload: str, pages: int, stamped: str) -> list[str]:
    """One QR code of the data (``payload``) per page; any other is a signature stamp's (the
    ``stamped`` payload and the role it stamps): a QR of another address or code, or one without
    the agreement's address, is not the data's."""
    stamps = {f"{stamped}:{role.value}" for role in Peran}
    out: list[str] = []
    for page in range(pages):
        here = [c.payload for c in codes if c.page == page]
        if here.count(payload) != 1:
            out.append(f"page {page + 1}: {here.count(payload)} QR code(s) of the data, not one")
        out += [
            f"page {page + 1}: a QR code that is not the data's: '{other[:60]}'"
            for other in here
            if other != payload and other not in stamps
        ]
    return out


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
    problems, unconfirmed = page_problems(ev.embedded.agreement, ev.signed_pages)
    if problems or unconfirmed:
        return [fail(p) for p in problems[:20]] + [
            fail(u, Verdict.INDETERMINATE) for u in unconfirmed
        ]
    return [ok("the pages print every field of the agreement, and nothing that contradicts it")]


@document_check(
    "drawn-glyphs",
    "each glyph the signed pages draw is the character the text claims (the font's outline is "
    "the installed reference font's for that character)",
)
def drawn_glyphs(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    if newer := ev.newer_schema():
        return [newer]
    if ev.glyphs is None:
        why = ev.text_error or ev.embedded_error or "no signed revision"
        return [fail(f"the signed pages' fonts were not read ({why})")]
    if not ev.glyphs:
        return [ok("every glyph drawn is the character the text says")]
    return [
        fail(
            f"{p.font}: {p.reason}",
            Verdict.INDETERMINATE if p.indeterminate else Verdict.INVALID,
        )
        for p in ev.glyphs[:20]
    ]
